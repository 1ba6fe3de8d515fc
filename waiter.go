package omni

import (
	"context"
	"fmt"
	"sync"

	"github.com/omnisdk/omni/cometd"
)

// maxRecent is how many notifications nobody waited for the waiter keeps,
// so a wait that starts just after its notification arrived still finds it.
const maxRecent = 4096

// waiterChannels are subscribed when the waiter starts; Await adds others
// on first use.
var waiterChannels = []string{ChannelFacebook, ChannelTwitter, ChannelFacebookSession}

// waiter matches notifications to waits over one shared subscription of the
// Client, and knows whether that subscription is live on the server.
type waiter struct {
	sub      *Subscription
	channels map[string]bool // subscribed; guarded by Client.waitMu

	mu     sync.Mutex
	seq    uint64 // notifications delivered so far
	waits  []*pendingWait
	recent []seen // arrival order, at most maxRecent

	// Liveness, from the CometD state events (delivered in order, on the
	// goroutine that delivers notifications), checked against the client's
	// current state and clientId, which may be ahead of the events.
	stateOK      bool          // not unconnected nor (re)handshaking
	resubPending bool          // re-handshaken, re-subscriptions not yet answered
	liveID       string        // the clientId the subscriptions were last accepted for
	changed      chan struct{} // closed and replaced on every liveness change
}

// seen is a notification no wait took (yet).
type seen struct {
	seq uint64
	n   Notification
}

type pendingWait struct {
	match func(Notification) bool
	ch    chan Notification // buffered, one value
}

// waiterFor returns the client's waiter, subscribed to channel, subscribing
// on first use. It starts over when the previous subscription stopped for
// good.
func (c *Client) waiterFor(ctx context.Context, channel string) (*waiter, error) {
	c.waitMu.Lock()
	defer c.waitMu.Unlock()
	if c.closed {
		return nil, ErrClientClosed
	}
	if c.wait != nil {
		select {
		case <-c.wait.sub.Done():
			c.wait = nil
		default:
		}
	}
	if c.wait == nil {
		w := &waiter{channels: map[string]bool{}, changed: make(chan struct{})}
		handlers := make([]Handler, 0, len(waiterChannels)+1)
		for _, ch := range waiterChannels {
			handlers = append(handlers, OnChannel(ch, w.deliver))
			w.channels[ch] = true
		}
		if !w.channels[channel] {
			handlers = append(handlers, OnChannel(channel, w.deliver))
			w.channels[channel] = true
		}
		sub, err := c.Subscribe(ctx, handlers...)
		if err != nil {
			return nil, err
		}
		w.sub = sub
		sub.cm.OnState(w.onState)
		w.mu.Lock()
		w.stateOK, w.liveID = liveState(sub.cm.State()), sub.cm.ClientID()
		w.mu.Unlock()
		c.wait = w
		return w, nil
	}
	w := c.wait
	if !w.channels[channel] {
		if err := w.sub.add(ctx, OnChannel(channel, w.deliver)); err != nil {
			return nil, err
		}
		w.channels[channel] = true
	}
	return w, nil
}

// liveState reports whether the server knows the client's session in state
// s, as far as the client can tell.
func liveState(s cometd.State) bool {
	switch s {
	case cometd.StateHandshaken, cometd.StateConnecting, cometd.StateConnected:
		return true
	}
	return false
}

// onState follows the CometD session: after the session was lost (a
// re-handshake), the subscriptions are live again only once the server
// answered their re-subscription.
func (w *waiter) onState(ev cometd.StateChange) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if ev.From == ev.To {
		if ev.Resubscribed > 0 || ev.Err != nil {
			// The re-subscription outcome, for the session the client has now.
			w.resubPending, w.liveID = false, w.sub.cm.ClientID()
		} else {
			return
		}
	} else {
		w.stateOK = liveState(ev.To)
		if ev.To == cometd.StateRehandshaking {
			w.resubPending = true
		}
	}
	close(w.changed)
	w.changed = make(chan struct{})
}

// live returns once the subscription is live on the server, or the error
// that keeps it from being so: ctx ended, or the subscription stopped. Live
// means: by the events, connected and re-subscribed; and by the client's
// current state, still in the session the subscriptions were accepted for
// (events lag behind it, a new clientId does not).
//
// This uses what cometd exposes today (OnState's StateChange with
// Resubscribed, State, ClientID); a per-subscription "active on the server"
// state in cometd would replace it.
func (w *waiter) live(ctx context.Context) error {
	for {
		state, id := w.sub.cm.State(), w.sub.cm.ClientID()
		w.mu.Lock()
		ok := w.stateOK && !w.resubPending && liveState(state) && id != "" && id == w.liveID
		changed := w.changed
		w.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-changed:
		case <-w.sub.Done():
			return w.stopped()
		case <-ctx.Done():
			return fmt.Errorf("omni: waiting for the notification subscription to be live again: %w", ctx.Err())
		}
	}
}

// stopped is the error of a wait on a subscription that stopped for good.
func (w *waiter) stopped() error {
	if err := w.sub.Err(); err != nil {
		return sentinelFor(err)
	}
	return ErrClientClosed
}

// mark returns the sequence number of the last notification delivered: a
// wait started now matches only notifications that come after it.
func (w *waiter) mark() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.seq
}

// deliver hands n to every wait it ends, or keeps it for a while.
func (w *waiter) deliver(n Notification) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seq++
	taken := false
	kept := w.waits[:0]
	for _, pw := range w.waits {
		if pw.match(n) {
			pw.ch <- n
			taken = true
			continue
		}
		kept = append(kept, pw)
	}
	clear(w.waits[len(kept):])
	w.waits = kept
	if taken {
		return
	}
	w.recent = append(w.recent, seen{seq: w.seq, n: n})
	if len(w.recent) > maxRecent {
		w.recent = append(w.recent[:0], w.recent[len(w.recent)-maxRecent:]...)
	}
}

// await returns the first notification after since that match accepts,
// or why none came: ctx ended or the subscription stopped.
func (w *waiter) await(ctx context.Context, since uint64, match func(Notification) bool) (Notification, error) {
	w.mu.Lock()
	for i, s := range w.recent {
		if s.seq > since && match(s.n) {
			w.recent = append(w.recent[:i], w.recent[i+1:]...)
			w.mu.Unlock()
			return s.n, nil
		}
	}
	pw := &pendingWait{match: match, ch: make(chan Notification, 1)}
	w.waits = append(w.waits, pw)
	w.mu.Unlock()

	select {
	case n := <-pw.ch:
		return n, nil
	case <-w.sub.Done():
		if n, ok := w.forget(pw); ok {
			return n, nil
		}
		return nil, w.stopped()
	case <-ctx.Done():
		if n, ok := w.forget(pw); ok {
			return n, nil
		}
		return nil, ctx.Err()
	}
}

// forget removes a wait that gave up; a notification that ended it
// meanwhile is returned.
func (w *waiter) forget(pw *pendingWait) (Notification, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, x := range w.waits {
		if x == pw {
			w.waits = append(w.waits[:i], w.waits[i+1:]...)
			return nil, false
		}
	}
	select {
	case n := <-pw.ch:
		return n, true
	default:
		return nil, false
	}
}
