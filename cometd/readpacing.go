package cometd

import (
	"io"
	"net/http"
	"sync/atomic"
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
// comes alone, or a reply the client waits for: when the reader is about to
// read the start of a frame, and the read before emptied the socket (it
// returned less than it asked for) and started less than the pacing
// interval ago, it waits for the rest of the interval first; unless the
// client wrote to the socket since that read started, or awaits the reply
// to a request written on it (a /meta/connect, which the server holds,
// aside). A write or the socket's close ends a wait at once. A read after
// a quiet interval, the first of a burst, a read in the middle of a frame
// (a large message arriving in pieces), a read that did not empty the
// socket, and everything already read and buffered, are never delayed; a
// message that arrives during a wait is read at its end, at most one
// interval (and the timer's slack) later. Outside reviews measured, before
// these exceptions: 779 Publishes a second one after the other against
// 19,000-23,000 without pacing (each reply waited out the interval); with
// a long interval, the third and later replies to concurrent requests held
// for the whole interval; and a lone 20 KB message arriving in 1,400-byte
// segments read 1.1 ms later at the default interval. Measured with Faye at
// 10,000 messages in flight (BENCHMARKS.md), this cut the client's CPU per
// message by about two thirds and made the burst arrive sooner.
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

// pacer is how a client paces its sockets: shared by every socket of the
// client, and by every client with the default interval.
type pacer struct {
	every time.Duration
	now   func() time.Time
	// wait waits d, or until w is signalled (a write, the socket's close).
	wait func(d time.Duration, w *pacingWake)
}

// pacingWake ends a pacedBody's wait; made at its first wait, so a socket
// that is never busy holds none.
type pacingWake struct {
	ch    chan struct{} // signalled by Write and Close; one token at most
	timer *time.Timer
}

// defaultPacer paces with DefaultReadPacing and the real clock.
var defaultPacer = newPacer(DefaultReadPacing)

// newPacer returns a pacer of interval every with the real clock.
func newPacer(every time.Duration) *pacer {
	return &pacer{every: every, now: time.Now, wait: realWait}
}

// realWait waits d, or until w is signalled.
func realWait(d time.Duration, w *pacingWake) {
	w.timer.Reset(d)
	select {
	case <-w.timer.C:
	case <-w.ch:
		w.timer.Stop()
	}
}

// pacedTransport is the RoundTripper of a websocket upgrade: base's answer,
// with the body of a 101 answer wrapped in a pacedBody, which it also puts
// in *made (if made is not nil) for the socket.
type pacedTransport struct {
	base  http.RoundTripper // nil: http.DefaultTransport
	pacer *pacer
	made  **pacedBody
}

func (t pacedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	base := t.base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(r)
	if err == nil && resp.StatusCode == http.StatusSwitchingProtocols {
		if rwc, ok := resp.Body.(io.ReadWriteCloser); ok {
			pb := &pacedBody{ReadWriteCloser: rwc, pacer: t.pacer}
			resp.Body = pb
			if t.made != nil {
				*t.made = pb
			}
		}
	}
	return resp, err
}

// pacedBody is an upgraded connection whose reads are paced (see above).
// Only the socket's reader goroutine reads it (and touches last and the
// wake's timer); writes, the close and the count of awaited replies come
// from other goroutines. It is 48 bytes: every websocket session has one.
type pacedBody struct {
	io.ReadWriteCloser
	pacer *pacer
	last  time.Duration // when the previous read started, since pacingEpoch (8 bytes, not a time.Time's 24)
	state atomic.Uint32 // the paced* bits, and the replies awaited in units of pacedAwait
	wake  atomic.Pointer[pacingWake]
}

// The bits of pacedBody.state.
const (
	pacedWrote      uint32 = 1 << iota // a write since the previous read started
	pacedDrained                       // the previous read returned less than it asked for
	pacedFrameStart                    // the reader is at a frame's start, the only place a read waits
	pacedAwait                         // one reply awaited; the count takes the bits from here up
)

// pacingEpoch is the origin of pacedBody.last; its monotonic reading makes
// the differences monotonic too.
var pacingEpoch = time.Now()

// atFrameStart tells b that the reader is about to read a frame's start.
func (b *pacedBody) atFrameStart() { b.state.Or(pacedFrameStart) }

// awaiting counts a reply awaited on the socket (n = 1) or no longer
// awaited (n = -1); while any is, reads do not wait.
func (b *pacedBody) awaiting(n int) {
	if n > 0 {
		b.state.Add(pacedAwait)
	} else {
		b.state.Add(^(pacedAwait - 1)) // - pacedAwait
	}
}

// mayWait reports whether a read with the state st before it may wait.
func mayWait(st uint32) bool {
	return st&(pacedFrameStart|pacedDrained) == pacedFrameStart|pacedDrained && st&pacedWrote == 0 && st < pacedAwait
}

// Read waits for the rest of the interval if it reads a frame's start, the
// previous read emptied the socket less than an interval ago, nothing was
// written since and no reply is awaited; then it reads.
func (b *pacedBody) Read(p []byte) (int, error) {
	st := b.state.And(^(pacedWrote | pacedFrameStart))
	w := b.wake.Load()
	if w != nil {
		select { // a token left by a write the bit has already told of
		case <-w.ch:
		default:
		}
	}
	now := b.pacer.now().Sub(pacingEpoch)
	if d := b.pacer.every - (now - b.last); d > 0 && mayWait(st) {
		if w == nil {
			w = &pacingWake{ch: make(chan struct{}, 1), timer: time.NewTimer(time.Hour)}
			w.timer.Stop()
			b.wake.Store(w)
		}
		// A write or a request since the And above, when there was no wake
		// to signal, shows in the state.
		if st := b.state.Load(); st&pacedWrote == 0 && st < pacedAwait {
			b.pacer.wait(d, w)
		}
		now = b.pacer.now().Sub(pacingEpoch)
	}
	b.last = now
	n, err := b.ReadWriteCloser.Read(p)
	if n < len(p) {
		b.state.Or(pacedDrained)
	} else {
		b.state.And(^pacedDrained)
	}
	return n, err
}

// Write notes the write and ends a wait of the reader: the client may now
// wait for a reply.
func (b *pacedBody) Write(p []byte) (int, error) {
	b.signal()
	return b.ReadWriteCloser.Write(p)
}

// Close ends a wait of the reader, which then reads the closed socket.
func (b *pacedBody) Close() error {
	b.signal()
	return b.ReadWriteCloser.Close()
}

func (b *pacedBody) signal() {
	b.state.Or(pacedWrote)
	if w := b.wake.Load(); w != nil {
		select {
		case w.ch <- struct{}{}:
		default:
		}
	}
}

// upgradeClient returns the client for a websocket upgrade: hc as it is
// now, with its transport wrapped in a pacedTransport unless p is nil; the
// upgraded connection's pacedBody is put in *made.
func upgradeClient(hc *http.Client, p *pacer, made **pacedBody) *http.Client {
	if p == nil {
		return hc
	}
	cp := *hc
	cp.Transport = pacedTransport{base: hc.Transport, pacer: p, made: made}
	return &cp
}
