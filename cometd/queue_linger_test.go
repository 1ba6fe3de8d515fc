package cometd

import (
	"bytes"
	"context"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// goroutineID is the running goroutine's number, from its stack header.
func goroutineID() int {
	b := make([]byte, 64)
	b = b[:runtime.Stack(b, false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	n, _ := strconv.Atoi(string(b[:bytes.IndexByte(b, ' ')]))
	return n
}

// waitQueue polls q until cond holds (under q.mu) or the guard ends.
func waitQueue(t *testing.T, q *deliveryQueue, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		q.mu.Lock()
		ok := cond()
		q.mu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue: %s did not happen within the guard", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// A message that comes after the queue drained goes to the same delivery
// goroutine while it lingers, not to a new one (which would grow a fresh
// stack for the handler: issue 14's profile at one message per frame); the
// goroutine still ends once the client stays idle.
func TestDeliveryGoroutineLingersBetweenMessages(t *testing.T) {
	ids := make(chan int, 2)
	q := newDeliveryQueue(1<<20, func(*Message) { ids <- goroutineID() }, func(StateChange) {}, func() {})
	q.lingerFor = time.Hour // only the nudge of a put can bring the next message in

	ctx := context.Background()
	q.put(ctx, &Message{Channel: "/a"})
	first := <-ids
	// The handler returned and the queue is empty: with no lingering the
	// goroutine would end here.
	waitQueue(t, q, "first handler done", func() bool { return !q.busy && q.head == len(q.msgs) })
	q.put(ctx, &Message{Channel: "/a"})
	if second := <-ids; second != first {
		t.Errorf("second message ran on goroutine %d, the first on %d: a new delivery goroutine per message", second, first)
	}
	q.close()
	select {
	case <-q.ended():
	case <-time.After(5 * time.Second):
		t.Fatal("close did not end the lingering delivery goroutine")
	}
}

// An idle client keeps no delivery goroutine: it ends a linger or two after
// the last message.
func TestDeliveryGoroutineEndsWhenIdle(t *testing.T) {
	delivered := make(chan struct{}, 1)
	q := newDeliveryQueue(1<<20, func(*Message) { delivered <- struct{}{} }, func(StateChange) {}, func() {})
	q.lingerFor = time.Millisecond
	q.put(context.Background(), &Message{Channel: "/a"})
	<-delivered
	waitQueue(t, q, "the delivery goroutine's end", func() bool { return !q.active })
	if q.armed {
		t.Error("the linger timer is still armed after the goroutine ended")
	}
	// A later message starts a goroutine again.
	q.put(context.Background(), &Message{Channel: "/a"})
	select {
	case <-delivered:
	case <-time.After(5 * time.Second):
		t.Fatal("a message after the idle end was not delivered")
	}
}

// end and close reach a lingering goroutine at once, whatever the linger.
func TestEndAndCloseWakeALingeringGoroutine(t *testing.T) {
	for _, tc := range []struct {
		name string
		stop func(q *deliveryQueue)
	}{
		{"end", func(q *deliveryQueue) { q.end() }},
		{"close", func(q *deliveryQueue) { q.close() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			delivered := make(chan struct{}, 1)
			ended := make(chan struct{})
			q := newDeliveryQueue(1<<20, func(*Message) { delivered <- struct{}{} }, func(StateChange) {}, func() { close(ended) })
			q.lingerFor = time.Hour
			q.put(context.Background(), &Message{Channel: "/a"})
			<-delivered
			waitQueue(t, q, "lingering", func() bool { return q.lingers })
			tc.stop(q)
			select {
			case <-q.ended():
			case <-time.After(5 * time.Second):
				t.Fatalf("%s left the delivery goroutine lingering", tc.name)
			}
			if tc.name == "end" {
				select {
				case <-ended:
				default:
					t.Error("end: onEnd did not run")
				}
			}
		})
	}
}
