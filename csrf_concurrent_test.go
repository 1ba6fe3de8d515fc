package omni_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/omnitest"
)

// sendConcurrently sends n Facebook posts at once, each on its own
// session id, while n reads (ServerVersion) run beside them, and returns
// the sends' and the reads' errors.
func sendConcurrently(c *omni.Client, n int, round int) []error {
	errs := make([]error, 2*n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, errs[i] = c.Facebook.Send(context.Background(), fmt.Sprintf("01QQQG2MU214R%02dP%02d", round, i),
				omni.FacebookSend{QueuePath: "/contacts/c1", From: "page", Message: "m"})
		}()
		go func() {
			defer wg.Done()
			_, errs[n+i] = c.ServerVersion(context.Background())
		}()
	}
	wg.Wait()
	return errs
}

// checkPostedOnce fails unless every send succeeded and the simulator
// accepted (answered 200) each session id's post exactly once. Cookie and
// token values are never printed.
func checkPostedOnce(t *testing.T, srv *omnitest.Server, errs []error, what string) {
	t.Helper()
	for i, err := range errs {
		if err != nil {
			t.Errorf("%s: send %d: %v", what, i, err)
		}
	}
	accepted := map[string]int{}
	for _, r := range srv.Requests(omnitest.ByRoute(omnitest.RouteFacebookSend)) {
		if r.Status == http.StatusOK {
			accepted[r.Path]++
		}
	}
	for p, n := range accepted {
		if n != 1 {
			t.Errorf("%s: %s accepted %d times", what, p, n)
		}
	}
}

// TestCSRFRecoveryUnderConcurrentSends: the documented recovery (a 403
// "Missing or invalid Csrf token" fetches a token and sends again) holds
// for concurrent sends and reads on a client without a session yet, and
// after the server forgot the session. Each request without a valid session
// makes the server start one, and an answer arriving after the token was
// fetched replaced, in the jar, the session that token belonged to: every
// retry then failed (5 of 5 fresh, 10 of 10 after expiry); with the retry
// allowed again when it carried another session than its token's, 20 sends
// beside 20 reads still failed a few times in 400 within MaxAttempts, until
// a refresh first let the requests in flight get their answers.
func TestCSRFRecoveryUnderConcurrentSends(t *testing.T) {
	for round := range 10 {
		srv := omnitest.NewServer(t, omnitest.WithCSRF())
		c := srv.NewClient(t)
		checkPostedOnce(t, srv, sendConcurrently(c, 20, round), fmt.Sprintf("round %d, fresh client", round))
		srv.ExpireSessions()
		checkPostedOnce(t, srv, sendConcurrently(c, 20, round+10), fmt.Sprintf("round %d, after ExpireSessions", round))
		if t.Failed() {
			return
		}
	}
}

