package cometd

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestSubscribe402WaitsForNewSession: a fresh Subscribe answered 402 (the
// server forgot the session) stays pending across the re-handshake and
// returns once the re-subscription is accepted in the new session, as
// CometD's Java client re-subscribes registered listeners after a
// re-handshake; the handler then receives. Before the fix Subscribe
// returned the 402 while the client re-handshook at once.
func TestSubscribe402WaitsForNewSession(t *testing.T) {
	f := newFake(t)
	var n atomic.Int32
	f.set(func(f *fake) {
		f.transports = []string{LongPolling}
		f.hook = func(m msg) ([]msg, bool) {
			if m["channel"] != ChannelSubscribe || n.Add(1) != 1 {
				return nil, false
			}
			f.mu.Lock()
			delete(f.clients, m["clientId"].(string))
			f.wakeLocked() // the held connect meets the 402 too
			f.mu.Unlock()
			return []msg{unknown(m)}, true
		}
	})
	c, _ := newTestClient(t, f)
	if err := c.Handshake(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	var col collector
	s, err := c.Subscribe(ctxT(t), "/x", col.handler)
	if err != nil {
		t.Fatalf("Subscribe = %v, want it accepted in the new session", err)
	}
	if s.State() != SubscriptionActive || c.ClientID() != "c2" {
		t.Fatalf("state %v, clientId %s", s.State(), c.ClientID())
	}
	f.publish("/x", 1)
	eventually(t, "delivery", func() bool { return col.len() == 1 })
}

// TestSubscribe402ContextEnds: while a Subscribe answered 402 waits for
// the new session, its ctx ending returns ctx's error (wrapping the 402)
// and removes the handler.
func TestSubscribe402ContextEnds(t *testing.T) {
	f := newFake(t)
	ctx, cancel := context.WithCancel(ctxT(t))
	f.set(func(f *fake) {
		f.transports = []string{LongPolling}
		f.hook = func(m msg) ([]msg, bool) {
			if m["channel"] != ChannelSubscribe {
				return nil, false
			}
			return []msg{unknown(m)}, true // the session lives on
		}
	})
	c, _ := newTestClient(t, f)
	done := make(chan struct{})
	defer func() { <-done }()
	go func() { // cancel once the 402 is recorded on the waiting subscription
		defer close(done)
		defer cancel()
		for ctx.Err() == nil {
			c.mu.Lock()
			subs := c.subs["/x"]
			got := len(subs) == 1 && subs[0].err != nil
			c.mu.Unlock()
			if got {
				return
			}
			sleepCtx(ctx, time.Millisecond)
		}
	}()
	_, err := c.Subscribe(ctx, "/x", func(*Message) { t.Error("handler called") })
	var e *Error
	if !errors.Is(err, context.Canceled) || !errors.As(err, &e) || e.Code != 402 {
		t.Fatalf("Subscribe = %v, want context.Canceled and the 402", err)
	}
	if strings.Contains(err.Error(), "re-subscribing") { // a first Subscribe
		t.Fatalf("Subscribe = %v, want it to speak of subscribing", err)
	}
	c.mu.Lock()
	left := len(c.subs["/x"])
	c.mu.Unlock()
	if left != 0 {
		t.Fatalf("%d subscriptions left on /x", left)
	}
}
