package omni_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnisdk/omni"
)

// sequence answers each request with the next handler; the last one repeats.
func sequence(hs ...http.HandlerFunc) http.HandlerFunc {
	var n atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if i >= len(hs) {
			i = len(hs) - 1
		}
		hs[i](w, r)
	}
}

func withRetryAfter(v string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", v)
		h(w, r)
	}
}

// hangUp closes the connection after reading the request: the server may
// have acted, the client cannot know.
func hangUp(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}

var ok200 = reply(200, `{"statusCode":0,"referenceId":57,"version":"8.5.200.50"}`)

// Each row of the retry table, for a send (Facebook.Send) and an idempotent
// request (ServerVersion), counting what reached the server.
func TestRetryTable(t *testing.T) {
	tests := []struct {
		name             string
		handler          func() http.HandlerFunc
		unsafe           bool
		sendHits, getHit int
		sendOK, getOK    bool
	}{
		{"429 with Retry-After: safe for sends", func() http.HandlerFunc { return sequence(withRetryAfter("0", reply(429, `{}`)), ok200) }, false, 2, 2, true, true},
		{"503 with Retry-After: safe for sends", func() http.HandlerFunc { return sequence(withRetryAfter("0", reply(503, `{}`)), ok200) }, false, 2, 2, true, true},
		{"Retry-After beyond the cap goes to the caller", func() http.HandlerFunc { return withRetryAfter("120", reply(503, `{}`)) }, false, 1, 1, false, false},
		{"503 without Retry-After: idempotent only", func() http.HandlerFunc { return reply(503, `{}`) }, false, 1, 3, false, false},
		{"502: idempotent only", func() http.HandlerFunc { return sequence(reply(502, `{}`), ok200) }, false, 1, 2, false, true},
		{"504: idempotent only", func() http.HandlerFunc { return sequence(reply(504, `{}`), ok200) }, false, 1, 2, false, true},
		{"429 without Retry-After: idempotent only", func() http.HandlerFunc { return sequence(reply(429, `{}`), ok200) }, false, 1, 2, false, true},
		{"503 with WithRetryUnsafeSends", func() http.HandlerFunc { return sequence(reply(503, `{}`), ok200) }, true, 2, 2, true, true},
		{"500 is never retried", func() http.HandlerFunc { return reply(500, `{"statusCode":4}`) }, false, 1, 1, false, false},
		{"400 is never retried", func() http.HandlerFunc { return reply(400, `{"statusCode":1}`) }, false, 1, 1, false, false},
		{"reset after the request was written: idempotent only", func() http.HandlerFunc { return sequence(hangUp, ok200) }, false, 1, 2, false, true},
		{"reset with WithRetryUnsafeSends", func() http.HandlerFunc { return sequence(hangUp, ok200) }, true, 2, 2, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, kind := range []string{"send", "get"} {
				fs := newFakeServer(t, tt.handler())
				c := newGWS(t, fs, omni.WithRetryUnsafeSends(tt.unsafe))
				var err error
				if kind == "send" {
					_, err = c.Facebook.Send(context.Background(), "X", seedFacebook)
				} else {
					_, err = c.ServerVersion(context.Background())
				}
				hits, wantHits, wantOK := len(fs.requests()), tt.sendHits, tt.sendOK
				if kind == "get" {
					wantHits, wantOK = tt.getHit, tt.getOK
				}
				if hits != wantHits {
					t.Errorf("%s: server saw %d requests, want %d", kind, hits, wantHits)
				}
				if (err == nil) != wantOK {
					t.Errorf("%s: err = %v, want ok=%v", kind, err, wantOK)
				}
			}
		})
	}
}

func TestRetryExhaustedReturnsLastAPIError(t *testing.T) {
	fs := newFakeServer(t, reply(503, `{"statusCode":4,"statusMessage":"overloaded"}`))
	_, err := newGWS(t, fs).ServerVersion(context.Background())
	var ae *omni.APIError
	if !errors.As(err, &ae) || ae.HTTPStatus != 503 || ae.GWSStatusMessage != "overloaded" {
		t.Fatalf("err = %v, want the last *APIError", err)
	}
	if !errors.Is(err, omni.ErrServer) {
		t.Error("not ErrServer")
	}
}

func TestRetryAfterOnAPIError(t *testing.T) {
	fs := newFakeServer(t, withRetryAfter("120", reply(429, `{"requestError":{"serviceException":{"messageId":"TOO_MANY_REQUESTS","text":"slow down"}}}`)))
	_, err := newMessenger(t, fs).Messenger.SendSingle(context.Background(), single(omni.TextMessage("hi")))
	var ae *omni.APIError
	if !errors.As(err, &ae) || ae.RetryAfter != 120*time.Second || !errors.Is(err, omni.ErrRateLimited) {
		t.Fatalf("err = %v", err)
	}
}

func TestConnectionRefusedIsRetriedForSends(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens: every dial is refused
	c, err := omni.NewClient("http://"+addr+"/api/v2", omni.WithBasicAuth("u", "p"), fastRetry)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Facebook.Send(context.Background(), "X", seedFacebook)
	var te *omni.TransportError
	if !errors.As(err, &te) {
		t.Fatalf("err = %v, want *TransportError", err)
	}
	if te.Attempts != 3 {
		t.Errorf("Attempts = %d, want 3 (a refused dial never reached the server)", te.Attempts)
	}
}

// TestCancelStopsRetryWait: a cancel during the wait before a retry ends
// it. The cancel comes when the client logs that it will retry, just before
// the wait: cancelled from the handler, before the answer left, it raced
// the answer's arrival (a flake under load), and an answer that arrives as
// the context ends is used rather than thrown away.
func TestCancelStopsRetryWait(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fs := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "25") // under the 30s cap: the client would wait
		w.WriteHeader(503)
	})
	logger := slog.New(cancelOnLog{msg: "omni: retrying", cancel: cancel})
	_, err := newGWS(t, fs, omni.WithLogger(logger)).Facebook.Send(ctx, "X", seedFacebook)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := len(fs.requests()); n != 1 {
		t.Errorf("%d requests", n)
	}
}

// TestMaxRetryAfterCapsEveryStatus: a GET answered 502 or 504 (or 500)
// with a Retry-After beyond MaxRetryAfter is not waited out: one request,
// the server's *APIError with RetryAfter set.
func TestMaxRetryAfterCapsEveryStatus(t *testing.T) {
	for _, status := range []int{500, 502, 504} {
		fs := newFakeServer(t, withRetryAfter("3600", reply(status, `{"statusCode":4,"statusMessage":"down"}`)))
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		_, err := newGWS(t, fs).ServerVersion(ctx)
		cancel()
		var ae *omni.APIError
		if !errors.As(err, &ae) || ae.HTTPStatus != status || ae.RetryAfter != time.Hour || ae.GWSStatusMessage != "down" {
			t.Errorf("HTTP %d: err = %v, want the *APIError with RetryAfter 1h", status, err)
		}
		if n := len(fs.requests()); n != 1 {
			t.Errorf("HTTP %d: %d requests, want 1", status, n)
		}
	}
}
