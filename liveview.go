package omni

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"time"

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
	// Gone is set on an OnEnd event when a snapshot re-sync found the
	// interaction no longer among the agent's and could not read a terminal
	// state for it (the read failed, or the interaction lives on elsewhere,
	// such as transferred to another agent): State is then the last one the
	// view saw, which is not terminal.
	Gone bool
}

// InteractionHandlers receive the life of each interaction: new, changed,
// ended. Any may be nil.
type InteractionHandlers struct {
	// OnNew receives an interaction the first time it is seen: an inbound
	// post, comment, Tweet or direct message arriving (Processing), a
	// private-messaging session offered (Invited), or a draft the agent
	// created with Reply or Create (Inbound false). An interaction that
	// ended Revoked (withdrawn from the agent, as at
	// EndContactCenterSession) or Gone is new again when it is offered once
	// more (a StatusChange notification), or when a LiveView's re-sync
	// reads a snapshot after its end that shows it live; one that ended
	// otherwise is not revived.
	OnNew func(*InteractionEvent)
	// OnChange receives every later change of a live interaction: state,
	// capabilities (replaced whole), participants or properties (any field
	// of the resource). A notification that changes none of them, such as
	// a duplicate, is no change and not delivered.
	OnChange func(*InteractionEvent)
	// OnEnd receives the interaction reaching a terminal state (Completed,
	// Canceled, Sent, Revoked), after which it is forgotten. When a
	// LiveView's re-sync finds an interaction gone from the snapshot, it
	// reads the interaction for its final state; if that read fails or
	// finds no terminal state, the event has Gone set and the last state
	// seen.
	OnEnd func(*InteractionEvent)
	// OnMessages receives the message log of private-messaging sessions.
	OnMessages func(*MessageLogUpdated)
	// OnResyncError receives a failed snapshot read of a LiveView (the
	// next re-handshake tries again) and, once, the error that stopped the
	// view's notifications for good, such as a session refused for a
	// changed password (it matches ErrUnauthorized).
	OnResyncError func(error)
}

// tracker turns state-change notifications into new / change / end events.
// It is used from one goroutine at a time.
type tracker struct {
	h    InteractionHandlers
	mu   sync.Mutex // guards live, for readers on other goroutines
	live map[string]*tracked
	// ended holds the interactions that ended, so that a stale snapshot
	// or a late notification does not revive them.
	ended map[string]endedAt
	seq   uint64 // events applied
}

type tracked struct {
	Interaction
	seq uint64 // the event that last changed it
}

// endedAt is how and when an interaction ended.
type endedAt struct {
	seq uint64 // the event that ended it
	// again is set for an interaction withdrawn (Revoked) or gone from a
	// snapshot: it may be offered again, and an offer (a StatusChange
	// notification), or a snapshot read after it ended, that shows it live
	// makes it new.
	again bool
}

func newTracker(h InteractionHandlers) *tracker {
	return &tracker{h: h, live: map[string]*tracked{}, ended: map[string]endedAt{}}
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
	revive := n.Header().NotificationType == NotificationStatusChange
	t.apply(in, n, revive)
}

// apply records in and calls the matching handler. revive says that in,
// if live, is news after any withdrawal: an offer, or a snapshot read after
// the withdrawal (see endedAt).
func (t *tracker) apply(in Interaction, n Notification, revive bool) {
	k := key(in.Kind, in.ID)
	t.mu.Lock()
	t.seq++
	old, known := t.live[k]
	if known {
		in = keepUnsaid(old.Interaction, in)
	}
	end, ended := t.ended[k]
	same := false
	switch {
	case in.State.Terminal():
		delete(t.live, k)
		t.ended[k] = endedAt{seq: t.seq, again: in.State == StateRevoked}
	case known:
		same = sameInteraction(old.Interaction, in)
		old.Interaction, old.seq = in, t.seq
	case ended && !(end.again && revive):
		t.mu.Unlock()
		return // a late word of an ended interaction
	default: // new, or offered again after a withdrawal
		delete(t.ended, k)
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
		// A notification that changes nothing (a duplicate, or the
		// snapshot's word arriving again as a late notification) is no
		// event; it still counts as the interaction's latest word.
		if !same && t.h.OnChange != nil {
			t.h.OnChange(ev)
		}
	default:
		if t.h.OnNew != nil {
			t.h.OnNew(ev)
		}
	}
}

