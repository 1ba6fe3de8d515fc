package interop

import (
	"net/http"
	"testing"
	"time"

	"github.com/omnisdk/omni/cometd"
)

// TestServerRestart: the server process is killed and restarted on the same
// port (all sessions lost); the client re-handshakes, re-subscribes on its
// own and receives messages published after the restart.
func TestServerRestart(t *testing.T) {
	eachPeerTransport(t, nil, func(t *testing.T, spec PeerSpec, tr string) {
		p := StartPeer(t, spec.Name)
		c := newClient(t, p, tr)
		states := recordStates(c)
		col := flowing(t, p, c, tr, "/restart/x")
		firstID := c.ClientID()

		p.Restart()
		publishUntilReceived(t, p, col, "/restart/x", "after", 2*guard)
		waitState(t, c, cometd.StateConnected)

		s := p.Stats()
		if s.Handshakes < 1 || s.Subscribes < 1 {
			t.Fatalf("restarted peer saw %d handshakes and %d subscribes, want a re-handshake and a re-subscribe", s.Handshakes, s.Subscribes)
		}
		if id := c.ClientID(); id == firstID {
			t.Fatalf("ClientID() = %q after the restart, want a new session id", id)
		}
		t.Logf("interop: %s/%s: recovered after restart (transport now %s; states: %s)", spec.Name, tr, c.Transport(), states.summary())
	})
}

// TestHungConnect: the server holds a /meta/connect past the client's connect
// timeout and then drops it; the client gives up on it, connects again and
// delivery resumes.
func TestHungConnect(t *testing.T) {
	eachPeerTransport(t, nil, func(t *testing.T, spec PeerSpec, tr string) {
		p := StartPeer(t, spec.Name)
		// The connect deadline is advice.timeout (2s) plus this margin.
		c := newClient(t, p, tr, cometd.WithMaxNetworkDelay(3*time.Second))
		states := recordStates(c)
		handshake(t, c, tr)
		_, col := subscribe(t, c, "/hang/x")

		// Far longer than advice.timeout plus any sane network delay: only a
		// client-side timeout ends it.
		p.HangConnects(1, 10*time.Minute)
		hung := waitStats(t, p, "a hung connect", func(s Stats) bool { return s.HungConnects == 1 })
		// Only one connect is ever outstanding: a further connect means the
		// client gave up on the hung one.
		waitStats(t, p, "a connect after the hung one", func(s Stats) bool { return s.Connects > hung.Connects })
		publishUntilReceived(t, p, col, "/hang/x", "after", 3*guard)
		waitState(t, c, cometd.StateConnected)
		t.Logf("interop: %s/%s: recovered from a hung connect (states: %s)", spec.Name, tr, states.summary())
	})
}

// TestConnectServerErrors: /meta/connect requests answered with HTTP 500; the
// client backs off, retries and recovers. Long-polling only: a websocket has
// no HTTP status per message.
func TestConnectServerErrors(t *testing.T) {
	const failures = 3
	eachPeerTransport(t, longPollingOnly, func(t *testing.T, spec PeerSpec, tr string) {
		p := StartPeer(t, spec.Name)
		c := newClient(t, p, tr)
		states := recordStates(c)
		handshake(t, c, tr)
		_, col := subscribe(t, c, "/fail/x")

		p.FailConnects(failures, http.StatusInternalServerError)
		waitStats(t, p, "failed connects", func(s Stats) bool { return s.FailedConnects == failures })
		publishUntilReceived(t, p, col, "/fail/x", "after", 2*guard)
		waitState(t, c, cometd.StateConnected)

		sawErr := false
		for _, sc := range states.snapshot() {
			if sc.Err != nil {
				sawErr = true
			}
		}
		if !sawErr {
			t.Errorf("no state change reported the connect failures; states: %s", states.summary())
		}
		t.Logf("interop: %s/%s: recovered after %d HTTP 500s on connect (states: %s)", spec.Name, tr, failures, states.summary())
	})
}

// TestCloseDuringHeldConnect: Close while the server holds a /meta/connect
// returns long before the connect would have been answered, and stops the
// client.
func TestCloseDuringHeldConnect(t *testing.T) {
	eachPeerTransport(t, nil, func(t *testing.T, spec PeerSpec, tr string) {
		p := StartPeer(t, spec.Name)
		c := newClient(t, p, tr)
		handshake(t, c, tr)
		subscribe(t, c, "/close/x")
		// Every further connect hangs for ten minutes: once one has
		// arrived, a connect is certainly outstanding.
		p.HangConnects(1000, 10*time.Minute)
		waitStats(t, p, "a held connect", func(s Stats) bool { return s.HungConnects >= 1 })

		closed := make(chan error, 1)
		go func() { closed <- c.Close() }()
		select {
		case err := <-closed:
			if err != nil {
				t.Fatalf("Close: %v", err)
			}
		case <-time.After(guard): // far below the ten-minute hold
			t.Fatal("Close did not return while a connect was held")
		}
		select {
		case <-c.Done():
		default:
			t.Fatal("Done() not closed after Close returned")
		}
		if err := c.Close(); err != nil {
			t.Fatalf("second Close: %v", err)
		}
		t.Logf("interop: %s/%s: Close returned during a held connect", spec.Name, tr)
	})
}
