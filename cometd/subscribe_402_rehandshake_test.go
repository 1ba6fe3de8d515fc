package cometd

import (
	"errors"
	"sync/atomic"
	"testing"
)

// sub402Fake answers the first /meta/subscribe with 402 and advice
// reconnect (adv) while the session lives on: the held connect is not
// answered (a server holds it for its timeout; a cluster without session
// affinity keeps answering connects successfully).
func sub402Fake(t *testing.T, transport string, adv msg) *fake {
	f := newFake(t)
	var n atomic.Int32
	f.set(func(f *fake) {
		f.holdMs = 3_600_000 // longer than any test's context
		f.transports = []string{transport}
		f.ws = transport == WebSocket
		f.hook = func(m msg) ([]msg, bool) {
			if m["channel"] != ChannelSubscribe || n.Add(1) != 1 {
				return nil, false
			}
			r := unknown(m)
			r["advice"] = adv
			if adv == nil {
				delete(r, "advice")
			}
			return []msg{r}, true
		}
	})
	return f
}

// TestSubscribe402RehandshakesAtOnce: a Subscribe answered 402 (with
// reconnect advice "handshake", or none) makes the client re-handshake at
// once, cutting its held connect short, as Bayeux requires for that advice
// on any reply; Subscribe returns once the new session accepted the
// subscription. Before the fix the client waited for its held connect, so
// Subscribe ran into its context's deadline.
func TestSubscribe402RehandshakesAtOnce(t *testing.T) {
	for _, tr := range []string{LongPolling, WebSocket} {
		for name, adv := range map[string]msg{"handshake": {"reconnect": "handshake", "interval": 0}, "no advice": nil} {
			t.Run(tr+"/"+name, func(t *testing.T) {
				f := sub402Fake(t, tr, adv)
				c, _ := newTestClient(t, f, WithTransports(tr))
				if err := c.Handshake(ctxT(t)); err != nil {
					t.Fatal(err)
				}
				eventually(t, "connected", func() bool { return c.State() == StateConnected })
				var col collector
				s, err := c.Subscribe(ctxT(t), "/x", col.handler)
				if err != nil {
					t.Fatalf("Subscribe = %v, want it accepted in the new session", err)
				}
				if s.State() != SubscriptionActive || c.ClientID() != "c2" {
					t.Fatalf("state %v, clientId %s", s.State(), c.ClientID())
				}
				if n := len(f.recorded(ChannelHandshake)); n != 2 {
					t.Fatalf("%d handshakes, want 2", n)
				}
				f.publish("/x", 1)
				eventually(t, "delivery", func() bool { return col.len() == 1 })
			})
		}
	}
}

// TestSubscribe402ReconnectNone: a Subscribe answered 402 with reconnect
// advice "none" terminates the client (ErrReconnectNone) on either
// transport, and Subscribe returns that error. Before the fix the client
// went on connecting and Subscribe ran into its context's deadline.
func TestSubscribe402ReconnectNone(t *testing.T) {
	for _, tr := range []string{LongPolling, WebSocket} {
		t.Run(tr, func(t *testing.T) {
			f := sub402Fake(t, tr, msg{"reconnect": "none"})
			c, _ := newTestClient(t, f, WithTransports(tr))
			_, err := c.Subscribe(ctxT(t), "/x", func(*Message) {})
			var te *TerminalError
			if !errors.Is(err, ErrReconnectNone) || !errors.As(err, &te) {
				t.Fatalf("Subscribe = %v, want the terminal ErrReconnectNone", err)
			}
			select {
			case <-c.Done():
			case <-ctxT(t).Done():
				t.Fatal("client not terminated")
			}
			if !errors.Is(c.Err(), ErrReconnectNone) {
				t.Fatalf("Err() = %v", c.Err())
			}
		})
	}
}
