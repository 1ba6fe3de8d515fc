package omnitest

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/omnisdk/omni"
)

func TestRequireBasicAuthAtRunTime(t *testing.T) {
	srv := NewServer(t)
	before := srv.NewClient(t) // sends the default credentials
	ctx := context.Background()
	if _, err := before.ServerVersion(ctx); err != nil {
		t.Fatal(err)
	}
	srv.RequireBasicAuth("u", "new")
	if _, err := before.ServerVersion(ctx); !errors.Is(err, omni.ErrUnauthorized) {
		t.Fatalf("old credentials: %v, want ErrUnauthorized", err)
	}
	after := srv.NewClient(t)
	if _, err := after.ServerVersion(ctx); err != nil {
		t.Fatalf("a client made after RequireBasicAuth: %v", err)
	}
	srv.AllowAnonymous()
	if _, err := before.ServerVersion(ctx); err != nil {
		t.Fatalf("after AllowAnonymous: %v", err)
	}
}

func TestSetCSRFAtRunTime(t *testing.T) {
	srv := NewServer(t)
	c := newClient(t)
	send := func() *response {
		return c.do(http.MethodPost, srv.URL()+"/me/facebook/X1", fixture(t, "facebook_send_request.json"))
	}
	expect(t, send(), 200, `{"statusCode":0,"referenceId":1}`)
	srv.SetCSRF(true)
	expect(t, send(), 403, `{"statusCode":3,"statusMessage":"Missing or invalid Csrf token"}`)
	srv.SetCSRF(false)
	expect(t, send(), 200, `{"statusCode":0,"referenceId":2}`)
}

func TestMiddleware(t *testing.T) {
	tag := func(v string) Middleware {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Add("X-Seen", v)
				if r.Header.Get("X-Api-Token") == "" && v == "auth" {
					http.Error(w, "token required", http.StatusUnauthorized)
					return
				}
				next.ServeHTTP(w, r)
			})
		}
	}
	srv := NewServer(t, WithMiddleware(tag("outer")), WithMiddleware(tag("auth")))
	c := newClient(t)
	r := c.do(http.MethodGet, srv.URL()+"/diagnostics/version", "")
	if r.Status != 401 || len(srv.Requests()) != 0 {
		t.Fatalf("without token: %d, %d recorded", r.Status, len(srv.Requests()))
	}
	r = c.do(http.MethodGet, srv.URL()+"/diagnostics/version", "", "X-Api-Token", "t")
	expect(t, r, 200, `{"statusCode":0,"version":"8.5.200.50"}`)
	if got := r.Header.Values("X-Seen"); len(got) != 2 || got[0] != "outer" || got[1] != "auth" {
		t.Fatalf("X-Seen %q", got)
	}
}

func TestTLSServer(t *testing.T) {
	for _, transport := range []string{"websocket", "long-polling"} {
		t.Run(transport, func(t *testing.T) {
			srv := NewTLSServer(t, WithTransports(transport), WithBasicAuth("u", "p"))
			c := srv.NewClient(t)
			ctx, cancel := context.WithTimeout(context.Background(), guard)
			defer cancel()
			ev, err := c.Facebook.SendAndWait(ctx, "01QQQG2MU214P06D", testPost)
			if err != nil {
				t.Fatal(err)
			}
			if want := srv.URL() + "/facebooks/01QQQG2MU214P06D"; ev.Facebook.URI != want {
				t.Fatalf("uri %q, want %q", ev.Facebook.URI, want)
			}
			if srv.Certificate() == nil || srv.URL()[:8] != "https://" {
				t.Fatalf("URL %s", srv.URL())
			}
			// A client that does not trust the certificate is refused.
			_, err = (&http.Client{Timeout: guard}).Get(srv.URL() + "/diagnostics/version")
			if err == nil {
				t.Fatal("an untrusting client connected")
			}
		})
	}
}

func TestFakeClockLatency(t *testing.T) {
	clock := NewFakeClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	srv := NewServer(t, WithClock(clock), WithLatency(time.Hour))
	c := newClient(t)
	done := make(chan *response, 1)
	go func() { done <- c.do(http.MethodGet, srv.URL()+"/diagnostics/version", "") }()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	if err := clock.WaitPending(ctx, 1); err != nil { // the handler has started its wait
		t.Fatal(err)
	}
	select {
	case <-done:
		t.Fatal("answered before the clock moved")
	default:
	}
	clock.Advance(time.Hour)
	expect(t, <-done, 200, `{"statusCode":0,"version":"8.5.200.50"}`)
	if got := srv.Requests()[0].Time; !got.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Fatalf("recorded at %v", got)
	}
}
