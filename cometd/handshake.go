package cometd

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"
)

// Handshake performs the Bayeux handshake and, on success, starts the
// /meta/connect loop that keeps the session alive until Disconnect or Close.
// Network failures and HTTP 5xx are retried with the client's backoff until
// ctx is done; the error then wraps both ctx's error and the last failure.
// A terminal failure (advice reconnect "none", HTTP 401/403, no common
// connection type) stops the client and is returned at once as a
// *TerminalError. Calling Handshake on a client that is already running
// returns nil.
func (c *Client) Handshake(ctx context.Context) error {
	c.hsMu.Lock()
	defer c.hsMu.Unlock()
	c.mu.Lock()
	if c.stopped {
		err := c.stoppedErrLocked()
		c.mu.Unlock()
		return err
	}
	if c.loopStarted {
		c.mu.Unlock()
		return nil
	}
	c.mu.Unlock()
	ctx, cancel := mergeCtx(ctx, c.ctx)
	defer cancel()
	failures := 0
	for {
		err := c.handshake(ctx, false)
		if err == nil {
			c.mu.Lock()
			c.loopStarted = true
			c.wg.Add(1)
			c.mu.Unlock()
			go c.loop()
			return nil
		}
		if isTerminal(err) {
			c.terminate(err)
			return err
		}
		if stopErr := c.errIfStopped(); stopErr != nil {
			return stopErr
		}
		if ctx.Err() != nil {
			return fmt.Errorf("cometd: handshake: %w (last failure: %w)", ctx.Err(), err)
		}
		failures++
		if !c.wait(ctx, c.backoff(failures)) {
			if stopErr := c.errIfStopped(); stopErr != nil {
				return stopErr
			}
			return fmt.Errorf("cometd: handshake: %w (last failure: %w)", ctx.Err(), err)
		}
	}
}

// ensureHandshake handshakes unless the connect loop already runs.
func (c *Client) ensureHandshake(ctx context.Context) error {
	c.mu.Lock()
	if c.stopped {
		err := c.stoppedErrLocked()
		c.mu.Unlock()
		return err
	}
	started := c.loopStarted
	c.mu.Unlock()
	if started {
		return nil
	}
	return c.Handshake(ctx)
}

// handshake makes one handshake attempt. It resets the advice and forgets
// the old clientId first.
//
// Websocket is sticky, as in the CometD JavaScript client: every attempt
// offers websocket again when the client fell back from it, and falls back
// to long-polling within the attempt when the websocket fails (upgrade
// refused, dial or socket failure). So one bad upgrade, such as a 503 while
// the server restarts, costs websocket only until the next handshake, and
// the client stays on long-polling only while websocket keeps failing.
// When the server then offers only websocket, the attempt failed on the
// network (retried with the backoff, websocket first): ErrNoTransport is
// only for a server that shares no connection type with WithTransports.
func (c *Client) handshake(ctx context.Context, re bool) error {
	c.mu.Lock()
	if c.ws != nil && c.wsDisabled {
		c.wsDisabled, c.wsFailures = false, 0
		c.tr = c.ws
	}
	c.mu.Unlock()
	// A refusal streak: the previous attempt (or, for a re-handshake after a
	// connect answered HTTP 401/403, the session) was refused with 401/403.
	// The provider is then asked for fresh credentials, and the attempt is
	// not retried at once again: one immediate retry per streak, then the
	// backoff.
	c.mu.Lock()
	streak := c.authStreak
	c.mu.Unlock()
	ext, err := c.credentials(ctx, streak)
	if err != nil {
		c.setState(StateUnconnected, err, "handshake failed", true)
		return err
	}
	refreshed := streak
	// refresh asks the provider for new credentials after a 401/403, once
	// per refusal streak; it reports whether the handshake is to be sent
	// again at once.
	refresh := func(cause error) (bool, error) {
		if c.cfg.auth == nil || refreshed || !authRefused(cause) {
			return false, nil
		}
		refreshed = true
		var err error
		ext, err = c.credentials(ctx, true)
		return err == nil, err
	}
	err = c.handshakeAttempts(ctx, re, &ext, refresh)
	c.mu.Lock()
	c.authStreak = c.cfg.auth != nil && authRefused(err)
	c.mu.Unlock()
	return err
}

