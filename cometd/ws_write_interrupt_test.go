package cometd

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// A websocket write that cannot finish (the server stopped reading and the
// socket's buffers are full) ends when its context does: the client closes
// the socket, the send fails (ErrNoReply, the client's own deadline), and the client
// recovers on a new socket. coder/websocket gets a context that is never
// done for the write itself (see wsTransport.send), so this is the
// client's own doing. The caller's context has no deadline: the error is
// ErrNoReply, not context.DeadlineExceeded.
func TestWebSocketWriteInterruptedByItsContext(t *testing.T) {
	f := newFake(t)
	blocked, release := make(chan struct{}), make(chan struct{})
	f.set(func(f *fake) {
		f.hook = func(m msg) ([]msg, bool) {
			if m["channel"] == "/block" {
				close(blocked)
				<-release // the server reads nothing more on this socket
			}
			return nil, false
		}
	})
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()
	c, _ := newTestClient(t, f, WithTransports(WebSocket), WithMaxNetworkDelay(200*time.Millisecond))
	if err := c.Handshake(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "connected", func() bool { return c.State() == StateConnected })
	go func() { _ = c.Publish(context.Background(), "/block", 1) }()
	<-blocked
	// More than the socket buffers can hold (tcp_wmem and tcp_rmem at most 4 + 32 MiB).
	big := strings.Repeat("x", 40<<20)
	done := make(chan error, 1)
	go func() { done <- c.Publish(context.Background(), "/big", big) }()
	select {
	case err := <-done:
		if !errors.Is(err, ErrNoReply) || errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Publish of a frame the server does not read = %v, want ErrNoReply (and not the caller's context error)", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a write the server does not read was not interrupted by its context")
	}
	close(release)
	f.set(func(f *fake) { f.hook = nil })
	if err := c.Publish(ctxT(t), "/after", 1); err != nil {
		t.Fatalf("Publish after the interrupted write: %v", err)
	}
}

// A send whose context ended before it began writes nothing and leaves the
// socket as it is.
func TestWebSocketSendWithEndedContextWritesNothing(t *testing.T) {
	f := newFake(t)
	c, _ := newTestClient(t, f, WithTransports(WebSocket))
	if err := c.Handshake(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "connected", func() bool { return c.State() == StateConnected })
	c.ws.mu.Lock()
	sock := c.ws.sock
	c.ws.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := c.ws.send(ctx, []*Message{{Channel: "/never", ID: "x1", ClientID: c.ClientID()}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("send with an ended context = %v, want context.Canceled", err)
	}
	if got := f.recorded("/never"); len(got) != 0 {
		t.Fatalf("the server got %v", got)
	}
	c.ws.mu.Lock()
	same := c.ws.sock == sock
	c.ws.mu.Unlock()
	if !same {
		t.Fatal("a send that wrote nothing dropped the socket")
	}
	if err := c.Publish(ctxT(t), "/after", 1); err != nil {
		t.Fatal(err)
	}
}
