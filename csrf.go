package omni

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/textproto"
	"net/url"
	"sort"
	"strings"
	"sync"
)

// csrfState caches the CSRF header name and token GWS hands out on any
// response (X-CSRF-HEADER names the header, X-CSRF-TOKEN is the value).
// The token lives as long as the HTTP session.
type csrfState struct {
	mu     sync.Mutex
	header string
	token  string
	// session is the cookies of the session token belongs to (see
	// sessionOf). Compared only, never logged.
	session string
	// The gate (csrf_gate.go): refreshing holds one token while a refresh
	// runs; inflight counts the attempts of epoch sent and not yet
	// answered; gate is closed when a refresh lets requests go again; idle
	// is closed when inflight reaches 0 while a refresh waits for it.
	refreshing chan struct{}
	inflight   int
	epoch      int // see quiesceMax
	gate, idle chan struct{}
}

func newCSRFState() *csrfState { return &csrfState{refreshing: make(chan struct{}, 1)} }

// capture stores the token when the response carries one, with the
// session it belongs to: the cookies the request carried (sent, its Cookie
// header) as updated by the response's Set-Cookie.
func (s *csrfState) capture(h http.Header, sent string) {
	name, token := h.Get("X-CSRF-HEADER"), h.Get("X-CSRF-TOKEN")
	if name == "" || token == "" || !validHeaderName(name) {
		return
	}
	session := sessionOf(sent, h)
	s.mu.Lock()
	s.header, s.token, s.session = textproto.CanonicalMIMEHeaderKey(name), token, session
	s.mu.Unlock()
}

// apply adds the token, when known, and returns the token it added.
func (s *csrfState) apply(h http.Header) string {
	s.mu.Lock()
	name, token := s.header, s.token
	s.mu.Unlock()
	if token != "" {
		h.Set(name, token)
	}
	return token
}

// current returns the cached token.
func (s *csrfState) current() (header, token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.header, s.token
}

// refreshCSRF fetches a fresh token with GET {base}/me, unless another
// call already replaced the token the failed request used. It first lets
// the requests in flight get their answers, holding back new ones (see
// csrf_gate.go).
func (c *Client) refreshCSRF(ctx context.Context, used string) error {
	s := c.gws.csrf
	if err := s.lockRefresh(ctx); err != nil {
		return err
	}
	defer s.unlockRefresh()
	open, err := s.quiesce(ctx)
	if err != nil {
		return err
	}
	defer open()
	// Nothing is in flight now (or a hung attempt was given up on): the
	// jar holds the session every request sent from here on carries. A
	// token another call got meanwhile will do if it belongs to that
	// session.
	if s.usable(used, c.jarSession()) {
		return nil
	}
	c.cfg.logger.Debug("omni: fetching a CSRF token", "url", c.gws.base+"me")
	me := &call{ep: c.gws, method: http.MethodGet, path: "me", tokenFetch: true}
	res, err := c.roundTrip(ctx, me, nil, carry{})
	if err != nil {
		return err
	}
	defer res.release()
	if _, tok := s.current(); tok != "" && tok != used {
		return nil // the answer carried a fresh token, whatever its status
	}
	if err := c.check(me, res); err != nil {
		return err // a 401, say: the caller sees it beside the refusal
	}
	return errNoFreshToken
}

// errNoFreshToken: the token fetch was answered without a token other than
// the refused one; sending again would be refused the same way.
var errNoFreshToken = errors.New("omni: GET /me gave no fresh CSRF token")

// usable reports whether the known token, if it is not the refused one
// (used), belongs to session (the jar's, as sessionOf gives it).
func (s *csrfState) usable(used, session string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token != "" && s.token != used && s.session == session
}

// jarSession is the jar's cookies for the GWS API as sessionOf gives
// them, "" without a jar.
func (c *Client) jarSession() string {
	if c.wire.Jar == nil {
		return ""
	}
	u, err := url.Parse(c.gws.base + "me")
	if err != nil {
		return ""
	}
	var b strings.Builder
	for i, k := range c.wire.Jar.Cookies(u) {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(k.Name + "=" + k.Value)
	}
	return sessionOf(b.String(), nil)
}

// anotherTry reports whether a request refused for its CSRF token, which
// carried token used and the Cookie header sent, may be tried again: a
// newer token is known, or the request carried another session than the
// one the current token belongs to. A token refused in its own session is
// the server's answer.
func (s *csrfState) anotherTry(used, sent string) bool {
	now := sessionOf(sent, nil)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token == "" {
		return false // no token to try: the refresh got none
	}
	return s.token != used || now != s.session
}

// sessionOf is the cookies a request carried (its Cookie header) with
// those its answer set (Set-Cookie in answer, if not nil) in their place:
// the session the answer belongs to, as "name=value" pairs in name order.
func sessionOf(sent string, answer http.Header) string {
	jar := map[string]string{}
	if cs, err := http.ParseCookie(sent); err == nil {
		for _, k := range cs {
			jar[k.Name] = k.Value
		}
	}
	for _, line := range answer.Values("Set-Cookie") {
		if k, err := http.ParseSetCookie(line); err == nil {
			jar[k.Name] = k.Value
		}
	}
	names := make([]string, 0, len(jar))
	for n := range jar {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		b.WriteString(n)
		b.WriteByte('=')
		b.WriteString(jar[n])
		b.WriteByte(';')
	}
	return b.String()
}

var csrfMarker = []byte("csrf")

// csrfRetry asks the retry table whether a GWS 403 with this body calls
// for a CSRF refresh.
func (c *Client) csrfRetry(body []byte) bool {
	action, _ := decideRetry(retryInput{status: http.StatusForbidden, csrfRejection: isCSRFRejection(body)})
	return action == refreshCSRFAnd
}

// isCSRFRejection reports whether a 403 body is GWS's "Missing or invalid
// Csrf token".
func isCSRFRejection(body []byte) bool {
	return bytes.Contains(bytes.ToLower(body), csrfMarker)
}

// validHeaderName reports whether s is a token per RFC 7230.
func validHeaderName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if !(ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '-' || ch == '_') {
			return false
		}
	}
	return true
}
