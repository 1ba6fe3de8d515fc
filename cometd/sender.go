package cometd

import (
	"context"
	"errors"
	"fmt"
)

// queueOut adds m to the outbox and registers it as pending. The sender
// sends it, with the messages queued meanwhile, once a session exists.
//
// onReply and onFail, if not nil, run when the request is settled, with
// its reply or with the error that settled it without one (see resolve).
func (c *Client) queueOut(m *Message, onReply func(*Message), onFail func(error)) (*pendingReq, error) {
	c.mu.Lock()
	p, err := c.queueOutLocked(m, onReply, onFail)
	c.mu.Unlock()
	if err != nil {
		return nil, err
	}
	c.wakeSender()
	return p, nil
}

// queueOutLocked is queueOut with c.mu held, for a caller whose decision to
// send m must be atomic with m's place in the outbox; it calls wakeSender
// after unlocking.
func (c *Client) queueOutLocked(m *Message, onReply func(*Message), onFail func(error)) (*pendingReq, error) {
	if c.stopped {
		return nil, c.stoppedErrLocked()
	}
	p := &pendingReq{ch: make(chan reply, 1), onReply: onReply, onFail: onFail}
	c.pending[m.ID] = p
	c.outbox = append(c.outbox, m)
	return p, nil
}

// wakeSender starts the sender goroutine if there is no sender running.
// The sender exits when it finds nothing to send, so an idle client has no
// sender goroutine.
func (c *Client) wakeSender() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.senderOn || c.stopped || len(c.outbox) == 0 {
		return
	}
	c.senderOn = true
	c.wg.Add(1)
	go c.sender()
}

// sender sends queued messages until the outbox is empty (or no session
// exists yet: the handshake wakes it again). Messages queued while a batch
// is in flight go together in the next batch.
func (c *Client) sender() {
	defer c.wg.Done()
	for {
		batch, tr := c.takeOutbox()
		if batch == nil {
			return
		}
		c.sendBatch(tr, batch)
	}
}

// takeOutbox returns the queued messages, stamped with the clientId, if a
// session exists. When it returns nil the sender is marked stopped, under
// the same lock wakeSender checks, so no wake-up is lost.
func (c *Client) takeOutbox() ([]*Message, transport) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.outbox) == 0 || c.clientID == "" || c.stopped {
		c.senderOn = false
		return nil, nil
	}
	switch c.state {
	case StateHandshaken, StateConnecting, StateConnected, StateUnconnected:
	default:
		c.senderOn = false
		return nil, nil
	}
	batch := c.outbox
	c.outbox = nil
	for _, m := range batch {
		m.ClientID = c.clientID
	}
	return batch, c.tr
}

// sendBatch sends one batch and resolves its requests.
func (c *Client) sendBatch(tr transport, batch []*Message) {
	for _, m := range batch {
		c.outgoing(m)
	}
	ctx, cancel := context.WithTimeout(c.ctx, c.cfg.maxNetworkDelay)
	err := tr.send(ctx, batch)
	cancel()
	if err != nil && errors.Is(err, context.DeadlineExceeded) && c.ctx.Err() == nil {
		// Not answered (long-polling) or not even written within the delay.
		// The deadline is the client's, not the caller's: it is described,
		// not wrapped, so that the error does not read as the caller's ctx.
		err = fmt.Errorf("%w within %v (%v)", ErrNoReply, c.cfg.maxNetworkDelay, err)
	}
	if err != nil {
		c.cfg.logger.Warn("cometd: sending messages failed", "transport", tr.name(), "count", len(batch), "error", err.Error())
		for _, m := range batch {
			c.resolve(m.ID, nil, err)
		}
		return
	}
	if tr.synchronous() { // the replies were handed over: the rest has none
		for _, m := range batch {
			c.resolve(m.ID, nil, ErrNoReply)
		}
		return
	}
	// The replies have WithMaxNetworkDelay to come, as long-polling's
	// request has to be answered; the message may have reached the server.
	d := c.cfg.maxNetworkDelay
	c.startReplyTimer(batch, d, func(m *Message) error {
		return fmt.Errorf("%w to %s within %v", ErrNoReply, m.Channel, d)
	})
}
