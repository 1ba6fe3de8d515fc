package omni_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/omnisdk/omni"
)

// csrfServer behaves like GWS with CSRF protection: any GET hands out the
// session's token; a write without it gets 403.
type csrfServer struct {
	mu    sync.Mutex
	token string
	log   []string
}

func (s *csrfServer) rotate(tok string) { s.mu.Lock(); s.token = tok; s.mu.Unlock() }

func (s *csrfServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	tok := s.token
	s.mu.Unlock()
	cookie, _ := r.Cookie("JSESSIONID")
	if cookie == nil {
		http.SetCookie(w, &http.Cookie{Name: "JSESSIONID", Value: "sess-cookie-value", Path: "/"})
	}
	entry := r.Method + " " + r.URL.Path
	if r.Method == http.MethodGet {
		w.Header().Set("X-CSRF-HEADER", "X-CSRF-TOKEN")
		w.Header().Set("X-CSRF-TOKEN", tok)
		s.append(entry)
		io.WriteString(w, `{"statusCode":0}`)
		return
	}
	got := r.Header.Get("X-CSRF-TOKEN")
	s.append(entry + " token=" + got)
	if cookie == nil || got != tok {
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"statusCode":3,"statusMessage":"Missing or invalid Csrf token"}`)
		return
	}
	io.WriteString(w, `{"statusCode":0,"referenceId":57}`)
}

func (s *csrfServer) append(e string) { s.mu.Lock(); s.log = append(s.log, e); s.mu.Unlock() }

func (s *csrfServer) take() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := strings.Join(s.log, "\n")
	s.log = nil
	return l
}

func TestCSRFRefreshAndRetryOnce(t *testing.T) {
	srv := &csrfServer{token: "tok-A"}
	fs := newFakeServer(t, srv.ServeHTTP)
	c := newGWS(t, fs)
	ctx := context.Background()

	if _, err := c.Facebook.Send(ctx, "X", seedFacebook); err != nil {
		t.Fatal(err)
	}
	want := "POST /api/v2/me/facebook/X token=\nGET /api/v2/me\nPOST /api/v2/me/facebook/X token=tok-A"
	if got := srv.take(); got != want {
		t.Errorf("first send:\n%s\nwant\n%s", got, want)
	}
	// The token is cached for the session.
	if _, err := c.Twitter.Send(ctx, "Y", omni.TwitterSend{QueuePath: "q", From: "f", Message: "m"}); err != nil {
		t.Fatal(err)
	}
	if got := srv.take(); got != "POST /api/v2/me/tweets/Y token=tok-A" {
		t.Errorf("second send: %s", got)
	}
	// An expired token is refreshed once.
	srv.rotate("tok-B")
	if _, err := c.Facebook.Send(ctx, "X", seedFacebook); err != nil {
		t.Fatal(err)
	}
	want = "POST /api/v2/me/facebook/X token=tok-A\nGET /api/v2/me\nPOST /api/v2/me/facebook/X token=tok-B"
	if got := srv.take(); got != want {
		t.Errorf("after rotation:\n%s\nwant\n%s", got, want)
	}
}

func TestCSRFRefusedTwiceIsForbidden(t *testing.T) {
	fs := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			w.Header().Set("X-CSRF-HEADER", "X-CSRF-TOKEN")
			w.Header().Set("X-CSRF-TOKEN", "useless")
			io.WriteString(w, `{"statusCode":0}`)
			return
		}
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"statusCode":3,"statusMessage":"Missing or invalid Csrf token"}`)
	})
	_, err := newGWS(t, fs).Facebook.Send(context.Background(), "X", seedFacebook)
	if !errors.Is(err, omni.ErrForbidden) {
		t.Fatalf("err = %v", err)
	}
	if n := len(fs.requests()); n != 3 {
		t.Errorf("%d requests, want POST, GET, POST", n)
	}
}

func TestSessionCookieIsSentBack(t *testing.T) {
	srv := &csrfServer{token: "t"}
	fs := newFakeServer(t, srv.ServeHTTP)
	c := newGWS(t, fs)
	for i := 0; i < 2; i++ {
		if _, err := c.ServerVersion(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	reqs := fs.requests()
	if got := reqs[1].Header.Get("Cookie"); got != "JSESSIONID=sess-cookie-value" {
		t.Errorf("second request Cookie = %q", got)
	}
}
