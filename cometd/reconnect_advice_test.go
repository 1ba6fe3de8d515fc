package cometd

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// TestConnectAfterFailureAsksForImmediateReply: after a connect failed,
// the next /meta/connect carries advice {timeout: 0}, as CometD's
// JavaScript client does while not connected, so the server answers at
// once and the client is connected again without waiting out a held
// connect. Without it the client stayed unconnected for a whole
// advice.timeout after a network blip, and a wait that needs a connected
// session (omni's Await) waited with it.
func TestConnectAfterFailureAsksForImmediateReply(t *testing.T) {
	f := newFake(t)
	var failNext atomic.Bool
	f.set(func(f *fake) {
		f.transports = []string{LongPolling}
		f.holdMs = 600_000 // a connect without {timeout: 0} is held past the test's bound
		f.httpHook = func(w http.ResponseWriter, r *http.Request) bool {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			if strings.Contains(string(body), ChannelConnect) && failNext.CompareAndSwap(true, false) {
				http.Error(w, "oops", http.StatusServiceUnavailable)
				return true
			}
			return false
		}
	})
	c, _ := newTestClient(t, f)
	rec := recordStates(c)
	var got collector
	if _, err := c.Subscribe(ctxT(t), "/x", got.handler); err != nil {
		t.Fatal(err)
	}
	eventually(t, "connected", func() bool { return c.State() == StateConnected })
	eventually(t, "a held connect", func() bool { return len(f.recorded(ChannelConnect)) == 2 })
	// Release the held connect with a message; the connect after it fails.
	failNext.Store(true)
	f.publish("/x", "wake")
	eventually(t, "connected again after the failed connect", func() bool {
		_, ok := rec.find(func(ev StateChange) bool { return ev.From == StateUnconnected && ev.To == StateConnected })
		return ok
	})
	connects := f.recorded(ChannelConnect)
	if len(connects) < 3 {
		t.Fatalf("%d connects recorded", len(connects))
	}
	if adv, _ := connects[2]["advice"].(map[string]any); adv["timeout"] != float64(0) {
		t.Fatalf("the connect after the failure has advice %v, want {timeout: 0}", connects[2]["advice"])
	}
	if d := got.data(); len(d) != 1 {
		t.Fatalf("delivered %v", d)
	}
}
