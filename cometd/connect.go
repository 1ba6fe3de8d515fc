package cometd

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"
)

// loop is the connect loop: it keeps exactly one /meta/connect outstanding,
// obeys the server's advice, backs off after failures and re-handshakes
// when the session is gone.
func (c *Client) loop() {
	defer c.wg.Done()
	failures := 0
	first := true
	rehandshake := false
	connected := false // a connect of the current session succeeded
	tooLarge := 0      // connects failed in a row on a message over WithMaxMessageSize
	var delay time.Duration
	for {
		if !c.wait(c.ctx, delay) || c.leaving() {
			return
		}
		if rehandshake {
			err := c.handshake(c.ctx, true)
			if c.ctx.Err() != nil || c.leaving() {
				return
			}
			if err != nil {
				if isTerminal(err) {
					c.terminate(err)
					return
				}
				failures++
				delay = c.backoff(failures)
				continue
			}
			rehandshake, first, delay, connected = false, true, 0, false
			c.resubscribe()
			continue
		}
		tr := c.currentTransport()
		sent := time.Now()
		r, err := c.connect(tr, first)
		if c.ctx.Err() != nil || c.leaving() {
			return
		}
		adv := c.currentAdvice()
		if err != nil {
			failures++
			// A message refused for its size was announced where the
			// transport refused it (refusedTooLarge).
			large := errors.Is(err, ErrMessageTooLarge)
			c.setState(StateUnconnected, err, "connect failed", false)
			if large {
				tooLarge++
			} else {
				tooLarge = 0
			}
			if large && tooLarge >= 2 && c.acksOn() {
				// With the ack extension the server sends the refused
				// batch again at every connect: the session can never
				// get past it. A new session is the way out; what the
				// server holds for this one is lost, and said so. (The
				// official clients reconnect into the same refusal.)
				tooLarge = 0
				c.setState(StateUnconnected, fmt.Errorf("%w: the server sends it again at every connect (ack extension); "+
					"re-handshaking, which loses what the server holds for the session", ErrMessageTooLarge),
					"re-handshake: a message over the maximum size is re-sent", true)
				rehandshake, delay = true, c.backoff(failures)
				continue
			}
			if authRefused(err) {
				// HTTP 401/403 on /meta/connect: the session's credentials
				// (per handshake, see WithHandshakeAuth) are no longer
				// accepted. CometD's Java client treats any failed connect
				// request, a 401 included, as a transport failure and
				// retries the connect with the same credentials, going to a
				// handshake only once unconnected past maxInterval; here a
				// retry cannot succeed, so the session counts as lost: the
				// client re-handshakes with refresh=true for the provider
				// (at once if the session had connected, else after the
				// backoff, as for a 402).
				c.mu.Lock()
				c.authStreak = true
				c.mu.Unlock()
				rehandshake = true
				delay = 0
				if !connected {
					delay = c.backoff(failures)
				}
				continue
			}
			if c.wsFailed(tr, err, false) {
				// The session lives on the server, not on the socket: keep
				// the clientId and connect over long-polling at once, so
				// what the server queued for the session (and, with the ack
				// extension, what it sent into the dead socket) arrives.
				// Should the session be gone, the server answers 402 and
				// the client re-handshakes as usual.
				first, delay = true, 0
				continue
			}
			if c.unconnectedTooLong(adv) {
				rehandshake = true
				if err := c.slowConsumerLoss(err); err != nil {
					c.setState(StateUnconnected, err, "session presumed lost: the handlers were too slow (delivery queue full) "+
						"for longer than the server keeps a session", true)
				}
			}
			delay = millis(adv.Interval) + c.backoff(failures)
			continue
		}
		if r.Successful {
			if adv.Reconnect == ReconnectNone {
				// The official clients disconnect on this advice whatever
				// the reply says: the server will not take another connect.
				c.terminate(&TerminalError{Err: ErrReconnectNone})
				return
			}
			failures, first, connected, tooLarge = 0, false, true, 0
			c.mu.Lock()
			c.lastConnected, c.lastConnectSent = time.Now(), sent
			c.wsFailures = 0
			c.mu.Unlock()
			c.setState(StateConnected, nil, "", false)
			c.retryUnsubscribes()
			delay = millis(adv.Interval)
			continue
		}
		e := replyError(r)
		// The reply's own reconnect advice decides: a reply handed over by
		// sessionLost may be followed by a connect reply whose advice was
		// merged after it.
		action := adv.Reconnect
		if r.Advice != nil && r.Advice.present&adviceReconnect != 0 {
			action = r.Advice.Reconnect
		} else if e.Code == 402 {
			action = ReconnectHandshake
		}
		switch action {
		case ReconnectNone:
			c.terminate(&TerminalError{Err: fmt.Errorf("%w: %w", ErrReconnectNone, e)})
			return
		case ReconnectHandshake:
			rehandshake = true
			if err := c.slowConsumerLoss(e); err != nil {
				c.setState(StateUnconnected, err, "session lost: the handlers were too slow (delivery queue full); "+
					"the server expired it with the messages it held", false)
				break
			}
			c.setState(StateUnconnected, e, "server asked for a new handshake", false)
			if connected {
				// The session worked and is gone: re-handshake at once with
				// the backoff reset, as the Java and JavaScript clients do,
				// so the window in which messages are lost stays short. A
				// session refused before its first successful connect backs
				// off instead, so a server that forgets every new session
				// cannot drive a handshake storm.
				failures, delay = 0, 0
				continue
			}
			failures++
		default:
			failures++
			c.setState(StateUnconnected, e, "connect unsuccessful", false)
			rehandshake = c.unconnectedTooLong(adv)
		}
		delay = millis(adv.Interval) + c.backoff(failures)
	}
}

