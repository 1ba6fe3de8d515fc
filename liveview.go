package omni

import (
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/omnisdk/omni/cometd"
)

// InteractionEvent is something that happened to an interaction.
type InteractionEvent struct {
	// Interaction is the interaction after the event.
	Interaction
	// Notification is the notification that caused the event; nil when a
	// snapshot re-sync found the change (the notification was lost in a
	// CometD gap).
	Notification Notification
}

// InteractionHandlers receive the life of each interaction: new, changed,
// ended. Any may be nil.
type InteractionHandlers struct {
	// OnNew receives an interaction the first time it is seen: an inbound
	// post, comment, Tweet or direct message arriving (Processing), a
	// private-messaging session offered (Invited), or a draft the agent
	// created with Reply or Create (Inbound false).
	OnNew func(*InteractionEvent)
	// OnChange receives every later change of a live interaction: state,
	// capabilities (replaced whole), participants or properties.
	OnChange func(*InteractionEvent)
	// OnEnd receives the interaction reaching a terminal state (Completed,
	// Canceled, Sent, Revoked), after which it is forgotten.
	OnEnd func(*InteractionEvent)
	// OnMessages receives the message log of private-messaging sessions.
	OnMessages func(*MessageLogUpdated)
	// OnResyncError receives a failed snapshot read of a LiveView; the
	// next re-handshake tries again.
	OnResyncError func(error)
}

// tracker turns state-change notifications into new / change / end events.
// It is used from one goroutine at a time.
type tracker struct {
	h     InteractionHandlers
	mu    sync.Mutex // guards live, for readers on other goroutines
	live  map[string]*tracked
	ended map[string]bool // ids that ended: a stale snapshot must not revive them
	seq   uint64          // events applied
}

type tracked struct {
	Interaction
	seq uint64 // the event that last changed it
}

func newTracker(h InteractionHandlers) *tracker {
	return &tracker{h: h, live: map[string]*tracked{}, ended: map[string]bool{}}
}

// key identifies an interaction across kinds.
func key(kind InteractionKind, id string) string { return string(kind) + "/" + id }

// notify applies one notification.
func (t *tracker) notify(n Notification) {
	if ml, ok := n.(*MessageLogUpdated); ok {
		if t.h.OnMessages != nil {
			t.h.OnMessages(ml)
		}
		return
	}
	in, ok := interactionOf(n)
	if !ok {
		return
	}
	t.apply(in, n)
}

// apply records in and calls the matching handler.
func (t *tracker) apply(in Interaction, n Notification) {
	k := key(in.Kind, in.ID)
	t.mu.Lock()
	t.seq++
	old, known := t.live[k]
	switch {
	case in.State.Terminal():
		delete(t.live, k)
		t.ended[k] = true
	case known:
		old.Interaction, old.seq = in, t.seq
	case t.ended[k]:
		t.mu.Unlock()
		return // a late notification of an ended interaction
	default:
		t.live[k] = &tracked{Interaction: in, seq: t.seq}
	}
	t.mu.Unlock()
	ev := &InteractionEvent{Interaction: in, Notification: n}
	switch {
	case in.State.Terminal():
		if known && t.h.OnEnd != nil {
			t.h.OnEnd(ev)
		}
	case known:
		if t.h.OnChange != nil {
			t.h.OnChange(ev)
		}
	default:
		if t.h.OnNew != nil {
			t.h.OnNew(ev)
		}
	}
}

// mark returns the current event count, taken before a snapshot is read.
func (t *tracker) mark() uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.seq
}

