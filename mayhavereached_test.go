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
