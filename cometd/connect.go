package cometd

import (
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
			rehandshake, first, delay = false, true, 0
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
			c.setState(StateUnconnected, err, "connect failed", false)
			if c.wsFailed(tr, err) {
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
			failures, first = 0, false
			c.mu.Lock()
			c.lastConnected, c.lastConnectSent = time.Now(), sent
			c.wsFailures = 0
			c.mu.Unlock()
			c.setState(StateConnected, nil, "", false)
			delay = millis(adv.Interval)
			continue
		}
		e := replyError(r)
		action := adv.Reconnect
		if (r.Advice == nil || r.Advice.present&adviceReconnect == 0) && e.Code == 402 {
			action = ReconnectHandshake
		}
		failures++
		switch action {
		case ReconnectNone:
			c.terminate(&TerminalError{Err: e})
			return
		case ReconnectHandshake:
			rehandshake = true
			if err := c.slowConsumerLoss(e); err != nil {
				c.setState(StateUnconnected, err, "session lost: the handlers were too slow (delivery queue full); "+
					"the server expired it with the messages it held", false)
				break
			}
			c.setState(StateUnconnected, e, "server asked for a new handshake", false)
		default:
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
// advice.timeout plus the network delay margin. The first connect after a
// handshake carries advice {timeout: 0} so the server answers at once.
func (c *Client) connect(tr transport, first bool) (*Message, error) {
	c.mu.Lock()
	m := &Message{Channel: ChannelConnect, ID: c.nextID(), ClientID: c.clientID, ConnectionType: tr.name()}
	c.connectID = m.ID
	adv := c.advice
	state := c.state
	c.mu.Unlock()
	if first {
		m.Advice = timeoutAdvice(0)
	}
	if state == StateHandshaken {
		c.setState(StateConnecting, nil, "", false)
	}
	return c.exchange(c.ctx, tr, m, millis(adv.Timeout)+c.cfg.maxNetworkDelay)
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

// resubscribe re-sends a /meta/subscribe for every channel with an active
// subscription after a re-handshake, and reports the outcome to state
// listeners (StateChange.Resubscribed, StateChange.Err) and the log.
func (c *Client) resubscribe() {
	c.mu.Lock()
	var channels []string
	for ch, subs := range c.subs {
		for _, s := range subs {
			if s.active {
				channels = append(channels, ch)
				break
			}
		}
	}
	c.mu.Unlock()
	if len(channels) == 0 {
		return
	}
	sort.Strings(channels)
	type req struct {
		ch string
		id string
		p  *pendingReq
	}
	var reqs []req
	for _, ch := range channels {
		ch := ch
		m := &Message{Channel: ChannelSubscribe, ID: c.nextID(), Subscription: ch}
		p, err := c.queueOut(m, func(r *Message) {
			if !r.Successful {
				c.deactivate(ch)
			}
		})
		if err != nil {
			return
		}
		reqs = append(reqs, req{ch: ch, id: m.ID, p: p})
	}
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		ok := 0
		var errs []error
		for _, rq := range reqs {
			r, err := c.await(c.ctx, rq.id, rq.p)
			switch {
			case c.ctx.Err() != nil:
				return
			case err != nil:
				errs = append(errs, &SubscriptionError{Channel: rq.ch, Err: err})
			case !r.Successful:
				errs = append(errs, &SubscriptionError{Channel: rq.ch, Err: replyError(r)})
			default:
				ok++
			}
		}
		c.mu.Lock()
		ev := StateChange{From: c.state, To: c.state, Transport: c.tr.name(), Resubscribed: ok,
			Err: joinErrs(errs), Reason: fmt.Sprintf("re-subscribed %d of %d channels after re-handshake", ok, len(reqs))}
		if c.stopped {
			c.mu.Unlock()
			return
		}
		c.pushStateLocked(ev)
		c.mu.Unlock()
		c.logState(ev)
	}()
}

// deactivate stops delivery to the subscriptions on ch after the server
// refused it.
func (c *Client) deactivate(ch string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.subs[ch] {
		s.active = false
	}
	c.route = nil
}
