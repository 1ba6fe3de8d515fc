package cometd

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestAckExtensionOnTheWire(t *testing.T) {
	f := newFake(t)
	f.set(func(f *fake) {
		f.ack = true
		f.holdMs = 20
	})
	c, _ := newTestClient(t, f, WithTransports(LongPolling), WithExtension(AckExtension()))
	if err := c.Handshake(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "4 connects", func() bool { return len(f.recorded(ChannelConnect)) >= 4 })
	hs := wireMessages(t, f, ChannelHandshake)
	if !strings.HasSuffix(hs[0], `"ext":{"ack":true}}`) {
		t.Fatalf("handshake %s", hs[0])
	}
	var acks []string
	for _, m := range wireMessages(t, f, ChannelConnect)[:4] {
		var mm Message
		_ = json.Unmarshal([]byte(m), &mm)
		acks = append(acks, string(mm.Ext["ack"]))
	}
	// The first connect acknowledges nothing yet (0); each next one the
	// batch number of the previous connect reply.
	if !reflect.DeepEqual(acks, []string{"0", "1", "2", "3"}) {
		t.Fatalf("ext.ack of connects: %v", acks)
	}
}

func TestAckExtensionServerWithoutAcks(t *testing.T) {
	f := newFake(t)
	f.set(func(f *fake) { f.holdMs = 20 })
	c, _ := newTestClient(t, f, WithTransports(LongPolling), WithExtension(AckExtension()))
	if err := c.Handshake(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "2 connects", func() bool { return len(f.recorded(ChannelConnect)) >= 2 })
	for _, m := range wireMessages(t, f, ChannelConnect) {
		if strings.Contains(m, `"ext"`) {
			t.Fatalf("connect with ext although the server does not support acks: %s", m)
		}
	}
}

// authExt adds credentials to the handshake.
type authExt struct{ token string }

func (a authExt) Outgoing(m *Message) {
	if m.Channel == ChannelHandshake {
		_ = m.SetExt("authentication", map[string]string{"token": a.token})
	}
}
func (authExt) Incoming(*Message) {}

