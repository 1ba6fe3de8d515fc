package cometd

import (
	"io"
	"net/http"
	"time"
)

// Read pacing of the websocket transport.
//
// A server that writes every message in a write of its own, on a socket with
// TCP_NODELAY (Faye does), sends one TCP segment per message for as long as
// the reader keeps emptying its socket: each read takes one segment, the
// kernel acknowledges it at once, and the server's next write goes out alone
// again. Sending a segment alone costs the server most of its time per
// message, so a reader that reads at once makes the server slower, and a
// burst arrives later. CometD's JavaScript client reads only when its one
// thread is idle, so on a busy socket its reads are rare and the server's
// writes merge into large segments while it works.
//
// The transport gets the same effect without holding back a message that
// comes alone: a read that emptied the socket (it returned less than it
// asked for) and started less than the pacing interval ago is followed by a
// wait for the rest of the interval before the next read. A read after a
// quiet interval, the first of a burst, a read that did not empty the
// socket, and everything already read and buffered, are never delayed; a
// message that arrives during the wait is read at its end, at most one
// interval (and the timer's slack) later. Measured with Faye at 10,000
// messages in flight (BENCHMARKS.md), this cut the client's CPU per message
// by about two thirds and made the burst arrive sooner.
//
// The reads paced are those of the upgraded connection: net/http hands it
// over as the body of the 101 answer (an io.ReadWriteCloser reading the
// socket once the bytes it had buffered with the answer are read), which
// pacedTransport wraps. So the pacing works with any RoundTripper that
// gives that body, the caller's own included, and holds nothing per
// session but the wrapper of its socket.

// DefaultReadPacing is the websocket transport's default read pacing
// interval (WithReadPacing).
const DefaultReadPacing = 500 * time.Microsecond

// pacingClock is what a pacedBody reads the time and waits with.
type pacingClock struct {
	now   func() time.Time
	sleep func(time.Duration)
}

// realClock is the pacingClock of every client but some tests'.
var realClock = &pacingClock{time.Now, time.Sleep}

// pacedTransport is the RoundTripper of a websocket upgrade: base's answer,
// with the body of a 101 answer wrapped in a pacedBody.
type pacedTransport struct {
	base  http.RoundTripper // nil: http.DefaultTransport
	every time.Duration
	clock *pacingClock
}

func (t pacedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	base := t.base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(r)
	if err == nil && resp.StatusCode == http.StatusSwitchingProtocols {
		if rwc, ok := resp.Body.(io.ReadWriteCloser); ok {
			resp.Body = &pacedBody{ReadWriteCloser: rwc, every: t.every, clock: t.clock}
		}
	}
	return resp, err
}

// pacedBody is an upgraded connection whose reads are paced (see above).
// Only the socket's reader goroutine reads it, so its fields need no lock.
type pacedBody struct {
	io.ReadWriteCloser
	every   time.Duration
	clock   *pacingClock
	last    time.Duration // when the previous read started, since pacingEpoch (8 bytes, not a time.Time's 24)
	drained bool          // the previous read returned less than it asked for
}

// pacingEpoch is the origin of pacedBody.last; its monotonic reading makes
// the differences monotonic too.
var pacingEpoch = time.Now()

// Read waits for the rest of the interval if the previous read emptied the
// socket less than an interval ago, then reads.
func (b *pacedBody) Read(p []byte) (int, error) {
	if b.drained {
		if w := b.every - (b.clock.now().Sub(pacingEpoch) - b.last); w > 0 {
			b.clock.sleep(w)
		}
	}
	b.last = b.clock.now().Sub(pacingEpoch)
	n, err := b.ReadWriteCloser.Read(p)
	b.drained = n < len(p)
	return n, err
}

// upgradeClient returns the client for a websocket upgrade: hc as it is
// now, with its transport wrapped in a pacedTransport unless every is 0.
func upgradeClient(hc *http.Client, every time.Duration, clock *pacingClock) *http.Client {
	if every <= 0 {
		return hc
	}
	cp := *hc
	cp.Transport = pacedTransport{base: hc.Transport, every: every, clock: clock}
	return &cp
}
