package cometd

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// transport carries Bayeux messages to the server and back.
type transport interface {
	// name is the connection type, LongPolling or WebSocket.
	name() string
	// send writes msgs as one batch. Every transport hands the messages it
	// receives to the receive function it was built with: a synchronous
	// one (long-polling) those of the reply before send returns, an
	// asynchronous one (websocket) as they arrive.
	send(ctx context.Context, msgs []*Message) error
	// synchronous reports whether the replies to a batch have been handed
	// over when send returns.
	synchronous() bool
	// reset releases the transport's connections; it may be used again.
	reset()
}

// upgradeError is returned when the server answered a websocket upgrade
// with an HTTP status other than 101: websocket is not available there.
type upgradeError struct {
	status int
	err    error
}

func (e *upgradeError) Error() string {
	return "cometd: websocket upgrade refused: " + (&StatusError{StatusCode: e.status}).Error()
}

func (e *upgradeError) Unwrap() error { return &StatusError{StatusCode: e.status} }

// wsError marks a failure of the websocket (dial, write, read, stall).
type wsError struct{ err error }

func (e *wsError) Error() string { return "cometd: websocket: " + e.err.Error() }

func (e *wsError) Unwrap() error { return e.err }

// isWSFailure reports whether err is a websocket failure.
func isWSFailure(err error) bool {
	var w *wsError
	var u *upgradeError
	return errors.As(err, &w) || errors.As(err, &u)
}

// wsURL derives the websocket URL from the Bayeux endpoint URL.
func wsURL(u *url.URL) string {
	w := *u
	switch strings.ToLower(w.Scheme) {
	case "https":
		w.Scheme = "wss"
	default:
		w.Scheme = "ws"
	}
	return w.String()
}

// lostReply is the error of requests that went out and got no reply
// because of cause (what names the step that failed): it wraps ErrNoReply,
// since the server may have got them, and cause.
func lostReply(what string, cause error) error {
	return fmt.Errorf("%w: %s: %w", ErrNoReply, what, cause)
}

// notSent reports whether err, from http.Client.Do, says the request never
// went out: the connection could not be opened (dial, DNS, a refused
// connection) or its TLS handshake failed. Any other failure may come after
// the request was written.
func notSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var cv *tls.CertificateVerificationError
	var rh tls.RecordHeaderError
	return errors.As(err, &cv) || errors.As(err, &rh)
}
