package cometd

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Sentinel errors returned by the client.
var (
	// ErrClosed is returned by calls made on, or blocked in, a closed client.
	ErrClosed = errors.New("cometd: client closed")
	// ErrDisconnected is returned by calls on a client after Disconnect.
	ErrDisconnected = errors.New("cometd: client disconnected")
	// ErrNoTransport is the terminal error when the client and the server
	// share no connection type.
	ErrNoTransport = errors.New("cometd: no connection type supported by both client and server")
	// ErrMessageTooLarge is returned when a response body or websocket frame
	// exceeds the maximum message size.
	ErrMessageTooLarge = errors.New("cometd: message exceeds the maximum size")
	// ErrNoReply is returned when a message went out and its reply did
	// not come: not within WithMaxNetworkDelay, or the connection it went
	// out on failed first (the error wraps that failure too). The message
	// may have reached the server.
	ErrNoReply = errors.New("cometd: no reply from the server")
	// ErrUnsubscribed is a Subscription's Err after Unsubscribe.
	ErrUnsubscribed = errors.New("cometd: unsubscribed")
	// ErrReconnectNone is the cause of the terminal error when the server's
	// advice says reconnect "none", on a successful reply as on a failed one.
	ErrReconnectNone = errors.New(`cometd: server advised reconnect "none"`)
	// ErrSlowConsumer is in the StateChange.Err of a session loss that
	// followed a full delivery queue: the handlers were so slow that the
	// client stopped reading, no /meta/connect was outstanding, and the
	// server expired the session with the messages it held for it (see
	// WithQueueBytes).
	ErrSlowConsumer = errors.New("cometd: session lost while the delivery queue was full (handlers too slow): messages the server held for it are lost")
)

// Error is a Bayeux error string of the form "code:args:message", such as
// "402::Unknown client" or "403:token:Invalid token". Raw keeps the original.
type Error struct {
	Code    int
	Args    []string
	Message string
	Raw     string
}

// Error returns the raw Bayeux error string, prefixed with the package name.
func (e *Error) Error() string {
	if e.Raw == "" {
		return "cometd: unsuccessful reply"
	}
	return "cometd: " + e.Raw
}

// ParseError parses a Bayeux error string. A string that does not follow the
// code:args:message form gives an Error with Code 0 and Message set to s.
func ParseError(s string) *Error {
	e := &Error{Raw: s, Message: s}
	parts := strings.SplitN(s, ":", 3)
	if len(parts) != 3 {
		return e
	}
	code, err := strconv.Atoi(parts[0])
	if err != nil || code < 0 {
		return e
	}
	e.Code, e.Message = code, parts[2]
	if parts[1] != "" {
		e.Args = strings.Split(parts[1], ",")
	}
	return e
}

// replyError turns an unsuccessful reply into an *Error.
func replyError(m *Message) *Error {
	return ParseError(m.Error)
}

// StatusError is returned when the server answers an HTTP request (or a
// websocket upgrade) with an unexpected status code.
type StatusError struct {
	StatusCode int
}

// Error describes the status code.
func (e *StatusError) Error() string {
	return fmt.Sprintf("cometd: unexpected HTTP status %d", e.StatusCode)
}

// TerminalError wraps the reason the client stopped for good: advice
// reconnect "none", a handshake refused with HTTP 401/403, or no common
// connection type. Client.Err returns it.
type TerminalError struct {
	Err error
}

// Error describes the terminal error.
func (e *TerminalError) Error() string { return "cometd: client terminated: " + e.Err.Error() }

// Unwrap returns the cause.
func (e *TerminalError) Unwrap() error { return e.Err }

// SubscriptionError reports a re-subscription after a re-handshake that the
// server refused or that failed (and is retried). It reaches state listeners
// through StateChange.Err, and is the Subscription's Err.
type SubscriptionError struct {
	Channel string
	Err     error
}

// Error describes the refused subscription.
func (e *SubscriptionError) Error() string {
	return "cometd: re-subscribing to " + e.Channel + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *SubscriptionError) Unwrap() error { return e.Err }

// isTerminal reports whether err ends the client.
func isTerminal(err error) bool {
	var t *TerminalError
	return errors.As(err, &t)
}