func TestExtensionsOrderAndHooks(t *testing.T) {
	f := newFake(t)
	c, _ := newTestClient(t, f, WithTransports(LongPolling), WithExtension(authExt{"t1"}), WithExtension(AckExtension()))
	if err := c.Handshake(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	hs := wireMessages(t, f, ChannelHandshake)
	if !strings.Contains(hs[0], `"ext":{"ack":true,"authentication":{"token":"t1"}}`) {
		t.Fatalf("handshake %s", hs[0])
	}
}

func TestWebSocketEndToEnd(t *testing.T) {
	f := newFake(t)
	c, _ := newTestClient(t, f, WithRequestHeader(func(h http.Header) { h.Set("X-Auth", "k") }))
	ctx := ctxT(t)
	var col collector
	if _, err := c.Subscribe(ctx, "/ws/**", col.handler); err != nil {
		t.Fatal(err)
	}
	if c.Transport() != WebSocket {
		t.Fatalf("Transport() = %s", c.Transport())
	}
	if err := c.Publish(ctx, "/ws/a/b", "hello"); err != nil {
		t.Fatal(err)
	}
	f.publish("/ws/c", "two")
	eventually(t, "2 deliveries", func() bool { return col.len() == 2 })
	if got := col.data(); !reflect.DeepEqual(got, []string{`"hello"`, `"two"`}) {
		t.Fatalf("got %v", got)
	}
	for _, r := range f.wire() {
		if r.transport != WebSocket {
			t.Fatalf("a %s request; everything must go over the socket", r.transport)
		}
		if r.header.Get("X-Auth") != "k" {
			t.Fatal("upgrade without the request header")
		}
	}
	for _, m := range f.recorded(ChannelConnect) {
		if m["connectionType"] != WebSocket {
			t.Fatalf("connect %v", m)
		}
	}
	f.mu.Lock()
	socks := len(f.wsConns)
	f.mu.Unlock()
	if socks != 1 {
		t.Fatalf("%d sockets", socks)
	}
}

func TestWebSocketFallbackWhenUpgradeFails(t *testing.T) {
	f := newFake(t)
	f.set(func(f *fake) { f.ws = false })
	c, _ := newTestClient(t, f)
	rec := recordStates(c)
	var col collector
	if _, err := c.Subscribe(ctxT(t), "/x", col.handler); err != nil {
		t.Fatal(err)
	}
	if c.Transport() != LongPolling {
		t.Fatalf("Transport() = %s", c.Transport())
	}
	eventually(t, "fallback event", func() bool {
		_, ok := rec.find(func(ev StateChange) bool { return strings.Contains(ev.Reason, "falling back to long-polling") })
		return ok
	})
	hs := f.recorded(ChannelHandshake)
	if !reflect.DeepEqual(hs[0]["supportedConnectionTypes"], []any{LongPolling}) {
		t.Fatalf("handshake after fallback offers %v", hs[0]["supportedConnectionTypes"])
	}
	f.publish("/x", 1)
	eventually(t, "delivery", func() bool { return col.len() == 1 })
}

func TestWebSocketRepeatedDropsFallBack(t *testing.T) {
	f := newFake(t)
	f.set(func(f *fake) {
		// Every connect on the socket kills it.
		f.hook = func(m msg) ([]msg, bool) {
			if m["channel"] == ChannelConnect && m["connectionType"] == WebSocket {
				f.mu.Lock()
				for c := range f.wsConns {
					_ = c.CloseNow()
				}
				f.mu.Unlock()
				return nil, true
			}
			return nil, false
		}
	})
	c, _ := newTestClient(t, f)
	rec := recordStates(c)
	if err := c.Handshake(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "fallback", func() bool { return c.Transport() == LongPolling && c.State() == StateConnected })
	ev, ok := rec.find(func(ev StateChange) bool { return strings.Contains(ev.Reason, "after 3 websocket failures") })
	if !ok {
		t.Fatalf("no fallback event: %+v", rec.get())
	}
	if ev.Err == nil {
		t.Fatal("fallback event without the error")
	}
	// The session survives the switch: one handshake, and the long-polling
	// connects carry its clientId.
	hs := f.recorded(ChannelHandshake)
	if len(hs) != 1 {
		t.Fatalf("%d handshakes, want 1 (the fallback keeps the session)", len(hs))
	}
	id := c.ClientID()
	lp := 0
	for _, m := range f.recorded(ChannelConnect) {
		if m["connectionType"] == LongPolling {
			lp++
			if m["clientId"] != id {
				t.Fatalf("long-polling connect with clientId %v, want %s", m["clientId"], id)
			}
		}
	}
	if lp == 0 {
		t.Fatal("no long-polling connect")
	}
}

func TestWebSocketStalledConnectFallsBack(t *testing.T) {
	f := newFake(t)
	f.set(func(f *fake) {
		f.holdMs = 1
		f.hook = func(m msg) ([]msg, bool) {
			// The socket accepts the connects but never answers them.
			return nil, m["channel"] == ChannelConnect && m["connectionType"] == WebSocket
		}
	})
	c, _ := newTestClient(t, f, WithMaxNetworkDelay(30*1e6)) // 30ms
	if err := c.Handshake(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "fallback", func() bool { return c.Transport() == LongPolling && c.State() == StateConnected })
}

func TestMaxMessageSize(t *testing.T) {
	big := strings.Repeat("x", 5000)
	for _, tr := range []string{LongPolling, WebSocket} {
		t.Run(tr, func(t *testing.T) {
			f := newFake(t)
			f.set(func(f *fake) {
				f.hook = func(m msg) ([]msg, bool) {
					if m["channel"] == "/big" {
						return []msg{{"channel": "/big", "id": m["id"], "successful": true, "data": big}}, true
					}
					return nil, false
				}
			})
			c, _ := newTestClient(t, f, WithTransports(tr), WithMaxMessageSize(4096))
			err := c.Publish(ctxT(t), "/big", 1)
			if !errors.Is(err, ErrMessageTooLarge) {
				t.Fatalf("Publish = %v, want ErrMessageTooLarge", err)
			}
			// The client recovers and keeps working.
			if err := c.Publish(ctxT(t), "/small", 1); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestBackpressure(t *testing.T) {
	f := newFake(t)
	c, _ := newTestClient(t, f, WithTransports(LongPolling), WithQueueBytes(1))
	ctx := ctxT(t)
	gate := make(chan struct{})
	var got atomic.Int32
	var order []int
	_, err := c.Subscribe(ctx, "/bp", func(m *Message) {
		<-gate
		var n int
		_ = json.Unmarshal(m.Data, &n)
		order = append(order, n)
		got.Add(1)
	})
	if err != nil {
		t.Fatal(err)
	}
	const total = 20
	for i := range total {
		f.publish("/bp", i)
	}
	// The handler is blocked: the connect loop waits for room in the queue.
	eventually(t, "network blocked on the full queue", func() bool { return c.queue.waiting() })
	close(gate)
	eventually(t, "all delivered", func() bool { return got.Load() == total })
	for i, n := range order {
		if n != i {
			t.Fatalf("order %v", order)
		}
	}
}

func TestCloseWithBlockedHandler(t *testing.T) {
	f := newFake(t)
	c, _ := newTestClient(t, f, WithTransports(LongPolling), WithQueueBytes(1))
	ctx := ctxT(t)
	gate := make(chan struct{})
	entered := make(chan struct{}, 100)
	if _, err := c.Subscribe(ctx, "/bp", func(m *Message) {
		entered <- struct{}{}
		<-gate
	}); err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		f.publish("/bp", i)
	}
	<-entered
	eventually(t, "network blocked", func() bool { return c.queue.waiting() })
	if err := c.Close(); err != nil { // returns although a handler is running
		t.Fatal(err)
	}
	close(gate)
	<-c.queue.ended()
	if n := len(entered); n != 0 {
		t.Fatalf("%d handlers started after Close", n)
	}
}

func TestHandlerMayCallClose(t *testing.T) {
	f := newFake(t)
	c, _ := newTestClient(t, f, WithTransports(LongPolling))
	closed := make(chan struct{})
	if _, err := c.Subscribe(ctxT(t), "/c", func(*Message) {
		_ = c.Close()
		close(closed)
	}); err != nil {
		t.Fatal(err)
	}
	f.publish("/c", 1)
	<-closed
	<-c.Done()
	<-c.queue.ended()
	_ = context.Background
}

// TestBackpressureBurst: a burst much larger than the delivery queue, on
// both transports, reaches the handler complete and in order while the
// network side waits for room again and again.
func TestBackpressureBurst(t *testing.T) {
	for _, tr := range []string{LongPolling, WebSocket} {
		t.Run(tr, func(t *testing.T) {
			f := newFake(t)
			c, _ := newTestClient(t, f, WithTransports(tr), WithQueueBytes(2048))
			ctx := ctxT(t)
			var mu sync.Mutex
			var order []int
			_, err := c.Subscribe(ctx, "/burst", func(m *Message) {
				var n int
				_ = json.Unmarshal(m.Data, &n)
				time.Sleep(20 * time.Microsecond) // slower than the network
				mu.Lock()
				order = append(order, n)
				mu.Unlock()
			})
			if err != nil {
				t.Fatal(err)
			}
			const total = 500
			for i := range total {
				f.publish("/burst", i)
			}
			eventually(t, "all delivered", func() bool {
				mu.Lock()
				defer mu.Unlock()
				return len(order) == total
			})
			mu.Lock()
			defer mu.Unlock()
			for i, n := range order {
				if n != i {
					t.Fatalf("message %d is %d: order %v", i, n, order)
				}
			}
		})
	}
}