// resync brings the view in line with a snapshot read after mark: what the
// snapshot holds and the view does not is new (unless it ended since), what
// differs changed, and what the view holds and the snapshot's list of its
// kind does not ended during the gap (a kind the snapshot has no list for
// ends nothing). Interactions a notification touched after mark are newer
// than the snapshot and left alone.
func (t *tracker) resync(snap *AgentSnapshot, mark uint64) {
	seen := map[string]bool{}
	var items []Interaction
	for i := range snap.Facebook {
		f := snap.Facebook[i]
		items = append(items, Interaction{Kind: KindFacebook, ID: f.ID, State: f.State, Capabilities: f.Capabilities,
			Inbound: f.FacebookType == "Inbound", Facebook: &f})
	}
	for i := range snap.Tweets {
		tw := snap.Tweets[i]
		items = append(items, Interaction{Kind: KindTweet, ID: tw.ID, State: tw.State, Capabilities: tw.Capabilities,
			Inbound: tw.TwitterType == "Inbound", Tweet: &tw})
	}
	for i := range snap.FacebookSessions {
		s := snap.FacebookSessions[i]
		items = append(items, Interaction{Kind: KindFacebookSession, ID: s.ID, State: s.State, Capabilities: s.Capabilities,
			Inbound: true, Session: &s})
	}
	for _, in := range items {
		k := key(in.Kind, in.ID)
		seen[k] = true
		t.mu.Lock()
		old, known := t.live[k]
		fresh := known && old.seq > mark
		changed := known && (old.State != in.State || !slices.Equal(old.Capabilities, in.Capabilities))
		t.mu.Unlock()
		if fresh || (known && !changed) {
			continue
		}
		t.apply(in, nil)
	}
	t.mu.Lock()
	var gone []*tracked
	for k, it := range t.live {
		if !seen[k] && it.seq <= mark && snap.Lists(it.Kind) {
			gone = append(gone, it)
		}
	}
	t.mu.Unlock()
	slices.SortFunc(gone, func(a, b *tracked) int { return int(a.seq) - int(b.seq) })
	for _, it := range gone {
		in := it.Interaction
		in.State, in.Capabilities = StateCompleted, Capabilities{}
		t.apply(in, nil)
	}
}

// interactions returns the live interactions in the order they were last changed.
func (t *tracker) interactions() []Interaction {
	t.mu.Lock()
	defer t.mu.Unlock()
	list := make([]*tracked, 0, len(t.live))
	for _, it := range t.live {
		list = append(list, it)
	}
	slices.SortFunc(list, func(a, b *tracked) int { return int(a.seq) - int(b.seq) })
	out := make([]Interaction, len(list))
	for i, it := range list {
		out[i] = it.Interaction
	}
	return out
}

// OnInteractions handles the life of Facebook posts, Tweets and
// private-messaging sessions as typed events (new, changed, ended), from
// notifications alone, on /v2/me/facebook, /v2/me/twitter and
// /v2/me/facebooksession. Use it in one Subscribe call only. After a CometD
// gap notifications may be missing: Client.Watch adds the snapshot re-sync.
func OnInteractions(h InteractionHandlers) []Handler {
	t := newTracker(h)
	return t.handlers()
}

func (t *tracker) handlers() []Handler {
	fn := func(n Notification) { t.notify(n) }
	return []Handler{OnChannel(ChannelFacebook, fn), OnChannel(ChannelTwitter, fn), OnChannel(ChannelFacebookSession, fn)}
}

// LiveView is the agent's interactions kept current: the snapshot, then
// notifications on top; after every CometD re-handshake the snapshot again,
// with the differences delivered as the events that were missed. GWS keeps
// no notification history, so this is how nothing is lost across a
// reconnect: no interaction goes missing from the view, and none is
// reported twice as new.
type LiveView struct {
	sub    *Subscription
	t      *tracker
	client *Client
	events chan func()
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
	stopFn func()

	mu      sync.Mutex // guards stopped and every wg.Add after Watch returned
	stopped bool
}

