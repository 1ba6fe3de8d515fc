package cometd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Subscription is the registration of one Handler on one channel.
//
// Every Subscribe call sends its own /meta/subscribe, so each caller learns
// whether the server accepted it; the server keeps one subscription per
// channel and session. Unsubscribe sends /meta/unsubscribe only when the
// last Subscription of the client on that channel goes, so other handlers
// on the channel keep receiving. After a re-handshake one /meta/subscribe
// per channel is re-sent, and retried after failures until the server
// accepts or refuses it (see State, Err and Ready).
type Subscription struct {
	c       *Client
	channel string
	handler Handler
	seq     uint64

	// guarded by c.mu
	state SubscriptionState
	err   error // why the subscription is not active, if known
	// ready and done are made when first waited on (most subscriptions
	// never are, and an idle session holds its subscriptions: the two
	// channels were about 200 bytes of its heap): see readyLocked and
	// doneLocked.
	ready   chan struct{} // closed when state becomes SubscriptionActive; nil until waited on
	done    chan struct{} // closed once state is SubscriptionEnded; nil until waited on
	removed bool          // no longer in c.subs: its handler gets nothing more
	// serverHeld: while s waited for its own reply, another Subscribe to
	// the channel was accepted after its caller gave up, or ended without
	// a reply the server may have acted on (see Subscribe).
	serverHeld bool
}

// SubscriptionState says whether a Subscription is active on the server.
type SubscriptionState int

// The states of a Subscription.
const (
	// SubscriptionPending: the server has not (yet) confirmed the
	// subscription in the current session — Subscribe is waiting for its
	// reply, or the client re-subscribes after a re-handshake (Err holds the
	// last failed attempt, if any). Messages on the channel that arrive
	// meanwhile are delivered all the same.
	SubscriptionPending SubscriptionState = iota
	// SubscriptionActive: the server accepted the subscription in the
	// current session.
	SubscriptionActive
	// SubscriptionEnded: for good, after Unsubscribe (Err is
	// ErrUnsubscribed), a refusal by the server (Err wraps *Error), or the
	// client's stop (Err is the client's stop error). It never changes again.
	SubscriptionEnded
)

// String returns the state's name, such as "active".
func (s SubscriptionState) String() string {
	switch s {
	case SubscriptionPending:
		return "pending"
	case SubscriptionActive:
		return "active"
	case SubscriptionEnded:
		return "ended"
	}
	return "unknown"
}

// Channel returns the subscribed channel (possibly a wildcard pattern).
func (s *Subscription) Channel() string { return s.channel }

// State returns whether the subscription is active on the server now.
func (s *Subscription) State() SubscriptionState {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	return s.state
}

// Err returns why the subscription is not active: nil while it is active
// (or pending with no failure yet), the last failed re-subscription while it
// is pending (a *SubscriptionError wrapping a network error, a *StatusError
// or an *Error such as 402), and the reason it ended once it has.
func (s *Subscription) Err() error {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	if s.state == SubscriptionActive {
		return nil
	}
	return s.err
}

// Done returns a channel closed when the subscription has ended for good
// (State SubscriptionEnded; Err says why).
func (s *Subscription) Done() <-chan struct{} {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	return s.doneLocked()
}

// closedChan is a closed channel, for a wait on what already happened.
var closedChan = func() chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}()

// readyLocked returns a channel closed once s is active (closed already if
// it is); c.mu held.
func (s *Subscription) readyLocked() <-chan struct{} {
	if s.state == SubscriptionActive {
		return closedChan
	}
	if s.ready == nil {
		s.ready = make(chan struct{})
	}
	return s.ready
}

// doneLocked returns a channel closed once s has ended (closed already if
// it has); c.mu held.
func (s *Subscription) doneLocked() <-chan struct{} {
	if s.state == SubscriptionEnded {
		return closedChan
	}
	if s.done == nil {
		s.done = make(chan struct{})
	}
	return s.done
}

