package cometd

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"
)

// scriptBody is an upgraded connection whose reads return the next of its
// scripted counts; it records, for every read, the fake clock when it
// started.
type scriptBody struct {
	io.ReadWriteCloser
	counts []int
	clock  *time.Duration
	starts []time.Duration
}

func (b *scriptBody) Write(p []byte) (int, error) { return len(p), nil }

func (b *scriptBody) Read(p []byte) (int, error) {
	b.starts = append(b.starts, *b.clock)
	n := b.counts[0]
	b.counts = b.counts[1:]
	return n, nil
}

// TestPacedBodyWaitsOnlyAfterAReadThatEmptiedTheSocket holds the pacing rule
// readpacing.go documents: a wait comes only before a frame's start, after
// a read that returned less than it asked for, with nothing written and no
// reply awaited since, and lasts only the rest of the interval since that
// read started.
func TestPacedBodyWaitsOnlyAfterAReadThatEmptiedTheSocket(t *testing.T) {
	var clock time.Duration
	var sleeps []time.Duration
	fake := &pacer{
		every: 500 * time.Microsecond,
		now:   func() time.Time { return time.Unix(0, 0).Add(clock) },
		wait:  func(d time.Duration, _ *pacingWake) { sleeps = append(sleeps, d); clock += d },
	}
	sb := &scriptBody{counts: []int{10, 3, 10, 4, 2, 1, 1, 1, 1, 1, 1, 1, 1}, clock: &clock}
	pb := &pacedBody{ReadWriteCloser: sb, pacer: fake}
	p := make([]byte, 10)
	read := func(after time.Duration, frameStart bool) {
		t.Helper()
		clock += after // the caller's work between two reads
		if frameStart {
			pb.atFrameStart()
		}
		if _, err := pb.Read(p); err != nil {
			t.Fatal(err)
		}
	}
	read(0, true)                    // full: the socket had more
	read(10*time.Microsecond, true)  // not delayed; returns 3: emptied the socket
	read(100*time.Microsecond, true) // waits 400µs (the rest of 500µs since the read before started); full
	read(50*time.Microsecond, true)  // not delayed; returns 4: emptied
	read(2*time.Millisecond, true)   // the interval passed: not delayed; returns 2
	read(499*time.Microsecond, true) // waits the last 1µs; returns 1
	read(10*time.Microsecond, false) // the rest of a frame: not delayed; returns 1
	clock += 10 * time.Microsecond
	if _, err := pb.Write([]byte("request")); err != nil {
		t.Fatal(err)
	}
	read(0, true) // written since the read before started: not delayed; returns 1
	read(0, true) // nothing written since: waits 500µs
	pb.awaiting(1)
	pb.awaiting(1)
	read(0, true) // two replies awaited: not delayed
	pb.awaiting(-1)
	read(0, true) // one still awaited: not delayed
	pb.awaiting(-1)
	read(0, true) // none: waits 500µs
	want := []time.Duration{400 * time.Microsecond, time.Microsecond, 500 * time.Microsecond, 500 * time.Microsecond}
	if !reflect.DeepEqual(sleeps, want) {
		t.Fatalf("waits = %v, want %v", sleeps, want)
	}
	wantStarts := []time.Duration{0, 10 * time.Microsecond, 510 * time.Microsecond, 560 * time.Microsecond,
		2560 * time.Microsecond, 3060 * time.Microsecond, 3070 * time.Microsecond, 3080 * time.Microsecond,
		3580 * time.Microsecond, 3580 * time.Microsecond, 3580 * time.Microsecond, 4080 * time.Microsecond}
	if !reflect.DeepEqual(sb.starts, wantStarts) {
		t.Fatalf("reads started at %v, want %v", sb.starts, wantStarts)
	}
}

// rwcBody is an upgraded connection's body, as net/http gives it.
type rwcBody struct{ io.Reader }

func (rwcBody) Write(p []byte) (int, error) { return len(p), nil }
func (rwcBody) Close() error                { return nil }

type answer struct {
	resp *http.Response
	err  error
}

func (a answer) RoundTrip(*http.Request) (*http.Response, error) { return a.resp, a.err }

