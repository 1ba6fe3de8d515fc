package cometd

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
)

// A publish the server got, on a socket that then closed before the reply,
// fails with an error wrapping ErrNoReply: the message may have reached the
// server, and a caller must not take the error for "not sent" (outside
// review: it was the reader's bare EOF).
func TestWebSocketRequestLostWithItsSocketMayHaveReachedTheServer(t *testing.T) {
	f := newFake(t)
	f.set(func(f *fake) {
		f.hook = func(m msg) ([]msg, bool) {
			if m["channel"] != "/p" {
				return nil, false
			}
			f.mu.Lock()
			for c := range f.wsConns {
				_ = c.CloseNow()
			}
			f.mu.Unlock()
			return nil, true // no reply
		}
	})
	c, _ := newTestClient(t, f, WithTransports(WebSocket))
	if err := c.Handshake(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "connected", func() bool { return c.State() == StateConnected })
	err := c.Publish(ctxT(t), "/p", 1)
	if !errors.Is(err, ErrNoReply) {
		t.Fatalf("Publish lost with its socket = %v, want an error wrapping ErrNoReply", err)
	}
	if got := f.recorded("/p"); len(got) != 1 {
		t.Fatalf("the server got %d publishes, want 1", len(got))
	}
}

// failingConn is a client connection whose writes can be made to fail
// while its reads go on, as when the peer has reset the connection after
// sending replies still unread.
type failingConn struct {
	net.Conn
	fail atomic.Bool
}

func (c *failingConn) Write(b []byte) (int, error) {
	if c.fail.Load() {
		return 0, errors.New("injected write failure")
	}
	return c.Conn.Write(b)
}

// A failed write does not throw away the replies the server sent before:
// the publish written earlier, whose reply arrives after another write on
// the same socket failed, succeeds; the publish whose write failed gets an
// error that does not wrap ErrNoReply (the server cannot have read it).
// Before, the failed write closed the socket at once and the earlier
// publish failed with the other's write error, though the server had
// answered it (outside review). The retired socket is closed after
// retireGrace even though its reader would go on.
func TestWebSocketWriteFailureLeavesEarlierRepliesToTheReader(t *testing.T) {
	f := newFake(t)
	got, release := make(chan struct{}), make(chan struct{})
	f.set(func(f *fake) {
		f.hook = func(m msg) ([]msg, bool) {
			if m["channel"] == "/p1" {
				close(got)
				<-release
			}
			return nil, false
		}
	})
	var (
		mu    sync.Mutex
		conns []*failingConn
	)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		nc, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		fc := &failingConn{Conn: nc}
		mu.Lock()
		conns = append(conns, fc)
		mu.Unlock()
		return fc, nil
	}
	c, _ := newTestClient(t, f, WithTransports(WebSocket), WithHTTPClient(&http.Client{Transport: tr}))
	if err := c.Handshake(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "connected", func() bool { return c.State() == StateConnected })
	done := make(chan error, 1)
	go func() { done <- c.Publish(ctxT(t), "/p1", 1) }()
	<-got
	mu.Lock()
	conns[len(conns)-1].fail.Store(true)
	mu.Unlock()
	err := c.Publish(ctxT(t), "/p2", 2)
	if err == nil || errors.Is(err, ErrNoReply) {
		t.Fatalf("Publish whose write failed = %v, want an error not wrapping ErrNoReply", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("Publish answered before the other write failed = %v, want nil", err)
	}
	if got := f.recorded("/p2"); len(got) != 0 {
		t.Fatalf("the server got /p2: %v", got)
	}
	if err := c.Publish(ctxT(t), "/p3", 3); err != nil {
		t.Fatalf("Publish on the next socket = %v", err)
	}
	// The old socket's peer is alive, so its reader never fails by
	// itself: retireGrace closes it, and its reader ends.
	eventually(t, "the retired socket closed after its grace", func() bool {
		c.ws.mu.Lock()
		defer c.ws.mu.Unlock()
		return c.ws.readers == 1
	})
}
