package cometd

import (
	"context"
	"sync"
	"time"
)

// deliveryQueue sits between the network goroutines, which put received
// messages and state events on it, and the one delivery goroutine that runs
// handlers and listeners. Its rules:
//
//   - One delivery goroutine per client, started on demand and gone when
//     there is nothing to do, so an idle client has none.
//   - Messages are delivered in the order they were put; a state event is
//     delivered before the messages still queued.
//   - The queued messages hold at most limit bytes (messageSize). put waits
//     for room while the queue is full; that wait is what stops the
//     client's reading from the network (backpressure), and it is recorded
//     (stalledSince) so that a session the server expired meanwhile is
//     reported as lost to a slow handler. An empty queue takes any message,
//     however large.
//   - After unbound (Disconnect) put never waits again: a handler calling
//     Disconnect must not wait for itself.
//   - After end (Disconnect, terminal error) what is queued is delivered,
//     then delivery ends and onEnd runs. After close (Close) nothing more
//     starts: the handler running finishes, the rest is discarded.
type deliveryQueue struct {
	limit    int64
	dispatch func(*Message)    // runs the handlers of one message
	notify   func(StateChange) // runs the state listeners
	onEnd    func()            // runs once when delivery ended after end

	mu      sync.Mutex
	msgs    []*Message // msgs[head:] wait; grows on demand, released after a burst
	head    int
	bytes   int64 // size of msgs[head:]
	events  []StateChange
	room    chan struct{} // closed when put may retry; made by the first waiter
	waiters int           // puts waiting for room
	stall   time.Time     // when the current wait for room began; zero if none
	lastEnd time.Time     // when the last wait for room ended
	noLimit bool          // unbound was called
	active  bool          // the delivery goroutine runs
	busy    bool          // a handler or listener runs
	ending  bool          // end was called
	closed  bool          // close was called
	over    bool          // delivery has ended: no goroutine starts again
	done    chan struct{} // closed when delivery has ended
	once    sync.Once
}

// messageOverhead is the memory a queued message costs besides its fields'
// bytes: the Message struct, its slices' headers and the queue's slot.
const messageOverhead = 256

// messageSize is the size a message counts for in the queue's limit.
func messageSize(m *Message) int64 {
	n := len(m.Channel) + len(m.ID) + len(m.ClientID) + len(m.Data) + len(m.Error) + len(m.Subscription) +
		len(m.ConnectionType) + len(m.Version) + len(m.MinimumVersion)
	for k, v := range m.Ext {
		n += len(k) + len(v)
	}
	for _, s := range m.SupportedConnectionTypes {
		n += len(s)
	}
	return int64(n + messageOverhead)
}

func newDeliveryQueue(limit int64, dispatch func(*Message), notify func(StateChange), onEnd func()) *deliveryQueue {
	return &deliveryQueue{limit: limit, dispatch: dispatch, notify: notify, onEnd: onEnd, done: make(chan struct{})}
}

// put queues m, waiting for room while the queue is full, until ctx is done
// or delivery ended. It reports whether m was queued.
func (q *deliveryQueue) put(ctx context.Context, m *Message) bool {
	size := messageSize(m)
	q.mu.Lock()
	waited := false
	defer func() {
		if waited {
			q.waiters--
			if q.waiters == 0 {
				q.stall, q.lastEnd = time.Time{}, time.Now()
			}
		}
		q.mu.Unlock()
	}()
	for {
		if q.closed || q.over {
			return false
		}
		if q.noLimit || q.bytes == 0 || q.bytes+size <= q.limit {
			q.msgs = append(q.msgs, m)
			q.bytes += size
			q.startLocked()
			return true
		}
		if ctx.Err() != nil { // only now: unbound may have let m in since
			return false
		}
		if !waited {
			waited = true
			if q.waiters == 0 {
				q.stall = time.Now()
			}
			q.waiters++
		}
		if q.room == nil {
			q.room = make(chan struct{})
		}
		room := q.room
		q.mu.Unlock()
		select {
		case <-room:
		case <-ctx.Done():
		}
		q.mu.Lock()
	}
}

