package bayeuxsrv

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"time"
)

// Transport names as they appear in supportedConnectionTypes and connectionType.
const (
	// LongPolling is the Bayeux long-polling transport (HTTP POST of JSON arrays).
	LongPolling = "long-polling"
	// WebSocket is the Bayeux websocket transport (one socket per client).
	WebSocket = "websocket"
)

// Defaults applied by New to zero Options fields.
const (
	DefaultTimeout        = 30 * time.Second
	DefaultMaxInterval    = 10 * time.Second
	DefaultMaxMessageSize = 1 << 20
	DefaultMaxQueue       = 10000
)

// Direction tells an OnMessage hook whether a message came in from a client or
// went out to one.
type Direction int

const (
	// Inbound marks a message received from a client.
	Inbound Direction = iota
	// Outbound marks a message sent to a client.
	Outbound
)

// String returns "inbound" or "outbound".
func (d Direction) String() string {
	switch d {
	case Inbound:
		return "inbound"
	case Outbound:
		return "outbound"
	default:
		return "unknown"
	}
}

// Options configures a Server. The zero value is usable: every zero field takes
// its documented default.
type Options struct {
	// Timeout is advice.timeout: how long a /meta/connect is held when nothing
	// is queued (default 30s).
	Timeout time.Duration
	// Interval is advice.interval: how long clients wait between connects (default 0).
	Interval time.Duration
	// MaxInterval is how long a session survives without a /meta/connect
	// (default 10s). A session whose connect is being held never expires.
	MaxInterval time.Duration
	// Transports lists the connection types the server offers, in the order
	// reported in the handshake reply (default {"websocket","long-polling"}).
	// Without "websocket" upgrade requests are refused with 400.
	Transports []string
	// Authorize is called with the HTTP request that carried a handshake; a
	// non-nil error refuses it with "403::<error text>" and advice
	// reconnect "none". Nil allows every handshake.
	Authorize func(r *http.Request) error
	// Owner, when set, names the owner of a session from the HTTP request
	// that carried its handshake (a user name, say); PublishTo delivers to
	// the sessions of one owner only. Nil gives every session the owner "".
	Owner func(r *http.Request) string
	// OnMessage observes every single message received (Inbound) and sent
	// (Outbound), as raw JSON. It runs synchronously on the serving goroutine
	// and must not retain or modify m. May be nil.
	OnMessage func(dir Direction, m json.RawMessage)
	// MaxMessageSize caps a long-polling request body (larger → HTTP 413) and a
	// websocket frame (larger → the socket is closed with status 1009).
	// Default 1 MiB.
	MaxMessageSize int64
	// MaxQueue bounds the number of undelivered data messages kept per
	// session (default 10,000). On overflow the oldest messages are dropped
	// and a warning is logged once per session.
	MaxQueue int
	// Logger receives diagnostics; nil discards them.
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Interval < 0 {
		o.Interval = 0
	}
	if o.MaxInterval <= 0 {
		o.MaxInterval = DefaultMaxInterval
	}
	if len(o.Transports) == 0 {
		o.Transports = []string{WebSocket, LongPolling}
	} else {
		o.Transports = append([]string(nil), o.Transports...)
	}
	if o.MaxMessageSize <= 0 {
		o.MaxMessageSize = DefaultMaxMessageSize
	}
	if o.MaxQueue <= 0 {
		o.MaxQueue = DefaultMaxQueue
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

func (o *Options) offers(transport string) bool {
	for _, t := range o.Transports {
		if t == transport {
			return true
		}
	}
	return false
}