// TestCSRFRefreshWithoutATokenStops: a GET /me whose answer carries no
// fresh token (200 without the headers, a 500, a 401; on a fresh client or
// one that holds the token just refused) leaves nothing to send the request
// with: the refusal is the answer, after one token fetch. It used to spend
// every attempt (10 POSTs and 9 GET /me with MaxAttempts 10), then to send
// once more with the refused token; a 401 of the fetch now shows as
// ErrUnauthorized beside the refusal.
func TestCSRFRefreshWithoutATokenStops(t *testing.T) {
	for _, tc := range []struct {
		meStatus int
		warm     bool
		alsoIs   error
	}{
		{meStatus: http.StatusOK},
		{meStatus: http.StatusInternalServerError},
		{meStatus: http.StatusUnauthorized, alsoIs: omni.ErrUnauthorized},
		{meStatus: http.StatusOK, warm: true},
		{meStatus: http.StatusUnauthorized, warm: true, alsoIs: omni.ErrUnauthorized},
	} {
		var gets atomic.Int32
		fs := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
			http.SetCookie(w, &http.Cookie{Name: "JSESSIONID", Value: "s1", Path: "/"})
			if r.Method == http.MethodGet {
				if tc.warm && gets.Add(1) == 1 { // the warm-up read hands out a token
					w.Header().Set("X-CSRF-HEADER", "X-CSRF-TOKEN")
					w.Header().Set("X-CSRF-TOKEN", "refused-token")
					io.WriteString(w, `{"statusCode":0,"version":"8.5"}`)
					return
				}
				w.WriteHeader(tc.meStatus)
				if tc.meStatus == http.StatusUnauthorized {
					io.WriteString(w, `{"statusCode":20,"statusMessage":"User not authenticated"}`)
					return
				}
				io.WriteString(w, `{"statusCode":0}`)
				return
			}
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"statusCode":3,"statusMessage":"Missing or invalid Csrf token"}`)
		})
		c := newGWS(t, fs, omni.WithRetry(omni.RetryPolicy{MaxAttempts: 10, MinWait: 1, MaxWait: 2}))
		want := 2 // POST, GET /me
		if tc.warm {
			if _, err := c.ServerVersion(context.Background()); err != nil {
				t.Fatal(err)
			}
			want = 3
		}
		_, err := c.Facebook.Send(context.Background(), "X", seedFacebook)
		var ae *omni.APIError
		if !errors.Is(err, omni.ErrForbidden) || !errors.As(err, &ae) || ae.HTTPStatus != http.StatusForbidden {
			t.Errorf("%+v: err = %v, want the 403 refusal first", tc, err)
		}
		if tc.alsoIs != nil && !errors.Is(err, tc.alsoIs) {
			t.Errorf("%+v: err = %v, want it to match %v too", tc, err, tc.alsoIs)
		}
		if n := len(fs.requests()); n != want {
			t.Errorf("%+v: %d requests, want %d", tc, n, want)
		}
	}
}

// TestCSRFRefreshDoesNotWaitForARetryWait: a call waiting out a
// Retry-After has its answer (and its cookies) in; the token fetch of
// another call must not wait for it, nor hold other requests that long. It
// used to count as in flight for its whole call: the send waited until the
// other call's next attempt was answered (3 s here) and failed at its 1.5 s
// deadline.
func TestCSRFRefreshDoesNotWaitForARetryWait(t *testing.T) {
	var reads atomic.Int32
	firstRead := make(chan struct{})
	fs := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "JSESSIONID", Value: "s1", Path: "/"})
		switch {
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/me"):
			w.Header().Set("X-CSRF-HEADER", "X-CSRF-TOKEN")
			w.Header().Set("X-CSRF-TOKEN", "fresh")
			io.WriteString(w, `{"statusCode":0}`)
		case r.Method == http.MethodGet:
			if reads.Add(1) == 1 {
				w.Header().Set("Retry-After", "3")
				w.WriteHeader(http.StatusServiceUnavailable)
				io.WriteString(w, `{"statusCode":4,"statusMessage":"busy"}`)
				close(firstRead)
				return
			}
			io.WriteString(w, `{"statusCode":0,"version":"8.5"}`)
		case r.Header.Get("X-CSRF-TOKEN") != "fresh":
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"statusCode":3,"statusMessage":"Missing or invalid Csrf token"}`)
		default:
			io.WriteString(w, `{"statusCode":0,"referenceId":1}`)
		}
	})
	c := newGWS(t, fs, omni.WithRetry(omni.RetryPolicy{MaxAttempts: 2, MinWait: 1, MaxWait: 2}))
	readCtx, stopRead := context.WithCancel(context.Background())
	defer stopRead()
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		_, _ = c.ServerVersion(readCtx) // waits out Retry-After: 3
	}()
	<-firstRead
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	if _, err := c.Facebook.Send(ctx, "X", seedFacebook); err != nil {
		t.Errorf("send during another call's retry wait: %v", err)
	}
	stopRead()
	<-readDone
}

