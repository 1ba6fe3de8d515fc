package omni_test

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnisdk/omni"
)

// TestRedirectsAreNotFollowed: a redirect to another host, on a send or a
// read, is returned to the caller as an *APIError; the other host receives
// nothing, so neither the body nor the Authorization header travels there.
func TestRedirectsAreNotFollowed(t *testing.T) {
	var other sync.Mutex
	var reached []string
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		other.Lock()
		reached = append(reached, r.Method+" "+r.URL.Path+" auth="+r.Header.Get("Authorization"))
		other.Unlock()
		io.WriteString(w, `{"statusCode":0,"referenceId":1}`)
	}))
	defer evil.Close()
	for _, code := range []int{301, 302, 303, 307, 308} {
		fs := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, evil.URL+r.URL.Path, code)
		})
		c := newGWS(t, fs)
		_, err := c.Facebook.Send(context.Background(), "X", seedFacebook)
		var api *omni.APIError
		if !errors.As(err, &api) || api.HTTPStatus != code {
			t.Errorf("%d on a send: got %v, want an *APIError with HTTP %d", code, err, code)
		}
		_, err = c.ServerVersion(context.Background())
		if !errors.As(err, &api) || api.HTTPStatus != code {
			t.Errorf("%d on a read: got %v, want an *APIError with HTTP %d", code, err, code)
		}
		if n := len(fs.requests()); n != 2 {
			t.Errorf("%d: first host saw %d requests, want 2 (no retry of a redirect)", code, n)
		}
	}
	if len(reached) > 0 {
		t.Fatalf("the redirect target was reached: %v", reached)
	}
}

// TestRedirectWithCallersClientNeverLeavesTheHost: even with the caller's
// own *http.Client (whose policy follows redirects), a redirect to another
// host is not followed: no credential, CSRF token or send body reaches it,
// and the send is the 3xx *APIError, not a success. A redirect on the same
// host still follows the caller's policy.
func TestRedirectWithCallersClientNeverLeavesTheHost(t *testing.T) {
	var hits atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, `{"statusCode":0,"referenceId":1}`)
	}))
	defer evil.Close()
	// Same address, another host name: "localhost" instead of 127.0.0.1.
	target := strings.Replace(evil.URL, "127.0.0.1", "localhost", 1)
	fs := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-CSRF-HEADER", "X-CSRF-TOKEN")
		w.Header().Set("X-CSRF-TOKEN", "csrf-token-SECRET")
		switch r.URL.Path {
		case "/api/v2/diagnostics/version":
			http.Redirect(w, r, "/api/v2/diagnostics/version2", http.StatusFound) // same host
		case "/api/v2/diagnostics/version2":
			io.WriteString(w, `{"statusCode":0,"version":"8.5"}`)
		default:
			http.Redirect(w, r, target+r.URL.Path, http.StatusTemporaryRedirect) // keeps method and body
		}
	})
	c := newGWS(t, fs, omni.WithHTTPClient(&http.Client{}))
	if v, err := c.ServerVersion(context.Background()); err != nil || v != "8.5" {
		t.Fatalf("same-host redirect: %q, %v", v, err)
	}
	res, err := c.Facebook.Send(context.Background(), "X", seedFacebook)
	var ae *omni.APIError
	if !errors.As(err, &ae) || ae.HTTPStatus != http.StatusTemporaryRedirect {
		t.Fatalf("Send = %+v, %v; want the 307 *APIError", res, err)
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the other host was reached %d times", n)
	}
}

