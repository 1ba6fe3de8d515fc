package omni_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnisdk/omni"
)

// TestMayHaveReachedServerCountsEveryAttempt: a request whose first
// attempt was written and answered (503, Retry-After 0) and whose retry is
// cut off by the context before it is written did reach the server: the
// *TransportError says so. Each attempt used to reset the record, so it
// said false (found by an outside reviewer's stress run).
func TestMayHaveReachedServerCountsEveryAttempt(t *testing.T) {
	var n atomic.Int32
	fs := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Connection", "close") // the retry needs a new connection
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, `{"statusCode":0,"version":"8.5"}`)
	})
	var dials atomic.Int32
	d := &net.Dialer{}
	stop := make(chan struct{})
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if dials.Add(1) > 1 {
			// The retry's connection never comes (net/http dials on with a
			// context of its own after the request gave up: until cleanup).
			select {
			case <-ctx.Done():
			case <-stop:
			}
			return nil, errors.New("no connection")
		}
		return d.DialContext(ctx, network, addr)
	}}
	t.Cleanup(func() { close(stop); tr.CloseIdleConnections() })
	hc := &http.Client{Transport: tr}
	c := newGWS(t, fs, omni.WithHTTPClient(hc))
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_, err := c.ServerVersion(ctx)
	var te *omni.TransportError
	if !errors.As(err, &te) || !te.MayHaveReachedServer {
		t.Errorf("err = %#v, want a *TransportError with MayHaveReachedServer (the first attempt was answered)", err)
	}
}

// refusingAfterFirst is a dialer whose first dial connects and every later
// one is refused, as by a server that went away.
func refusingAfterFirst() *http.Transport {
	var dials atomic.Int32
	d := &net.Dialer{}
	return &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if dials.Add(1) > 1 {
			return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("connection refused")}
		}
		return d.DialContext(ctx, network, addr)
	}}
}

// TestMayHaveReachedServerAfterARefusedRetry: the first attempt was
// written (the connection broke after it, or it was answered 502) and the
// retries' dials were refused: the request may have reached the server, and
// the *TransportError says so. It said false, judging by the last attempt
// only, so a caller trusting it could post twice (found by an outside
// reviewer).
func TestMayHaveReachedServerAfterARefusedRetry(t *testing.T) {
	for _, tc := range []struct {
		name  string
		first http.HandlerFunc
		send  bool
	}{
		{"send, broken after writing", hangUp, true},
		{"send, answered 502", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Connection", "close") // the retries need new connections
			reply(502, `{"statusCode":1}`)(w, r)
		}, true},
		{"read, broken after writing", hangUp, false},
	} {
		fs := newFakeServer(t, tc.first)
		tr := refusingAfterFirst()
		t.Cleanup(tr.CloseIdleConnections)
		c := newGWS(t, fs, omni.WithHTTPClient(&http.Client{Transport: tr}), omni.WithRetryUnsafeSends(true))
		var err error
		if tc.send {
			_, err = c.Facebook.Send(context.Background(), "X", seedFacebook)
		} else {
			_, err = c.ServerVersion(context.Background())
		}
		var te *omni.TransportError
		if !errors.As(err, &te) || !te.MayHaveReachedServer {
			t.Errorf("%s: err = %#v, want a *TransportError with MayHaveReachedServer", tc.name, err)
		}
		if n := len(fs.requests()); n != 1 {
			t.Errorf("%s: the server saw %d requests, want 1", tc.name, n)
		}
	}
}
