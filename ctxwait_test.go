package omni_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omnisdk/omni"
)

// TestWaitThatOutlastsTheDeadlineIsNotStarted: a 503 with Retry-After 25
// and 20 s of ctx left, or a backoff longer than the time left: the client
// does not sleep into "context deadline exceeded" but hands over the
// server's *APIError (RetryAfter set) after one request.
func TestWaitThatOutlastsTheDeadlineIsNotStarted(t *testing.T) {
	cases := []struct {
		name    string
		handler http.HandlerFunc
		policy  omni.RetryPolicy
		ra      time.Duration
	}{
		{"Retry-After 25", withRetryAfter("25", reply(503, `{"statusCode":4,"statusMessage":"busy"}`)), omni.RetryPolicy{}, 25 * time.Second},
		{"backoff 60s", reply(503, `{"statusCode":4,"statusMessage":"busy"}`), omni.RetryPolicy{MinWait: time.Minute, MaxWait: time.Minute}, 0},
	}
	for _, tc := range cases {
		fs := newFakeServer(t, tc.handler)
		// 20 s left: less than either wait (Retry-After 25 is under the 30 s
		// cap, so only the deadline keeps the client from waiting).
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		_, err := newGWS(t, fs, omni.WithRetry(tc.policy)).ServerVersion(ctx)
		cancel()
		var ae *omni.APIError
		if !errors.As(err, &ae) || ae.HTTPStatus != 503 || ae.RetryAfter != tc.ra || ae.GWSStatusMessage != "busy" {
			t.Errorf("%s: err = %v, want the 503 *APIError with RetryAfter %v", tc.name, err, tc.ra)
		}
		if errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: err = %v: the client waited out the context", tc.name, err)
		}
		if n := len(fs.requests()); n != 1 {
			t.Errorf("%s: %d requests, want 1", tc.name, n)
		}
	}
}

// cancelOnLog cancels when the client logs the message (it logs "omni:
// retrying" just before it starts waiting).
type cancelOnLog struct {
	msg    string
	cancel context.CancelFunc
}

func (h cancelOnLog) Enabled(context.Context, slog.Level) bool { return true }
func (h cancelOnLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.msg {
		h.cancel()
	}
	return nil
}
func (h cancelOnLog) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h cancelOnLog) WithGroup(string) slog.Handler      { return h }

// TestCancelDuringRetryWaitKeepsTheAnswer: ctx cancelled while the client
// waits out a Retry-After: the error wraps both ctx.Err() and the server's
// *APIError.
func TestCancelDuringRetryWaitKeepsTheAnswer(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fs := newFakeServer(t, withRetryAfter("25", reply(503, `{"statusCode":4,"statusMessage":"busy"}`)))
	c := newGWS(t, fs, omni.WithLogger(slog.New(cancelOnLog{"omni: retrying", cancel})))
	_, err := c.Facebook.Send(ctx, "X", seedFacebook)
	var ae *omni.APIError
	if !errors.Is(err, context.Canceled) || !errors.As(err, &ae) || ae.RetryAfter != 25*time.Second || ae.HTTPStatus != 503 {
		t.Fatalf("err = %v, want context.Canceled and the 503 *APIError with RetryAfter 25s", err)
	}
	if !strings.Contains(err.Error(), "HTTP 503") {
		t.Errorf("err = %q does not show the server's answer", err)
	}
	if n := len(fs.requests()); n != 1 {
		t.Errorf("%d requests", n)
	}
}

// TestAnswerCutOffByTheContextIsATransportError: no answer at all (the
// caller's deadline or cancel ends the request after it was written) is a
// *TransportError that may have reached the server and still matches the
// context error.
func TestAnswerCutOffByTheContextIsATransportError(t *testing.T) {
	for _, cause := range []error{context.DeadlineExceeded, context.Canceled} {
		got := make(chan struct{})
		fs := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
			close(got)
			<-r.Context().Done() // never answers
		})
		// The context ends once the server has the request: a deadline
		// reached (without timing on it) or a cancel.
		var ctx context.Context
		var cancel context.CancelFunc
		if cause == context.DeadlineExceeded {
			md := &manualDeadline{Context: context.Background(), done: make(chan struct{})}
			ctx, cancel = md, md.expire
		} else {
			ctx, cancel = context.WithCancel(context.Background())
		}
		go func() { <-got; cancel() }()
		_, err := newGWS(t, fs).Facebook.Send(ctx, "X", seedFacebook)
		cancel()
		var te *omni.TransportError
		if !errors.As(err, &te) || !te.MayHaveReachedServer || !errors.Is(err, cause) {
			t.Errorf("%v: err = %#v, want a *TransportError (MayHaveReachedServer) wrapping %v", cause, err, cause)
		}
	}
	// A context already done: nothing is sent.
	fs := newFakeServer(t, ok200)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := newGWS(t, fs).Facebook.Send(ctx, "X", seedFacebook)
	var te *omni.TransportError
	if !errors.As(err, &te) || te.MayHaveReachedServer || !errors.Is(err, context.Canceled) {
		t.Errorf("done ctx: err = %#v, want a *TransportError that never reached the server", err)
	}
	if n := len(fs.requests()); n != 0 {
		t.Errorf("done ctx: %d requests", n)
	}
}

// manualDeadline is a context whose deadline is reached when expire is
// called, so a test can end it at a chosen moment without timing.
type manualDeadline struct {
	context.Context
	done chan struct{}
	once sync.Once
}

func (m *manualDeadline) expire()               { m.once.Do(func() { close(m.done) }) }
func (m *manualDeadline) Done() <-chan struct{} { return m.done }
func (m *manualDeadline) Err() error {
	select {
	case <-m.done:
		return context.DeadlineExceeded
	default:
		return nil
	}
}
