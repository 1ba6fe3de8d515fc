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
// token (200 without the headers, or 500) leaves nothing to try: one retry,
// then the refusal, however many attempts the policy allows (it used to
// spend them all: 10 POSTs and 9 GET /me with MaxAttempts 10).
func TestCSRFRefreshWithoutATokenStops(t *testing.T) {
	for _, meStatus := range []int{http.StatusOK, http.StatusInternalServerError} {
		fs := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
			http.SetCookie(w, &http.Cookie{Name: "JSESSIONID", Value: "s1", Path: "/"})
			if r.Method == http.MethodGet {
				w.WriteHeader(meStatus)
				io.WriteString(w, `{"statusCode":0}`)
				return
			}
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"statusCode":3,"statusMessage":"Missing or invalid Csrf token"}`)
		})
		c := newGWS(t, fs, omni.WithRetry(omni.RetryPolicy{MaxAttempts: 10, MinWait: 1, MaxWait: 2}))
		_, err := c.Facebook.Send(context.Background(), "X", seedFacebook)
		if !errors.Is(err, omni.ErrForbidden) {
			t.Errorf("GET /me %d: err = %v, want ErrForbidden", meStatus, err)
		}
		if n := len(fs.requests()); n != 3 {
			t.Errorf("GET /me %d: %d requests, want POST, GET, POST", meStatus, n)
		}
	}
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