// TestPacedTransportWrapsOnlyTheUpgradedConnection: the body of a 101
// answer is paced; any other answer, and an error, pass as they are.
func TestPacedTransportWrapsOnlyTheUpgradedConnection(t *testing.T) {
	up := rwcBody{strings.NewReader("x")}
	resp, err := pacedTransport{base: answer{resp: &http.Response{StatusCode: 101, Body: up}}, pacer: defaultPacer}.RoundTrip(nil)
	if pb, ok := resp.Body.(*pacedBody); err != nil || !ok || pb.ReadWriteCloser != up || pb.pacer != defaultPacer {
		t.Fatalf("101: body %T, %v", resp.Body, err)
	}
	for _, a := range []answer{
		{resp: &http.Response{StatusCode: 401, Body: up}},
		{resp: &http.Response{StatusCode: 101, Body: io.NopCloser(strings.NewReader(""))}}, // not a connection
	} {
		resp, err := pacedTransport{base: a, pacer: defaultPacer}.RoundTrip(nil)
		if err != nil || resp.Body != a.resp.Body {
			t.Errorf("%d %T: body became %T, %v", a.resp.StatusCode, a.resp.Body, resp.Body, err)
		}
	}
	boom := errors.New("boom")
	if resp, err := (pacedTransport{base: answer{err: boom}}).RoundTrip(nil); resp != nil || err != boom {
		t.Errorf("error: %v, %v", resp, err)
	}
}

// countingTransport counts the requests it passes to http.DefaultTransport.
type countingTransport struct{ n *atomic.Int32 }

func (c countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

// TestPacingKeepsTheCallersClient: the client's sockets are paced, with an
// upgrade through the caller's RoundTripper and cookie jar, the caller's
// client left as it was, and a burst delivered in full and in order.
func TestPacingKeepsTheCallersClient(t *testing.T) {
	f := newFake(t)
	var upgrades atomic.Int32
	jar := &recordingJar{}
	hc := &http.Client{Transport: countingTransport{&upgrades}, Jar: jar}
	c, _ := newTestClient(t, f, WithTransports(WebSocket), WithHTTPClient(hc))
	// An hour's pacing, waited with a clock that returns at once: each
	// socket read after one that emptied the socket asks to wait.
	var waits atomic.Int32
	c.ws.pacer = &pacer{every: time.Hour, now: time.Now, wait: func(time.Duration, *pacingWake) { waits.Add(1) }}
	var col collector
	if _, err := c.Subscribe(ctxT(t), "/x", col.handler); err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		f.publish("/x", i)
	}
	eventually(t, "the burst", func() bool { return col.len() == 200 })
	for i, d := range col.data() {
		if d != strconv.Itoa(i) {
			t.Fatalf("message %d is %s", i, d)
		}
	}
	// A message pushed outside any reply: the read after it, at a frame's
	// start with nothing written or awaited, waits (for an hour, were the
	// wait real).
	if n := f.pushWS([]msg{{"channel": "/x", "data": 200}}); n != 1 {
		t.Fatalf("pushed on %d sockets", n)
	}
	eventually(t, "the pushed message", func() bool { return col.len() == 201 })
	eventually(t, "a paced read", func() bool { return waits.Load() > 0 })
	if upgrades.Load() == 0 || jar.asked.Load() == 0 {
		t.Fatalf("requests through the caller's transport: %d, jar asked %d times", upgrades.Load(), jar.asked.Load())
	}
	if _, ok := hc.Transport.(countingTransport); !ok || hc.Jar != jar {
		t.Fatalf("the caller's client was changed: %+v", hc)
	}

}

type recordingJar struct{ asked atomic.Int32 }

func (j *recordingJar) SetCookies(*url.URL, []*http.Cookie) {}
func (j *recordingJar) Cookies(*url.URL) []*http.Cookie     { j.asked.Add(1); return nil }