// Ready waits until the subscription is active on the server in the
// current session and returns nil, or returns Err once it has ended, or
// ctx's error (wrapping the last failed attempt, if any) when ctx is done
// first. It returns at once when the subscription is active. After a
// re-handshake a subscription is pending until the server accepts it again,
// so a caller that must not publish before it could receive the answer
// calls Ready first.
func (s *Subscription) Ready(ctx context.Context) error {
	c := s.c
	for {
		c.mu.Lock()
		state, err := s.state, s.err
		ready, done := s.readyLocked(), s.doneLocked()
		c.mu.Unlock()
		switch state {
		case SubscriptionActive:
			return nil
		case SubscriptionEnded:
			return err
		}
		select {
		case <-ready:
		case <-done:
		case <-ctx.Done():
			if err != nil {
				return fmt.Errorf("cometd: subscription to %s not active: %w (last failure: %w)", s.channel, ctx.Err(), err)
			}
			return fmt.Errorf("cometd: subscription to %s not active: %w", s.channel, ctx.Err())
		}
	}
}

// activateLocked marks s accepted by the server; c.mu held.
func (s *Subscription) activateLocked() {
	if s.state != SubscriptionPending {
		return
	}
	s.state, s.err = SubscriptionActive, nil
	if s.ready != nil {
		close(s.ready)
		s.ready = nil // the next pending spell waits on a new one
	}
}

// pendLocked marks s as not (or no longer) known to the server, with the
// failure that keeps it so, if any; c.mu held.
func (s *Subscription) pendLocked(err error) {
	switch s.state {
	case SubscriptionEnded:
		return
	}
	s.state = SubscriptionPending
	if err != nil {
		s.err = err
	}
}

// endLocked ends s for good with err; c.mu held.
func (s *Subscription) endLocked(err error) {
	if s.state == SubscriptionEnded {
		return
	}
	s.state, s.err = SubscriptionEnded, err
	if s.done != nil {
		close(s.done)
	}
}

