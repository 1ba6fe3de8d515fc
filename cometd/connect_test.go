package cometd

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestDataInAnyReplyDispatchedInOrder(t *testing.T) {
	f := newFake(t)
	f.set(func(f *fake) {
		f.transports = []string{LongPolling}
		f.hook = func(m msg) ([]msg, bool) {
			switch m["channel"] {
			case ChannelSubscribe:
				f.mu.Lock()
				f.clients[m["clientId"].(string)].subs["/d"] = true
				f.mu.Unlock()
				return []msg{{"channel": ChannelSubscribe, "id": m["id"], "successful": true, "subscription": "/d"},
					{"channel": "/d", "data": 1}, {"channel": "/d", "data": 2}}, true
			case "/pub":
				return []msg{{"channel": "/d", "data": 3}, {"channel": "/pub", "id": m["id"], "successful": true},
					{"channel": "/d", "data": 4}}, true
			}
			return nil, false
		}
	})
	c, _ := newTestClient(t, f)
	var col collector
	ctx := ctxT(t)
	if _, err := c.Subscribe(ctx, "/d", col.handler); err != nil {
		t.Fatal(err)
	}
	if err := c.Publish(ctx, "/pub", "x"); err != nil {
		t.Fatal(err)
	}
	// Publish returns when its reply is decoded, before the message after
	// it in the same reply is queued: let it be, or 5 (from the connect
	// loop's reply) may overtake it.
	eventually(t, "the publish reply's messages", func() bool { return col.len() == 4 })
	f.publish("/d", 5) // comes in a connect reply
	f.publish("/d", 6)
	eventually(t, "6 messages", func() bool { return col.len() == 6 })
	if got := col.data(); !reflect.DeepEqual(got, []string{"1", "2", "3", "4", "5", "6"}) {
		t.Fatalf("delivered %v", got)
	}
}

func TestRepliesMatchedByID(t *testing.T) {
	f := newFake(t)
	slowArrived := make(chan msg, 1)
	f.set(func(f *fake) {
		f.hook = func(m msg) ([]msg, bool) {
			switch m["channel"] {
			case "/slow":
				slowArrived <- m
				return nil, true // answered later, after /fast
			case "/fast":
				slow := <-slowArrived
				return []msg{{"channel": "/fast", "id": m["id"], "successful": true},
					{"channel": "/slow", "id": slow["id"], "successful": false, "error": "409:a,b:busy"}}, true
			}
			return nil, false
		}
	})
	c, _ := newTestClient(t, f) // websocket: replies may come in any frame
	ctx := ctxT(t)
	if err := c.Handshake(ctx); err != nil {
		t.Fatal(err)
	}
	slowErr := make(chan error, 1)
	go func() { slowErr <- c.Publish(ctx, "/slow", 1) }()
	eventually(t, "slow publish at the server", func() bool { return len(f.recorded("/slow")) == 1 })
	if err := c.Publish(ctx, "/fast", 2); err != nil {
		t.Fatalf("fast publish: %v", err)
	}
	err := <-slowErr
	var be *Error
	if !errors.As(err, &be) || be.Code != 409 || !reflect.DeepEqual(be.Args, []string{"a", "b"}) || be.Message != "busy" || be.Raw != "409:a,b:busy" {
		t.Fatalf("slow publish error = %#v", err)
	}
}

func TestStaleConnectReplyIgnored(t *testing.T) {
	f := newFake(t)
	var injected atomic.Bool
	f.set(func(f *fake) {
		f.transports = []string{LongPolling}
		f.holdMs = 10
		f.hook = func(m msg) ([]msg, bool) {
			if m["channel"] == "/p" && !injected.Swap(true) {
				// A connect reply with a wrong id telling the client to stop:
				// it must be ignored.
				return []msg{{"channel": ChannelConnect, "id": "999", "successful": false, "advice": msg{"reconnect": "none"}},
					{"channel": "/p", "id": m["id"], "successful": true}}, true
			}
			return nil, false
		}
	})
	c, _ := newTestClient(t, f)
	if err := c.Publish(ctxT(t), "/p", 1); err != nil {
		t.Fatal(err)
	}
	n := len(f.recorded(ChannelConnect))
	eventually(t, "more connects", func() bool { return len(f.recorded(ChannelConnect)) > n+1 })
	if c.Err() != nil {
		t.Fatalf("client stopped: %v", c.Err())
	}
}

func TestAdviceIntervalAndRetry(t *testing.T) {
	f := newFake(t)
	f.set(func(f *fake) {
		f.transports = []string{LongPolling}
		f.hook = func(m msg) ([]msg, bool) {
			if m["channel"] == ChannelConnect {
				return []msg{{"channel": ChannelConnect, "id": m["id"], "successful": true,
					"advice": msg{"reconnect": "retry", "interval": 7}}}, true
			}
			return nil, false
		}
	})
	c, w := newTestClient(t, f)
	if err := c.Handshake(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "3 connects", func() bool { return len(f.recorded(ChannelConnect)) >= 3 })
	got := w.get()
	if len(got) < 2 || got[0] != 7*time.Millisecond || got[1] != 7*time.Millisecond {
		t.Fatalf("waits %v, want interval 7ms between connects", got)
	}
	a := c.currentAdvice()
	if a.Interval != 7 || a.Timeout != 5000 || a.Reconnect != ReconnectRetry {
		t.Fatalf("advice %+v: missing fields must keep their previous values", a)
	}
}

