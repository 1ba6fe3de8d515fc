package cometd

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// scriptConn is a net.Conn whose reads return the next of its scripted
// counts; it records, for every read, the fake clock when it started.
type scriptConn struct {
	net.Conn
	counts []int
	clock  *fakeClock
	starts []time.Duration
}

func (c *scriptConn) Read(p []byte) (int, error) {
	c.starts = append(c.starts, c.clock.t)
	n := c.counts[0]
	c.counts = c.counts[1:]
	return n, nil
}

type fakeClock struct{ t time.Duration }

func (c *fakeClock) now() time.Time { return time.Unix(0, 0).Add(c.t) }

// TestPacedConnWaitsOnlyAfterAReadThatEmptiedTheSocket holds the pacing rule
// readpacing.go documents: a wait follows only a read that returned less
// than it asked for, and lasts only the rest of the interval since that
// read started.
func TestPacedConnWaitsOnlyAfterAReadThatEmptiedTheSocket(t *testing.T) {
	clock := &fakeClock{}
	sc := &scriptConn{counts: []int{10, 3, 10, 4, 2, 1}, clock: clock}
	pc := newPacedConn(sc, 500*time.Microsecond)
	pc.now = clock.now
	var sleeps []time.Duration
	pc.sleep = func(d time.Duration) { sleeps = append(sleeps, d); clock.t += d }
	p := make([]byte, 10)
	read := func(after time.Duration) {
		clock.t += after // the caller's work between two reads
		if _, err := pc.Read(p); err != nil {
			t.Fatal(err)
		}
	}
	read(0)                     // full: the socket had more
	read(10 * time.Microsecond) // not delayed; returns 3: emptied the socket
	read(100 * time.Microsecond)
	// waited 400µs (the rest of 500µs since the read before started); full
	read(50 * time.Microsecond)  // not delayed; returns 4: emptied
	read(2 * time.Millisecond)   // the interval passed: not delayed; returns 2
	read(499 * time.Microsecond) // waits the last 1µs
	want := []time.Duration{400 * time.Microsecond, time.Microsecond}
	if !reflect.DeepEqual(sleeps, want) {
		t.Fatalf("waits = %v, want %v", sleeps, want)
	}
	wantStarts := []time.Duration{0, 10 * time.Microsecond, 510 * time.Microsecond, 560 * time.Microsecond,
		2560 * time.Microsecond, 3060 * time.Microsecond}
	if !reflect.DeepEqual(sc.starts, wantStarts) {
		t.Fatalf("reads started at %v, want %v", sc.starts, wantStarts)
	}
}

type otherRoundTripper struct{}

func (otherRoundTripper) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("unused")
}

// TestPacedClientLeavesWhatItCannotPace: no pacing, and the caller's
// client used as it is, when pacing is off, when the transport is not an
// *http.Transport, or when the transport dials TLS itself.
func TestPacedClientLeavesWhatItCannotPace(t *testing.T) {
	tlsDial := &http.Transport{DialTLSContext: func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("unused")
	}}
	for name, tc := range map[string]struct {
		hc    *http.Client
		every time.Duration
	}{
		"off":          {&http.Client{}, 0},
		"RoundTripper": {&http.Client{Transport: otherRoundTripper{}}, DefaultReadPacing},
		"TLS dialler":  {&http.Client{Transport: tlsDial}, DefaultReadPacing},
	} {
		got, closeIdle := pacedClient(tc.hc, tc.every)
		if got != tc.hc || closeIdle != nil {
			t.Errorf("%s: pacedClient made a copy (%p for %p)", name, got, tc.hc)
		}
	}
}

// TestPacedClientDialsWithTheCallersDialler: the copy dials through the
// transport's own DialContext (or deprecated Dial), wraps what it returns,
// keeps the client's jar, and leaves the caller's transport unchanged.
func TestPacedClientDialsWithTheCallersDialler(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	for _, deprecated := range []bool{false, true} {
		var mu sync.Mutex
		var dialled []net.Conn
		d := func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			mu.Lock()
			dialled = append(dialled, c)
			mu.Unlock()
			return c, err
		}
		base := &http.Transport{}
		if deprecated {
			base.Dial = func(network, addr string) (net.Conn, error) { return d(context.Background(), network, addr) }
		} else {
			base.DialContext = d
		}
		jar := &recordingJar{}
		hc := &http.Client{Transport: base, Jar: jar}
		got, closeIdle := pacedClient(hc, DefaultReadPacing)
		if got == hc || got.Jar != jar || closeIdle == nil {
			t.Fatalf("deprecated=%v: pacedClient gave %+v", deprecated, got)
		}
		tr := got.Transport.(*http.Transport)
		if tr == base {
			t.Fatal("the caller's transport itself was changed")
		}
		conn, err := tr.DialContext(context.Background(), "tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		pc, ok := conn.(*pacedConn)
		if !ok || len(dialled) != 1 || pc.Conn != dialled[0] || pc.every != DefaultReadPacing {
			t.Fatalf("deprecated=%v: dialled %T through the caller's dialler %d time(s)", deprecated, conn, len(dialled))
		}
		conn.Close()
		if deprecated && base.Dial == nil || !deprecated && base.DialContext == nil {
			t.Fatal("the caller's transport lost its dialler")
		}
	}
}

type recordingJar struct{ http.CookieJar }

// TestRefusedUpgradeLeavesNoIdleConnection: an upgrade answered with 401
// leaves its connection in the paced copy's pool, which no other request
// uses; the transport closes it at once instead of leaving it open (and
// its two net/http goroutines running) until the pool's idle timeout.
func TestRefusedUpgradeLeavesNoIdleConnection(t *testing.T) {
	closed := make(chan struct{}, 16)
	var mu sync.Mutex
	opened := 0
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusUnauthorized)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			mu.Lock()
			opened++
			mu.Unlock()
		case http.StateClosed:
			closed <- struct{}{}
		}
	}
	srv.Start()
	defer srv.Close()
	c, err := NewClient(srv.URL+"/cometd", WithTransports(WebSocket))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = c.Handshake(ctxT(t))
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("Handshake = %v, want the upgrade's 401", err)
	}
	mu.Lock()
	n := opened
	mu.Unlock()
	if n == 0 {
		t.Fatal("no connection reached the server")
	}
	for range n {
		select {
		case <-closed:
		case <-time.After(10 * time.Second):
			t.Fatal("the refused upgrade's connection is still open")
		}
	}
}

func TestWithReadPacingRefusesANegativeInterval(t *testing.T) {
	_, err := NewClient("http://localhost/cometd", WithReadPacing(-time.Millisecond))
	if err == nil || err.Error() != "cometd: WithReadPacing needs d >= 0" {
		t.Fatalf("NewClient = %v", err)
	}
	if _, err := NewClient("http://localhost/cometd", WithReadPacing(0)); err != nil {
		t.Fatalf("WithReadPacing(0): %v", err)
	}
}