// Subscribe subscribes h to channel, which may end in /* (one segment) or
// /** (any depth). It handshakes first if the client has not yet done so,
// and returns once the server replied: a refusal is returned as an error
// wrapping *Error. The subscription is re-sent automatically after every
// re-handshake. Messages on the channel go to h on the delivery goroutine.
//
// h is registered before the /meta/subscribe is sent, as in CometD's Java
// client, because a server may deliver messages of the channel ahead of its
// reply (a long-polling server writes queued messages first, and a held
// /meta/connect may return before the subscribe reply): h receives them.
// Should the server then refuse, Subscribe returns the error and h is
// removed the moment the refusal is read: messages h was handed before stay
// delivered (there is no taking them back), those still queued then are not
// handed to it, and nothing reaches it after Subscribe returned.
//
// A reply 402 (the server no longer knows the session) is not a refusal:
// h stays registered and the subscription pending, the client re-handshakes
// at once (as it does when its connect meets the same 402: the held connect
// is cut short; with reconnect advice "none" the client terminates instead)
// and re-subscribes, and
// Subscribe returns once the new session accepts it, or the error once the
// server refuses it otherwise, the client stops or ctx ends (ctx's error,
// wrapping the 402). CometD's Java client likewise re-subscribes the
// listeners it holds after a re-handshake.
//
// If ctx ends before the server replied, Subscribe returns ctx's error
// and h is removed; should the late reply accept the subscription, the
// client sends /meta/unsubscribe for the channel (unless another
// Subscription on it exists), so the server does not keep what the caller
// gave up.
func (c *Client) Subscribe(ctx context.Context, channel string, h Handler) (*Subscription, error) {
	if h == nil {
		return nil, errors.New("cometd: Subscribe with a nil handler")
	}
	if err := checkChannel(channel, true); err != nil {
		return nil, err
	}
	if err := c.ensureHandshake(ctx); err != nil {
		return nil, err
	}
	s := &Subscription{c: c, channel: channel, handler: h}
	c.mu.Lock()
	c.subSeq++
	s.seq = c.subSeq
	c.subs[channel] = append(c.subs[channel], s)
	c.route = nil
	c.mu.Unlock()
	m := &Message{Channel: ChannelSubscribe, ID: c.nextID(), Subscription: channel}
	// decided and abandoned settle, under c.mu, which of the reply and the
	// end of ctx comes first: never half of each.
	var decided, abandoned, kept bool
	p, err := c.queueOut(m, func(r *Message) {
		c.mu.Lock()
		if abandoned {
			undo := (r.Successful || r.successUnclear()) && c.serverMayHoldLocked(channel, m)
			c.mu.Unlock()
			if undo {
				c.unsubscribeAbandoned(channel)
			}
			c.sessionLost(m, r)
			return
		}
		decided = true
		undo := false
		switch {
		case !r.Successful && replyError(r).Code == 402 && !r.successUnclear():
			// The session is gone: s stays registered and pending, and the
			// re-subscription after the re-handshake (which sessionLost
			// starts at once) decides; see Subscribe.
			kept = true
			s.pendLocked(&SubscriptionError{Channel: channel, Err: replyError(r)})
		case !r.Successful:
			// From here on h gets nothing: not even what is still queued.
			undo = c.removeSubLocked(s, subscribeReplyError(r)) && (r.successUnclear() || s.serverHeld) &&
				c.sentInSessionLocked(m)
		case m.ClientID == c.clientID:
			s.activateLocked()
		}
		// A success from an earlier session leaves s pending: the
		// re-subscription of the current one will confirm it.
		c.mu.Unlock()
		if undo {
			// The reply's "successful" was neither a boolean nor "true"
			// or "false": the client counts it as a refusal, and the
			// server, which may hold the subscription, is told to drop it.
			c.unsubscribeAbandoned(channel)
		}
		c.sessionLost(m, r)
	}, func(err error) {
		// Settled without a reply (none came in time, the socket or the
		// request failed) once it may have been sent: the server may hold
		// the subscription, and nobody will (Subscribe returns err, or
		// returned when its ctx ended): it is told to drop it. A
		// /meta/unsubscribe for a channel it does not hold is refused,
		// which nobody waits for.
		c.mu.Lock()
		if !abandoned {
			decided = true
			c.removeSubLocked(s, err)
		}
		undo := c.serverMayHoldLocked(channel, m)
		c.mu.Unlock()
		if undo {
			c.unsubscribeAbandoned(channel)
		}
	})
	if err != nil {
		c.removeSub(s, err)
		return nil, err
	}
	var r *Message
	select {
	case rep := <-p.ch:
		r, err = rep.m, rep.err
	case <-c.ctx.Done():
		c.removePending(m.ID)
		err = c.errIfStoppedOr(ErrClosed)
	case <-ctx.Done():
		c.mu.Lock()
		if !decided {
			abandoned = true
			c.removeSubLocked(s, ctx.Err())
			if c.dropQueuedLocked(m.ID) {
				c.deletePendingLocked(m.ID) // never sent: no reply will come
			}
		}
		c.mu.Unlock()
		if abandoned {
			err = ctx.Err()
			break
		}
		rep := <-p.ch // the reply is being handed over
		r, err = rep.m, rep.err
	}
	c.mu.Lock()
	wait := kept
	c.mu.Unlock()
	if err == nil && wait {
		return c.awaitResubscribed(ctx, s)
	}
	if err == nil && !r.Successful {
		err = subscribeReplyError(r)
	}
	if err != nil {
		c.removeSub(s, err)
		return nil, fmt.Errorf("cometd: subscribing to %s: %w", channel, err)
	}
	return s, nil
}