// handshakeAttempts sends the handshake of one attempt, again after a
// websocket fallback or a credentials refresh (refresh; *extp holds the
// credentials' ext fields).
func (c *Client) handshakeAttempts(ctx context.Context, re bool, extp *map[string]any, refresh func(error) (bool, error)) error {
	var wsErr error // the websocket failure this attempt fell back from
	for {
		ext := *extp
		c.mu.Lock()
		c.clientID = ""
		c.pendSubsLocked() // no session: no subscription is active
		c.advice = defaultAdvice()
		tr := c.tr
		types := c.transportsLocked()
		c.mu.Unlock()
		if re {
			c.setState(StateRehandshaking, nil, "", false)
		} else {
			c.setState(StateHandshaking, nil, "", false)
		}
		m := &Message{
			Channel:                  ChannelHandshake,
			ID:                       c.nextID(),
			Version:                  "1.0",
			MinimumVersion:           "1.0",
			SupportedConnectionTypes: types,
		}
		for k, v := range ext {
			if err := m.SetExt(k, v); err != nil {
				return fmt.Errorf("cometd: encoding handshake credentials ext %q: %w", k, err)
			}
		}
		r, err := c.exchange(ctx, tr, m, c.cfg.maxNetworkDelay)
		if err != nil {
			if c.ctx.Err() != nil {
				return c.errIfStoppedOr(ErrClosed)
			}
			if c.wsFailed(tr, err, true) {
				wsErr = err
				continue
			}
			if again, rerr := refresh(err); again || rerr != nil {
				if rerr != nil {
					c.setState(StateUnconnected, rerr, "handshake failed", true)
					return rerr
				}
				continue
			}
			var se *StatusError
			if errors.As(err, &se) && (se.StatusCode == http.StatusUnauthorized || se.StatusCode == http.StatusForbidden) {
				return &TerminalError{Err: fmt.Errorf("handshake refused: %w", err)}
			}
			if wsErr != nil {
				// The long-polling handshake this attempt fell back to
				// failed too (or the caller's ctx ended during it): the
				// next attempt tries websocket again, and the client says
				// so meanwhile.
				c.backToWebSocket()
			}
			c.setState(StateUnconnected, err, "handshake failed", false)
			return err
		}
		if !r.Successful {
			e := replyError(r)
			if again, rerr := refresh(e); again || rerr != nil {
				if rerr != nil {
					c.setState(StateUnconnected, rerr, "handshake failed", true)
					return rerr
				}
				continue
			}
			if wsErr != nil && !authRefused(e) {
				// Refused over the long-polling this attempt fell back to
				// (a websocket-only server answers "400 no common
				// transport", often with reconnect "none"): the attempt
				// failed because the websocket did, which is transient.
				err := fmt.Errorf("cometd: handshake: the websocket failed (%w) and the long-polling handshake was refused: %w", wsErr, e)
				c.backToWebSocket()
				c.setState(StateUnconnected, err, "handshake failed (the next attempt tries websocket again)", false)
				return err
			}
			if c.currentAdvice().Reconnect == ReconnectNone {
				return &TerminalError{Err: fmt.Errorf("%w: %w", ErrReconnectNone, e)}
			}
			c.setState(StateUnconnected, e, "handshake unsuccessful", false)
			return e
		}
		if c.currentAdvice().Reconnect == ReconnectNone {
			// As in CometD's JavaScript client, which connects after a
			// successful handshake only when advice.reconnect is not
			// "none": the server will not take a connect for this session.
			return &TerminalError{Err: fmt.Errorf("%w (on a successful handshake reply)", ErrReconnectNone)}
		}
		chosen := ""
		for _, n := range types {
			if slices.Contains(r.SupportedConnectionTypes, n) {
				chosen = n
				break
			}
		}
		if chosen == "" && wsErr != nil && slices.ContainsFunc(r.SupportedConnectionTypes, func(n string) bool {
			return slices.Contains(c.cfg.transports, n)
		}) {
			// The server offers only what this attempt fell back from (a
			// websocket-only server whose upgrade failed, such as a 503
			// while it restarts): a network failure of this attempt, not a
			// terminal mismatch. The next attempt offers websocket again.
			err := fmt.Errorf("cometd: handshake: the server offers only %v and the websocket failed: %w", r.SupportedConnectionTypes, wsErr)
			c.backToWebSocket()
			c.setState(StateUnconnected, err, "handshake failed (the next attempt tries websocket again)", false)
			return err
		}
		if chosen == "" {
			return &TerminalError{Err: fmt.Errorf("%w (client %v, server %v)", ErrNoTransport, types, r.SupportedConnectionTypes)}
		}
		if r.ClientID == "" {
			err := errors.New("cometd: handshake reply without clientId")
			c.setState(StateUnconnected, err, "handshake failed", false)
			return err
		}
		var old transport
		c.mu.Lock()
		c.clientID = r.ClientID
		c.serverTypes = slices.Clone(r.SupportedConnectionTypes)
		c.serverAcks, _ = handshakeAck(r.Ext["ack"])
		c.sessCancel()    // what ran for the previous session stops
		c.lostReply = nil // about the previous session
		c.sessCtx, c.sessCancel = context.WithCancel(c.ctx)
		if chosen != c.tr.name() {
			old = c.tr
			c.tr = c.transportByName(chosen)
			if old == c.ws {
				c.wsDisabled = true
			}
		}
		c.lastConnected = time.Now()
		c.mu.Unlock()
		if old != nil {
			old.reset()
		}
		c.setState(StateHandshaken, nil, "", false)
		c.wakeSender()
		return nil
	}
}

