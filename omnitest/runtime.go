package omnitest

import "net/http"

// authState is what GWS requires at the moment; options set it at Start,
// the methods below change it while the server runs.
type authState struct {
	basic      bool
	user, pass string
	csrf       bool
}

// RequireBasicAuth makes every GWS request and CometD handshake from now on
// require "Authorization: Basic base64(user:pass)", as WithBasicAuth does at
// start (miniredis's RequireAuth). Clients made by NewClient afterwards send
// these credentials; a client made before keeps the ones it has, which is
// how a test sees its code handle a password change (HTTP 401 statusCode 20).
func (s *Server) RequireBasicAuth(user, pass string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.auth.basic, s.auth.user, s.auth.pass = true, user, pass
}

// AllowAnonymous stops checking GWS credentials (the default without
// WithBasicAuth).
func (s *Server) AllowAnonymous() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.auth.basic, s.auth.user, s.auth.pass = false, "", ""
}

// SetCSRF turns GWS CSRF protection on or off while the server runs (see
// WithCSRF for what it checks). Turning it on mid-session is what a server
// upgrade looks like to a client: its next write without a token gets 403.
func (s *Server) SetCSRF(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.auth.csrf = on
}

func (s *Server) csrfOn() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.auth.csrf
}

// Middleware wraps the simulator's handler; see WithMiddleware.
type Middleware func(next http.Handler) http.Handler

// WithMiddleware wraps the whole simulator (GWS, CometD, Messenger) in m, to
// add response headers, check an authentication scheme of the test's own,
// or answer some requests itself. Middlewares apply in the order given, the
// first outermost. A request m answers without calling next is not seen by
// the simulator: it is neither recorded nor faulted.
func WithMiddleware(m Middleware) Option {
	return func(c *config) {
		if m != nil {
			c.middleware = append(c.middleware, m)
		}
	}
}

// wrap applies the middlewares around h.
func (c *config) wrap(h http.Handler) http.Handler {
	for i := len(c.middleware) - 1; i >= 0; i-- {
		h = c.middleware[i](h)
	}
	return h
}