// sentInSessionLocked reports whether m was sent in the current session;
// c.mu held.
func (c *Client) sentInSessionLocked(m *Message) bool {
	return m.ClientID != "" && m.ClientID == c.clientID
}

// serverMayHoldLocked is told that the server may hold channel because of
// m, a /meta/subscribe no caller waits for any more (accepted after its
// caller gave up, or settled without a reply). It reports whether the
// client should undo it (unsubscribeAbandoned): m was sent in the current
// session and no subscription is left on the channel. If some are left,
// they keep what the server holds, and the last of them to be refused
// undoes it (Subscription.serverHeld). c.mu held.
func (c *Client) serverMayHoldLocked(channel string, m *Message) (undo bool) {
	if !c.sentInSessionLocked(m) {
		return false
	}
	subs := c.subs[channel]
	for _, x := range subs {
		x.serverHeld = true
	}
	return len(subs) == 0
}

// awaitResubscribed waits, for a Subscribe answered 402 (session unknown),
// until the re-subscription in the new session accepts s, the server
// refuses it otherwise, the client stops or ctx ends (s is then removed, and
// a late acceptance is undone by resubscribed).
func (c *Client) awaitResubscribed(ctx context.Context, s *Subscription) (*Subscription, error) {
	c.mu.Lock()
	ready, done := s.readyLocked(), s.doneLocked()
	c.mu.Unlock()
	select {
	case <-ready:
		return s, nil
	case <-done:
		c.mu.Lock()
		err := s.err
		c.mu.Unlock()
		return nil, fmt.Errorf("cometd: subscribing to %s: %w", s.channel, firstSubscribeCause(s.channel, err))
	case <-ctx.Done():
		c.mu.Lock()
		if s.state == SubscriptionActive { // accepted meanwhile: never half of each
			c.mu.Unlock()
			return s, nil
		}
		last := s.err
		c.removeSubLocked(s, ctx.Err())
		c.mu.Unlock()
		return nil, fmt.Errorf("cometd: subscribing to %s: %w (last failure: %w)", s.channel, ctx.Err(), firstSubscribeCause(s.channel, last))
	}
}

// firstSubscribeCause returns the cause of a *SubscriptionError on channel
// (which reads "re-subscribing"), for the error of the Subscribe call that
// made the subscription; any other error as is.
func firstSubscribeCause(channel string, err error) error {
	if se, ok := err.(*SubscriptionError); ok && se.Channel == channel {
		return se.Err
	}
	return err
}

// ErrUnclearReply is the cause of a failed Subscribe whose reply's
// "successful" field was absent, null, or neither a boolean nor the string
// "true" or "false": the client counts it as a refusal and unsubscribes.
var ErrUnclearReply = errors.New(`cometd: reply's "successful" is not a boolean`)

// subscribeReplyError is the error of an unsuccessful subscribe reply.
// A refusal advising reconnect "none" stops the client (sessionLost), and
// its error says so too.
func subscribeReplyError(r *Message) error {
	if r.successUnclear() {
		return fmt.Errorf("%w (the client unsubscribed): %w", ErrUnclearReply, replyError(r))
	}
	if r.Advice != nil && r.Advice.present&adviceReconnect != 0 && r.Advice.Reconnect == ReconnectNone {
		return fmt.Errorf("%w (%w)", replyError(r), ErrReconnectNone)
	}
	return replyError(r)
}

// unsubscribeAbandoned sends /meta/unsubscribe for a channel whose
// subscribe was given up by its caller but accepted by the server. Nobody
// waits for the reply; one that does not come is sent again, as for
// Unsubscribe (queueUnsubscribeLocked).
// The callers decided it with no subscription left on the channel; that is
// checked again under the lock that queues the message, so that a
// Subscribe to the channel since then is not undone (its /meta/subscribe
// goes after this /meta/unsubscribe, or this one is not sent).
func (c *Client) unsubscribeAbandoned(channel string) {
	c.mu.Lock()
	queued := c.queueUnsubscribeLocked(channel)
	c.mu.Unlock()
	if queued {
		c.wakeSender()
		c.cfg.logger.Debug("cometd: unsubscribing from a channel whose Subscribe was abandoned", "channel", channel)
	}
}

