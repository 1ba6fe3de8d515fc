package cometd

import (
	"context"
	"log/slog"
)

// pendingReq is a message waiting for its reply, matched by id.
type pendingReq struct {
	ch chan reply // buffered: resolve never blocks
	tr transport
	// onReply runs on the network goroutine as soon as the reply is
	// decoded, before any later message of the same batch is handled.
	onReply func(*Message)
	// onFail runs in resolve, before the error is handed over, when the
	// request is settled without a reply (no answer in time, the socket
	// or the request failed, the client stopped).
	onFail func(error)
	// deadline, for a request sent in a websocket batch, is that batch's
	// reply timer (replyDeadline); set under c.mu.
	deadline *batchDeadline
}

// reply is the outcome of a request.
type reply struct {
	m   *Message
	err error
}

// addPending registers a request sent (or to be sent) on tr.
func (c *Client) addPending(id string, tr transport, onReply func(*Message)) *pendingReq {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.addPendingLocked(id, tr, onReply)
}

// addPendingLocked is addPending with c.mu held.
func (c *Client) addPendingLocked(id string, tr transport, onReply func(*Message)) *pendingReq {
	p := &pendingReq{ch: make(chan reply, 1), tr: tr, onReply: onReply}
	c.pending[id] = p
	return p
}

// removePending forgets a request that is no longer awaited.
func (c *Client) removePending(id string) {
	c.mu.Lock()
	delete(c.pending, id)
	c.mu.Unlock()
}

// resolve completes the request id with m or err; it reports whether a
// request was waiting.
func (c *Client) resolve(id string, m *Message, err error) bool {
	if id == "" {
		return false
	}
	c.mu.Lock()
	p := c.pending[id]
	delete(c.pending, id)
	c.mu.Unlock()
	if p == nil {
		return false
	}
	if m != nil && p.onReply != nil {
		p.onReply(m)
	}
	if m == nil && err != nil && p.onFail != nil {
		p.onFail(err)
	}
	p.ch <- reply{m: m, err: err}
	if p.deadline != nil {
		p.deadline.settled()
	}
	return true
}

// isPending reports whether a request with this id is awaited.
func (c *Client) isPending(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.pending[id]
	return ok
}

// failPending fails every request sent on tr (all requests if tr is nil).
func (c *Client) failPending(tr transport, err error) {
	c.mu.Lock()
	var ids []string
	for id, p := range c.pending {
		if tr == nil || p.tr == tr {
			ids = append(ids, id)
		}
	}
	c.mu.Unlock()
	for _, id := range ids {
		c.resolve(id, nil, err)
	}
}

// await waits for a request's reply, the caller's ctx, or the client's stop.
func (c *Client) await(ctx context.Context, id string, p *pendingReq) (*Message, error) {
	select {
	case r := <-p.ch:
		return r.m, r.err
	case <-ctx.Done():
		c.removePending(id)
		return nil, ctx.Err()
	case <-c.ctx.Done():
		c.removePending(id)
		return nil, c.errIfStoppedOr(ErrClosed)
	}
}

// errIfStoppedOr returns the stop error, or def if the client is running.
func (c *Client) errIfStoppedOr(def error) error {
	if err := c.errIfStopped(); err != nil {
		return err
	}
	return def
}

// receiveOne handles one received message: extensions, advice, the reply
// to a pending request, delivery to listeners and handlers.
func (c *Client) receiveOne(m *Message) {
	if m.odd != "" {
		c.logOdd(m)
	}
	c.incoming(m)
	if m.Channel == ChannelConnect && !c.isPending(m.ID) {
		c.cfg.logger.Debug("cometd: ignoring /meta/connect reply that does not match the outstanding connect", "id", m.ID)
		return
	}
	c.updateAdvice(m.Advice)
	switch {
	case isMeta(m.Channel):
		c.resolve(m.ID, m, nil)
		if c.hasMetaListeners() {
			c.enqueue(m)
		}
	case len(m.Data) > 0:
		c.enqueue(m)
	default:
		if !c.resolve(m.ID, m, nil) {
			c.cfg.logger.Debug("cometd: ignoring reply with no pending request", "channel", m.Channel, "id", m.ID)
		}
	}
}

// logOdd logs a message with a field the decoder had to skip or convert:
// at level Warn the first time, then at Debug, so that a server doing it on
// every message does not flood the log.
func (c *Client) logOdd(m *Message) {
	lvl := slog.LevelDebug
	if c.oddLogged.CompareAndSwap(false, true) {
		lvl = slog.LevelWarn
	}
	c.cfg.logger.Log(context.Background(), lvl, "cometd: tolerated a field of an unexpected type; the rest of the message is used",
		"channel", m.Channel, "field", m.odd)
}
