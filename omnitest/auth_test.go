package omnitest

import (
	"net/http"
	"testing"
)

func TestSessionCookieAndReferenceIDs(t *testing.T) {
	s := NewServer(t)
	a, b := newClient(t), newClient(t)
	send := func(c *client) *response {
		return c.do(http.MethodPost, s.URL()+"/me/facebook/X1", fixture(t, "facebook_send_request.json"))
	}
	r := send(a)
	expect(t, r, 200, `{"statusCode":0,"referenceId":1}`)
	cookie := r.Header.Get("Set-Cookie")
	if cookie == "" || cookie[:len(SessionCookie)+1] != SessionCookie+"=" {
		t.Fatalf("Set-Cookie %q", cookie)
	}
	r = send(a)
	expect(t, r, 200, `{"statusCode":0,"referenceId":2}`)
	if got := r.Header.Get("Set-Cookie"); got != "" {
		t.Fatalf("second request got a new cookie %q", got)
	}
	// Another session counts from 1 on its own.
	expect(t, send(b), 200, `{"statusCode":0,"referenceId":1}`)
	expect(t, send(a), 200, `{"statusCode":0,"referenceId":3}`)

	// An unknown session id is replaced by a new session.
	c := newClient(t)
	r = c.do(http.MethodPost, s.URL()+"/me/facebook/X1", fixture(t, "facebook_send_request.json"), "Cookie", "JSESSIONID=bogus")
	expect(t, r, 200, `{"statusCode":0,"referenceId":1}`)
	if r.Header.Get("Set-Cookie") == "" {
		t.Fatal("no cookie for an unknown session id")
	}

	// After the sessions expire, new sessions never reuse a referenceId.
	s.ExpireSessions()
	expect(t, send(a), 200, `{"statusCode":0,"referenceId":4}`)
}

func TestBasicAuth(t *testing.T) {
	s := NewServer(t, WithBasicAuth("agent1", "secret"))
	c := newClient(t)
	unauth := `{"statusCode":20,"statusMessage":"User not authenticated"}`
	expect(t, c.do(http.MethodGet, s.URL()+"/diagnostics/version", ""), 401, unauth)
	r := c.do(http.MethodGet, s.URL()+"/diagnostics/version", "", "Authorization", basic("agent1", "wrong"))
	expect(t, r, 401, unauth)
	if r.Header.Get("Set-Cookie") != "" {
		t.Fatal("a refused request opened a session")
	}
	expect(t, c.do(http.MethodPost, s.URL()+"/me/facebook/X1", fixture(t, "facebook_send_request.json"), "Authorization", basic("other", "secret")), 401, unauth)
	expect(t, c.do(http.MethodGet, s.URL()+"/diagnostics/version", "", "Authorization", basic("agent1", "secret")),
		200, `{"statusCode":0,"version":"8.5.200.50"}`)

	// CometD handshakes need the same credentials.
	bc := newCometD(c, s.NotificationsURL())
	rep := bc.handshake()
	if rep["successful"] != false || rep["error"] != "403::User not authenticated" {
		t.Fatalf("handshake without credentials: %v", rep)
	}
	bc = newCometD(c, s.NotificationsURL(), "Authorization", basic("agent1", "secret"))
	if rep := bc.handshake(); rep["successful"] != true {
		t.Fatalf("handshake with credentials: %v", rep)
	}
}

func TestCSRF(t *testing.T) {
	s := NewServer(t, WithCSRF())
	c := newClient(t)
	forbidden := `{"statusCode":3,"statusMessage":"Missing or invalid Csrf token"}`
	send := func(hdr ...string) *response {
		return c.do(http.MethodPost, s.URL()+"/me/facebook/X1", fixture(t, "facebook_send_request.json"), hdr...)
	}
	// No cookie, no token.
	expect(t, send(), 403, forbidden)

	r := c.do(http.MethodGet, s.URL()+"/me", "")
	if r.Status != 200 || r.Header.Get("X-CSRF-HEADER") != "X-CSRF-TOKEN" || r.Header.Get("X-CSRF-TOKEN") == "" {
		t.Fatalf("GET /me: %d %v", r.Status, r.Header)
	}
	token := r.Header.Get("X-CSRF-TOKEN")
	// Every GET carries the same token for the session, 404s included.
	r = c.do(http.MethodGet, s.URL()+"/nope", "")
	if r.Status != 404 || r.Header.Get("X-CSRF-TOKEN") != token {
		t.Fatalf("GET /nope: %d %v", r.Status, r.Header)
	}

	expect(t, send(), 403, forbidden)
	expect(t, send("X-CSRF-TOKEN", "wrong"), 403, forbidden)
	expect(t, send("X-CSRF-TOKEN", token), 200, `{"statusCode":0,"referenceId":1}`)

	// A token belongs to its session: another client cannot use it.
	other := newClient(t)
	expect(t, other.do(http.MethodPost, s.URL()+"/me/facebook/X1", fixture(t, "facebook_send_request.json"), "X-CSRF-TOKEN", token), 403, forbidden)

	// Expired tokens are refused until refreshed by a GET.
	s.ExpireCSRF()
	expect(t, send("X-CSRF-TOKEN", token), 403, forbidden)
	r = c.do(http.MethodGet, s.URL()+"/diagnostics/version", "")
	fresh := r.Header.Get("X-CSRF-TOKEN")
	if fresh == "" || fresh == token {
		t.Fatalf("token after ExpireCSRF: %q (old %q)", fresh, token)
	}
	expect(t, send("X-CSRF-TOKEN", fresh), 200, `{"statusCode":0,"referenceId":2}`)

	// CometD is not CSRF-checked.
	bc := newCometD(c, s.NotificationsURL())
	if rep := bc.handshake(); rep["successful"] != true {
		t.Fatalf("handshake: %v", rep)
	}
}

func TestCSRFOff(t *testing.T) {
	s := NewServer(t)
	r := newClient(t).do(http.MethodGet, s.URL()+"/me", "")
	if r.Header.Get("X-CSRF-HEADER") != "" || r.Header.Get("X-CSRF-TOKEN") != "" {
		t.Fatalf("CSRF headers without WithCSRF: %v", r.Header)
	}
}

// WithCSRF checks the methods its doc names, POST, PUT, PATCH and DELETE,
// and no other: an OPTIONS without a token is answered as any request the
// simulator has no route for, not refused for its token (outside review).
func TestCSRFChecksTheUnsafeMethodsOnly(t *testing.T) {
	s := NewServer(t, WithCSRF())
	c := newClient(t)
	forbidden := `{"statusCode":3,"statusMessage":"Missing or invalid Csrf token"}`
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		expect(t, c.do(m, s.URL()+"/me", `{}`), 403, forbidden)
	}
	expect(t, c.do(http.MethodOptions, s.URL()+"/me", ""), 404, `{"statusCode":6,"statusMessage":"Resource not found"}`)
}