// keepUnsaid returns in with what its notification did not say taken from
// old, the interaction as last seen: a state, capabilities (unless the new
// state is terminal: a terminal interaction has none) and direction. A
// notification such as a PropertiesUpdated may carry only the properties
// it changed; it must not wipe the state and capabilities the view holds.
func keepUnsaid(old, in Interaction) Interaction {
	if in.State == "" {
		in.State = old.State
	}
	if in.Capabilities == nil && !in.State.Terminal() {
		in.Capabilities = old.Capabilities
	}
	switch {
	case in.Facebook != nil && in.Facebook.FacebookType == "":
		in.Inbound = old.Inbound
	case in.Tweet != nil && in.Tweet.TwitterType == "":
		in.Inbound = old.Inbound
	}
	return in
}

// sameInteraction reports whether b says nothing new about a: the same
// state, capabilities and direction, and the resource (participants,
// properties, every decoded field) equal. The raw JSON is not compared: a
// duplicate may be re-encoded.
func sameInteraction(a, b Interaction) bool {
	if a.Kind != b.Kind || a.ID != b.ID || a.State != b.State || a.Inbound != b.Inbound ||
		!slices.Equal(a.Capabilities, b.Capabilities) {
		return false
	}
	switch {
	case a.Facebook != nil && b.Facebook != nil:
		x, y := *a.Facebook, *b.Facebook
		x.Raw, y.Raw = nil, nil
		return reflect.DeepEqual(x, y)
	case a.Tweet != nil && b.Tweet != nil:
		x, y := *a.Tweet, *b.Tweet
		x.Raw, y.Raw = nil, nil
		return reflect.DeepEqual(x, y)
	case a.Session != nil && b.Session != nil:
		x, y := *a.Session, *b.Session
		x.Raw, y.Raw = nil, nil
		return reflect.DeepEqual(x, y)
	}
	return false
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
//
// finals holds, by key, the interactions gone from the snapshot as read
// afterwards in a terminal state (see LiveView.readFinals); one gone
// without a final read ends with Gone set and its last state.
func (t *tracker) resync(snap *AgentSnapshot, mark uint64, finals map[string]Interaction) {
	seen := map[string]bool{}
	items := snapshotInteractions(snap)
	for _, in := range items {
		k := key(in.Kind, in.ID)
		seen[k] = true
		t.mu.Lock()
		old, known := t.live[k]
		fresh := known && old.seq > mark
		changed := known && !sameInteraction(old.Interaction, in) // properties included
		end, ended := t.ended[k]
		t.mu.Unlock()
		if fresh || (known && !changed) {
			continue
		}
		// Live in a snapshot read after it was withdrawn: offered again
		// meanwhile (the offer was lost in the gap).
		t.apply(in, nil, ended && end.again && end.seq <= mark)
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
		if in, ok := finals[key(it.Kind, it.ID)]; ok {
			t.apply(in, nil, false)
		} else {
			t.end(it.Interaction)
		}
	}
}

// end forgets a live interaction whose final state is unknown and reports
// it to OnEnd with Gone set.
func (t *tracker) end(in Interaction) {
	k := key(in.Kind, in.ID)
	t.mu.Lock()
	_, known := t.live[k]
	if known {
		t.seq++
		delete(t.live, k)
		t.ended[k] = endedAt{seq: t.seq, again: true}
	}
	t.mu.Unlock()
	if known && t.h.OnEnd != nil {
		t.h.OnEnd(&InteractionEvent{Interaction: in, Gone: true})
	}
}

// snapshotInteractions lists the interactions of a snapshot.
func snapshotInteractions(snap *AgentSnapshot) []Interaction {
	var items []Interaction
	for _, f := range snap.Facebook {
		items = append(items, facebookInteraction(f))
	}
	for _, tw := range snap.Tweets {
		items = append(items, tweetInteraction(tw))
	}
	for _, s := range snap.FacebookSessions {
		items = append(items, sessionInteraction(s))
	}
	return items
}

// goneFrom returns the live interactions a snapshot's lists do not hold.
func (t *tracker) goneFrom(snap *AgentSnapshot) []Interaction {
	seen := map[string]bool{}
	for _, in := range snapshotInteractions(snap) {
		seen[key(in.Kind, in.ID)] = true
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []Interaction
	for k, it := range t.live {
		if !seen[k] && snap.Lists(it.Kind) {
			out = append(out, it.Interaction)
		}
	}
	return out
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
// no notification history, so the snapshot is all a re-sync can go by: an
// interaction that is in the view when a gap starts and changed or ended
// during it is reported (changed, or ended: in the state a read of it finds,
// see OnEnd), and one that is live at the
// re-sync is reported new exactly once; but an interaction that arrived and
// ended entirely inside a gap is in no snapshot, and the view never sees it.
// Nothing live is lost across a reconnect, and nothing is reported twice as
// new; what was born and gone during the gap is lost.
type LiveView struct {
	t      *tracker
	client *Client
	slots  chan struct{} // one per queued notification: bounds the queue, holding CometD delivery back when full
	wake   chan struct{} // one pending wake-up of the view's goroutine
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once

	mu      sync.Mutex // guards sub, stopFn, stopped, queue and every wg.Add after Watch returned
	sub     *Subscription
	stopFn  func()
	stopped bool
	queue   []queued // what the view's goroutine runs next, in order
}

// queued is one piece of work for the view's goroutine: a notification (which
// holds a slot) or a re-sync's differences (which never wait for one, so that
// a handler can queue them).
type queued struct {
	fn   func()
	slot bool
}

// Watch subscribes to the interaction topics (and the extra handlers'
// channels), reads the snapshot (GET {base}/me?subresources=*), reports each
// interaction it holds through OnNew, and from then on calls h for every
// change. Handlers run one at a time, in order, on the view's own
// goroutine; they must not call Close or Client.Close (cancel ctx-bound work
// instead), and may call Resync.
//
// ctx bounds the start only (the subscription and the first snapshot): once
// Watch has returned, ending ctx ends nothing. The view runs until Close, or
// until the Client is closed (Client.Close closes every view of the client).
// Should the server refuse its session for good (such as a changed
// password at a re-handshake), the view hears nothing more and says so:
// OnResyncError gets the error and Resync returns it; Watch again once the
// cause is fixed.
func (c *Client) Watch(ctx context.Context, h InteractionHandlers, extra ...Handler) (*LiveView, error) {
	v := &LiveView{t: newTracker(h), client: c, slots: make(chan struct{}, 1024), wake: make(chan struct{}, 1)}
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
	if !c.views.add(v) {
		v.cancel()
		return nil, ErrClientClosed
	}
	v.wg.Add(1)
	go v.run()
	sub, err := c.Subscribe(ctx, handlers...)
	if err != nil {
		v.Close()
		return nil, err
	}
	stopFn := sub.OnState(func(ev cometd.StateChange) {
		if ev.Resubscribed > 0 {
			v.resyncAsync()
		}
		if ev.To == cometd.StateTerminated && ev.From != cometd.StateTerminated && v.ctx.Err() == nil && v.t.h.OnResyncError != nil {
			// The server refused the session for good (such as a changed
			// password): the view hears nothing more, and says so.
			cause := ev.Err
			if cause == nil {
				cause = sub.cm.Err()
			}
			err := fmt.Errorf("omni: the view's notifications stopped: %w", sentinelFor(cause))
			v.enqueue(func() { v.t.h.OnResyncError(err) })
		}
	})
	v.mu.Lock()
	closed := v.stopped // Client.Close ran meanwhile
	v.sub, v.stopFn = sub, stopFn
	v.mu.Unlock()
	if closed {
		stopFn()
		sub.Close()
		return nil, ErrClientClosed
	}
	if err := v.resync(ctx, true); err != nil {
		v.Close()
		return nil, err
	}
	return v, nil
}

// enqueue hands a notification's fn to the view's goroutine, waiting while
// the queue is full; it drops fn once the view is closed.
func (v *LiveView) enqueue(fn func()) {
	select {
	case v.slots <- struct{}{}:
	case <-v.ctx.Done():
		return
	}
	v.push(queued{fn: fn, slot: true})
}

// push appends q to the queue without waiting.
func (v *LiveView) push(q queued) bool {
	v.mu.Lock()
	if v.stopped {
		v.mu.Unlock()
		return false
	}
	v.queue = append(v.queue, q)
	v.mu.Unlock()
	select {
	case v.wake <- struct{}{}:
	default: // a wake-up is pending already
	}
	return true
}

func (v *LiveView) run() {
	defer v.wg.Done()
	for {
		select {
		case <-v.wake:
		case <-v.ctx.Done():
			return
		}
		for v.ctx.Err() == nil {
			v.mu.Lock()
			if len(v.queue) == 0 {
				v.mu.Unlock()
				break
			}
			q := v.queue[0]
			v.queue[0] = queued{}
			v.queue = v.queue[1:]
			v.mu.Unlock()
			if q.slot {
				<-v.slots
			}
			q.fn()
		}
	}
}

// resync takes the mark, reads the snapshot and hands its differences to
// the view's goroutine; with wait it returns once they were delivered.
//
// The mark is the count of notifications applied so far: every one applied
// after it is treated as newer than the snapshot and wins, so a re-sync can
// neither lose an interaction nor report one twice. (A notification already
// queued when the mark is taken may be older than the snapshot; treating it
// as newer only delays the snapshot's word on that interaction to its next
// notification, which follows it on the same subscription.) Taking the mark
// here, not on the view's goroutine, is what lets a handler call Resync.
func (v *LiveView) resync(ctx context.Context, wait bool) error {
	if v.ctx.Err() != nil {
		return ErrClientClosed
	}
	v.mu.Lock()
	sub := v.sub
	v.mu.Unlock()
	if sub != nil {
		if err := sub.Err(); err != nil {
			return fmt.Errorf("omni: the view's notifications stopped: %w", err)
		}
	}
	mark := v.t.mark()
	snap, err := v.client.Agent.Snapshot(ctx)
	if err != nil {
		return err
	}
	finals := v.readFinals(ctx, v.t.goneFrom(snap))
	done := make(chan struct{})
	if !v.push(queued{fn: func() { v.t.resync(snap, mark, finals); close(done) }}) {
		return ErrClientClosed
	}
	if !wait {
		return nil
	}
	select {
	case <-done:
		return nil
	case <-v.ctx.Done():
		return ErrClientClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}

// readFinals reads each interaction gone from a snapshot, one at a time, and
// returns those found in a terminal state, by key: what OnEnd reports for
// them. A read that fails (GWS may answer 404 for an interaction that has
// left the agent) or finds the interaction live elsewhere adds nothing.
func (v *LiveView) readFinals(ctx context.Context, gone []Interaction) map[string]Interaction {
	finals := map[string]Interaction{}
	for _, in := range gone {
		if ctx.Err() != nil {
			break // the rest end with Gone
		}
		final, ok := v.readFinal(ctx, in)
		if ok && final.ID == in.ID && final.State.Terminal() {
			finals[key(in.Kind, in.ID)] = final
		}
	}
	return finals
}

// finalReadTimeout bounds each read of readFinals, retries included: a read
// that hangs must not hold the view's re-sync for long (the interaction
// then ends with Gone).
const finalReadTimeout = 5 * time.Second

// readFinal reads one interaction gone from a snapshot.
func (v *LiveView) readFinal(ctx context.Context, in Interaction) (Interaction, bool) {
	ctx, cancel := context.WithTimeout(ctx, finalReadTimeout)
	defer cancel()
	switch in.Kind {
	case KindFacebook:
		if f, err := v.client.Facebook.Get(ctx, in.ID, nil); err == nil {
			return facebookInteraction(*f), true
		}
	case KindTweet:
		if tw, err := v.client.Twitter.Get(ctx, in.ID, nil); err == nil {
			return tweetInteraction(*tw), true
		}
	case KindFacebookSession:
		if s, err := v.client.FacebookSessions.Get(ctx, in.ID, nil); err == nil {
			return sessionInteraction(*s), true
		}
	}
	return Interaction{}, false
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
		if err := v.resync(v.ctx, false); err != nil && v.ctx.Err() == nil && v.t.h.OnResyncError != nil {
			v.enqueue(func() { v.t.h.OnResyncError(err) })
		}
	}()
}

// Resync reads the snapshot now and hands the differences to the view's
// goroutine, as after a re-handshake, and returns once the snapshot has been
// read (or the error reading it), with the final state of the interactions
// it no longer lists (one read each, at most 5 s): it does not wait for the
// differences to be delivered. They are delivered on the view's goroutine after the
// notifications queued before them, and, when Resync is called from a
// handler, after that handler returns; so a handler may call it. It returns
// ErrClientClosed once the view is closed.
func (v *LiveView) Resync(ctx context.Context) error { return v.resync(ctx, false) }

// Interactions returns the live interactions, least recently changed first.
func (v *LiveView) Interactions() []Interaction { return v.t.interactions() }

// Subscription returns the view's CometD subscription.
func (v *LiveView) Subscription() *Subscription {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.sub
}

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
		v.client.views.remove(v)
		v.mu.Lock()
		sub, stopFn := v.sub, v.stopFn
		v.mu.Unlock()
		if stopFn != nil {
			stopFn()
		}
		if sub != nil {
			err = sub.Close()
		}
		v.stop()
	})
	return err
}

// viewSet is a Client's open live views, which Client.Close closes.
type viewSet struct {
	mu     sync.Mutex
	views  map[*LiveView]bool
	closed bool
}

// add registers v; false once the client is closed.
func (s *viewSet) add(v *LiveView) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	if s.views == nil {
		s.views = map[*LiveView]bool{}
	}
	s.views[v] = true
	return true
}

func (s *viewSet) remove(v *LiveView) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.views, v)
}

// closeAll closes every view and refuses new ones.
func (s *viewSet) closeAll() error {
	s.mu.Lock()
	s.closed = true
	views := make([]*LiveView, 0, len(s.views))
	for v := range s.views {
		views = append(views, v)
	}
	s.mu.Unlock()
	var errs []error
	for _, v := range views {
		errs = append(errs, v.Close())
	}
	return errors.Join(errs...)
}
