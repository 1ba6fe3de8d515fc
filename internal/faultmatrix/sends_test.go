package faultmatrix

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/omnitest"
)

// matrixRetry keeps the backoff short; Retry-After (whole seconds) is still
// honoured as sent.
var matrixRetry = omni.WithRetry(omni.RetryPolicy{MaxAttempts: 4, MinWait: 10 * time.Millisecond, MaxWait: 50 * time.Millisecond})

// messengerClient returns a Messenger-only client for base.
func messengerClient(t *testing.T, base string, opts ...omni.Option) *omni.Client {
	t.Helper()
	opts = append([]omni.Option{omni.WithMessenger(base, omni.AppKey("matrix-key")), matrixRetry}, opts...)
	c, err := omni.NewClient("", opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// text is the unique text of the n-th message of a test.
func text(t *testing.T, n int) string { return fmt.Sprintf("%s #%d", t.Name(), n) }

func textMessage(s string) omni.SingleMessage {
	return omni.SingleMessage{From: "app", To: "user", Message: omni.TextMessage(s)}
}

// messengerCopies counts the copies of text the Messenger endpoint accepted.
func messengerCopies(srv *omnitest.Server, text string) int {
	n := 0
	for _, m := range srv.MessengerMessages() {
		if strings.Contains(string(m.Message), text) {
			n++
		}
	}
	return n
}

// describe says in words what the caller got back.
func describe(err error) string {
	if err == nil {
		return "success"
	}
	var api *omni.APIError
	var tr *omni.TransportError
	var de *omni.DecodeError
	switch {
	case errors.As(err, &api):
		s := fmt.Sprintf("*APIError HTTP %d", api.HTTPStatus)
		if api.GWSStatusCode != 0 {
			s += fmt.Sprintf(" statusCode %d", int(api.GWSStatusCode))
		}
		for _, k := range []struct {
			e    error
			name string
		}{{omni.ErrUnauthorized, "ErrUnauthorized"}, {omni.ErrRateLimited, "ErrRateLimited"}, {omni.ErrServer, "ErrServer"}, {omni.ErrForbidden, "ErrForbidden"}} {
			if errors.Is(err, k.e) {
				s += " (" + k.name + ")"
				break
			}
		}
		return s
	case errors.As(err, &tr):
		return fmt.Sprintf("*TransportError after %d attempt(s)", tr.Attempts)
	case errors.As(err, &de):
		return "*DecodeError"
	case errors.Is(err, context.DeadlineExceeded):
		return "context.DeadlineExceeded"
	}
	return fmt.Sprintf("%T", err)
}

// sendOutcome is what one send through a fault produced.
type sendOutcome struct {
	err      error
	requests int // requests that reached the server's send route
	copies   int // messages the server processed
}

// lostDup derives the lost and duplicated columns: a message is lost when
// the caller was told it succeeded but the server has no copy, duplicated
// for every copy beyond the first.
func (o sendOutcome) lostDup() (lost, dup int) {
	if o.err == nil && o.copies == 0 {
		lost = 1
	}
	if o.copies > 1 {
		dup = o.copies - 1
	}
	return lost, dup
}

// TestSendFaultsMessenger runs one Messenger send through each fault the
// simulator injects and checks the retry table's promise: a send is
// repeated only when the server cannot have acted on it.
func TestSendFaultsMessenger(t *testing.T) {
	cases := []struct {
		fault        string
		inject       omnitest.Fault
		unsafe       bool
		ctxTimeout   time.Duration
		wantErr      func(error) bool
		wantRequests int
		wantCopies   int
		sdk          string
	}{
		{fault: "connection reset before the response (request not processed)", inject: omnitest.ResetBeforeBody(),
			wantErr: isTransport, wantRequests: 1, wantCopies: 0,
			sdk: "does not retry: the connection broke after the request was written, the server may have acted"},
		{fault: "connection reset before the response, WithRetryUnsafeSends(true)", inject: omnitest.ResetBeforeBody(), unsafe: true,
			wantErr: isNil, wantRequests: 2, wantCopies: 1,
			sdk: "retries (caller opted in)"},
		{fault: "connection reset after the server processed the send", inject: omnitest.ResetAfterProcessing(),
			wantErr: isTransport, wantRequests: 1, wantCopies: 1,
			sdk: "does not retry; the caller learns the outcome is unknown"},
		{fault: "connection reset after processing, WithRetryUnsafeSends(true)", inject: omnitest.ResetAfterProcessing(), unsafe: true,
			wantErr: isNil, wantRequests: 2, wantCopies: 2,
			sdk: "retries (caller opted in): the message is delivered twice"},
		{fault: "429 with Retry-After: 1", inject: omnitest.Status(429).RetryAfter(time.Second),
			wantErr: isNil, wantRequests: 2, wantCopies: 1,
			sdk: "waits Retry-After, retries once"},
		{fault: "503 with Retry-After: 1 (twice)", inject: omnitest.Status(503).RetryAfter(time.Second).Times(2),
			wantErr: isNil, wantRequests: 3, wantCopies: 1,
			sdk: "waits Retry-After each time, retries"},
		{fault: "429 without Retry-After", inject: omnitest.Status(429),
			wantErr: is(omni.ErrRateLimited), wantRequests: 1, wantCopies: 0,
			sdk: "does not retry a send (the vendor may have acted)"},
		{fault: "500", inject: omnitest.Status(500),
			wantErr: is(omni.ErrServer), wantRequests: 1, wantCopies: 0,
			sdk: "does not retry"},
		{fault: "502", inject: omnitest.Status(502),
			wantErr: is(omni.ErrServer), wantRequests: 1, wantCopies: 0,
			sdk: "does not retry a send"},
		{fault: "504", inject: omnitest.Status(504),
			wantErr: is(omni.ErrServer), wantRequests: 1, wantCopies: 0,
			sdk: "does not retry a send"},
		{fault: "server hangs past the caller's deadline (300 ms)", inject: omnitest.Hang(), ctxTimeout: 300 * time.Millisecond,
			wantErr: is(context.DeadlineExceeded), wantRequests: 1, wantCopies: 0,
			sdk: "stops at the deadline, no retry"},
		{fault: "truncated JSON body at 200", inject: omnitest.MalformedJSON(),
			wantErr: isDecode, wantRequests: 1, wantCopies: 0,
			sdk: "does not retry; reports the body it could not decode"},
		{fault: "401 (bad API key)", inject: omnitest.Status(401),
			wantErr: is(omni.ErrUnauthorized), wantRequests: 1, wantCopies: 0,
			sdk: "does not retry"},
	}
	for _, tc := range cases {
		t.Run(tc.fault, func(t *testing.T) {
			srv := omnitest.NewServer(t)
			var opts []omni.Option
			if tc.unsafe {
				opts = append(opts, omni.WithRetryUnsafeSends(true))
			}
			c := messengerClient(t, srv.MessengerURL(), opts...)
			srv.Inject(omnitest.RouteMessengerSend, tc.inject)
			timeout := tc.ctxTimeout
			if timeout == 0 {
				timeout = guard
			}
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			msg := text(t, 1)
			_, err := c.Messenger.SendSingle(ctx, textMessage(msg))
			o := sendOutcome{err: err, requests: countRequests(srv, omnitest.RouteMessengerSend, 0), copies: messengerCopies(srv, msg)}
			if !tc.wantErr(err) {
				t.Fatalf("caller got %v (%s)", err, describe(err))
			}
			if o.requests != tc.wantRequests || o.copies != tc.wantCopies {
				t.Fatalf("server saw %d requests and processed %d copies, want %d and %d", o.requests, o.copies, tc.wantRequests, tc.wantCopies)
			}
			lost, dup := o.lostDup()
			if lost != 0 {
				t.Fatal("the caller was told the send succeeded but the server has no copy")
			}
			record(t, Row{Area: "send", Fault: tc.fault,
				SDK:    fmt.Sprintf("%s (%s)", tc.sdk, plural(o.requests, "request")),
				Caller: describe(err), Sent: 1, Received: o.copies, Lost: lost, Duplicated: dup})
		})
	}
}

func isNil(err error) bool { return err == nil }

func isTransport(err error) bool {
	var tr *omni.TransportError
	return errors.As(err, &tr)
}

func isDecode(err error) bool {
	var de *omni.DecodeError
	return errors.As(err, &de)
}

func is(target error) func(error) bool {
	return func(err error) bool { return errors.Is(err, target) }
}

// TestSendConnectionRefused: nothing listens; the request never left, so
// even a send is retried, and the caller gets a *TransportError with the
// number of attempts.
func TestSendConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := messengerClient(t, "http://"+addr)
	_, err = c.Messenger.SendSingle(context.Background(), textMessage(text(t, 1)))
	var tr *omni.TransportError
	if !errors.As(err, &tr) || tr.Attempts != 4 {
		t.Fatalf("got %v, want a *TransportError after 4 attempts", err)
	}
	record(t, Row{Area: "send", Fault: "connection refused",
		SDK:    fmt.Sprintf("retries with backoff (%s, the request never left)", plural(tr.Attempts, "attempt")),
		Caller: describe(err), Sent: 1, Received: 0})
}

// misbehaving starts a server whose send endpoint counts the request as
// processed and then answers with answer.
func misbehaving(t *testing.T, answer func(w http.ResponseWriter)) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		n.Add(1)
		answer(w)
	}))
	t.Cleanup(hs.Close)
	return hs, &n
}