func TestWithReadPacingBounds(t *testing.T) {
	for _, d := range []time.Duration{-time.Millisecond, 10*time.Millisecond + 1} {
		_, err := NewClient("http://localhost/cometd", WithReadPacing(d))
		if err == nil || err.Error() != "cometd: WithReadPacing needs 0 <= d <= 10ms" {
			t.Fatalf("WithReadPacing(%v): NewClient = %v", d, err)
		}
	}
	if _, err := NewClient("http://localhost/cometd", WithReadPacing(10*time.Millisecond)); err != nil {
		t.Fatalf("WithReadPacing(10ms): %v", err)
	}
	if _, err := NewClient("http://localhost/cometd", WithReadPacing(0)); err != nil {
		t.Fatalf("WithReadPacing(0): %v", err)
	}
}

// The pacing holds 48 bytes per socket (CHANGELOG, BENCHMARKS.md): the
// websocket sessions' heap goal has little room.
func TestPacedBodyIsSmall(t *testing.T) {
	if s := unsafe.Sizeof(pacedBody{}); s > 48 {
		t.Fatalf("pacedBody is %d bytes", s)
	}
}

// With an interval of an hour and the real wait, a client that publishes
// one message after the other, each once the reply to the one before came,
// still gets every reply: a write ends the reader's wait, and the read after
// a write is not paced (outside review: each reply waited out the interval,
// 779 Publishes a second against about 20,000 without pacing). Closing the
// client ends a wait too.
func TestPacingDoesNotHoldBackAwaitedReplies(t *testing.T) {
	f := newFake(t)
	c, _ := newTestClient(t, f, WithTransports(WebSocket))
	c.ws.pacer = newPacer(time.Hour) // a wait held back would fail the test
	var col collector
	ctx := ctxT(t)
	if _, err := c.Subscribe(ctx, "/x", col.handler); err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		if err := c.Publish(ctx, "/x", i); err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
	}
	eventually(t, "the publishes", func() bool { return col.len() == 50 })
	f.publish("/x", "a")
	f.publish("/x", "b") // the reader may now wait an hour
	eventually(t, "two more", func() bool { return col.len() == 52 })
	closed := make(chan error)
	go func() { closed <- c.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-ctx.Done():
		t.Fatal("Close waited for the reader's pacing")
	}
}

// realWait ends when the wake is signalled, whatever is left of d.
func TestRealWaitEndsOnASignal(t *testing.T) {
	b := &pacedBody{ReadWriteCloser: rwcBody{strings.NewReader("")}, pacer: newPacer(time.Hour)}
	w := &pacingWake{ch: make(chan struct{}, 1), timer: time.NewTimer(time.Hour)}
	w.timer.Stop()
	b.wake.Store(w)
	done := make(chan struct{})
	go func() { realWait(time.Hour, w); close(done) }()
	b.signal()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the wait did not end on the signal")
	}
}

// Replies to requests in flight together are not held back, however many
// there are and however far apart the server answers them, each in a frame
// of its own: reads do not wait while a reply is awaited (outside review:
// with a long interval the third and later replies waited the whole of it
// and the requests failed with ErrNoReply).
func TestPacingDoesNotHoldBackConcurrentReplies(t *testing.T) {
	f := newFake(t)
	var mu sync.Mutex
	var held []msg
	f.set(func(f *fake) {
		f.hook = func(m msg) ([]msg, bool) {
			if m["channel"] != "/y" {
				return nil, false
			}
			mu.Lock()
			held = append(held, m)
			mu.Unlock()
			return nil, true // answered below, one frame each
		}
	})
	c, _ := newTestClient(t, f, WithTransports(WebSocket), WithMaxNetworkDelay(5*time.Second))
	c.ws.pacer = newPacer(time.Hour) // a reply held back would fail its Publish
	ctx := ctxT(t)
	if err := c.Handshake(ctx); err != nil {
		t.Fatal(err)
	}
	const k = 6
	errs := make(chan error, k)
	for i := range k {
		go func() { errs <- c.Publish(ctx, "/y", i) }()
	}
	eventually(t, "the publishes", func() bool { mu.Lock(); defer mu.Unlock(); return len(held) == k })
	mu.Lock()
	replies := held
	mu.Unlock()
	for _, m := range replies {
		time.Sleep(5 * time.Millisecond) // the server answers them apart
		f.pushWS([]msg{{"channel": "/y", "id": m["id"], "successful": true}})
	}
	for range k {
		if err := <-errs; err != nil {
			t.Fatalf("Publish: %v", err)
		}
	}
}