// leaving reports whether the client is disconnecting or stopped.
func (c *Client) leaving() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stopped || c.state == StateDisconnecting
}

// currentTransport returns the transport in use.
func (c *Client) currentTransport() transport {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tr
}

// connect sends one /meta/connect and waits for its reply, at most
// advice.timeout plus the network delay margin. A connect sent while the
// client is not connected (the first after a handshake, and the next one
// after a connect failed) carries advice {timeout: 0} so the server answers
// at once: as in CometD's JavaScript client, the client learns at once that
// the session is back (or gone) instead of after a held connect.
func (c *Client) connect(tr transport, first bool) (*Message, error) {
	if ws, ok := tr.(*wsTransport); ok {
		if err := ws.settle(c.ctx); err != nil {
			return nil, err
		}
	}
	c.mu.Lock()
	m := &Message{Channel: ChannelConnect, ID: c.nextID(), ClientID: c.clientID, ConnectionType: tr.name()}
	c.connectID = m.ID
	adv := c.advice
	state := c.state
	c.mu.Unlock()
	if first || state != StateConnected {
		m.Advice = timeoutAdvice(0)
	}
	if state == StateHandshaken {
		c.setState(StateConnecting, nil, "", false)
	}
	// sessionLost interrupts a held connect: over long-polling, whose send
	// holds the HTTP request until the reply, by cancelling its context;
	// over websocket, whose connect waits for its pending reply, by
	// resolving that with the lost reply. A context of its own per
	// websocket connect would be held by every idle session for
	// advice.timeout (about 500 bytes each in bench/scale's heap profile).
	ctx, cancel := c.ctx, context.CancelFunc(nil)
	if tr.synchronous() {
		ctx, cancel = context.WithCancel(c.ctx)
		defer cancel()
	}
	// The pending entry is registered under the same lock as the check for
	// a lost session, so that a sessionLost after the check finds the
	// connect to interrupt (over websocket it resolves this entry).
	c.mu.Lock()
	if lost := c.lostReply; lost != nil {
		c.lostReply = nil
		c.mu.Unlock()
		return lost, nil
	}
	c.cancelConnect = cancel
	p := c.addPendingLocked(m.ID, nil)
	c.mu.Unlock()
	r, err := c.exchangeIn(ctx, tr, m, millis(adv.Timeout)+c.cfg.maxNetworkDelay, p) // ctx is c.ctx or its child
	c.mu.Lock()
	c.cancelConnect = nil
	if lost := c.lostReply; lost != nil {
		// Another reply said the session is over: act on it as on this
		// connect's reply, whatever the connect met.
		c.lostReply = nil
		r, err = lost, nil
	}
	c.mu.Unlock()
	return r, err
}