// queueUnsubscribeLocked queues a /meta/unsubscribe of channel nobody
// waits for, unless a subscription holds the channel; one that gets no
// reply is recorded to be sent again (unsubscribeLater). It reports
// whether it queued one; c.mu held.
func (c *Client) queueUnsubscribeLocked(channel string) bool {
	if len(c.subs[channel]) > 0 {
		return false
	}
	m := &Message{Channel: ChannelUnsubscribe, ID: c.nextID(), Subscription: channel}
	_, err := c.queueOutLocked(m, nil, func(error) { c.unsubscribeLater(channel, m) })
	return err == nil
}

// dropQueuedLocked removes the message id from the outbox if it has not
// been taken for sending yet; c.mu held. It reports whether it did.
func (c *Client) dropQueuedLocked(id string) bool {
	for i, m := range c.outbox {
		if m.ID == id {
			c.outbox = append(c.outbox[:i:i], c.outbox[i+1:]...)
			return true
		}
	}
	return false
}

// removeSub forgets s and ends it with why; it reports whether s was the
// last subscription of the client on its channel.
func (c *Client) removeSub(s *Subscription, why error) (last bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.removeSubLocked(s, why)
}

// removeSubLocked is removeSub with c.mu held.
func (c *Client) removeSubLocked(s *Subscription, why error) (last bool) {
	if s.removed {
		return false
	}
	s.removed = true
	s.endLocked(why)
	c.route = nil
	subs := c.subs[s.channel]
	for i, x := range subs {
		if x == s {
			subs = append(subs[:i:i], subs[i+1:]...)
			break
		}
	}
	if len(subs) == 0 {
		delete(c.subs, s.channel)
		return true
	}
	c.subs[s.channel] = subs
	return false
}

// Unsubscribe stops delivery to the subscription's handler at once (no
// message is handed to it after Unsubscribe returns, unless it is running)
// and, if it was the client's last subscription on the channel, sends
// /meta/unsubscribe. Calling it again returns nil. Should the
// /meta/unsubscribe get no reply (its connection failed, or it could not be
// written), Unsubscribe returns that error and the client sends it again
// after each successful connect of the session until the server answers,
// so that the server does not keep the channel; a new session holds no
// subscription anyway.
func (s *Subscription) Unsubscribe(ctx context.Context) error {
	c := s.c
	// Whether s is the channel's last subscription and the /meta/unsubscribe
	// take their place under one lock: a Subscribe to the channel that comes
	// between would otherwise have its /meta/subscribe sent first, and the
	// server drop the channel its new subscription waits on.
	c.mu.Lock()
	if !c.removeSubLocked(s, ErrUnsubscribed) || c.stopped || c.clientID == "" {
		c.mu.Unlock()
		return nil
	}
	m := &Message{Channel: ChannelUnsubscribe, ID: c.nextID(), Subscription: s.channel}
	p, err := c.queueOutLocked(m, nil, nil)
	c.mu.Unlock()
	if err != nil {
		return err
	}
	c.wakeSender()
	r, err := c.await(ctx, m.ID, p)
	if err != nil && ctx.Err() == nil {
		c.unsubscribeLater(s.channel, m) // no reply: not sent, or lost
	}
	if err == nil && !r.Successful {
		err = replyError(r)
	}
	if err != nil {
		return fmt.Errorf("cometd: unsubscribing from %s: %w", s.channel, err)
	}
	return nil
}

// unsubscribeLater records that m, a /meta/unsubscribe of channel taken
// for sending, got no reply: the server may still hold the channel for the
// session. The connect loop sends it again (retryUnsubscribes).
func (c *Client) unsubscribeLater(channel string, m *Message) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped || !c.sentInSessionLocked(m) || len(c.subs[channel]) > 0 {
		return
	}
	if c.unsubLeft == nil {
		c.unsubLeft = map[string]string{}
	}
	c.unsubLeft[channel] = m.ClientID
}