// TestCSRFRefreshCutOffKeepsTheRefusal: when the caller's context ends
// during the token fetch, the error is the send's refusal (the server did
// nothing with it) and the context's error, not the GET's *TransportError,
// which would say the send may have reached the server.
func TestCSRFRefreshCutOffKeepsTheRefusal(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fs := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			cancel()
			<-r.Context().Done()
			return
		}
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"statusCode":3,"statusMessage":"Missing or invalid Csrf token"}`)
	})
	_, err := newGWS(t, fs).Facebook.Send(ctx, "X", seedFacebook)
	var ae *omni.APIError
	var te *omni.TransportError
	if !errors.As(err, &ae) || ae.HTTPStatus != http.StatusForbidden || !errors.Is(err, context.Canceled) || errors.As(err, &te) {
		t.Errorf("err = %v (%T), want the 403 *APIError and context.Canceled, no *TransportError", err, err)
	}
}

// TestRetryCarriesOnlyTheJarsCurrentCookies: go-retryablehttp sends the
// same *http.Request again, and net/http adds the jar's cookies to its
// header at every send; a retry must carry the jar's cookies once, the
// session a 503 answer set included, not the first attempt's before them.
func TestRetryCarriesOnlyTheJarsCurrentCookies(t *testing.T) {
	var n atomic.Int32
	fs := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			http.SetCookie(w, &http.Cookie{Name: "JSESSIONID", Value: "first", Path: "/"})
			return
		}
		if n.Load() == 2 {
			http.SetCookie(w, &http.Cookie{Name: "JSESSIONID", Value: "second", Path: "/"})
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, `{"statusCode":0,"version":"8.5.200.50"}`)
	})
	c := newGWS(t, fs)
	_, _ = c.ServerVersion(context.Background()) // its answer only sets the first session
	if _, err := c.ServerVersion(context.Background()); err != nil {
		t.Fatal(err)
	}
	reqs := fs.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	if got := reqs[2].Header.Values("Cookie"); len(got) != 1 || got[0] != "JSESSIONID=second" {
		t.Errorf("the retry carried Cookie %q, want only the session the 503 set", strings.Join(got, " | "))
	}
}

// TestCSRFRecoveryStaysWithinMaxAttempts: the sends before and after a
// token fetch share RetryPolicy.MaxAttempts, and TransportError.Attempts
// counts them all. The retry after the fetch used to get a budget of its
// own (4 POSTs with MaxAttempts 3) and its error to count only its own
// attempts (found by an outside reviewer).
func TestCSRFRecoveryStaysWithinMaxAttempts(t *testing.T) {
	// The retries after the fetch refused without acting (503 with
	// Retry-After, retried also for sends): MaxAttempts (3) POSTs in all.
	fs, posts := csrfThen(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, `{"statusCode":4,"statusMessage":"busy"}`)
	})
	c := newGWS(t, fs, omni.WithRetry(omni.RetryPolicy{MaxAttempts: 3, MinWait: 1, MaxWait: 2}))
	_, err := c.Facebook.Send(context.Background(), "X", seedFacebook)
	if !errors.Is(err, omni.ErrServer) {
		t.Errorf("err = %v, want the last 503", err)
	}
	if n := posts.Load(); n != 3 {
		t.Errorf("%d POSTs, want MaxAttempts (3) in all", n)
	}

	// The retry after the fetch broken after writing: its error counts the
	// refused send too.
	fs, _ = csrfThen(t, hangUp)
	_, err = newGWS(t, fs).Facebook.Send(context.Background(), "X", seedFacebook)
	var te *omni.TransportError
	if !errors.As(err, &te) || te.Attempts != 2 || !te.MayHaveReachedServer {
		t.Errorf("err = %#v, want a *TransportError after 2 attempts that may have reached the server", err)
	}
}

// csrfThen is a fake GWS whose GET /me hands out a token and whose first
// POST is refused for its CSRF token; later POSTs go to then. posts counts
// the POSTs.
func csrfThen(t *testing.T, then http.HandlerFunc) (fs *fakeServer, posts *atomic.Int32) {
	posts = new(atomic.Int32)
	fs = newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			w.Header().Set("X-CSRF-HEADER", "X-CSRF-TOKEN")
			w.Header().Set("X-CSRF-TOKEN", "fresh")
			io.WriteString(w, `{"statusCode":0}`)
			return
		}
		if posts.Add(1) == 1 {
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"statusCode":3,"statusMessage":"Missing or invalid Csrf token"}`)
			return
		}
		then(w, r)
	})
	return fs, posts
}
