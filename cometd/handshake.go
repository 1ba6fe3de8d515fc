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

// handshake makes one handshake attempt (falling back from websocket to
// long-polling within the attempt when the upgrade is refused). It resets
// the advice and forgets the old clientId first.
func (c *Client) handshake(ctx context.Context, re bool) error {
	for {
		c.mu.Lock()
		c.clientID = ""
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
		r, err := c.exchange(ctx, tr, m, c.cfg.maxNetworkDelay)
		if err != nil {
			if c.ctx.Err() != nil {
				return c.errIfStoppedOr(ErrClosed)
			}
			if c.wsFailed(tr, err) {
				continue
			}
			var se *StatusError
			if errors.As(err, &se) && (se.StatusCode == http.StatusUnauthorized || se.StatusCode == http.StatusForbidden) {
				return &TerminalError{Err: fmt.Errorf("handshake refused: %w", err)}
			}
			c.setState(StateUnconnected, err, "handshake failed", false)
			return err
		}
		if !r.Successful {
			e := replyError(r)
			if c.currentAdvice().Reconnect == ReconnectNone {
				return &TerminalError{Err: e}
			}
			c.setState(StateUnconnected, e, "handshake unsuccessful", false)
			return e
		}
		chosen := ""
		for _, n := range types {
			if slices.Contains(r.SupportedConnectionTypes, n) {
				chosen = n
				break
			}
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
			old.close()
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
// long-polling, and reports true, when the upgrade was refused or the socket
// failed too often without a successful connect in between.
func (c *Client) wsFailed(tr transport, err error) bool {
	if c.ws == nil || tr != c.ws || !isWSFailure(err) {
		return false
	}
	var ue *upgradeError
	c.mu.Lock()
	c.wsFailures++
	n := c.wsFailures
	canFallback := slices.Contains(c.cfg.transports, LongPolling) && !c.wsDisabled
	if !canFallback || (!errors.As(err, &ue) && n < c.cfg.wsMaxFailures) {
		c.mu.Unlock()
		return false
	}
	c.wsDisabled = true
	c.tr = c.lp
	c.mu.Unlock()
	c.ws.close()
	reason := "falling back to long-polling: " + err.Error()
	if ue == nil {
		reason = fmt.Sprintf("falling back to long-polling after %d websocket failures: %v", n, err)
	}
	c.setState(c.State(), err, reason, true)
	return true
}

// exchange sends m alone on tr and waits up to timeout for its reply.
func (c *Client) exchange(ctx context.Context, tr transport, m *Message, timeout time.Duration) (*Message, error) {
	if ctx != c.ctx { // the connect loop passes the client's own context
		var cancel context.CancelFunc
		ctx, cancel = mergeCtx(ctx, c.ctx)
		defer cancel()
	}
	p := c.addPending(m.ID, tr, nil)
	defer c.removePending(m.ID)
	c.outgoing(m)
	sctx, scancel := context.WithTimeout(ctx, timeout)
	replies, err := tr.send(sctx, []*Message{m})
	// Over websocket the reply may take up to timeout to come: do not keep
	// the send's timer for that long.
	scancel()
	if err != nil {
		return nil, err
	}
	if tr.synchronous() {
		c.receive(replies)
		select {
		case r := <-p.ch:
			return r.m, r.err
		default:
			return nil, ErrNoReply
		}
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		select {
		case r := <-p.ch:
			return r.m, r.err
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-t.C:
			if c.queue.waiting() {
				// The reader waits for room in the delivery queue: the
				// reply may be behind it. Not a stalled socket.
				t.Reset(timeout)
				continue
			}
			// A socket that takes messages but does not answer is dead.
			if ws, ok := tr.(*wsTransport); ok {
				ws.dropCurrent()
			}
			return nil, &wsError{err: fmt.Errorf("%w to %s within %v", ErrNoReply, m.Channel, timeout)}
		}
	}
}

// mergeCtx returns a context done when either a or b is done.
func mergeCtx(a, b context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(a)
	stop := context.AfterFunc(b, cancel)
	return ctx, func() { stop(); cancel() }
}