// wakeLocked lets waiting puts retry; q.mu held.
func (q *deliveryQueue) wakeLocked() {
	if q.room != nil {
		close(q.room)
		q.room = nil
	}
}

// event queues a state event, delivered before the messages still queued.
func (q *deliveryQueue) event(ev StateChange) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed || q.over {
		return
	}
	q.events = append(q.events, ev)
	q.startLocked()
}

// unbound makes put stop waiting for room, now and from now on.
func (q *deliveryQueue) unbound() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.noLimit = true
	q.wakeLocked()
}

// end delivers what is queued, then ends delivery and runs onEnd. The
// caller must not hold a lock onEnd takes.
func (q *deliveryQueue) end() {
	q.mu.Lock()
	if q.ending || q.over {
		q.mu.Unlock()
		return
	}
	q.ending = true
	idle := !q.active
	if idle {
		q.over = true
	}
	q.mu.Unlock()
	if idle {
		q.finish(true)
	}
}

// close discards what is queued and starts no more handlers. It returns the
// number of messages discarded and reports whether a handler is running
// (then delivery ends when it returns).
func (q *deliveryQueue) close() (discarded int, running bool) {
	q.mu.Lock()
	q.closed = true
	discarded = len(q.msgs) - q.head
	q.msgs, q.head, q.bytes, q.events = nil, 0, 0, nil
	q.wakeLocked()
	running = q.busy
	idle := !q.active
	if idle {
		q.over = true
	}
	q.mu.Unlock()
	if idle {
		q.finish(false)
	}
	return discarded, running
}

// ended returns a channel closed once delivery has ended for good.
func (q *deliveryQueue) ended() <-chan struct{} { return q.done }

// waiting reports whether a put waits for room: the network is held up by
// the handlers.
func (q *deliveryQueue) waiting() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.waiters > 0
}

// stalledSince reports whether a put waited for room at some time after t.
func (q *deliveryQueue) stalledSince(t time.Time) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.waiters > 0 || q.lastEnd.After(t)
}

// startLocked starts the delivery goroutine unless it runs or delivery
// ended; q.mu held.
func (q *deliveryQueue) startLocked() {
	if q.active || q.over || q.closed {
		return
	}
	q.active = true
	go q.loop()
}

// takeLocked removes and returns the first queued message, or nil; q.mu
// held. Waiting puts are woken once the queue is half empty, so that they
// refill many slots per wake-up instead of trading one message at a time.
func (q *deliveryQueue) takeLocked() *Message {
	if q.head == len(q.msgs) {
		return nil
	}
	m := q.msgs[q.head]
	q.msgs[q.head] = nil
	q.head++
	q.bytes -= messageSize(m)
	if q.head == len(q.msgs) {
		q.head, q.msgs, q.bytes = 0, q.msgs[:0], 0
		if cap(q.msgs) > 256 {
			q.msgs = nil // a burst is over: give its memory back
		}
	}
	if q.waiters > 0 && q.bytes <= q.limit/2 {
		q.wakeLocked()
	}
	return m
}

// loop is the delivery goroutine. It takes q.mu once per message: a burst
// is the hot path.
func (q *deliveryQueue) loop() {
	q.mu.Lock()
	for {
		q.busy = false
		if q.closed {
			q.active, q.over = false, true
			q.mu.Unlock()
			q.finish(false)
			return
		}
		if len(q.events) > 0 {
			ev := q.events[0]
			q.events = q.events[1:]
			if len(q.events) == 0 {
				q.events = nil
			}
			q.busy = true
			q.mu.Unlock()
			q.notify(ev)
			q.mu.Lock()
			continue
		}
		if m := q.takeLocked(); m != nil {
			q.busy = true
			q.mu.Unlock()
			q.dispatch(m)
			q.mu.Lock()
			continue
		}
		q.active = false
		final := q.ending
		if final {
			q.over = true
		}
		q.mu.Unlock()
		if final {
			q.finish(true)
		}
		return
	}
}

// finish marks delivery ended; after end it runs onEnd first.
func (q *deliveryQueue) finish(final bool) {
	if final {
		q.onEnd()
	}
	q.once.Do(func() { close(q.done) })
}