// TestSendBadBodies: the server processes the send and answers with a body
// the client cannot use. The client never retries (the send happened) and
// reads at most 10 MiB of any body.
func TestSendBadBodies(t *testing.T) {
	const huge = 64 << 20
	var written atomic.Int64
	cases := []struct {
		fault   string
		answer  func(w http.ResponseWriter)
		wantErr func(error) bool
		sdk     func() string
	}{
		{fault: "body cut short (Content-Length 200, 20 bytes sent)", answer: func(w http.ResponseWriter) {
			w.Header().Set("Content-Length", "200")
			w.WriteHeader(200)
			_, _ = io.WriteString(w, `{"to":"user","messag`)
		}, wantErr: isTransport, sdk: func() string { return "does not retry; reports the broken read" }},
		{fault: "malformed body (HTML at 200)", answer: func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, "<html><body>Bad gateway</body></html>")
		}, wantErr: isDecode, sdk: func() string { return "does not retry; keeps the first 64 KiB of the body in the error" }},
		{fault: "64 MiB body at 200", answer: func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			chunk := []byte(strings.Repeat(" ", 64<<10))
			for written.Load() < huge {
				n, err := w.Write(chunk)
				written.Add(int64(n))
				if err != nil {
					return
				}
			}
		}, wantErr: isTransport, sdk: func() string {
			return fmt.Sprintf("stops reading after 10 MiB and closes the connection (server managed to write %d MiB of 64)", written.Load()>>20)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.fault, func(t *testing.T) {
			hs, processed := misbehaving(t, tc.answer)
			c := messengerClient(t, hs.URL)
			_, err := c.Messenger.SendSingle(context.Background(), textMessage(text(t, 1)))
			if !tc.wantErr(err) {
				t.Fatalf("caller got %v", err)
			}
			if processed.Load() != 1 {
				t.Fatalf("server saw %d requests, want 1 (no retry)", processed.Load())
			}
			hs.CloseClientConnections()
			if strings.HasPrefix(tc.fault, "64 MiB") && written.Load() >= huge {
				t.Fatalf("the client read the whole %d MiB body", written.Load()>>20)
			}
			record(t, Row{Area: "send", Fault: tc.fault, SDK: tc.sdk() + " (1 request)",
				Caller: describe(err), Sent: 1, Received: 1})
		})
	}
}

