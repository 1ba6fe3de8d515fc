package cometd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"

	"github.com/omnisdk/omni/internal/safefmt"
)

// Credentials are what a WithHandshakeAuth provider returns for one
// handshake and the session it opens. Their String and GoString name the
// header names and ext keys only, never the values.
type Credentials struct {
	// Header is set on every HTTP request and websocket upgrade of the
	// session, from its handshake on (e.g. Authorization: Bearer ...),
	// after the WithRequestHeader function ran.
	Header http.Header
	// Ext is set into the handshake message's ext, key by key (e.g.
	// "authentication"), before the extensions' Outgoing hooks run.
	Ext map[string]any
}

// String names the header names and ext keys, without their values.
func (c Credentials) String() string {
	hs := make([]string, 0, len(c.Header))
	for k := range c.Header {
		hs = append(hs, k)
	}
	xs := make([]string, 0, len(c.Ext))
	for k := range c.Ext {
		xs = append(xs, k)
	}
	sort.Strings(hs)
	sort.Strings(xs)
	return fmt.Sprintf("cometd.Credentials{Header: [%s] (redacted), Ext: [%s] (redacted)}", strings.Join(hs, " "), strings.Join(xs, " "))
}

// GoString is String, so %#v redacts too.
func (c Credentials) GoString() string { return c.String() }

// LogValue is String, so slog handlers (JSON ones too) print no value.
func (c Credentials) LogValue() slog.Value { return slog.StringValue(c.String()) }

// MarshalJSON encodes String, so encoding the credentials shows no value.
func (c Credentials) MarshalJSON() ([]byte, error) { return json.Marshal(c.String()) }

// Format prints String for every verb (%d included; not %p of a value, nor
// %w, which fmt prints without calling any method and go vet reports), so
// no verb prints the header values or ext fields.
func (c Credentials) Format(f fmt.State, verb rune) { safefmt.Redacted(f, verb, c.String()) }

// AuthProvider returns the credentials for a handshake; see
// WithHandshakeAuth.
type AuthProvider func(ctx context.Context, refresh bool) (Credentials, error)

// WithHandshakeAuth sets a provider of per-handshake credentials, such as
// a token refresher. It is called, with the handshake's context, before
// every handshake attempt: the first, each retry and each re-handshake.
// refresh is true when the server has just refused the previous attempt
// with HTTP 401 or 403, or with a 401 or 403 reply, and for the
// re-handshake after a /meta/connect answered HTTP 401 or 403 (the session's
// credentials expired): the provider must then fetch new credentials instead
// of returning cached ones. The first refusal of a streak is retried at
// once, once; while the refusals go on, each further attempt is made after
// the backoff, each with refresh true. Refused again with HTTP 401/403 after
// a refresh, the handshake is terminal (*TerminalError); a 401/403 reply
// again is handled like any unsuccessful handshake reply (its advice
// decides). An error from the
// provider fails the attempt like a network failure: it is retried with the
// backoff, and Handshake returns it (wrapped) when its ctx ends.
//
// The header values and ext fields are never logged.
func WithHandshakeAuth(fn AuthProvider) Option {
	return func(cfg *config) error {
		if fn == nil {
			return errors.New("cometd: WithHandshakeAuth(nil)")
		}
		cfg.auth = fn
		return nil
	}
}

// ErrCredentials wraps a WithHandshakeAuth provider's error.
var ErrCredentials = errors.New("cometd: getting handshake credentials")

// credentials calls the provider, if any, and keeps the header for the
// requests of the session. It returns the ext fields for the handshake.
func (c *Client) credentials(ctx context.Context, refresh bool) (map[string]any, error) {
	if c.cfg.auth == nil {
		return nil, nil
	}
	cr, err := c.cfg.auth(ctx, refresh)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCredentials, err)
	}
	c.mu.Lock()
	c.authHeader = cr.Header.Clone()
	c.mu.Unlock()
	return cr.Ext, nil
}

// requestHeader sets the headers of every HTTP request and websocket
// upgrade: the WithRequestHeader function's, then the current credentials'.
func (c *Client) requestHeader(h http.Header) {
	if c.cfg.header != nil {
		c.cfg.header(h)
	}
	c.mu.Lock()
	ah := c.authHeader
	c.mu.Unlock()
	for k, vs := range ah {
		h[k] = append([]string(nil), vs...)
	}
}

// authRefused reports whether err (a failed handshake request or an
// unsuccessful reply) is a 401 or 403 refusal.
func authRefused(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		return se.StatusCode == http.StatusUnauthorized || se.StatusCode == http.StatusForbidden
	}
	var e *Error
	return errors.As(err, &e) && (e.Code == 401 || e.Code == 403)
}
