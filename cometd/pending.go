package cometd

import (
	"context"
	"log/slog"
	"math"
	"sync/atomic"
	"time"
)

// pendingReq is a message waiting for its reply, matched by id.
type pendingReq struct {
	ch chan reply // buffered: resolve never blocks
	// sock is the websocket the request was written on, once the write is
	// done (tagSocket); its drop fails the request. Set under c.mu.
	sock *wsSocket
	// onReply runs on the network goroutine as soon as the reply is
	// decoded, before any later message of the same batch is handled.
	onReply func(*Message)
	// onFail runs in resolve, before the error is handed over, when the
	// request is settled without a reply (no answer in time, the socket
	// or the request failed, the client stopped).
	onFail func(error)
	// timer is the reply timer of the batch it was sent in
	// (startReplyTimer); set under c.mu.
	timer *replyTimer
	// awaited: counted among the replies awaited on sock's read pacing
	// (every request but /meta/connect, which the server holds). Set
	// under c.mu.
	awaited bool
}

// reply is the outcome of a request.
type reply struct {
	m   *Message
	err error
}

// addPending registers a request to be sent.
func (c *Client) addPending(id string, onReply func(*Message)) *pendingReq {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.addPendingLocked(id, onReply)
}

// addPendingLocked is addPending with c.mu held.
func (c *Client) addPendingLocked(id string, onReply func(*Message)) *pendingReq {
	p := &pendingReq{ch: make(chan reply, 1), onReply: onReply}
	c.pending[id] = p
	return p
}

// removePending forgets a request that is no longer awaited.
func (c *Client) removePending(id string) {
	c.mu.Lock()
	c.deletePendingLocked(id)
	c.mu.Unlock()
}

// deletePendingLocked forgets the request id, no longer awaited on the
// socket it was written on; it returns the request (nil if none). c.mu is
// held.
func (c *Client) deletePendingLocked(id string) *pendingReq {
	p := c.pending[id]
	if p == nil {
		return nil
	}
	delete(c.pending, id)
	p.unawait()
	return p
}

// unawait takes p out of the replies awaited on its socket's read pacing,
// if it was counted there. c.mu is held.
func (p *pendingReq) unawait() {
	if p.awaited {
		p.sock.paced.awaiting(-1)
		p.awaited = false
	}
}

// resolve completes the request id with m or err; it reports whether a
// request was waiting.
func (c *Client) resolve(id string, m *Message, err error) bool {
	if id == "" {
		return false
	}
	c.mu.Lock()
	p := c.deletePendingLocked(id)
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
	if p.timer != nil {
		p.timer.settled()
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

// tagSocket records that msgs were written on s (wsTransport.written).
// Its read pacing is told of the replies now awaited on s: while any is,
// its reads do not wait (readpacing.go).
func (c *Client) tagSocket(msgs []*Message, s *wsSocket) {
	c.mu.Lock()
	for _, m := range msgs {
		p := c.pending[m.ID]
		if p == nil {
			continue
		}
		p.unawait() // written before, on another socket
		p.sock = s
		if s.paced != nil && m.Channel != ChannelConnect {
			s.paced.awaiting(1)
			p.awaited = true
		}
	}
	c.mu.Unlock()
}

// socketOf returns the websocket p was written on, or nil.
func (c *Client) socketOf(p *pendingReq) *wsSocket {
	c.mu.Lock()
	defer c.mu.Unlock()
	return p.sock
}

// failPending fails every request written on s, or every request if s is
// nil (the client stopping).
func (c *Client) failPending(s *wsSocket, err error) {
	c.mu.Lock()
	var ids []string
	for id, p := range c.pending {
		if s == nil || p.sock == s {
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

// startReplyTimer gives the replies to batch, just written on a socket
// whose replies come asynchronously, d to come: each request of it still
// waiting then is settled (resolve) with timedOut's error. While the reader
// waits for room in the delivery queue, a reply may be behind it: the delay
// starts again. The timer stops as soon as every request of the batch is
// settled, so that a client sending fast does not hold a timer per batch
// for the whole delay; stop stops it sooner. It returns nil when nothing of
// batch is waiting any more.
func (c *Client) startReplyTimer(batch []*Message, d time.Duration, timedOut func(*Message) error) *replyTimer {
	rt := &replyTimer{}
	rt.t = time.AfterFunc(math.MaxInt64, func() {
		if rt.left.Load() <= 0 {
			return // all settled (or stopped) while it fired: do not re-arm
		}
		if c.queue.waiting() {
			rt.t.Reset(d)
			return
		}
		for _, m := range batch {
			c.resolve(m.ID, nil, timedOut(m))
		}
	})
	c.mu.Lock()
	n := int32(0)
	for _, m := range batch {
		if p := c.pending[m.ID]; p != nil {
			p.timer = rt
			n++
		}
	}
	rt.left.Store(n)
	c.mu.Unlock()
	if n == 0 {
		rt.t.Stop()
		return nil
	}
	rt.t.Reset(d)            // rt.t is set before its function can run
	if rt.left.Load() <= 0 { // all settled before the Reset
		rt.t.Stop()
	}
	return rt
}

// replyTimer is startReplyTimer's timer and the number of its batch's
// requests not yet settled.
type replyTimer struct {
	t    *time.Timer
	left atomic.Int32
}

// settled counts one request of the batch as settled.
func (rt *replyTimer) settled() {
	if rt.left.Add(-1) == 0 {
		rt.t.Stop()
	}
}

// stop stops the timer whatever is still waiting; rt may be nil.
func (rt *replyTimer) stop() {
	if rt != nil {
		rt.left.Store(0)
		rt.t.Stop()
	}
}
