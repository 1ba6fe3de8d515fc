package omnitest

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
)

// Names of the session cookie and CSRF headers.
const (
	SessionCookie    = "JSESSIONID"
	csrfHeaderHeader = "X-CSRF-HEADER"
	csrfTokenHeader  = "X-CSRF-TOKEN"
	msgBadCSRF       = "Missing or invalid Csrf token"
)

// httpSession is the server side of a JSESSIONID.
type httpSession struct {
	id      string
	csrf    string
	nextRef int64 // next referenceId to hand out
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}

// ensureSession returns the request's HTTP session, creating one (and
// setting the JSESSIONID cookie) when the request has none or an unknown one.
func (s *Server) ensureSession(w http.ResponseWriter, r *http.Request) *httpSession {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, err := r.Cookie(SessionCookie); err == nil {
		if hs := s.sessions[c.Value]; hs != nil {
			return hs
		}
	}
	hs := &httpSession{id: randomHex(16), csrf: randomHex(16), nextRef: s.refFloor + 1}
	s.sessions[hs.id] = hs
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: hs.id, Path: "/", HttpOnly: true})
	return hs
}

// nextReference hands out the session's next referenceId.
func (s *Server) nextReference(hs *httpSession) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := hs.nextRef
	hs.nextRef++
	return n
}

func (s *Server) csrfToken(hs *httpSession) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return hs.csrf
}

// validCSRF reports whether r carries hs's token and named hs in its cookie.
func (s *Server) validCSRF(hs *httpSession, r *http.Request) bool {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value != hs.id {
		return false // the session was created by this very request
	}
	got := r.Header.Get(csrfTokenHeader)
	want := s.csrfToken(hs)
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// ExpireCSRF gives every HTTP session a new CSRF token: requests carrying an
// old token get 403 until the client fetches the new one with a GET.
func (s *Server) ExpireCSRF() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, hs := range s.sessions {
		hs.csrf = randomHex(16)
	}
}

// ExpireSessions forgets every HTTP session (as a session timeout would):
// the next request gets a new JSESSIONID and, with WithCSRF, a POST carrying
// the old cookie gets 403. referenceIds keep increasing.
func (s *Server) ExpireSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, hs := range s.sessions {
		s.refFloor = max(s.refFloor, hs.nextRef-1)
	}
	s.sessions = make(map[string]*httpSession)
}

// gwsAuthorized checks Basic credentials when they are required
// (WithBasicAuth, RequireBasicAuth).
func (s *Server) gwsAuthorized(r *http.Request) bool {
	s.mu.Lock()
	a := s.auth
	s.mu.Unlock()
	if !a.basic {
		return true
	}
	user, pass, ok := r.BasicAuth()
	return ok && equal(user, a.user) && equal(pass, a.pass)
}

var errNotAuthenticated = errors.New(msgNotAuthenticated)

// authorizeHandshake is the bayeuxsrv Authorize hook.
func (s *Server) authorizeHandshake(r *http.Request) error {
	if !s.gwsAuthorized(r) {
		return errNotAuthenticated
	}
	return nil
}

// userName is the agent's user name: the Basic user if any, else "agent".
func (s *Server) userName(r *http.Request) string {
	if user, _, ok := r.BasicAuth(); ok && user != "" {
		return user
	}
	return "agent"
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
