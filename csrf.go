package omni

import (
	"bytes"
	"context"
	"net/http"
	"net/textproto"
	"sync"
)

// csrfState caches the CSRF header name and token GWS hands out on any
// response (X-CSRF-HEADER names the header, X-CSRF-TOKEN is the value).
// The token lives as long as the HTTP session.
type csrfState struct {
	mu        sync.Mutex
	header    string
	token     string
	refreshMu sync.Mutex // one refresh at a time
}

// capture stores the token when the response carries one.
func (s *csrfState) capture(h http.Header) {
	name, token := h.Get("X-CSRF-HEADER"), h.Get("X-CSRF-TOKEN")
	if name == "" || token == "" || !validHeaderName(name) {
		return
	}
	s.mu.Lock()
	s.header, s.token = textproto.CanonicalMIMEHeaderKey(name), token
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
// call already replaced the token the failed request used.
func (c *Client) refreshCSRF(ctx context.Context, used string) error {
	c.gws.csrf.refreshMu.Lock()
	defer c.gws.csrf.refreshMu.Unlock()
	if _, tok := c.gws.csrf.current(); tok != "" && tok != used {
		return nil
	}
	c.cfg.logger.Debug("omni: fetching a CSRF token", "url", c.gws.base+"me")
	res, err := c.roundTrip(ctx, &call{ep: c.gws, method: http.MethodGet, path: "me"}, nil)
	if err != nil {
		return err
	}
	res.release()
	return nil
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