// sessionLost is called on the network goroutine with a reply (other than
// a connect's) to m. If the reply says the session m was sent in is over
// — 402 without reconnect advice, or reconnect advice "handshake" or
// "none" — and that session is the current one, the connect loop is told
// at once (its held connect is interrupted) and acts as if its connect had
// met the reply: it re-handshakes (with the backoff reset if the session
// had connected, else after the backoff, so a server that forgets every
// new session cannot drive a handshake storm) or terminates. Per Bayeux,
// reconnect advice "handshake" on any reply means the client must
// re-handshake; waiting for the connect would hold a Subscribe for a whole
// held connect, or forever when connects keep succeeding (a cluster
// without session affinity). Reports whether it did.
func (c *Client) sessionLost(m, r *Message) bool {
	if r.Successful {
		return false
	}
	action := ""
	if r.Advice != nil && r.Advice.present&adviceReconnect != 0 {
		action = r.Advice.Reconnect
	} else if replyError(r).Code == 402 {
		action = ReconnectHandshake
	}
	if action != ReconnectHandshake && action != ReconnectNone {
		return false
	}
	c.mu.Lock()
	if m.ClientID == "" || m.ClientID != c.clientID || c.stopped || !c.loopStarted {
		c.mu.Unlock()
		return false
	}
	c.lostReply = r
	held := ""
	if c.cancelConnect != nil {
		c.cancelConnect()
	} else {
		held = c.connectID // a websocket connect, if still pending
	}
	c.mu.Unlock()
	// A held websocket connect is answered with the lost reply (connect
	// takes lostReply after the exchange either way); if its own reply
	// came first, or it is over, this finds nothing to resolve.
	c.resolve(held, r, nil)
	return true
}

// unconnectedTooLong reports whether the client has been without a
// successful connect longer than the server keeps a session
// (timeout + interval + maxInterval).
func (c *Client) unconnectedTooLong(adv Advice) bool {
	c.mu.Lock()
	last := c.lastConnected
	c.mu.Unlock()
	if last.IsZero() || adv.MaxInterval <= 0 {
		return false
	}
	return time.Since(last) > millis(adv.Timeout)+millis(adv.Interval)+millis(adv.MaxInterval)
}

// resubscribe re-sends a /meta/subscribe for every channel with a
// subscription after a re-handshake, from a goroutine of its own that
// retries the ones that fail on the network, with an HTTP error or with a
// 402 or 5xx reply, with the connect loop's backoff, until the server
// accepts them or the session ends. Each round is reported to state
// listeners (StateChange.Resubscribed, StateChange.Err) and the log; each
// Subscription shows its own progress (State, Err, Ready). A refusal of any
// other kind (such as 403) ends the subscriptions on that channel.
func (c *Client) resubscribe() {
	c.mu.Lock()
	ctx := c.sessCtx
	channels := make([]string, 0, len(c.subs))
	for ch := range c.subs {
		channels = append(channels, ch)
	}
	c.pendSubsLocked() // the new session has no subscriptions yet
	c.mu.Unlock()
	if len(channels) == 0 {
		return
	}
	sort.Strings(channels)
	c.wg.Add(1)
	go c.resubscribeLoop(ctx, channels)
}

