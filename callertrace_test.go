package omni_test

import (
	"context"
	"net/http/httptrace"
	"sync/atomic"
	"testing"
)

// TestCallersTraceIsKeptAndNotCarriedOver: an httptrace.ClientTrace the
// caller put in the context still sees its request's events, and only its
// own request's: the client's per-request trace state is reused between
// calls, and must not keep the caller's hooks for the next call.
func TestCallersTraceIsKeptAndNotCarriedOver(t *testing.T) {
	fs := newFakeServer(t, ok200)
	c := newGWS(t, fs)
	var gotConn atomic.Int32
	traced := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		GetConn: func(string) { gotConn.Add(1) },
	})
	if _, err := c.Facebook.Send(traced, "X", seedFacebook); err != nil {
		t.Fatal(err)
	}
	if n := gotConn.Load(); n != 1 {
		t.Fatalf("the caller's GetConn ran %d times for its request, want 1", n)
	}
	for range 3 {
		if _, err := c.Facebook.Send(context.Background(), "X", seedFacebook); err != nil {
			t.Fatal(err)
		}
	}
	if n := gotConn.Load(); n != 1 {
		t.Errorf("the caller's GetConn ran %d times, want 1: it was carried over to other calls", n)
	}
}
