package cometd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnisdk/omni/internal/bayeuxsrv"
)

// waitFor polls cond from a goroutine other than the test's (a handler) and
// reports whether it held before a generous deadline.
func waitFor(cond func() bool) bool {
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
	return true
}

// seqOf returns the integer data of m.
func seqOf(m *Message) int {
	var n int
	_ = json.Unmarshal(m.Data, &n)
	return n
}

// TestDisconnectFromHandlerWithFullQueue: a handler calls Disconnect while
// the delivery queue is full and the server puts messages ahead of the
// disconnect reply (as CometD servers do with what they queued). Disconnect
// returns, every message is delivered once and in order, then Done closes.
// Before the fix the long-polling request waited for room in the queue,
// which only the handler calling Disconnect could make: forever, whatever
// Disconnect's context.
func TestDisconnectFromHandlerWithFullQueue(t *testing.T) {
	for _, tr := range []string{LongPolling, WebSocket} {
		t.Run(tr, func(t *testing.T) {
			f := newFake(t)
			f.set(func(f *fake) {
				f.hook = func(m msg) ([]msg, bool) {
					if m["channel"] != ChannelDisconnect {
						return nil, false
					}
					return []msg{{"channel": "/d", "data": 100}, {"channel": "/d", "data": 101},
						{"channel": ChannelDisconnect, "id": m["id"], "successful": true}}, true
				}
			})
			c, _ := newTestClient(t, f, WithTransports(tr), WithQueueBytes(1))
			var mu sync.Mutex
			var got []int
			result := make(chan error, 1)
			_, err := c.Subscribe(ctxT(t), "/d", func(m *Message) {
				mu.Lock()
				got = append(got, seqOf(m))
				mu.Unlock()
				if seqOf(m) != 0 {
					return
				}
				if !waitFor(c.queue.waiting) {
					result <- errors.New("the queue never filled")
					return
				}
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				result <- c.Disconnect(ctx)
			})
			if err != nil {
				t.Fatal(err)
			}
			f.set(func(f *fake) { // one reply with all five
				for i := range 5 {
					f.publishLocked("/d", i)
				}
			})
			select {
			case err := <-result:
				if err != nil {
					t.Fatalf("Disconnect from a handler: %v", err)
				}
			case <-time.After(15 * time.Second):
				t.Fatal("Disconnect from a handler with a full queue deadlocked")
			}
			<-c.Done()
			mu.Lock()
			defer mu.Unlock()
			// The connect reply (0..4) and the disconnect reply (100, 101)
			// are read concurrently once Disconnect starts: each in order,
			// every message once.
			var connectReply, disconnectReply []int
			for _, n := range got {
				if n >= 100 {
					disconnectReply = append(disconnectReply, n)
				} else {
					connectReply = append(connectReply, n)
				}
			}
			if fmt.Sprint(connectReply) != "[0 1 2 3 4]" || fmt.Sprint(disconnectReply) != "[100 101]" {
				t.Fatalf("delivered %v, want 0..4 and 100, 101, each in order", got)
			}
			if c.State() != StateDisconnected {
				t.Fatalf("state %v", c.State())
			}
		})
	}
}

// TestDisconnectFromHandlerHonoursContext: the server never answers the
// disconnect; Disconnect, called by a handler with the queue full, returns
// its context's error and the client stops.
func TestDisconnectFromHandlerHonoursContext(t *testing.T) {
	for _, tr := range []string{LongPolling, WebSocket} {
		t.Run(tr, func(t *testing.T) {
			f := newFake(t)
			release := make(chan struct{})
			t.Cleanup(func() { close(release) }) // before the server closes
			f.set(func(f *fake) {
				f.hook = func(m msg) ([]msg, bool) {
					if m["channel"] != ChannelDisconnect {
						return nil, false
					}
					<-release
					return nil, true
				}
			})
			c, _ := newTestClient(t, f, WithTransports(tr), WithQueueBytes(1))
			result := make(chan error, 1)
			_, err := c.Subscribe(ctxT(t), "/d", func(m *Message) {
				if seqOf(m) != 0 {
					return
				}
				if !waitFor(c.queue.waiting) {
					result <- errors.New("the queue never filled")
					return
				}
				ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
				defer cancel()
				result <- c.Disconnect(ctx)
			})
			if err != nil {
				t.Fatal(err)
			}
			f.set(func(f *fake) {
				for i := range 5 {
					f.publishLocked("/d", i)
				}
			})
			select {
			case err := <-result:
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("Disconnect = %v, want its context's deadline", err)
				}
			case <-time.After(15 * time.Second):
				t.Fatal("Disconnect ignored its context")
			}
			<-c.Done()
		})
	}
}

