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

	changed chan struct{} // closed and replaced on every CometD state change
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
		sub.OnState(w.onState)
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

// live returns once the session is up and every channel of the
// subscription is active on the server in it, or the error that keeps it
// from being so: ctx ended, or the subscription stopped for good.
//
// Active is cometd.Subscription.Ready (after a re-handshake a channel is
// pending until its re-subscription is accepted). Up is the client's state:
// while its connects fail the client cannot know whether the server still
// holds the session, and a notification published for a session the server
// dropped reaches no one, so a wait holds its send until the session is
// confirmed again (connected, or a fresh handshake).
func (w *waiter) live(ctx context.Context) error {
	for {
		w.mu.Lock()
		changed := w.changed
		w.mu.Unlock()
		if err := w.sub.Ready(ctx); err != nil {
			select {
			case <-w.sub.Done():
				return w.stopped()
			default:
			}
			return fmt.Errorf("omni: waiting for the notification subscription to be live again: %w", err)
		}
		switch w.sub.cm.State() {
		case cometd.StateHandshaken, cometd.StateConnecting, cometd.StateConnected:
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

// onState wakes the waits held by live.
func (w *waiter) onState(cometd.StateChange) {
	w.mu.Lock()
	defer w.mu.Unlock()
	close(w.changed)
	w.changed = make(chan struct{})
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

// maxKnownRefs is how many referenceIds of the client's own operations
// knownRefs remembers.
const maxKnownRefs = 4096

// knownRefs remembers the referenceIds the client's GWS operations
// returned (the last maxKnownRefs), so that a wait correlated by resource
// and state does not take a notification that belongs to another of them.
// The zero value is ready to use.
type knownRefs struct {
	mu   sync.Mutex
	set  map[int64]struct{}
	ring []int64 // insertion order, at most maxKnownRefs
}

// add remembers ref; 0 (no referenceId) is not remembered.
func (k *knownRefs) add(ref int64) {
	if ref == 0 {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.set == nil {
		k.set = map[int64]struct{}{}
	}
	if _, ok := k.set[ref]; ok {
		return
	}
	if len(k.ring) == maxKnownRefs {
		delete(k.set, k.ring[0])
		k.ring = append(k.ring[:0], k.ring[1:]...)
	}
	k.set[ref] = struct{}{}
	k.ring = append(k.ring, ref)
}

// has reports whether ref is one the client's operations returned.
func (k *knownRefs) has(ref int64) bool {
	if ref == 0 {
		return false
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	_, ok := k.set[ref]
	return ok
}