// TestTLSDefaults: the client's own transport needs TLS 1.2 or newer and a
// certificate it can verify; a self-signed server is refused.
func TestTLSDefaults(t *testing.T) {
	c, err := omni.NewClient("https://gws.example.com/api/v2", omni.WithBasicAuth("u", "p"))
	if err != nil {
		t.Fatal(err)
	}
	tr, ok := c.HTTPClient().Transport.(*http.Transport)
	if !ok || tr.TLSClientConfig == nil {
		t.Fatalf("transport %T has no TLS config", c.HTTPClient().Transport)
	}
	if tr.TLSClientConfig.MinVersion < tls.VersionTLS12 || tr.TLSClientConfig.InsecureSkipVerify {
		t.Fatalf("TLS config: MinVersion %x, InsecureSkipVerify %v", tr.TLSClientConfig.MinVersion, tr.TLSClientConfig.InsecureSkipVerify)
	}

	selfSigned := httptest.NewTLSServer(reply(200, `{"statusCode":0,"version":"1"}`))
	defer selfSigned.Close()
	c, _ = omni.NewClient(selfSigned.URL+"/api/v2", omni.WithBasicAuth("u", "p"), fastRetry)
	_, err = c.ServerVersion(context.Background())
	var cv *tls.CertificateVerificationError
	if !errors.As(err, &cv) {
		t.Fatalf("self-signed server: got %v, want a certificate verification error", err)
	}

	old := httptest.NewUnstartedServer(reply(200, `{"statusCode":0,"version":"1"}`))
	old.TLS = &tls.Config{MaxVersion: tls.VersionTLS11}
	old.StartTLS()
	defer old.Close()
	hc := old.Client() // trusts the test certificate
	hc.Transport.(*http.Transport).TLSClientConfig.MinVersion = tls.VersionTLS12
	c, _ = omni.NewClient(old.URL+"/api/v2", omni.WithBasicAuth("u", "p"), omni.WithHTTPClient(hc), fastRetry)
	if _, err = c.ServerVersion(context.Background()); err == nil {
		t.Fatal("a TLS 1.1 server was accepted with MinVersion 1.2")
	}
}

// warnCounter counts log records by level.
type warnCounter struct {
	mu    sync.Mutex
	warns []string
}

func (w *warnCounter) Enabled(context.Context, slog.Level) bool { return true }
func (w *warnCounter) Handle(_ context.Context, r slog.Record) error {
	if r.Level == slog.LevelWarn {
		w.mu.Lock()
		w.warns = append(w.warns, r.Message)
		w.mu.Unlock()
	}
	return nil
}
func (w *warnCounter) WithAttrs([]slog.Attr) slog.Handler { return w }
func (w *warnCounter) WithGroup(string) slog.Handler      { return w }

// TestPlainHTTPWarning: credentials over plain http to a non-loopback host
// log one warning per such endpoint; loopback and https log none.
func TestPlainHTTPWarning(t *testing.T) {
	cases := []struct {
		gws, messenger string
		want           int
	}{
		{"http://gws.example.com/api/v2", "", 1},
		{"http://10.1.2.3:8080/api/v2", "http://xyz.api.example.com", 2},
		{"", "http://xyz.api.example.com", 1},
		{"https://gws.example.com/api/v2", "https://xyz.api.example.com", 0},
		{"http://127.0.0.1:8080/api/v2", "http://localhost:9000", 0},
		{"http://[::1]:8080/api/v2", "", 0},
	}
	for _, tc := range cases {
		h := &warnCounter{}
		opts := []omni.Option{omni.WithLogger(slog.New(h))}
		if tc.gws != "" {
			opts = append(opts, omni.WithBasicAuth("u", "p"))
		}
		if tc.messenger != "" {
			opts = append(opts, omni.WithMessenger(tc.messenger, omni.AppKey("k")))
		}
		if _, err := omni.NewClient(tc.gws, opts...); err != nil {
			t.Fatal(err)
		}
		if len(h.warns) != tc.want {
			t.Errorf("%q %q: %d warnings %q, want %d", tc.gws, tc.messenger, len(h.warns), h.warns, tc.want)
		}
	}
}

