package cometd

import (
	"context"
	"net"
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
// interval (and the timer's slack) later. Measured with Faye at 10,000 messages in flight
// (BENCHMARKS.md), this cut the client's CPU per message by about two
// thirds and made the burst arrive sooner.

// DefaultReadPacing is the websocket transport's default read pacing
// interval (WithReadPacing).
const DefaultReadPacing = 500 * time.Microsecond

// pacedConn is a net.Conn whose reads are paced (see above). Only one
// goroutine reads a connection at a time (net/http's, then the websocket
// reader, one after the other), so its fields need no lock.
type pacedConn struct {
	net.Conn
	every   time.Duration
	last    time.Time // when the previous read started
	drained bool      // the previous read returned less than it asked for
	now     func() time.Time
	sleep   func(time.Duration)
}

func newPacedConn(c net.Conn, every time.Duration) *pacedConn {
	return &pacedConn{Conn: c, every: every, now: time.Now, sleep: time.Sleep}
}

// Read waits for the rest of the interval if the previous read emptied the
// socket less than an interval ago, then reads.
func (c *pacedConn) Read(p []byte) (int, error) {
	if c.drained {
		if w := c.every - c.now().Sub(c.last); w > 0 {
			c.sleep(w)
		}
	}
	c.last = c.now()
	n, err := c.Conn.Read(p)
	c.drained = n < len(p)
	return n, err
}

// pacedClient returns the client for websocket upgrades: hc with a copy of
// its transport whose connections pace their reads, or hc itself if every
// is 0, if hc's transport is not an *http.Transport (a RoundTripper of the
// user's own, which may not even dial) or if that transport has a TLS
// dialler of its own. Over https the pacing is below TLS: the transport's
// TLS runs on the paced connection. closeIdle closes the copy's idle
// connections (nil if there is no copy): an upgrade refused with an HTTP
// answer leaves its connection in the copy's pool, which nothing else would
// ever use.
func pacedClient(hc *http.Client, every time.Duration) (c *http.Client, closeIdle func()) {
	if every <= 0 {
		return hc, nil
	}
	rt := hc.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	base, ok := rt.(*http.Transport)
	if !ok || base.DialTLSContext != nil || base.DialTLS != nil {
		// A TLS dialler of the user's returns a *tls.Conn, which net/http
		// asks for the connection's TLS state: it is not wrapped.
		return hc, nil
	}
	tr := base.Clone()
	dial := tr.DialContext
	if dial == nil && tr.Dial != nil { // the deprecated field, honoured as net/http does
		d := tr.Dial
		dial = func(_ context.Context, network, addr string) (net.Conn, error) { return d(network, addr) }
	}
	if dial == nil {
		dial = (&net.Dialer{}).DialContext // what net/http uses when both are nil
	}
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return newPacedConn(conn, every), nil
	}
	tr.Dial = nil // replaced by DialContext above
	cp := *hc
	cp.Transport = tr
	return &cp, tr.CloseIdleConnections
}
