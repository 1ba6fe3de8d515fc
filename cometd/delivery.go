package cometd

import "sort"

// Handler receives the messages of a subscription. Handlers of one client
// run one at a time, in the order the messages arrived, on the client's
// delivery goroutine. A handler that blocks holds up delivery and, once the
// queue is full (WithQueueSize), the client's reading from the network.
// Handlers may call Publish, Subscribe or Unsubscribe; with a full queue such
// a call can only complete through its context's deadline, so give it one.
type Handler func(m *Message)

// metaListener is a listener registered with OnMeta.
type metaListener struct {
	channel string
	fn      func(*Message)
}

// stateListener is a listener registered with OnState.
type stateListener struct {
	fn func(StateChange)
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

// enqueue puts m on the delivery queue, waiting for room (backpressure)
// until the client stops. It reports whether m was queued.
func (c *Client) enqueue(m *Message) bool {
	waited := false
	for {
		c.mu.Lock()
		if len(c.msgs)-c.head < c.cfg.queueSize {
			c.msgs = append(c.msgs, m)
			c.startDeliverLocked()
			c.mu.Unlock()
			if waited {
				c.blocked.Add(-1)
			}
			return true
		}
		if !waited {
			// Under c.mu, so that takeLocked sees it and wakes us.
			waited = true
			c.blocked.Add(1)
		}
		if c.room == nil {
			c.room = make(chan struct{}, 1)
		}
		room := c.room
		c.mu.Unlock()
		select {
		case <-room:
			continue
		case <-c.ctx.Done(): // Close, Disconnect, terminal error
		}
		c.blocked.Add(-1)
		c.log.Debug("cometd: message not delivered: client stopped", "channel", m.Channel)
		return false
	}
}

// startDeliverLocked starts the delivery goroutine unless it runs (or
// delivery has ended for good); c.mu held. The goroutine exits when it has
// nothing left to do, so an idle client has none.
func (c *Client) startDeliverLocked() {
	if c.delivering || c.deliverEnded {
		return
	}
	c.delivering = true
	go c.deliver()
}

// endDelivery closes deliverDone once.
func (c *Client) endDelivery() {
	c.deliverOnce.Do(func() { close(c.deliverDone) })
}

// takeLocked removes and returns the first queued message, or nil; c.mu
// held. It tells a network goroutine waiting for room.
func (c *Client) takeLocked() *Message {
	if c.head == len(c.msgs) {
		return nil
	}
	m := c.msgs[c.head]
	c.msgs[c.head] = nil
	c.head++
	if c.head == len(c.msgs) {
		c.head = 0
		c.msgs = c.msgs[:0]
		if cap(c.msgs) > 256 {
			c.msgs = nil // a burst is over: give its memory back
		}
	}
	// Wake a network goroutine waiting for room only once the queue is
	// half empty, so that it refills many slots per wake-up instead of
	// trading one message at a time with this goroutine.
	if c.room != nil && c.blocked.Load() > 0 && c.queuedLocked() <= c.cfg.queueSize/2 {
		select {
		case c.room <- struct{}{}:
		default:
		}
	}
	return m
}

// queuedLocked returns the number of queued messages; c.mu held.
func (c *Client) queuedLocked() int { return len(c.msgs) - c.head }

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
func (c *Client) pushStateLocked(ev StateChange) {
	c.stateEvents = append(c.stateEvents, ev)
	c.startDeliverLocked()
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
		c.log.Warn("cometd: state change", attrs...)
		return
	}
	c.log.Info("cometd: state change", attrs...)
}

// deliver is the delivery goroutine: it runs state listeners, meta
// listeners and handlers one at a time, in order, and exits when there is
// nothing left (startDeliverLocked starts it again). It ends delivery for
// good when the client was closed, or after the final state change and the
// messages queued before it (Disconnect, terminal error). It takes c.mu once
// per message: a burst is the hot path.
func (c *Client) deliver() {
	c.mu.Lock()
	for {
		c.running = false
		if c.closedDeliv {
			c.delivering, c.deliverEnded = false, true
			c.mu.Unlock()
			c.endDelivery()
			return
		}
		if len(c.stateEvents) > 0 {
			ev := c.stateEvents[0]
			c.stateEvents = c.stateEvents[1:]
			if len(c.stateEvents) == 0 {
				c.stateEvents = nil
			}
			lis := append([]*stateListener(nil), c.stateLis...)
			c.running = true
			c.mu.Unlock()
			for _, l := range lis {
				l.fn(ev)
			}
			c.mu.Lock()
			continue
		}
		m := c.takeLocked()
		if m == nil {
			final := c.finalPending
			c.delivering = false
			if final {
				c.deliverEnded = true
			}
			c.mu.Unlock()
			if final {
				c.closeDone()
				c.endDelivery()
			}
			return
		}
		meta := isMeta(m.Channel)
		var fns []Handler
		if meta {
			for _, l := range c.metaListeners {
				if Match(l.channel, m.Channel) {
					fns = append(fns, l.fn)
				}
			}
		} else {
			fns = c.handlersLocked(m.Channel)
		}
		c.running = true
		c.mu.Unlock()
		if len(fns) == 0 && !meta {
			c.log.Debug("cometd: message with no subscriber", "channel", m.Channel)
		}
		for _, fn := range fns {
			fn(m)
		}
		c.mu.Lock()
	}
}

// route caches the handlers of one channel. One entry is enough for the
// hot case, a burst on one channel, and costs an idle client nothing.
type route struct {
	channel  string
	handlers []Handler
}

// handlersLocked returns the registered handlers for a data message on
// channel, in subscription order, from a cache of the last channel that is
// dropped after any change to the subscriptions; c.mu held. The returned
// slice is never modified.
func (c *Client) handlersLocked(channel string) []Handler {
	if r := c.route; r != nil && r.channel == channel {
		return r.handlers
	}
	var subs []*Subscription
	for _, p := range patternsFor(channel) {
		// Every registered subscription, confirmed or not: the server may
		// deliver ahead of its subscribe reply.
		subs = append(subs, c.subs[p]...)
	}
	sort.Slice(subs, func(i, j int) bool { return subs[i].seq < subs[j].seq })
	hs := make([]Handler, len(subs))
	for i, s := range subs {
		hs[i] = s.handler
	}
	c.route = &route{channel: channel, handlers: hs}
	return hs
}

// closeDone closes Done once.
func (c *Client) closeDone() {
	c.doneOnce.Do(func() { close(c.done) })
}
