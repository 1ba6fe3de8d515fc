package cometd

import (
	"fmt"
	"sort"
)

// Handler receives the messages of a subscription. Handlers of one client
// run one at a time, in the order the messages arrived, on the client's
// delivery goroutine. A handler that blocks holds up delivery and, once the
// queue is full (WithQueueBytes), the client's reading from the network,
// which may cost the session (reported with ErrSlowConsumer). Handlers may
// call Publish, Subscribe, Unsubscribe, Disconnect or Close; with a full
// queue Publish, Subscribe and Unsubscribe can only complete through their
// context's deadline, so give them one. A handler that panics is recovered
// (see PanicError).
type Handler func(m *Message)

// metaListener is a listener registered with OnMeta.
type metaListener struct {
	channel string
	fn      func(*Message)
	removed bool // guarded by c.mu
}

// stateListener is a listener registered with OnState.
type stateListener struct {
	fn      func(StateChange)
	removed bool // guarded by c.mu
}

// OnMeta registers fn for replies on meta channels matching channel (which
// may be a wildcard such as "/meta/*"). It runs on the delivery goroutine,
// in order with message handlers. The returned function removes it.
func (c *Client) OnMeta(channel string, fn func(*Message)) (remove func()) {
	l := &metaListener{channel: channel, fn: fn}
	c.mu.Lock()
	c.metaListeners = append(c.metaListeners, l)
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		l.removed = true
		for i, x := range c.metaListeners {
			if x == l {
				c.metaListeners = append(c.metaListeners[:i:i], c.metaListeners[i+1:]...)
				return
			}
		}
	}
}

// OnState registers fn for state changes. Listeners run on the delivery
// goroutine, before messages still queued. The returned function removes it.
func (c *Client) OnState(fn func(StateChange)) (remove func()) {
	l := &stateListener{fn: fn}
	c.mu.Lock()
	c.stateLis = append(c.stateLis, l)
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		l.removed = true
		for i, x := range c.stateLis {
			if x == l {
				c.stateLis = append(c.stateLis[:i:i], c.stateLis[i+1:]...)
				return
			}
		}
	}
}

// hasMetaListeners reports whether any OnMeta listener is registered.
func (c *Client) hasMetaListeners() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.metaListeners) > 0
}

// enqueue puts m on the delivery queue, waiting for room while the queue
// is full (backpressure) until the client stops. It reports whether m was
// queued.
func (c *Client) enqueue(m *Message) bool {
	if c.queue.put(c.ctx, m) {
		return true
	}
	c.cfg.logger.Debug("cometd: message not delivered: client stopped", "channel", m.Channel)
	return false
}

// setState changes the state and notifies state listeners. A change to the
// same state is only announced when force is set.
func (c *Client) setState(to State, err error, reason string, force bool) {
	c.mu.Lock()
	from := c.state
	if from == StateTerminated || (from == StateDisconnected && to != StateDisconnected) {
		c.mu.Unlock()
		return
	}
	c.state = to
	if from == to && !force {
		c.mu.Unlock()
		return
	}
	ev := StateChange{From: from, To: to, Transport: c.tr.name(), Err: err, Reason: reason}
	c.pushStateLocked(ev)
	c.mu.Unlock()
	c.logState(ev)
}

// pushStateLocked queues a state event for listeners; c.mu held.
func (c *Client) pushStateLocked(ev StateChange) { c.queue.event(ev) }

// refusedTooLarge announces a reply or frame refused for its size
// (WithMaxMessageSize) where the transport refused it, so that each refusal
// is a StateChange even when no /meta/connect failed with it (a socket a
// Publish dialled, a Publish's long-polling response). A websocket refused
// that way is gone, and with it the session's connect, as is a refused
// long-polling connect reply: unconnected (the connect loop's own change to
// unconnected then announces nothing more); another long-polling response
// leaves the state as it is.
func (c *Client) refusedTooLarge(err error, unconnected bool) {
	c.mu.Lock()
	from := c.state
	if from == StateTerminated || from == StateDisconnected {
		c.mu.Unlock()
		return
	}
	to := from
	if unconnected {
		to = StateUnconnected
	}
	c.state = to
	ev := StateChange{From: from, To: to, Transport: c.tr.name(), Err: err, Reason: "a message over the maximum size was refused"}
	c.pushStateLocked(ev)
	c.mu.Unlock()
	c.logState(ev)
}