func TestConnectAdviceNoneTerminates(t *testing.T) {
	f := newFake(t)
	f.set(func(f *fake) {
		f.transports = []string{LongPolling}
		f.hook = func(m msg) ([]msg, bool) {
			if m["channel"] == ChannelConnect {
				return []msg{{"channel": ChannelConnect, "id": m["id"], "successful": false,
					"error": "500::shutting down", "advice": msg{"reconnect": "none"}}}, true
			}
			return nil, false
		}
	})
	c, _ := newTestClient(t, f)
	rec := recordStates(c)
	if err := c.Handshake(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	<-c.Done()
	var be *Error
	if !errors.As(c.Err(), &be) || be.Message != "shutting down" {
		t.Fatalf("Err() = %v", c.Err())
	}
	ev, ok := rec.find(func(ev StateChange) bool { return ev.To == StateTerminated })
	if !ok || !errors.As(ev.Err, &be) {
		t.Fatalf("no terminated event: %+v", rec.get())
	}
}

func TestRehandshakeResubscribes(t *testing.T) {
	f := newFake(t)
	f.set(func(f *fake) { f.transports = []string{LongPolling} })
	c, _ := newTestClient(t, f)
	rec := recordStates(c)
	ctx := ctxT(t)
	var a, b collector
	if _, err := c.Subscribe(ctx, "/a", a.handler); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Subscribe(ctx, "/b/*", b.handler); err != nil {
		t.Fatal(err)
	}
	if c.ClientID() != "c1" {
		t.Fatalf("clientId %q", c.ClientID())
	}
	f.dropSessions() // the held connect gets 402::Unknown client, advice handshake
	eventually(t, "resubscribed event", func() bool {
		_, ok := rec.find(func(ev StateChange) bool { return ev.Resubscribed == 2 })
		return ok
	})
	if c.ClientID() != "c2" {
		t.Fatalf("clientId after re-handshake %q", c.ClientID())
	}
	var resent []string
	for _, m := range f.recorded(ChannelSubscribe) {
		if m["clientId"] == "c2" {
			resent = append(resent, m["subscription"].(string))
		}
	}
	if !reflect.DeepEqual(resent, []string{"/a", "/b/*"}) {
		t.Fatalf("re-subscribed %v", resent)
	}
	if _, ok := rec.find(func(ev StateChange) bool { return ev.To == StateRehandshaking }); !ok {
		t.Fatalf("no rehandshaking state: %+v", rec.get())
	}
	eventually(t, "publish reaches c2", func() bool { return f.publish("/b/x", "hi") == 1 })
	eventually(t, "delivery", func() bool { return b.len() == 1 })
	if f.publish("/a", "A") != 1 {
		t.Fatal("not subscribed to /a")
	}
	eventually(t, "delivery", func() bool { return a.len() == 1 })
}

func TestFailedResubscriptionReachesStateListener(t *testing.T) {
	f := newFake(t)
	f.set(func(f *fake) { f.transports = []string{LongPolling} })
	c, _ := newTestClient(t, f)
	rec := recordStates(c)
	ctx := ctxT(t)
	if _, err := c.Subscribe(ctx, "/ok", func(*Message) {}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Subscribe(ctx, "/gone", func(*Message) {}); err != nil {
		t.Fatal(err)
	}
	f.set(func(f *fake) { f.refuse["/gone"] = "403::Forbidden" })
	f.dropSessions()
	var ev StateChange
	eventually(t, "resubscription event", func() bool {
		var ok bool
		ev, ok = rec.find(func(ev StateChange) bool { return strings.HasPrefix(ev.Reason, "re-subscribed") })
		return ok
	})
	var se *SubscriptionError
	var be *Error
	if ev.Resubscribed != 1 || !errors.As(ev.Err, &se) || se.Channel != "/gone" || !errors.As(ev.Err, &be) || be.Code != 403 {
		t.Fatalf("event %+v", ev)
	}
}

func TestConnect5xxBackoffAndRecovery(t *testing.T) {
	f := newFake(t)
	var fail atomic.Int32
	var attempts atomic.Int32
	f.set(func(f *fake) {
		f.transports = []string{LongPolling}
		f.holdMs = 20
		f.httpHook = func(w http.ResponseWriter, r *http.Request) bool {
			if fail.Load() > 0 {
				attempts.Add(1)
				if fail.Add(-1) >= 0 {
					http.Error(w, "oops", http.StatusInternalServerError)
					return true
				}
			}
			return false
		}
	})
	c, w := newTestClient(t, f)
	rec := recordStates(c)
	if err := c.Handshake(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "connected", func() bool { return c.State() == StateConnected })
	fail.Store(6)
	eventually(t, "6 failed attempts", func() bool { return attempts.Load() >= 6 })
	eventually(t, "connected again", func() bool {
		_, ok := rec.find(func(ev StateChange) bool { return ev.From == StateUnconnected && ev.To == StateConnected })
		return ok
	})
	ms := time.Millisecond
	want := []time.Duration{10 * ms, 20 * ms, 30 * ms, 40 * ms, 50 * ms, 50 * ms}
	if got := w.get(); !reflect.DeepEqual(got[:min(len(got), 6)], want) {
		t.Fatalf("backoff waits %v, want %v", got, want)
	}
	var se *StatusError
	ev, _ := rec.find(func(ev StateChange) bool { return ev.To == StateUnconnected })
	if !errors.As(ev.Err, &se) || se.StatusCode != 500 {
		t.Fatalf("unconnected event %+v", ev)
	}
	// The backoff resets after the successful connect.
	n := len(w.get())
	fail.Store(1)
	eventually(t, "one more wait", func() bool { return len(w.get()) > n })
	if got := w.get()[n]; got != 10*ms {
		t.Fatalf("first wait after recovery = %v, want 10ms", got)
	}
	if c.ClientID() != "c1" {
		t.Fatalf("session changed: %s", c.ClientID())
	}
}

func TestUnconnectedTooLongRehandshakes(t *testing.T) {
	f := newFake(t)
	var fail atomic.Bool
	f.set(func(f *fake) {
		f.transports = []string{LongPolling}
		f.holdMs = 1
		f.hook = func(m msg) ([]msg, bool) {
			if m["channel"] == ChannelConnect {
				if fail.Load() {
					// Unsuccessful, but the server does not ask for a handshake.
					return []msg{{"channel": ChannelConnect, "id": m["id"], "successful": false,
						"error": "500::overloaded", "advice": msg{"reconnect": "retry"}}}, true
				}
				return []msg{{"channel": ChannelConnect, "id": m["id"], "successful": true,
					"advice": msg{"timeout": 1, "interval": 0, "maxInterval": 1}}}, true
			}
			return nil, false
		}
	})
	c, _ := newTestClient(t, f)
	if err := c.Handshake(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "connected", func() bool { return c.State() == StateConnected })
	fail.Store(true)
	eventually(t, "a new handshake without any 402", func() bool { return len(f.recorded(ChannelHandshake)) >= 2 })
}

func TestCloseDuringHeldConnect(t *testing.T) {
	f := newFake(t)
	f.set(func(f *fake) { f.holdMs = 60000 })
	for _, tr := range []string{LongPolling, WebSocket} {
		t.Run(tr, func(t *testing.T) {
			c, _ := newTestClient(t, f, WithTransports(tr))
			if err := c.Handshake(ctxT(t)); err != nil {
				t.Fatal(err)
			}
			eventually(t, "held connect", func() bool { return c.State() == StateConnected })
			eventually(t, "second connect at the server", func() bool {
				n := 0
				for _, m := range f.recorded(ChannelConnect) {
					if m["clientId"] == c.ClientID() {
						n++
					}
				}
				return n >= 2
			})
			stop := make(chan struct{})
			defer close(stop)
			f.set(func(f *fake) {
				f.hook = func(m msg) ([]msg, bool) {
					if m["channel"] == "/never" {
						<-stop // never answered while the test runs
						return nil, true
					}
					return nil, false
				}
			})
			blocked := make(chan error, 1)
			go func() { blocked <- c.Publish(context.Background(), "/never", 1) }()
			eventually(t, "publish at the server", func() bool {
				for _, m := range f.recorded("/never") {
					if m["clientId"] == c.ClientID() {
						return true
					}
				}
				return false
			})
			// Close cancels the held connect and returns.
			if err := c.Close(); err != nil {
				t.Fatal(err)
			}
			<-c.Done()
			if err := <-blocked; !errors.Is(err, ErrClosed) {
				t.Fatalf("blocked Publish returned %v", err)
			}
			if err := c.Close(); err != nil {
				t.Fatal("second Close:", err)
			}
			f.set(func(f *fake) { f.hook = nil })
		})
	}
}

func TestDisconnect(t *testing.T) {
	f := newFake(t)
	f.set(func(f *fake) { f.transports = []string{LongPolling} })
	c, _ := newTestClient(t, f)
	rec := recordStates(c)
	if err := c.Handshake(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "connected", func() bool { return c.State() == StateConnected })
	if err := c.Disconnect(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	<-c.Done()
	if len(f.recorded(ChannelDisconnect)) != 1 {
		t.Fatal("no /meta/disconnect")
	}
	if c.State() != StateDisconnected || c.Err() != nil {
		t.Fatalf("state %v err %v", c.State(), c.Err())
	}
	if _, ok := rec.find(func(ev StateChange) bool { return ev.To == StateDisconnected }); !ok {
		t.Fatalf("no disconnected event: %+v", rec.get())
	}
	if err := c.Publish(ctxT(t), "/x", 1); !errors.Is(err, ErrDisconnected) {
		t.Fatalf("Publish after Disconnect = %v", err)
	}
}