// retryUnsubscribes sends again, after a successful connect, the
// /meta/unsubscribe of each channel unsubscribeLater recorded in this
// session and that no subscription took again since. One that gets no
// reply again is recorded again; a reply of any kind ends it.
func (c *Client) retryUnsubscribes() {
	c.mu.Lock()
	left := c.unsubLeft
	c.unsubLeft = nil
	queued := false
	for channel, clientID := range left {
		if clientID == c.clientID && c.queueUnsubscribeLocked(channel) {
			queued = true
		}
	}
	c.mu.Unlock()
	if queued {
		c.wakeSender()
	}
}

// Publish sends data, encoded as JSON (a json.RawMessage is sent as is), to
// channel and waits for the server's acknowledgement. It handshakes first if
// needed. An unsuccessful reply is returned as an error wrapping *Error.
// If Publish gives up (ctx ended) while the message is still queued, not
// yet taken for writing, it is taken out and never sent; once taken, the
// error (ctx's, or ErrNoReply) cannot say whether the server got it: an
// error wrapping ErrNoReply means the message may have reached the server.
// A failure to open the connection or to write the message does not wrap
// ErrNoReply: the server cannot have read it. A *StatusError is the HTTP
// status the server (or a proxy) answered the request with. The client's
// stop ends a waiting Publish with the stop's error, whether or not the
// message went out: ErrClosed or ErrDisconnected for Close and Disconnect,
// the *TerminalError of a terminal failure (such as a connect reply
// advising reconnect "none"), which may wrap the *Error of that reply, not
// of this message.
func (c *Client) Publish(ctx context.Context, channel string, data any) error {
	if err := checkChannel(channel, false); err != nil {
		return err
	}
	b, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("cometd: encoding data for %s: %w", channel, err)
	}
	if err := c.ensureHandshake(ctx); err != nil {
		return err
	}
	m := &Message{Channel: channel, ID: c.nextID(), Data: b}
	p, err := c.queueOut(m, nil, nil)
	if err != nil {
		return err
	}
	r, err := c.await(ctx, m.ID, p)
	if err != nil && ctx.Err() != nil {
		// Given up while still queued (behind a write that does not
		// finish, say): it is taken out, so a caller told of the failure
		// does not find it published later (and twice if it publishes
		// again). Once taken for sending it may reach the server.
		c.mu.Lock()
		c.dropQueuedLocked(m.ID)
		c.mu.Unlock()
	}
	if err == nil && !r.Successful {
		err = replyError(r)
	}
	if err != nil {
		return fmt.Errorf("cometd: publishing to %s: %w", channel, err)
	}
	return nil
}

// checkChannel validates a channel name for Subscribe (wildcards allowed)
// or Publish.
func checkChannel(ch string, wildcard bool) error {
	if !strings.HasPrefix(ch, "/") || len(ch) < 2 || strings.HasSuffix(ch, "/") || strings.Contains(ch, "//") {
		return fmt.Errorf("cometd: invalid channel %q", ch)
	}
	if isMeta(ch) {
		return fmt.Errorf("cometd: channel %q is a meta channel", ch)
	}
	if strings.Contains(ch, "*") {
		if !wildcard {
			return fmt.Errorf("cometd: cannot publish to wildcard channel %q", ch)
		}
		if !strings.HasSuffix(ch, "/*") && !strings.HasSuffix(ch, "/**") || strings.Count(ch, "*") > 2 ||
			strings.Contains(strings.TrimSuffix(strings.TrimSuffix(ch, "/**"), "/*"), "*") {
			return fmt.Errorf("cometd: invalid wildcard channel %q", ch)
		}
	}
	return nil
}