// Watch subscribes to the interaction topics (and the extra handlers'
// channels), reads the snapshot (GET {base}/me?subresources=*), reports each
// interaction it holds through OnNew, and from then on calls h for every
// change. Handlers run one at a time, in order, on the view's own
// goroutine; they must not call Close (cancel ctx-bound work instead).
func (c *Client) Watch(ctx context.Context, h InteractionHandlers, extra ...Handler) (*LiveView, error) {
	v := &LiveView{t: newTracker(h), client: c, events: make(chan func(), 1024)}
	v.ctx, v.cancel = context.WithCancel(context.Background())
	enqueue := func(n Notification) { v.enqueue(func() { v.t.notify(n) }) }
	handlers := []Handler{OnChannel(ChannelFacebook, enqueue), OnChannel(ChannelTwitter, enqueue),
		OnChannel(ChannelFacebookSession, enqueue)}
	for _, x := range extra {
		if x.call == nil {
			v.cancel()
			return nil, errors.New("omni: Watch: an extra handler is the zero Handler")
		}
		call := x.call
		x.call = func(n Notification) { v.enqueue(func() { call(n) }) }
		handlers = append(handlers, x)
	}
	v.wg.Add(1)
	go v.run()
	sub, err := c.Subscribe(ctx, handlers...)
	if err != nil {
		v.stop()
		return nil, err
	}
	v.sub = sub
	v.stopFn = sub.OnState(func(ev cometd.StateChange) {
		if ev.Resubscribed > 0 {
			v.resyncAsync()
		}
	})
	if err := v.resyncNow(ctx); err != nil {
		v.Close()
		return nil, err
	}
	return v, nil
}

// enqueue hands fn to the view's goroutine; it drops fn once the view is closed.
func (v *LiveView) enqueue(fn func()) {
	select {
	case v.events <- fn:
	case <-v.ctx.Done():
	}
}

func (v *LiveView) run() {
	defer v.wg.Done()
	for {
		select {
		case fn := <-v.events:
			fn()
		case <-v.ctx.Done():
			return
		}
	}
}

// resyncNow reads the snapshot and queues its differences; the mark is
// taken on the view's goroutine before the read, so every notification
// applied after it is known to be newer than the snapshot.
func (v *LiveView) resyncNow(ctx context.Context) error {
	marked := make(chan uint64, 1)
	v.enqueue(func() { marked <- v.t.mark() })
	var mark uint64
	select {
	case mark = <-marked:
	case <-v.ctx.Done():
		return ErrClientClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	snap, err := v.client.Agent.Snapshot(ctx)
	if err != nil {
		return err
	}
	done := make(chan struct{})
	v.enqueue(func() { v.t.resync(snap, mark); close(done) })
	select {
	case <-done:
		return nil
	case <-v.ctx.Done():
		return ErrClientClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (v *LiveView) resyncAsync() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.stopped {
		return // a state change racing Close
	}
	v.wg.Add(1)
	go func() {
		defer v.wg.Done()
		if err := v.resyncNow(v.ctx); err != nil && v.ctx.Err() == nil && v.t.h.OnResyncError != nil {
			v.enqueue(func() { v.t.h.OnResyncError(err) })
		}
	}()
}

// Resync reads the snapshot now and delivers the differences, as after a
// re-handshake; it returns once they have been delivered.
func (v *LiveView) Resync(ctx context.Context) error { return v.resyncNow(ctx) }

// Interactions returns the live interactions, least recently changed first.
func (v *LiveView) Interactions() []Interaction { return v.t.interactions() }

// Subscription returns the view's CometD subscription.
func (v *LiveView) Subscription() *Subscription { return v.sub }

func (v *LiveView) stop() {
	v.mu.Lock()
	v.stopped = true
	v.mu.Unlock()
	v.cancel()
	v.wg.Wait()
}

// Close ends the subscription and the view's goroutines. It is safe to call
// more than once, but not from a handler.
func (v *LiveView) Close() error {
	var err error
	v.once.Do(func() {
		if v.stopFn != nil {
			v.stopFn()
		}
		if v.sub != nil {
			err = v.sub.Close()
		}
		v.stop()
	})
	return err
}
