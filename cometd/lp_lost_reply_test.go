package cometd

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
)

// Over long-polling, a publish whose request went out and whose response
// never came (the connection closed after the server read it) fails with
// an error wrapping ErrNoReply: the server may have got it (outside
// review: it was net/http's bare EOF, which reads as "not sent").
func TestLongPollingRequestWithoutResponseMayHaveReachedTheServer(t *testing.T) {
	f := newFake(t)
	var reached atomic.Bool
	f.set(func(f *fake) {
		f.httpHook = func(w http.ResponseWriter, r *http.Request) bool {
			b, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(b))
			if !bytes.Contains(b, []byte(`"/p"`)) {
				return false
			}
			reached.Store(true)
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				_ = conn.Close()
			}
			return true
		}
	})
	c, _ := newTestClient(t, f, WithTransports(LongPolling))
	if err := c.Handshake(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	err := c.Publish(ctxT(t), "/p", 1)
	if !errors.Is(err, ErrNoReply) || !reached.Load() {
		t.Fatalf("Publish without a response = %v (reached the server: %v), want an error wrapping ErrNoReply", err, reached.Load())
	}
}

// A publish whose connection could not be opened fails with an error that
// does not wrap ErrNoReply: it was not sent.
func TestLongPollingRequestNotSentDoesNotWrapErrNoReply(t *testing.T) {
	f := newFake(t)
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := closed.Addr().String()
	_ = closed.Close() // nothing listens there any more: dials are refused
	var refuse atomic.Bool
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DisableKeepAlives = true // every request dials
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if refuse.Load() {
			addr = dead
		}
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	c, _ := newTestClient(t, f, WithTransports(LongPolling), WithHTTPClient(&http.Client{Transport: tr}))
	if err := c.Handshake(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	refuse.Store(true)
	err = c.Publish(ctxT(t), "/p", 1)
	if err == nil || errors.Is(err, ErrNoReply) {
		t.Fatalf("Publish whose connection was refused = %v, want an error not wrapping ErrNoReply", err)
	}
	if got := f.recorded("/p"); len(got) != 0 {
		t.Fatalf("the server got %v", got)
	}
}
