package interop

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/omnisdk/omni/cometd"
)

// TestWebSocketBackAfterRestart (issue 17 item 3): on Faye over websocket,
// the server is killed and websocket upgrades are refused meanwhile, so the
// client falls back to long-polling; the server is restarted (every session
// lost). The client's next handshake tries websocket again: it is back on
// websocket, re-subscribed, and of the messages published once its
// subscription is active again (Subscription.Ready) none is lost.
func TestWebSocketBackAfterRestart(t *testing.T) {
	p := StartPeer(t, Faye)
	b := &wsBreaker{}
	c := newClient(t, p, WebSocket, cometd.WithTransports(WebSocket, LongPolling), cometd.WithHTTPClient(b.client()))
	states := recordStates(c)
	handshake(t, c, WebSocket)
	sub, col := subscribe(t, c, "/sticky/x")
	p.Publish("/sticky/x", 1, map[string]any{"phase": "before"})
	col.wait(t, "a message before the fault", hasPhase("before"))
	firstID := c.ClientID()

	b.refuse.Store(true)
	p.Kill()
	deadline := time.Now().Add(guard)
	for !fellBack(states) || c.Transport() != LongPolling {
		if time.Now().After(deadline) {
			t.Fatalf("no fallback to long-polling while the server was down; states: %s", states.summary())
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.refuse.Store(false)
	p.Restart()

	ctx, cancel := context.WithTimeout(context.Background(), 2*guard)
	defer cancel()
	for c.ClientID() == firstID || c.Transport() != WebSocket || sub.Ready(ctx) != nil {
		if ctx.Err() != nil {
			t.Fatalf("not back on websocket: Transport() = %s, subscription %v (%v); states: %s",
				c.Transport(), sub.State(), sub.Err(), states.summary())
		}
		time.Sleep(20 * time.Millisecond)
	}
	const n = 20
	p.Publish("/sticky/x", n, map[string]any{"phase": "after"})
	got := col.wait(t, "every message published after the re-subscription", func(rs []received) bool { return countPhase(rs, "after") >= n })
	time.Sleep(200 * time.Millisecond) // late duplicates would show up here
	if k := countPhase(col.snapshot(), "after"); k != n {
		t.Fatalf("received %d copies of the %d messages published after the restart", k, n)
	}
	if c.Transport() != WebSocket {
		t.Fatalf("Transport() = %s at the end", c.Transport())
	}
	t.Logf("interop: faye: killed with upgrades refused, restarted: back on websocket, %d of %d after the restart (%d messages in all; states: %s)",
		n, n, len(got), states.summary())
}

// fellBack reports whether a state change announced the fallback.
func fellBack(r *stateRecorder) bool {
	for _, sc := range r.snapshot() {
		if strings.Contains(sc.Reason, "falling back to long-polling") {
			return true
		}
	}
	return false
}

// countPhase counts the received messages of a phase.
func countPhase(rs []received, phase string) int {
	n := 0
	for _, r := range rs {
		if r.Data.Phase == phase {
			n++
		}
	}
	return n
}

// TestMessageAheadOfSubscribeReply (issue 17 item 1): the CometD Node
// server publishes a message on a channel from its "subscribed" listener,
// so the message is queued for the session before the subscribe reply
// exists. With a /meta/connect suspended in the server, the server hands the
// message to it at once and the connect reply leaves before the subscribe
// reply; with none (the peer holds the client's connect outside the server),
// the server writes the message ahead of the subscribe reply in the same
// response. Either way the handler, registered before the subscribe was
// sent, receives it.
func TestMessageAheadOfSubscribeReply(t *testing.T) {
	for _, held := range []bool{true, false} {
		name := "in the held connect reply"
		if !held {
			name = "ahead in the subscribe response"
		}
		t.Run(name, func(t *testing.T) {
			p := StartPeer(t, CometDNodeServer)
			c := newClient(t, p, LongPolling)
			handshake(t, c, LongPolling)
			if held {
				// The first connect is answered at once; the second is
				// the one the server suspends.
				waitStats(t, p, "a suspended connect", func(s Stats) bool { return s.Connects >= 2 })
			} else {
				p.HangConnects(1, 10*time.Minute)
				waitStats(t, p, "a connect held outside the server", func(s Stats) bool { return s.HungConnects == 1 })
			}
			_, col := subscribe(t, c, "/early/x")
			col.wait(t, "the message published before the subscribe reply", hasPhase("early"))
			t.Logf("interop: %s: message sent %s delivered", CometDNodeServer, name)
		})
	}
}
