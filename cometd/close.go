package cometd

import (
	"context"
	"errors"
)

// Disconnect sends /meta/disconnect (if a session exists), waits for its
// reply within ctx, then stops the client like Close, except that state
// listeners hear of the change to StateDisconnected and queued messages are
// still delivered before Done is closed. The returned error is the
// disconnect's failure, if any (ctx's error if it ended first); the client
// is stopped either way. Disconnect may be called from a handler, even with
// the delivery queue full: from its start the client no longer waits for
// room in the queue, so the reply is read, and Disconnect returns by the
// time ctx ends at the latest; the messages that arrived are delivered
// after the handler returns.
//
// A Disconnect while a handshake is in flight sends nothing, since the
// client has no clientId yet: a session the server creates for that
// handshake is abandoned, and the server expires it after its maxInterval.
func (c *Client) Disconnect(ctx context.Context) error {
	c.mu.Lock()
	if c.stopped {
		c.mu.Unlock()
		return nil
	}
	id, tr := c.clientID, c.tr
	c.mu.Unlock()
	// From here on the network never waits for the handlers: Disconnect may
	// be called by a handler, with the queue full, and its reply (or the
	// messages ahead of it) must not wait for that handler to return.
	c.queue.unbound()
	c.setState(StateDisconnecting, nil, "disconnect requested", false)
	var err error
	if id != "" {
		m := &Message{Channel: ChannelDisconnect, ID: c.nextID(), ClientID: id}
		r, e := c.exchange(ctx, tr, m, c.cfg.maxNetworkDelay)
		switch {
		case e != nil:
			err = e
		case !r.Successful:
			err = replyError(r)
		}
	}
	c.mu.Lock()
	if c.stopped {
		c.mu.Unlock()
		return err
	}
	c.stopped, c.stopErr = true, ErrDisconnected
	ev := StateChange{From: c.state, To: StateDisconnected, Transport: c.tr.name(), Err: err, Reason: "disconnected"}
	c.state, c.clientID = StateDisconnected, ""
	c.queue.event(ev)
	c.mu.Unlock()
	c.logState(ev)
	c.stopNetwork(ErrDisconnected)
	if !c.waitNetwork(ctx) && err == nil {
		err = ctx.Err()
	}
	// Delivery ends once what the network goroutines received is queued.
	c.queue.end()
	if err != nil {
		return errors.Join(errors.New("cometd: disconnect"), err)
	}
	return nil
}

// Close stops the client at once: it cancels the outstanding connect and
// every request, closes the transports and waits for the client's network
// goroutines. No handler starts after Close returns; a handler running at
// that moment is not interrupted and the delivery goroutine ends when it
// returns. Messages still queued are discarded (the count is logged). Close
// sends no /meta/disconnect (see Disconnect) and is idempotent; it always
// returns nil.
func (c *Client) Close() error {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.closing = true
		if !c.stopped {
			c.stopped, c.stopErr = true, ErrClosed
			c.state = StateDisconnected
		}
		stopErr := c.stopErr
		c.mu.Unlock()
		dropped, running := c.queue.close()
		c.stopNetwork(stopErr)
		c.wg.Wait()
		if !running {
			<-c.queue.ended() // the delivery goroutine stops before the next handler
		}
		c.closeDone()
		if dropped > 0 {
			c.cfg.logger.Info("cometd: closed with undelivered messages", "count", dropped)
		}
	})
	return nil
}

// terminate stops the client after a terminal error: state listeners get
// StateChange{To: StateTerminated, Err}, Err returns err, blocked calls
// return it and Done is closed once queued messages were delivered.
func (c *Client) terminate(err error) {
	c.mu.Lock()
	if c.stopped {
		c.mu.Unlock()
		return
	}
	c.stopped, c.stopErr, c.terminalErr = true, err, err
	ev := StateChange{From: c.state, To: StateTerminated, Transport: c.tr.name(), Err: err, Reason: "terminal error"}
	c.state = StateTerminated
	c.queue.event(ev)
	c.mu.Unlock()
	c.cfg.logger.Error("cometd: client terminated", "error", err.Error())
	c.stopNetwork(err)
	// Delivery ends once what the network goroutines received is queued;
	// terminate may run on one of them (the connect loop), so not here.
	go func() {
		c.wg.Wait()
		c.queue.end()
	}()
}

// stopNetwork cancels the client's context, closes the transports and
// fails every waiting request with err.
func (c *Client) stopNetwork(err error) {
	c.cancel()
	c.endSubscriptions(err)
	c.lp.reset()
	if c.ws != nil {
		c.ws.stop()
	}
	c.failPending(nil, err)
}

// waitNetwork waits for the client's network goroutines, which end soon
// after stopNetwork, or until ctx is done; it reports whether they ended.
func (c *Client) waitNetwork(ctx context.Context) bool {
	done := make(chan struct{})
	go func() {
		c.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return true
	case <-ctx.Done():
		return false
	}
}

// joinErrs joins errs, or returns nil.
func joinErrs(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return errors.Join(errs...)
}