// TestIDsCannotReachAnotherEndpoint: ids are one escaped path segment; dot
// segments are refused before sending. Whatever the id, a send goes to
// exactly one segment below the send prefix, with no query or fragment.
func TestIDsCannotReachAnotherEndpoint(t *testing.T) {
	fs := newFakeServer(t, reply(200, `{"statusCode":0,"referenceId":1}`))
	c := newGWS(t, fs)
	ids := []string{"..", ".", "../../../facebook/1/single", "../me", "a/../../b", "%2e%2e", "%2e%2e%2fme",
		"x?operationName=Cancel", "x#frag", "..\\..\\me", "\x00", " ../", "..;/me"}
	for _, id := range ids {
		before := len(fs.requests())
		_, err := c.Facebook.Send(context.Background(), id, seedFacebook)
		_, err2 := c.Twitter.Send(context.Background(), id, omni.TwitterSend{QueuePath: "/q", From: "f", Message: "m"})
		reqs := fs.requests()[before:]
		if len(reqs) == 0 && (!errors.Is(err, omni.ErrValidation) || !errors.Is(err2, omni.ErrValidation)) {
			t.Errorf("id %q: nothing sent but errors %v / %v are not validation errors", id, err, err2)
		}
		for _, r := range reqs {
			rest, ok := strings.CutPrefix(r.RequestURI, "/api/v2/me/facebook/")
			if !ok {
				rest, ok = strings.CutPrefix(r.RequestURI, "/api/v2/me/tweets/")
			}
			if !ok || rest == "" || rest == "." || rest == ".." || strings.ContainsAny(rest, "/?#") {
				t.Errorf("id %q was sent as %s %s", id, r.Method, r.RequestURI)
			}
		}
	}
}

// TestHugeRetryAfterIsNotAnImmediateRetry: a Retry-After too large for a
// time.Duration used to overflow into a negative wait and an immediate
// retry; it is returned to the caller instead, like any long Retry-After.
func TestHugeRetryAfterIsNotAnImmediateRetry(t *testing.T) {
	fs := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "9227000000")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `{"statusCode":4,"statusMessage":"busy"}`)
	})
	c := newGWS(t, fs)
	_, err := c.Facebook.Send(context.Background(), "X", seedFacebook)
	var api *omni.APIError
	if !errors.As(err, &api) || api.RetryAfter <= 30*time.Second {
		t.Fatalf("got %v, want an *APIError with a long RetryAfter", err)
	}
	if n := len(fs.requests()); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
}

// TestRedirectThatChangesTheMethodIsNotFollowed: with the caller's client,
// a same-host 301/302/303 on a send would be followed as a bodiless GET,
// whose {"statusCode":0} answer passed for the send's acceptance although
// nothing was posted. It is the 3xx *APIError; a 307/308, which keeps the
// method and body, is still followed on the same host.
func TestRedirectThatChangesTheMethodIsNotFollowed(t *testing.T) {
	for _, code := range []int{301, 302, 303, 307, 308} {
		var mu sync.Mutex
		var seen []string
		fs := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen = append(seen, r.Method+" "+r.URL.Path)
			mu.Unlock()
			switch {
			case r.URL.Path == "/api/v2/me/facebook/X":
				http.Redirect(w, r, "/api/v2/me/facebook/X/", code)
			case r.Method == http.MethodPost:
				io.WriteString(w, `{"statusCode":0,"referenceId":57}`)
			default:
				io.WriteString(w, `{"statusCode":0,"facebook":{"id":"X","state":"Composing"}}`)
			}
		})
		c := newGWS(t, fs, omni.WithHTTPClient(&http.Client{}))
		res, err := c.Facebook.Send(context.Background(), "X", seedFacebook)
		mu.Lock()
		got := strings.Join(seen, ", ")
		mu.Unlock()
		if code == 307 || code == 308 {
			if err != nil || res.ReferenceID != 57 || got != "POST /api/v2/me/facebook/X, POST /api/v2/me/facebook/X/" {
				t.Errorf("%d: Send = %+v, %v after %s; want the re-POST's referenceId 57", code, res, err, got)
			}
			continue
		}
		var ae *omni.APIError
		if !errors.As(err, &ae) || ae.HTTPStatus != code || got != "POST /api/v2/me/facebook/X" {
			t.Errorf("%d: Send = %+v, %v after %s; want the %d *APIError and no GET", code, res, err, got, code)
		}
	}
}
