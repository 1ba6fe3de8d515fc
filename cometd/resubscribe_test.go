package cometd

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// Item 2 of issue 17: after a re-handshake, a re-subscription whose first
// attempt fails (402 reply, HTTP 503, connection reset) is retried until the
// server accepts it; meanwhile the Subscription says it is pending and why,
// Ready blocks, and once accepted messages arrive again.
func TestResubscribeRetriedUntilAccepted(t *testing.T) {
	kinds := []struct {
		name  string
		check func(error) bool
	}{
		{"402 reply", func(err error) bool { var e *Error; return errors.As(err, &e) && e.Code == 402 }},
		{"HTTP 503", func(err error) bool { var e *StatusError; return errors.As(err, &e) && e.StatusCode == 503 }},
		{"connection reset", func(err error) bool {
			var e *Error
			var se *StatusError
			return err != nil && !errors.As(err, &e) && !errors.As(err, &se)
		}},
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			f := newFake(t)
			release := make(chan struct{})
			var once sync.Once
			failed := false // guarded by f.mu
			f.set(func(f *fake) { f.transports = []string{LongPolling} })
			c, _ := newTestClient(t, f)
			rec := recordStates(c)
			ctx := ctxT(t)
			var col collector
			s, err := c.Subscribe(ctx, "/a", col.handler)
			if err != nil {
				t.Fatal(err)
			}
			if s.State() != SubscriptionActive || s.Ready(ctx) != nil {
				t.Fatalf("State() = %v", s.State())
			}
			resub := func(m msg) bool { return m["channel"] == ChannelSubscribe && m["clientId"] == "c2" }
			f.set(func(f *fake) {
				f.hook = func(m msg) ([]msg, bool) {
					if !resub(m) {
						return nil, false
					}
					f.mu.Lock()
					first := !failed
					failed = true
					f.mu.Unlock()
					if first && k.name == "402 reply" {
						return []msg{{"channel": ChannelSubscribe, "id": m["id"], "successful": false,
							"subscription": "/a", "error": "402::Unknown client"}}, true
					}
					if !first {
						<-release
					}
					return nil, false
				}
				f.httpHook = func(w http.ResponseWriter, r *http.Request) bool {
					if k.name == "402 reply" || r.Method != http.MethodPost {
						return false
					}
					body, _ := io.ReadAll(r.Body)
					r.Body = io.NopCloser(bytes.NewReader(body))
					if !strings.Contains(string(body), `"/meta/subscribe"`) || !strings.Contains(string(body), `"clientId":"c2"`) {
						return false
					}
					f.mu.Lock()
					first := !failed
					failed = true
					f.mu.Unlock()
					if !first {
						return false
					}
					if k.name == "HTTP 503" {
						http.Error(w, "restarting", http.StatusServiceUnavailable)
						return true
					}
					conn, _, err := w.(http.Hijacker).Hijack()
					if err == nil {
						_ = conn.Close()
					}
					return true
				}
			})
			f.dropSessions()
			t.Cleanup(func() {
				if t.Failed() {
					for _, w := range f.wire() {
						t.Logf("wire %s %s", w.transport, w.body)
					}
					t.Logf("states %+v", rec.get())
					t.Logf("state %v err %v", s.State(), s.Err())
				}
			})
			eventually(t, "the failed re-subscription", func() bool { return s.Err() != nil })
			var se *SubscriptionError
			if err := s.Err(); !errors.As(err, &se) || se.Channel != "/a" || !k.check(se.Err) {
				t.Fatalf("Err() = %v", err)
			}
			if s.State() != SubscriptionPending {
				t.Fatalf("State() = %v while the re-subscription is retried", s.State())
			}
			eventually(t, "a state event announcing the retry", func() bool {
				_, ok := rec.find(func(ev StateChange) bool { return strings.HasSuffix(ev.Reason, "retrying 1") })
				return ok
			})
			once.Do(func() { close(release) })
			if err := s.Ready(ctx); err != nil {
				t.Fatalf("Ready = %v", err)
			}
			if s.State() != SubscriptionActive || s.Err() != nil {
				t.Fatalf("State() = %v, Err() = %v", s.State(), s.Err())
			}
			if f.publish("/a", "again") != 1 {
				t.Fatal("the server holds no subscription for the new session")
			}
			eventually(t, "delivery", func() bool { return col.len() == 1 })
		})
	}
}

// Item 2: a re-subscription the server refuses (403) ends the
// subscription: Ready returns the refusal, Done is closed.
func TestResubscribeRefusedEndsSubscription(t *testing.T) {
	f := newFake(t)
	f.set(func(f *fake) { f.transports = []string{LongPolling} })
	c, _ := newTestClient(t, f)
	ctx := ctxT(t)
	s, err := c.Subscribe(ctx, "/gone", func(*Message) {})
	if err != nil {
		t.Fatal(err)
	}
	f.set(func(f *fake) { f.refuse["/gone"] = "403::Forbidden" })
	f.dropSessions()
	<-s.Done()
	err = s.Ready(ctx)
	var se *SubscriptionError
	var be *Error
	if !errors.As(err, &se) || !errors.As(err, &be) || be.Code != 403 || s.State() != SubscriptionEnded {
		t.Fatalf("Ready = %v, State() = %v", err, s.State())
	}
	if len(f.recorded(ChannelSubscribe)) != 2 {
		t.Fatalf("a refusal was retried: %d subscribes", len(f.recorded(ChannelSubscribe)))
	}
}

// Item 2: Ready and Err after Unsubscribe and after Close.
func TestSubscriptionEnds(t *testing.T) {
	f := newFake(t)
	c, _ := newTestClient(t, f, WithTransports(LongPolling))
	ctx := ctxT(t)
	a, err := c.Subscribe(ctx, "/a", func(*Message) {})
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Subscribe(ctx, "/b", func(*Message) {})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Unsubscribe(ctx); err != nil {
		t.Fatal(err)
	}
	<-a.Done()
	if err := a.Ready(ctx); !errors.Is(err, ErrUnsubscribed) || a.State() != SubscriptionEnded {
		t.Fatalf("after Unsubscribe: Ready = %v, State() = %v", err, a.State())
	}
	_ = c.Close()
	<-b.Done()
	if err := b.Ready(context.Background()); !errors.Is(err, ErrClosed) || !errors.Is(b.Err(), ErrClosed) {
		t.Fatalf("after Close: Ready = %v, Err() = %v", err, b.Err())
	}
}

// Item 2: a subscription is not reported active while there is no session
// to be active in: from the re-handshake on it is pending, so Ready cannot
// return before the new session holds it.
func TestSubscriptionPendingFromReHandshake(t *testing.T) {
	f := newFake(t)
	f.set(func(f *fake) { f.transports = []string{LongPolling} })
	c, _ := newTestClient(t, f)
	s, err := c.Subscribe(ctxT(t), "/a", func(*Message) {})
	if err != nil {
		t.Fatal(err)
	}
	seen := make(chan SubscriptionState, 1)
	var once sync.Once
	f.set(func(f *fake) {
		f.hook = func(m msg) ([]msg, bool) {
			if m["channel"] == ChannelHandshake {
				once.Do(func() { seen <- s.State() })
			}
			return nil, false
		}
	})
	f.dropSessions()
	if st := <-seen; st != SubscriptionPending {
		t.Fatalf("State() = %v while re-handshaking", st)
	}
	if err := s.Ready(ctxT(t)); err != nil {
		t.Fatal(err)
	}
}