// transportsLocked lists the connection types the client offers, in
// preference order; c.mu held.
func (c *Client) transportsLocked() []string {
	out := make([]string, 0, len(c.cfg.transports))
	for _, n := range c.cfg.transports {
		if n == WebSocket && c.wsDisabled {
			continue
		}
		out = append(out, n)
	}
	return out
}

// wsFailed records a websocket failure of tr. It switches the client to
// long-polling, and reports true, when the upgrade was refused, the socket
// failed too often without a successful connect in between, or at once
// when now is set (a handshake attempt). The next handshake tries websocket
// again.
func (c *Client) wsFailed(tr transport, err error, now bool) bool {
	if c.ws == nil || tr != c.ws || !isWSFailure(err) {
		return false
	}
	var ue *upgradeError
	c.mu.Lock()
	c.wsFailures++
	n := c.wsFailures
	// Fall back only when the server offered long-polling at its last
	// successful handshake (or none was made yet): a websocket-only server
	// answers long-polling with an error, and the client would stay deaf
	// on it or take the refusal for a terminal one.
	canFallback := slices.Contains(c.cfg.transports, LongPolling) && !c.wsDisabled &&
		(c.serverTypes == nil || slices.Contains(c.serverTypes, LongPolling))
	if !canFallback || (!errors.As(err, &ue) && !now && n < c.cfg.wsMaxFailures) {
		c.mu.Unlock()
		return false
	}
	c.wsDisabled = true
	c.tr = c.lp
	c.mu.Unlock()
	c.ws.reset()
	reason := "falling back to long-polling: " + err.Error()
	if ue == nil && !now {
		reason = fmt.Sprintf("falling back to long-polling after %d websocket failures: %v", n, err)
	}
	c.setState(c.State(), err, reason, true)
	return true
}

// backToWebSocket undoes the fallback of a handshake attempt that failed
// because the websocket did: the next attempt offers websocket first, and
// until then Transport() and state events name the transport the client
// will use, not the long-polling it will not send on.
func (c *Client) backToWebSocket() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ws != nil && c.wsDisabled {
		c.wsDisabled, c.wsFailures = false, 0
		c.tr = c.ws
	}
}

// exchange sends m alone on tr and waits up to timeout for its reply, or
// until ctx or the client's own context ends.
func (c *Client) exchange(ctx context.Context, tr transport, m *Message, timeout time.Duration) (*Message, error) {
	if ctx != c.ctx {
		var cancel context.CancelFunc
		ctx, cancel = mergeCtx(ctx, c.ctx)
		defer cancel()
	}
	return c.exchangeIn(ctx, tr, m, timeout, nil)
}

// exchangeIn is exchange for a ctx that is the client's own context or
// derived from it, so it needs no merging: the connect loop's, held for
// advice.timeout by every idle session (merging cost about 600 bytes per
// idle websocket session in bench/scale's heap profile).
//
// p is m's pending entry when the caller registered it already (the
// connect does, under the same lock as its check for a lost session), or
// nil.
func (c *Client) exchangeIn(ctx context.Context, tr transport, m *Message, timeout time.Duration, p *pendingReq) (*Message, error) {
	if p == nil {
		p = c.addPending(m.ID, nil)
	}
	defer c.removePending(m.ID)
	c.outgoing(m)
	sctx, scancel := context.WithTimeout(ctx, timeout)
	err := tr.send(sctx, []*Message{m})
	// Over websocket the reply may take up to timeout to come: do not keep
	// the send's timer for that long.
	scancel()
	if err != nil {
		return nil, err
	}
	if tr.synchronous() { // the reply was handed over, if there was one
		select {
		case r := <-p.ch:
			return r.m, r.err
		default:
			return nil, ErrNoReply
		}
	}
	// The wait for the reply is a timer function (startReplyTimer), not a
	// timer's channel: every idle session holds it for advice.timeout, and
	// the channel was about 110 bytes of its heap. It settles the request
	// through resolve, as a reply would, so the two cannot both count.
	rt := c.startReplyTimer([]*Message{m}, timeout, func(*Message) error { return errReplyTimedOut })
	defer rt.stop()
	select {
	case r := <-p.ch:
		if r.err != errReplyTimedOut {
			return r.m, r.err
		}
		// A socket that takes messages but does not answer is dead: drop
		// the one m went out on, not whichever is open by now.
		if ws, ok := tr.(*wsTransport); ok {
			if s := c.socketOf(p); s != nil {
				ws.drop(s, &wsError{err: errors.New("socket abandoned")})
			}
		}
		return nil, &wsError{err: fmt.Errorf("%w to %s within %v", ErrNoReply, m.Channel, timeout)}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// errReplyTimedOut settles a request of exchangeIn whose reply did not
// come in time; exchangeIn turns it into an ErrNoReply.
var errReplyTimedOut = errors.New("cometd: reply timed out")

// mergeCtx returns a context done when either a or b is done.
func mergeCtx(a, b context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(a)
	stop := context.AfterFunc(b, cancel)
	return ctx, func() { stop(); cancel() }
}