// resubscribeLoop is resubscribe's goroutine; ctx ends with the session.
func (c *Client) resubscribeLoop(ctx context.Context, channels []string) {
	defer c.wg.Done()
	total := len(channels)
	failures := 0
	for {
		type req struct {
			ch string
			m  *Message
			p  *pendingReq
		}
		reqs := make([]req, 0, len(channels))
		for _, ch := range channels {
			if !c.hasSubs(ch) { // unsubscribed meanwhile
				continue
			}
			m := &Message{Channel: ChannelSubscribe, ID: c.nextID(), Subscription: ch}
			p, err := c.queueOut(m, func(r *Message) { c.resubscribed(ch, m, r) }, nil)
			if err != nil {
				return
			}
			reqs = append(reqs, req{ch: ch, m: m, p: p})
		}
		if len(reqs) == 0 {
			return
		}
		ok := 0
		var errs []error
		var retry []string
		for _, rq := range reqs {
			r, err := c.await(ctx, rq.m.ID, rq.p)
			if ctx.Err() != nil {
				return
			}
			switch {
			case err == nil && r.Successful:
				ok++
				continue
			case err == nil:
				err = subscribeReplyError(r)
			}
			se := &SubscriptionError{Channel: rq.ch, Err: err}
			errs = append(errs, se)
			if retryableSubscribe(err) && c.pendChannel(rq.ch, se) {
				retry = append(retry, rq.ch)
			} else {
				c.endChannel(rq.ch, se)
				if errors.Is(err, ErrUnclearReply) {
					c.unsubscribeAbandoned(rq.ch) // never half of each
				}
			}
		}
		reason := fmt.Sprintf("re-subscribed %d of %d channels after re-handshake", ok, len(reqs))
		if failures > 0 {
			reason = fmt.Sprintf("re-subscription attempt %d: %d of the %d pending channels (of %d) accepted", failures+1, ok, len(reqs), total)
		}
		if len(retry) > 0 {
			reason += fmt.Sprintf("; retrying %d", len(retry))
		}
		c.mu.Lock()
		if c.stopped || ctx.Err() != nil {
			c.mu.Unlock()
			return
		}
		ev := StateChange{From: c.state, To: c.state, Transport: c.tr.name(), Resubscribed: ok, Err: joinErrs(errs), Reason: reason}
		c.pushStateLocked(ev)
		c.mu.Unlock()
		c.logState(ev)
		if len(retry) == 0 {
			return
		}
		channels = retry
		failures++
		if !c.wait(ctx, c.backoff(failures)) {
			return
		}
	}
}

// retryableSubscribe reports whether a failed re-subscription is worth
// sending again in the same session: a failure of the request (network,
// HTTP status, no reply) or a reply with code 402 or 5xx. Any other refusal
// is the server's answer.
func retryableSubscribe(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return true
	}
	return e.Code == 402 || e.Code >= 500
}

// resubscribed runs on the network goroutine when the server answers a
// re-subscription: a success in the current session activates the channel's
// subscriptions before any later message of the same reply is handled.
func (c *Client) resubscribed(ch string, m *Message, r *Message) {
	if !r.Successful {
		// Reconnect advice "none" stops the client, as on a first
		// subscribe's reply. (A 402 is retried in the session by
		// resubscribeLoop, which a re-handshake would also end.)
		if r.Advice != nil && r.Advice.present&adviceReconnect != 0 && r.Advice.Reconnect == ReconnectNone {
			c.sessionLost(m, r)
		}
		return
	}
	c.mu.Lock()
	if m.ClientID == "" || m.ClientID != c.clientID {
		c.mu.Unlock()
		return
	}
	for _, s := range c.subs[ch] {
		s.activateLocked()
	}
	undo := len(c.subs[ch]) == 0
	c.mu.Unlock()
	if undo {
		// Every subscription on ch went while the re-subscription was on
		// its way (a Subscribe whose ctx ended, an Unsubscribe that did
		// not reach the server first): the server must not keep it.
		c.unsubscribeAbandoned(ch)
	}
}

// hasSubs reports whether any subscription on ch remains.
func (c *Client) hasSubs(ch string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.subs[ch]) > 0
}

// pendSubsLocked marks every subscription pending: the session they were
// active in is gone; c.mu held.
func (c *Client) pendSubsLocked() {
	for _, subs := range c.subs {
		for _, s := range subs {
			s.pendLocked(nil)
		}
	}
}

// pendChannel records a failed re-subscription on the subscriptions of ch;
// it reports whether any is left to re-subscribe.
func (c *Client) pendChannel(ch string, err error) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.subs[ch] {
		s.pendLocked(err)
	}
	return len(c.subs[ch]) > 0
}

// endChannel removes the subscriptions on ch after the server refused it.
func (c *Client) endChannel(ch string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range append([]*Subscription(nil), c.subs[ch]...) {
		c.removeSubLocked(s, err)
	}
}

// endSubscriptions ends every subscription when the client stops; their
// handlers stay registered for the messages still queued (Disconnect
// delivers them).
func (c *Client) endSubscriptions(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, subs := range c.subs {
		for _, s := range subs {
			s.endLocked(err)
		}
	}
}

// acksOn reports whether the session's server agreed to the ack extension.
func (c *Client) acksOn() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.serverAcks
}