// logState logs a state change.
func (c *Client) logState(ev StateChange) {
	attrs := []any{"from", ev.From.String(), "to", ev.To.String(), "transport", ev.Transport}
	if ev.Reason != "" {
		attrs = append(attrs, "reason", ev.Reason)
	}
	if ev.Resubscribed > 0 {
		attrs = append(attrs, "resubscribed", ev.Resubscribed)
	}
	if ev.Err != nil {
		attrs = append(attrs, "error", ev.Err.Error())
		c.cfg.logger.Warn("cometd: state change", attrs...)
		return
	}
	c.cfg.logger.Info("cometd: state change", attrs...)
}

// dispatch runs the handlers of a data message, or the meta listeners of
// a meta message, on the delivery goroutine. A handler that panics is
// recovered and reported (reportPanic); the next one runs.
//
// Which handlers get m is decided under c.mu, for the first when the
// message is taken and for each next one again just before it runs: an
// earlier handler of the same message may have run for long, and a
// Subscription removed (Unsubscribe, a refused Subscribe) or a Close
// meanwhile must keep the message from the later ones (their documents say
// nothing is handed over after those return).
func (c *Client) dispatch(m *Message) {
	if isMeta(m.Channel) {
		c.dispatchMeta(m)
		return
	}
	c.mu.Lock()
	subs := c.handlersLocked(m.Channel)
	closing := c.closing
	c.mu.Unlock()
	if closing {
		return
	}
	if len(subs) == 0 {
		c.cfg.logger.Debug("cometd: message with no subscriber", "channel", m.Channel)
	}
	for i, s := range subs {
		if i > 0 && c.gone(&s.removed) {
			continue // the subscriptions after a removed one still get m
		}
		if p := recoverPanic(m.Channel, func() { s.handler(m) }); p != nil {
			c.reportPanic(p)
		}
	}
}

// dispatchMeta runs the meta listeners of a meta message (see dispatch).
func (c *Client) dispatchMeta(m *Message) {
	c.mu.Lock()
	var lis []*metaListener
	for _, l := range c.metaListeners {
		if Match(l.channel, m.Channel) {
			lis = append(lis, l)
		}
	}
	c.mu.Unlock()
	for _, l := range lis {
		if c.gone(&l.removed) {
			continue
		}
		if p := recoverPanic(m.Channel, func() { l.fn(m) }); p != nil {
			c.reportPanic(p)
		}
	}
}

// gone reports, just before a handler or listener runs, whether the client
// was closed or *removed (its Subscription's or listener's flag, guarded by
// c.mu) was set since the list it is on was taken.
func (c *Client) gone(removed *bool) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closing || *removed
}

// notify runs the state listeners for ev on the delivery goroutine, each
// checked just before it runs as in dispatch. A listener that panics is
// recovered and logged (not reported as a state event, which a listener
// panicking on every event would turn into a loop).
func (c *Client) notify(ev StateChange) {
	c.mu.Lock()
	lis := append([]*stateListener(nil), c.stateLis...)
	c.mu.Unlock()
	for _, l := range lis {
		if c.gone(&l.removed) {
			continue
		}
		if p := recoverPanic("", func() { l.fn(ev) }); p != nil {
			c.logPanic(p)
		}
	}
}

// route caches the subscriptions of one channel. One entry is enough for
// the hot case, a burst on one channel, and costs an idle client nothing.
type route struct {
	channel string
	subs    []*Subscription
}

// handlersLocked returns the registered subscriptions for a data message on
// channel, in subscription order, from a cache of the last channel that is
// dropped after any change to the subscriptions; c.mu held. The returned
// slice is never modified.
func (c *Client) handlersLocked(channel string) []*Subscription {
	if r := c.route; r != nil && r.channel == channel {
		return r.subs
	}
	var subs []*Subscription
	for _, p := range patternsFor(channel) {
		// Every registered subscription, confirmed or not: the server may
		// deliver ahead of its subscribe reply.
		subs = append(subs, c.subs[p]...)
	}
	sort.Slice(subs, func(i, j int) bool { return subs[i].seq < subs[j].seq })
	c.route = &route{channel: channel, subs: subs}
	return subs
}

// closeDone closes Done once.
func (c *Client) closeDone() {
	c.doneOnce.Do(func() { close(c.done) })
}

// slowConsumerLoss returns e wrapped with ErrSlowConsumer when the session
// loss the server reported with e followed a stall of the delivery queue (a
// put waited for room at some time after the last successful /meta/connect
// was sent, so the client stopped reading and connecting), or nil.
func (c *Client) slowConsumerLoss(e error) error {
	c.mu.Lock()
	since := c.lastConnectSent
	c.mu.Unlock()
	if since.IsZero() || !c.queue.stalledSince(since) {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrSlowConsumer, e)
}
