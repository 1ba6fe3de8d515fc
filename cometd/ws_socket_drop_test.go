package cometd

import (
	"errors"
	"testing"
)

// A socket dropped while a request goes out on its successor does not fail
// that request: requests are failed by the socket they were written on. The
// drop of the first socket is held between its forgetting the socket and
// its failing the requests (where the reader's goroutine can be preempted),
// the publish goes out on a new socket meanwhile, and the held drop then
// runs. Before the fix the publish failed with the old socket's error,
// though the server had it and answered: a caller retrying would publish it
// twice (outside review, stop 23).
func TestWebSocketDropSparesRequestsWrittenOnTheNextSocket(t *testing.T) {
	f := newFake(t)
	got, releaseReply := make(chan struct{}), make(chan struct{})
	f.set(func(f *fake) {
		f.hook = func(m msg) ([]msg, bool) {
			if m["channel"] == "/p2" {
				close(got)
				<-releaseReply
			}
			return nil, false
		}
	})
	c, _ := newTestClient(t, f, WithTransports(WebSocket))
	if err := c.Handshake(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "connected", func() bool { return c.State() == StateConnected })

	inFailed, releaseFailed := make(chan struct{}), make(chan struct{})
	c.ws.mu.Lock() // drop reads failed after taking mu
	s1, failed := c.ws.sock, c.ws.failed
	c.ws.failed = func(s *wsSocket, err error) {
		if s == s1 {
			close(inFailed)
			<-releaseFailed
		}
		failed(s, err)
	}
	c.ws.mu.Unlock()
	go c.ws.reset()
	<-inFailed

	done := make(chan error, 1)
	go func() { done <- c.Publish(ctxT(t), "/p2", 1) }()
	<-got
	eventually(t, "the publish recorded as written on the new socket", func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, p := range c.pending {
			if p.sock != nil && p.sock != s1 {
				return true
			}
		}
		return false
	})
	close(releaseFailed)
	eventually(t, "the old socket's requests failed", func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		for _, p := range c.pending {
			if p.sock == s1 {
				return false
			}
		}
		return true
	})
	close(releaseReply)
	if err := <-done; err != nil {
		var we *wsError
		t.Fatalf("Publish written on the new socket = %v (a *wsError of the old socket: %v), want nil", err, errors.As(err, &we))
	}
}