// gwsTap counts the Facebook posts the simulator processed, by text, from
// the state-change notifications it publishes for each.
type gwsTap struct {
	mu   sync.Mutex
	seen map[string]int
}

func (g *gwsTap) copies(text string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.seen[text]
}

// gwsClient returns a GWS client for srv and a tap on its Facebook
// notifications. The client's own CometD subscription is the tap.
func gwsClient(t *testing.T, srv *omnitest.Server, opts ...omni.Option) (*omni.Client, *gwsTap) {
	t.Helper()
	opts = append([]omni.Option{omni.WithBasicAuth("agent1", "matrix-pass"), matrixRetry}, opts...)
	c, err := omni.NewClient(srv.URL(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	tap := &gwsTap{seen: map[string]int{}}
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	sub, err := c.Subscribe(ctx, omni.OnFacebook(func(e *omni.FacebookStateChange) {
		tap.mu.Lock()
		tap.seen[e.Facebook.Message]++
		tap.mu.Unlock()
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Close() })
	return c, tap
}

// TestSendFaultsGWS covers the GWS-specific faults: CSRF token and HTTP
// session expiry, and an unauthenticated answer.
func TestSendFaultsGWS(t *testing.T) {
	cases := []struct {
		fault        string
		srvOpts      []omnitest.Option
		inject       func(*omnitest.Server)
		wantErr      func(error) bool
		wantRequests int
		wantCopies   int
		sdk          string
	}{
		{fault: "CSRF token expired (403 Missing or invalid Csrf token)", srvOpts: []omnitest.Option{omnitest.WithCSRF()},
			inject: (*omnitest.Server).ExpireCSRF, wantErr: isNil, wantRequests: 2, wantCopies: 1,
			sdk: "fetches a new token with GET /me, retries the send once"},
		{fault: "HTTP session expired (JSESSIONID forgotten, CSRF on)", srvOpts: []omnitest.Option{omnitest.WithCSRF()},
			inject: (*omnitest.Server).ExpireSessions, wantErr: isNil, wantRequests: 2, wantCopies: 1,
			sdk: "the 403 refreshes session and token with GET /me, retries once"},
		{fault: "401 statusCode 20 (user not authenticated)",
			inject:  func(s *omnitest.Server) { s.Inject(omnitest.RouteFacebookSend, omnitest.Status(401)) },
			wantErr: is(omni.ErrUnauthorized), wantRequests: 1, wantCopies: 0,
			sdk: "does not retry: the credentials are wrong"},
	}
	for _, tc := range cases {
		t.Run(tc.fault, func(t *testing.T) {
			srv := omnitest.NewServer(t, append([]omnitest.Option{omnitest.WithBasicAuth("agent1", "matrix-pass")}, tc.srvOpts...)...)
			c, tap := gwsClient(t, srv)
			ctx, cancel := context.WithTimeout(context.Background(), guard)
			defer cancel()
			// A first send establishes session and token.
			warm := text(t, 0)
			if _, err := c.Facebook.Send(ctx, "ID0", omni.FacebookSend{QueuePath: "/q", From: "me", Message: warm}); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the warm-up notification", func() bool { return tap.copies(warm) == 1 })
			from := len(srv.Requests())
			tc.inject(srv)
			msg := text(t, 1)
			_, err := c.Facebook.Send(ctx, "ID1", omni.FacebookSend{QueuePath: "/q", From: "me", Message: msg})
			if !tc.wantErr(err) {
				t.Fatalf("caller got %v", err)
			}
			if tc.wantCopies > 0 {
				waitFor(t, "the notification", func() bool { return tap.copies(msg) >= tc.wantCopies })
			}
			time.Sleep(100 * time.Millisecond) // a duplicate would be published by now
			o := sendOutcome{err: err, requests: countRequests(srv, omnitest.RouteFacebookSend, from), copies: tap.copies(msg)}
			if o.requests != tc.wantRequests || o.copies != tc.wantCopies {
				t.Fatalf("server saw %d send requests and processed %d copies, want %d and %d", o.requests, o.copies, tc.wantRequests, tc.wantCopies)
			}
			lost, dup := o.lostDup()
			record(t, Row{Area: "send", Fault: tc.fault,
				SDK:    fmt.Sprintf("%s (%s, %d GET /me)", tc.sdk, plural(o.requests, "send request"), countGetMe(srv, from)),
				Caller: describe(err), Sent: 1, Received: o.copies, Lost: lost, Duplicated: dup})
		})
	}
}

func countGetMe(srv *omnitest.Server, from int) int {
	n := 0
	for _, r := range srv.Requests()[from:] {
		if r.Route == omnitest.RouteMe && r.Method == http.MethodGet {
			n++
		}
	}
	return n
}
