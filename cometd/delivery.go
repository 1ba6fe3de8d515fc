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
	select {
	case c.queue <- m:
		return true
	default:
	}
	c.blocked.Add(1)
	defer c.blocked.Add(-1)
	select {
	case c.queue <- m:
		return true
	case <-c.stopDeliver:
	case <-c.ctx.Done():
	}
	c.log.Debug("cometd: message not delivered: client stopped", "channel", m.Channel)
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
func (c *Client) pushStateLocked(ev StateChange) {
	c.stateEvents = append(c.stateEvents, ev)
	select {
	case c.stateSignal <- struct{}{}:
	default:
	}
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
// listeners and handlers one at a time, in order.
func (c *Client) deliver() {
	defer close(c.deliverDone)
	for {
		c.mu.Lock()
		evs := c.stateEvents
		c.stateEvents = nil
		final := c.finalPending && len(evs) == 0 && len(c.queue) == 0
		c.mu.Unlock()
		if len(evs) > 0 {
			for _, ev := range evs {
				if !c.runState(ev) {
					return
				}
			}
			continue
		}
		if final {
			c.closeDone()
			return
		}
		select {
		case <-c.stopDeliver:
			return
		case <-c.stateSignal:
		case m := <-c.queue:
			if !c.dispatch(m) {
				return
			}
		}
	}
}

// runState calls the state listeners; false means the client was closed.
func (c *Client) runState(ev StateChange) bool {
	c.mu.Lock()
	if c.closedDeliv {
		c.mu.Unlock()
		return false
	}
	lis := append([]*stateListener(nil), c.stateLis...)
	c.running = true
	c.mu.Unlock()
	defer c.doneRunning()
	for _, l := range lis {
		l.fn(ev)
	}
	return true
}

// dispatch calls the listeners and handlers for m; false means the client
// was closed.
func (c *Client) dispatch(m *Message) bool {
	var fns []func(*Message)
	c.mu.Lock()
	if c.closedDeliv {
		c.mu.Unlock()
		return false
	}
	if isMeta(m.Channel) {
		for _, l := range c.metaListeners {
			if Match(l.channel, m.Channel) {
				fns = append(fns, l.fn)
			}
		}
	} else {
		var subs []*Subscription
		for _, p := range patternsFor(m.Channel) {
			for _, s := range c.subs[p] {
				if s.active {
					subs = append(subs, s)
				}
			}
		}
		sort.Slice(subs, func(i, j int) bool { return subs[i].seq < subs[j].seq })
		for _, s := range subs {
			fns = append(fns, s.handler)
		}
	}
	c.running = true
	c.mu.Unlock()
	defer c.doneRunning()
	if len(fns) == 0 && !isMeta(m.Channel) {
		c.log.Debug("cometd: message with no subscriber", "channel", m.Channel)
	}
	for _, fn := range fns {
		fn(m)
	}
	return true
}

// doneRunning marks the end of a handler run.
func (c *Client) doneRunning() {
	c.mu.Lock()
	c.running = false
	c.mu.Unlock()
}

// closeDone closes Done once.
func (c *Client) closeDone() {
	c.doneOnce.Do(func() { close(c.done) })
}
