package omni

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// hungReadGWS is a GWS that hands out the token "fresh" on GET /me,
// refuses a POST without it for its CSRF token, answers one with it, and
// never answers any other GET. It returns a client on it with one such read
// hanging (until the test ends) when it returns.
func hungReadGWS(t *testing.T) *Client {
	t.Helper()
	hung := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/me"):
			w.Header().Set("X-CSRF-HEADER", "X-CSRF-TOKEN")
			w.Header().Set("X-CSRF-TOKEN", "fresh")
			io.WriteString(w, `{"statusCode":0}`)
		case r.Method == http.MethodGet:
			once.Do(func() { close(hung) })
			select {
			case <-release:
			case <-r.Context().Done():
			}
		case r.Header.Get("X-CSRF-TOKEN") != "fresh":
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"statusCode":3,"statusMessage":"Missing or invalid Csrf token"}`)
		default:
			io.WriteString(w, `{"statusCode":0,"referenceId":1}`)
		}
	}))
	c, err := NewClient(srv.URL+"/api/v2", WithBasicAuth("u", "p"))
	if err != nil {
		t.Fatal(err)
	}
	readCtx, stopRead := context.WithCancel(context.Background())
	t.Cleanup(func() { stopRead(); c.Close(); close(release); srv.Close() })
	go func() { _, _ = c.ServerVersion(readCtx) }()
	<-hung
	return c
}

// TestCSRFGateWaitIsBounded: a GWS request whose answer never comes (a
// server that hangs, a caller without a deadline) must not hold the token
// fetch, and with it every GWS request of the client, for as long as it
// hangs: after quiesceMax the token is fetched anyway. Without the bound
// the send below waited for the hung read until its own deadline.
func TestCSRFGateWaitIsBounded(t *testing.T) {
	defer func(d time.Duration) { quiesceMax = d }(quiesceMax)
	quiesceMax = 50 * time.Millisecond
	c := hungReadGWS(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.Facebook.Send(ctx, "X", FacebookSend{QueuePath: "/q", From: "me", Message: "m"}); err != nil {
		t.Errorf("send while another request hangs: %v", err)
	}
}

// TestCSRFGateForgetsAHungRequest: once a token fetch stopped waiting for
// a request whose answer does not come, later refreshes (of the other
// callers refused meanwhile) do not wait for it again. Each used to wait
// its full bound for the same hung request, one after another: 20 sends
// took 20 bounds, most past their deadline.
func TestCSRFGateForgetsAHungRequest(t *testing.T) {
	defer func(d time.Duration) { quiesceMax = d }(quiesceMax)
	quiesceMax = 300 * time.Millisecond
	c := hungReadGWS(t)
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			_, errs[i] = c.Facebook.Send(ctx, "X", FacebookSend{QueuePath: "/q", From: "me", Message: "m"})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("send %d: %v", i, err)
		}
	}
}

// TestCSRFRetryThatNeverLeftKeepsTheRefusal: when the retry after a token
// fetch never leaves (held back by another refresh until the context
// ended, or a refused dial), the error is that retry's *TransportError
// (never sent, attempts counted across the fetch) with the server's last
// word, the refusal, beside it. It used to be the *TransportError alone
// (no ErrForbidden), then the refusal alone (no *TransportError to read
// Attempts from; both found by outside reviewers).
func TestCSRFRetryThatNeverLeftKeepsTheRefusal(t *testing.T) {
	c, err := NewClient("http://gws.test/api/v2", WithBasicAuth("u", "p"),
		WithHTTPClient(&http.Client{Transport: &scriptedRT{posts: []string{"csrf", "refuse"}}}),
		WithRetry(RetryPolicy{MaxAttempts: 2, MinWait: 1, MaxWait: 2}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Facebook.Send(context.Background(), "X", FacebookSend{QueuePath: "/q", From: "me", Message: "m"})
	var ae *APIError
	var te *TransportError
	if !errors.Is(err, ErrForbidden) || !errors.As(err, &ae) || ae.HTTPStatus != http.StatusForbidden {
		t.Errorf("err = %v, want the 403 refusal beside the retry's error", err)
	}
	if !errors.As(err, &te) || te.Attempts != 2 || te.MayHaveReachedServer {
		t.Errorf("err = %v, want the retry's *TransportError: 2 attempts, never sent", err)
	}
}

// TestCSRFRefusalDoesNotHideAnEarlierUnansweredAttempt: with
// WithRetryUnsafeSends, a send whose first attempt broke after it was
// written, whose second was refused for its CSRF token and whose third
// never left may have been posted by the first: the error says so. The
// refusal alone (ErrForbidden, "did nothing") was returned before.
func TestCSRFRefusalDoesNotHideAnEarlierUnansweredAttempt(t *testing.T) {
	for _, script := range [][]string{{"reset", "csrf", "refuse"}, {"reset", "csrf"}} {
		rt := &scriptedRT{posts: script, noToken: len(script) == 2}
		c, err := NewClient("http://gws.test/api/v2", WithBasicAuth("u", "p"), WithRetryUnsafeSends(true),
			WithHTTPClient(&http.Client{Transport: rt}), WithRetry(RetryPolicy{MaxAttempts: 3, MinWait: 1, MaxWait: 2}))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Facebook.Send(context.Background(), "X", FacebookSend{QueuePath: "/q", From: "me", Message: "m"})
		var te *TransportError
		if !errors.As(err, &te) || !te.MayHaveReachedServer {
			t.Errorf("%v: err = %v, want a *TransportError that may have reached the server", script, err)
		}
	}
}

// scriptedRT answers GWS requests in memory: GET /me with a token (none
// with noToken), and POSTs in turn by posts: "csrf" is the 403 CSRF
// refusal, "reset" a failure after the request was written, "refuse" a
// refused dial (the request never left); past the script, 200.
type scriptedRT struct {
	posts   []string
	noToken bool
	n       atomic.Int32
}

func (rt *scriptedRT) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	h := http.Header{"Content-Type": {"application/json"}}
	ok := func(code int, body string) (*http.Response, error) {
		return &http.Response{StatusCode: code, Header: h, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
	}
	if r.Method == http.MethodGet {
		if !rt.noToken {
			h.Set("X-CSRF-HEADER", "X-CSRF-TOKEN")
			h.Set("X-CSRF-TOKEN", "fresh")
		}
		return ok(200, `{"statusCode":0}`)
	}
	i := int(rt.n.Add(1)) - 1
	if i >= len(rt.posts) {
		return ok(200, `{"statusCode":0,"referenceId":1}`)
	}
	switch rt.posts[i] {
	case "csrf":
		return ok(403, `{"statusCode":3,"statusMessage":"Missing or invalid Csrf token"}`)
	case "reset":
		return nil, io.ErrUnexpectedEOF
	default:
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	}
}
