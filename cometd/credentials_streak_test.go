package cometd

import (
	"context"
	"net/http"
	"reflect"
	"slices"
	"sync/atomic"
	"testing"
)

// TestHandshake403ReplyStreak: a server that answers every handshake with
// a 403 reply (advice handshake). The provider sees refresh=true after
// every refusal, not only every other one, and the client retries at once
// only once per refusal streak, then backs off before each attempt. Before
// the fix the flags alternated [false true false true ...] with an
// immediate extra handshake at each backoff step.
func TestHandshake403ReplyStreak(t *testing.T) {
	f := newFake(t)
	ctx, cancel := context.WithCancel(ctxT(t))
	defer cancel()
	var n atomic.Int32
	f.set(func(f *fake) {
		f.hook = func(m msg) ([]msg, bool) {
			if m["channel"] != ChannelHandshake {
				return nil, false
			}
			if n.Add(1) == 6 {
				cancel()
			}
			return []msg{{"channel": ChannelHandshake, "id": m["id"], "successful": false,
				"error": "403::denied", "advice": msg{"reconnect": "handshake", "interval": 0}}}, true
		}
	})
	p := &tokens{}
	c, w := newTestClient(t, f, WithTransports(LongPolling), WithHandshakeAuth(p.provide))
	if err := c.Handshake(ctx); err == nil {
		t.Fatal("Handshake succeeded")
	}
	hs := len(f.recorded(ChannelHandshake))
	want := append([]bool{false}, slices.Repeat([]bool{true}, hs-1)...)
	if got := p.got(); !reflect.DeepEqual(got, want) {
		t.Fatalf("refresh flags %v for %d handshakes, want %v", got, hs, want)
	}
	// One immediate retry (the second handshake), then a backoff step
	// before each further one.
	if got := w.get(); len(got) != hs-2 {
		t.Fatalf("%d backoff waits for %d handshakes, want %d: %v", len(got), hs, hs-2, got)
	}
}

// TestConnect401Rehandshakes: HTTP 401 on /meta/connect means the
// session's credentials are no longer accepted: the client re-handshakes at
// once with refresh=true for the provider and goes on with the new token,
// and the subscription receives again. Before the fix the connect was
// retried with the stale token forever and the provider never asked.
func TestConnect401Rehandshakes(t *testing.T) {
	f := newFake(t)
	var revoked atomic.Bool
	f.set(func(f *fake) {
		f.transports = []string{LongPolling}
		f.httpHook = func(w http.ResponseWriter, r *http.Request) bool {
			if revoked.Load() && r.Header.Get("Authorization") == "Bearer tok-1" {
				http.Error(w, "token expired", http.StatusUnauthorized)
				return true
			}
			return false
		}
	})
	p := &tokens{}
	c, _ := newTestClient(t, f, WithHandshakeAuth(p.provide))
	var col collector
	if _, err := c.Subscribe(ctxT(t), "/x", col.handler); err != nil {
		t.Fatal(err)
	}
	eventually(t, "connected", func() bool { return c.State() == StateConnected })
	eventually(t, "a held connect", func() bool { return len(f.recorded(ChannelConnect)) == 2 })
	revoked.Store(true)
	f.publish("/x", 1) // releases the held connect; the next one is refused
	eventually(t, "a new session", func() bool { return c.ClientID() == "c2" })
	eventually(t, "re-subscribed", func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.clients["c2"] != nil && f.clients["c2"].subs["/x"]
	})
	f.set(func(f *fake) { delete(f.clients, "c1") })
	f.publish("/x", 2)
	eventually(t, "delivery", func() bool { return col.len() == 2 })
	if got := p.got(); !reflect.DeepEqual(got, []bool{false, true}) {
		t.Fatalf("refresh flags %v, want [false true]", got)
	}
	if c.Err() != nil {
		t.Fatal(c.Err())
	}
}