// TestHandlerPanicRecovered: a message handler, a meta listener and a
// state listener panic. The process survives, the other handlers and the
// later messages are delivered, and the panic reaches state listeners as a
// *PanicError (errors.Is ErrHandlerPanic) and the log.
func TestHandlerPanicRecovered(t *testing.T) {
	f := newFake(t)
	var logBuf syncBuffer
	c, _ := newTestClient(t, f, WithTransports(LongPolling),
		WithLogger(slog.New(slog.NewTextHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelError}))))
	rec := recordStates(c)
	c.OnState(func(ev StateChange) {
		if ev.To == StateConnected && ev.From != StateConnected {
			panic("state listener")
		}
	})
	c.OnMeta("/meta/subscribe", func(*Message) { panic("meta listener") })
	var after collector
	var panicky collector
	if _, err := c.Subscribe(ctxT(t), "/p", func(m *Message) {
		panicky.handler(m)
		if seqOf(m) == 1 {
			panic(fmt.Errorf("boom %d", seqOf(m)))
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Subscribe(ctxT(t), "/p", after.handler); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		f.publish("/p", i)
	}
	eventually(t, "every message to both handlers", func() bool { return after.len() == 3 && panicky.len() == 3 })
	if got := strings.Join(after.data(), ","); got != "0,1,2" {
		t.Fatalf("second handler got %s", got)
	}
	var pe *PanicError
	eventually(t, "the panic reported to state listeners", func() bool {
		ev, ok := rec.find(func(ev StateChange) bool { return errors.As(ev.Err, &pe) && pe.Channel == "/p" })
		return ok && errors.Is(ev.Err, ErrHandlerPanic) && ev.From == ev.To
	})
	if pe.Error() != "cometd: handler for /p panicked: boom 1" || len(pe.Stack) == 0 {
		t.Fatalf("PanicError %q, stack %d bytes", pe.Error(), len(pe.Stack))
	}
	if _, ok := rec.find(func(ev StateChange) bool {
		return errors.As(ev.Err, &pe) && pe.Channel == ChannelSubscribe && pe.Value == "meta listener"
	}); !ok {
		t.Fatalf("meta listener panic not reported: %+v", rec.get())
	}
	eventually(t, "the state listener panic logged", func() bool {
		return strings.Contains(logBuf.String(), "panic=\"state listener\"")
	})
	if n := strings.Count(logBuf.String(), "recovered a panic"); n < 4 { // boom, 2 subscribe replies, state listener
		t.Fatalf("%d panics logged:\n%s", n, logBuf.String())
	}
	if c.State() != StateConnected {
		t.Fatalf("state %v", c.State())
	}
}

// syncBuffer is a bytes.Buffer safe for a logger and a test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// bayeuxServer starts the simulator's Bayeux server, which expires a session
// left without a /meta/connect for maxInterval, as CometD servers do.
func bayeuxServer(t *testing.T, maxInterval time.Duration, opts ...func(*bayeuxsrv.Options)) (*bayeuxsrv.Server, string, *atomic.Int64) {
	t.Helper()
	var connects atomic.Int64
	o := bayeuxsrv.Options{Timeout: 100 * time.Millisecond, MaxInterval: maxInterval,
		OnMessage: func(dir bayeuxsrv.Direction, m json.RawMessage) {
			if dir == bayeuxsrv.Inbound && bytes.Contains(m, []byte(`"/meta/connect"`)) {
				connects.Add(1)
			}
		}}
	for _, fn := range opts {
		fn(&o)
	}
	s := bayeuxsrv.New(o)
	h := httptest.NewServer(s)
	t.Cleanup(func() { s.Close(); h.Close() })
	return s, h.URL + "/cometd", &connects
}

// TestSlowHandlerKeepsSessionWhileQueueHasRoom: a handler that blocks while
// 2,000 small messages arrive (more than the old 1,024-message queue) and
// the server expires sessions left 300 ms without a connect. The messages
// fit in the byte budget, so the client keeps its connect loop going: the
// server sees more connects while the handler is blocked, the session (and
// clientId) survives, and all 2,000 are delivered in order.
func TestSlowHandlerKeepsSessionWhileQueueHasRoom(t *testing.T) {
	for _, tr := range []string{LongPolling, WebSocket} {
		t.Run(tr, func(t *testing.T) {
			srv, url, connects := bayeuxServer(t, 300*time.Millisecond)
			c, err := NewClient(url, WithTransports(tr), WithBackoff(10*time.Millisecond, 50*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			rec := recordStates(c)
			gate := make(chan struct{})
			var got collector
			if _, err := c.Subscribe(ctxT(t), "/slow", func(m *Message) {
				<-gate
				got.handler(m)
			}); err != nil {
				t.Fatal(err)
			}
			id := c.ClientID()
			const total = 2000
			for i := range total {
				srv.Publish("/slow", i)
			}
			eventually(t, "the server emptied its queue", func() bool { return messageBytesQueued(c) >= (total-1)*messageOverhead })
			before := connects.Load()
			eventually(t, "connects going on while the handler is blocked", func() bool { return connects.Load() >= before+5 })
			if c.queue.waiting() || srv.SessionCount() != 1 || c.ClientID() != id {
				t.Fatalf("network waiting %v, sessions %d, clientId %q -> %q", c.queue.waiting(), srv.SessionCount(), id, c.ClientID())
			}
			close(gate)
			eventually(t, "all delivered", func() bool { return got.len() == total })
			for i, d := range got.data() {
				if d != fmt.Sprint(i) {
					t.Fatalf("message %d is %s", i, d)
				}
			}
			if _, ok := rec.find(func(ev StateChange) bool { return errors.Is(ev.Err, ErrSlowConsumer) }); ok {
				t.Fatalf("slow consumer reported although the session survived: %+v", rec.get())
			}
		})
	}
}

// messageBytesQueued returns the bytes the delivery queue holds.
func messageBytesQueued(c *Client) int64 {
	c.queue.mu.Lock()
	defer c.queue.mu.Unlock()
	return c.queue.bytes
}

// TestSlowHandlerSessionLossIsReported tries to lose messages silently: a
// handler stays blocked with the queue full until the server (maxInterval
// 200 ms) has expired the session, with messages still queued for it. Every
// message published is either delivered or covered by a StateChange whose
// Err matches ErrSlowConsumer; and once the handler is back the client
// re-subscribes and receives again. The same stall without a session loss
// reports nothing and delivers everything. Both transports, queues of 1,
// 1,000 and 4,000 bytes (30 messages need about 8,000).
func TestSlowHandlerSessionLossIsReported(t *testing.T) {
	for _, tr := range []string{LongPolling, WebSocket} {
		for _, expire := range []bool{true, false} {
			for _, queue := range []int64{1, 1000, 4000} {
				t.Run(fmt.Sprintf("%s/expire=%v/queue=%d", tr, expire, queue), func(t *testing.T) {
					testSlowHandlerSessionLoss(t, tr, expire, queue)
				})
			}
		}
	}
}

func testSlowHandlerSessionLoss(t *testing.T, tr string, expire bool, queue int64) {
	maxInterval := 200 * time.Millisecond
	if !expire {
		maxInterval = time.Hour
	}
	srv, url, _ := bayeuxServer(t, maxInterval)
	c, err := NewClient(url, WithTransports(tr), WithQueueBytes(queue),
		WithBackoff(10*time.Millisecond, 50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	rec := recordStates(c)
	gate := make(chan struct{})
	var got collector
	if _, err := c.Subscribe(ctxT(t), "/slow", func(m *Message) {
		<-gate
		got.handler(m)
	}); err != nil {
		t.Fatal(err)
	}
	published := 0
	for range 30 {
		srv.Publish("/slow", published)
		published++
	}
	eventually(t, "the network waiting for room", c.queue.waiting)
	for range 10 { // held by the server for the session
		srv.Publish("/slow", published)
		published++
	}
	if expire {
		eventually(t, "the server expiring the session", func() bool { return srv.SessionCount() == 0 })
	}
	close(gate)
	resubscribed := func() bool {
		_, ok := rec.find(func(ev StateChange) bool { return ev.Resubscribed > 0 })
		return ok
	}
	if expire {
		eventually(t, "re-subscription", resubscribed)
		srv.Publish("/slow", published)
		published++
		eventually(t, "delivery after the re-subscription", func() bool {
			d := got.data()
			return len(d) > 0 && d[len(d)-1] == fmt.Sprint(published-1)
		})
	} else {
		eventually(t, "all delivered", func() bool { return got.len() == published })
	}
	ev, reported := rec.find(func(ev StateChange) bool { return errors.Is(ev.Err, ErrSlowConsumer) })
	if n := got.len(); n < published && !reported {
		t.Fatalf("%d of %d delivered and no ErrSlowConsumer reported: %+v", n, published, rec.get())
	}
	if expire != reported {
		t.Fatalf("session expired %v, ErrSlowConsumer reported %v: %+v", expire, reported, rec.get())
	}
	if reported {
		var be *Error
		if !errors.As(ev.Err, &be) || be.Code != 402 || !strings.Contains(ev.Reason, "too slow") {
			t.Fatalf("report %+v", ev)
		}
	}
	seen := map[string]bool{}
	for _, d := range got.data() {
		if seen[d] {
			t.Fatalf("%s delivered twice", d)
		}
		seen[d] = true
	}
}

// TestOddFieldsDoNotCostTheReply: a connect reply whose id is a number and
// whose advice has "interval":0.0 arrives with data messages carrying
// "id":7 and "ext":[]. Everything is delivered, the connect counts as
// successful (no failure, no reconnect), and the oddity is logged once at
// Warn. Before the fix the decoder refused the whole reply: the messages
// were lost and the connect failed.
func TestOddFieldsDoNotCostTheReply(t *testing.T) {
	for _, tr := range []string{LongPolling, WebSocket} {
		t.Run(tr, func(t *testing.T) {
			f := newFake(t)
			var logBuf syncBuffer
			c, _ := newTestClient(t, f, WithTransports(tr),
				WithLogger(slog.New(slog.NewTextHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelWarn}))))
			rec := recordStates(c)
			var got collector
			if _, err := c.Subscribe(ctxT(t), "/o", got.handler); err != nil {
				t.Fatal(err)
			}
			eventually(t, "connected", func() bool { return c.State() == StateConnected })
			var armed atomic.Int32
			armed.Store(2) // two odd replies in a row
			f.set(func(f *fake) {
				f.hook = func(m msg) ([]msg, bool) {
					if m["channel"] != ChannelConnect || armed.Add(-1) < 0 {
						return nil, false
					}
					id, _ := m["id"].(string)
					return []msg{
						{"channel": "/o", "id": json.RawMessage("7"), "data": 1},
						{"channel": "/o", "ext": json.RawMessage("[]"), "data": 2},
						{"channel": ChannelConnect, "id": json.RawMessage(id), "successful": true,
							"advice": json.RawMessage(`{"reconnect":"retry","interval":0.0,"timeout":5000}`)},
						{"channel": "/o", "data": 3},
					}, true
				}
			})
			f.publish("/o", 0) // answers the held connect; the next two are odd
			eventually(t, "the odd replies delivered", func() bool { return got.len() == 7 })
			// 0 comes before or after the odd replies, depending on whether
			// the connect held when the hook was set had read it.
			var odd []string
			for _, d := range got.data() {
				if d != "0" {
					odd = append(odd, d)
				}
			}
			if d := strings.Join(odd, ","); d != "1,2,3,1,2,3" || len(odd) != 6 {
				t.Fatalf("delivered %v", got.data())
			}
			if ev, ok := rec.find(func(ev StateChange) bool { return ev.To != StateConnected }); ok && ev.From == StateConnected {
				t.Fatalf("the connect failed: %+v", rec.get())
			}
			if n := strings.Count(logBuf.String(), "tolerated a field"); n != 1 {
				t.Fatalf("logged %d times at Warn:\n%s", n, logBuf.String())
			}
		})
	}
}
