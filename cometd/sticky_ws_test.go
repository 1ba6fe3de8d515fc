package cometd

import (
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// Item 3 of issue 17: one refused upgrade (a 503 while the server
// restarts) does not cost websocket for the life of the client: the next
// re-handshake tries websocket again and stays on it once it works.
func TestWebSocketTriedAgainAtNextHandshake(t *testing.T) {
	f := newFake(t)
	var refuse atomic.Bool
	var upgrades atomic.Int32
	refuse.Store(true)
	f.set(func(f *fake) {
		f.httpHook = func(w http.ResponseWriter, r *http.Request) bool {
			if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
				return false
			}
			upgrades.Add(1)
			if refuse.Load() {
				http.Error(w, "restarting", http.StatusServiceUnavailable)
				return true
			}
			return false
		}
	})
	c, _ := newTestClient(t, f)
	rec := recordStates(c)
	var col collector
	ctx := ctxT(t)
	if _, err := c.Subscribe(ctx, "/x", col.handler); err != nil {
		t.Fatal(err)
	}
	if c.Transport() != LongPolling {
		t.Fatalf("Transport() = %s after a refused upgrade", c.Transport())
	}
	// Still refused at the next re-handshake: one more upgrade attempt,
	// then long-polling again, and messages flow.
	n := upgrades.Load()
	f.dropSessions()
	eventually(t, "re-subscription on c2", func() bool { return c.ClientID() == "c2" && f.publish("/x", 1) == 1 })
	eventually(t, "delivery", func() bool { return col.len() == 1 })
	if c.Transport() != LongPolling || upgrades.Load() != n+1 {
		t.Fatalf("Transport() = %s, %d upgrade attempts at the re-handshake", c.Transport(), upgrades.Load()-n)
	}
	// The server is back: the next re-handshake goes over websocket.
	refuse.Store(false)
	f.dropSessions()
	eventually(t, "websocket again", func() bool { return c.Transport() == WebSocket && c.ClientID() == "c3" })
	eventually(t, "re-subscription on c3", func() bool { return f.publish("/x", 2) == 1 })
	eventually(t, "delivery", func() bool { return col.len() == 2 })
	var last wireRecord
	for _, w := range f.wire() {
		if strings.Contains(w.body, ChannelConnect) {
			last = w
		}
	}
	if last.transport != WebSocket {
		t.Fatalf("last connect went over %s", last.transport)
	}
	if _, ok := rec.find(func(ev StateChange) bool { return ev.To == StateHandshaken && ev.Transport == WebSocket }); !ok {
		t.Fatalf("no handshaken event on websocket: %+v", rec.get())
	}
}

// A socket's late failure (its reader noticing the close after the
// transport was reset and dialled again, as happens at every handshake
// now that websocket is sticky) does not fail the requests sent on the new
// socket.
func TestWebSocketOldSocketDropSparesNewRequests(t *testing.T) {
	f := newFake(t)
	c, _ := newTestClient(t, f)
	ctx := ctxT(t)
	old, err := c.ws.dial(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c.ws.reset()
	cur, err := c.ws.dial(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p := c.addPending("on-new-socket", nil)
	c.tagSocket([]*Message{{ID: "on-new-socket"}}, cur)
	c.ws.drop(old, &wsError{err: errors.New("late close of the old socket")})
	select {
	case r := <-p.ch:
		t.Fatalf("request on the new socket failed: %v", r.err)
	default:
	}
	c.removePending("on-new-socket")
}
