package cometd

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// wsOnlyFake is a fake that offers only websocket and answers the next
// refuse.Load() upgrades with 503, as a server does while it restarts.
func wsOnlyFake(t *testing.T) (*fake, *atomic.Int32, *atomic.Int32) {
	f := newFake(t)
	var refuse, upgrades atomic.Int32
	f.set(func(f *fake) {
		f.transports = []string{WebSocket}
		f.httpHook = func(w http.ResponseWriter, r *http.Request) bool {
			if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
				return false
			}
			upgrades.Add(1)
			if refuse.Add(-1) >= 0 {
				http.Error(w, "restarting", http.StatusServiceUnavailable)
				return true
			}
			return false
		}
	})
	return f, &refuse, &upgrades
}

// TestWSOnlyServerFirstUpgradeRefused: with a server that offers only
// websocket, a 503 on the first upgrade is a network failure of that
// handshake attempt: the client backs off, upgrades again and works over
// websocket. Before the fix it fell back to long-polling within the
// attempt and then ended for good with ErrNoTransport.
func TestWSOnlyServerFirstUpgradeRefused(t *testing.T) {
	f, refuse, upgrades := wsOnlyFake(t)
	refuse.Store(1)
	c, _ := newTestClient(t, f)
	var col collector
	if _, err := c.Subscribe(ctxT(t), "/x", col.handler); err != nil {
		t.Fatalf("Subscribe = %v", err)
	}
	if c.Err() != nil || c.Transport() != WebSocket || upgrades.Load() < 2 {
		t.Fatalf("Err = %v, Transport = %s, %d upgrades", c.Err(), c.Transport(), upgrades.Load())
	}
	eventually(t, "published", func() bool { return f.publish("/x", 1) == 1 })
	eventually(t, "delivery", func() bool { return col.len() == 1 })
}

// TestWSOnlyServerRestart: a websocket-only server restarts (sockets
// dropped, sessions forgotten, the next upgrades refused with 503): the
// client keeps trying websocket, re-handshakes and receives again; it never
// ends with ErrNoTransport nor sits on long-polling.
func TestWSOnlyServerRestart(t *testing.T) {
	for _, n := range []int32{1, 2, 3} {
		t.Run(string(rune('0'+n)), func(t *testing.T) {
			f, refuse, _ := wsOnlyFake(t)
			c, _ := newTestClient(t, f)
			var col collector
			if _, err := c.Subscribe(ctxT(t), "/x", col.handler); err != nil {
				t.Fatal(err)
			}
			refuse.Store(n)
			f.dropSessions()
			f.set(func(f *fake) {
				for ws := range f.wsConns {
					_ = ws.CloseNow()
				}
			})
			eventually(t, "re-subscribed in a new session", func() bool {
				return c.Err() != nil || f.publish("/x", 1) == 1
			})
			eventually(t, "delivery", func() bool { return c.Err() != nil || col.len() == 1 })
			if c.Err() != nil || c.Transport() != WebSocket {
				t.Fatalf("Err = %v, Transport = %s", c.Err(), c.Transport())
			}
			for _, w := range f.wire() {
				if w.transport == LongPolling && strings.Contains(w.body, ChannelConnect) {
					t.Fatalf("a long-polling connect to a websocket-only server: %s", w.body)
				}
			}
		})
	}
}

// TestWSOnlyServerRefusesLongPollingHandshake: the websocket-only server
// answers the long-polling handshake the client falls back to with "400 no
// common transport" and reconnect "none" (as the simulator does). That
// refusal follows from the failed upgrade, so it is not terminal either:
// the next attempt upgrades again and works.
func TestWSOnlyServerRefusesLongPollingHandshake(t *testing.T) {
	f, refuse, _ := wsOnlyFake(t)
	refuse.Store(1)
	f.set(func(f *fake) {
		f.hook = func(m msg) ([]msg, bool) {
			if m["channel"] != ChannelHandshake {
				return nil, false
			}
			if types, _ := m["supportedConnectionTypes"].([]any); len(types) == 1 && types[0] == LongPolling {
				return []msg{{"channel": ChannelHandshake, "id": m["id"], "successful": false,
					"error": "400::No common transport", "advice": msg{"reconnect": "none"}}}, true
			}
			return nil, false
		}
	})
	c, _ := newTestClient(t, f)
	if _, err := c.Subscribe(ctxT(t), "/x", func(*Message) {}); err != nil {
		t.Fatalf("Subscribe = %v", err)
	}
	if c.Err() != nil || c.Transport() != WebSocket {
		t.Fatalf("Err = %v, Transport = %s", c.Err(), c.Transport())
	}
}

// TestWSOnlyServerUpgradesKeepFailing: while every upgrade of a
// websocket-only server fails, each handshake attempt falls back to a
// long-polling handshake that cannot succeed; between attempts the client
// reports websocket (Transport() and the failed attempt's state event),
// the transport it will use next, not long-polling. Before the fix both
// said long-polling.
func TestWSOnlyServerUpgradesKeepFailing(t *testing.T) {
	f, refuse, _ := wsOnlyFake(t)
	refuse.Store(1 << 30)
	c, _ := newTestClient(t, f)
	rec := recordStates(c)
	// Handshake retries until its ctx ends: a short one, since every upgrade fails.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := c.Handshake(ctx); err == nil {
		t.Fatal("Handshake succeeded")
	}
	if c.Err() != nil || c.Transport() != WebSocket {
		t.Fatalf("Err = %v, Transport = %s", c.Err(), c.Transport())
	}
	// State events run on the delivery goroutine: wait for the failed attempt's.
	var ev StateChange
	eventually(t, "the failed attempt's state event", func() bool {
		var ok bool
		ev, ok = rec.find(func(ev StateChange) bool { return strings.HasPrefix(ev.Reason, "handshake failed") })
		return ok
	})
	if ev.Transport != WebSocket {
		t.Fatalf("failed attempt's event %+v", ev)
	}
}
