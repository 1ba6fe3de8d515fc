package cometd

import (
	"errors"
	"log/slog"
	"net/http"
	"time"
)

// Connection types (transports) the client implements.
const (
	LongPolling = "long-polling"
	WebSocket   = "websocket"
)

// Option configures a Client. A nil Option makes NewClient fail.
type Option func(*config) error

// config holds the options of a Client.
type config struct {
	httpClient      *http.Client
	header          func(h http.Header)
	transports      []string
	backoffInc      time.Duration
	backoffMax      time.Duration
	logger          *slog.Logger
	maxMessageSize  int64
	extensions      []Extension
	queueBytes      int64
	maxNetworkDelay time.Duration
	wsMaxFailures   int
	auth            AuthProvider
	readPacing      time.Duration
}

// defaultConfig returns the defaults documented on each option.
func defaultConfig() config {
	return config{
		transports:      []string{WebSocket, LongPolling},
		backoffInc:      time.Second,
		backoffMax:      30 * time.Second,
		maxMessageSize:  1 << 20,
		queueBytes:      8 << 20,
		maxNetworkDelay: 10 * time.Second,
		wsMaxFailures:   3,
		readPacing:      DefaultReadPacing,
	}
}

// WithHTTPClient sets the *http.Client used for long-polling requests and
// for the websocket upgrade, so both share its cookie jar and transport. The
// default is a new client with a cookie jar of its own. Sharing a jar with
// another CometD client makes both send the same BAYEUX_BROWSER cookie, which
// CometD servers may treat as several tabs of one browser (advice
// multiple-clients); share it when the server needs other cookies, such as a
// JSESSIONID, on both REST and CometD requests.
func WithHTTPClient(c *http.Client) Option {
	return func(cfg *config) error {
		if c == nil {
			return errors.New("cometd: WithHTTPClient(nil)")
		}
		cfg.httpClient = c
		return nil
	}
}

// WithRequestHeader sets a function called on the headers of every outgoing
// HTTP request and websocket upgrade, for authentication or CSRF tokens. It
// may be called concurrently. Header values are never logged. It cannot fail
// or see a context: for credentials that expire and must be fetched, use
// WithHandshakeAuth, whose header is set after this function's.
func WithRequestHeader(fn func(h http.Header)) Option {
	return func(cfg *config) error {
		if fn == nil {
			return errors.New("cometd: WithRequestHeader(nil)")
		}
		cfg.header = fn
		return nil
	}
}

// WithTransports sets the connection types the client may use, in order of
// preference. The default is WebSocket, then LongPolling. With both, a
// failing websocket makes the client fall back to long-polling, and every
// later handshake tries websocket again.
func WithTransports(names ...string) Option {
	return func(cfg *config) error {
		if len(names) == 0 {
			return errors.New("cometd: WithTransports needs at least one transport")
		}
		seen := map[string]bool{}
		for _, n := range names {
			if n != WebSocket && n != LongPolling {
				return errors.New("cometd: unknown transport " + n)
			}
			if seen[n] {
				return errors.New("cometd: transport " + n + " given twice")
			}
			seen[n] = true
		}
		cfg.transports = append([]string(nil), names...)
		return nil
	}
}

// WithBackoff sets the linear backoff applied after consecutive failures of
// connects, handshakes and re-subscriptions: the n-th consecutive failure
// waits n*increment, at most limit, before the next attempt. It resets after
// a successful connect, and when the server forgets a session that had
// connected (402 with advice handshake: the client re-handshakes at once).
// The default is 1s and 30s.
func WithBackoff(increment, limit time.Duration) Option {
	return func(cfg *config) error {
		if increment <= 0 || limit < increment {
			return errors.New("cometd: WithBackoff needs 0 < increment <= limit")
		}
		cfg.backoffInc, cfg.backoffMax = increment, limit
		return nil
	}
}

// WithLogger sets the logger. Without one the client logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(cfg *config) error {
		if l == nil {
			return errors.New("cometd: WithLogger(nil)")
		}
		cfg.logger = l
		return nil
	}
}

// WithMaxMessageSize caps the size of a long-polling response body and of a
// websocket frame the client reads. The default is 1 MiB. A larger reply is a
// failure (ErrMessageTooLarge) handled like a network error: what it carried
// is lost, and each such refusal is a StateChange whose Err wraps
// ErrMessageTooLarge. With the ack extension the server sends the refused
// batch again at every connect, so at the second refusal in a row the client
// re-handshakes, announced the same way: the new session starts empty, and
// what the server held for the old one is lost too. Requests waiting for a
// reply on the refused socket or response fail with ErrNoReply.
func WithMaxMessageSize(n int64) Option {
	return func(cfg *config) error {
		if n <= 0 {
			return errors.New("cometd: WithMaxMessageSize needs n > 0")
		}
		cfg.maxMessageSize = n
		return nil
	}
}

// WithExtension adds an extension. It may be given several times; the
// extensions' hooks run in the order they were added.
func WithExtension(e Extension) Option {
	return func(cfg *config) error {
		if e == nil {
			return errors.New("cometd: WithExtension(nil)")
		}
		cfg.extensions = append(cfg.extensions, e)
		return nil
	}
}

// WithQueueBytes sets how much the delivery queue between the network and
// the handlers may hold, in bytes (default 8 MiB). A queued message counts
// for its data, channel, ext and other fields plus 256 bytes; a message
// larger than the limit is still taken when the queue is empty.
//
// What happens when handlers are slower than the server:
//
//   - While the queue has room the client keeps reading and keeps its
//     /meta/connect loop going, so the session stays alive however slow the
//     handlers are.
//   - When the queue is full the client stops reading from the network
//     until the handlers have taken half of it (backpressure). The server
//     holds the messages meanwhile, but no /meta/connect is outstanding: if
//     the handlers stay behind longer than the server keeps a session
//     without a connect (its maxInterval; 10 s on CometD servers), the server
//     forgets the session and the messages it held for it. The client then
//     re-handshakes and re-subscribes as after any session loss, and state
//     listeners get that StateChange with an Err matching ErrSlowConsumer
//     (errors.Is), so the loss is never silent. Nothing is dropped by the
//     client itself.
//   - Close discards what is still queued (the count is logged); Disconnect
//     delivers it first.
func WithQueueBytes(n int64) Option {
	return func(cfg *config) error {
		if n <= 0 {
			return errors.New("cometd: WithQueueBytes needs n > 0")
		}
		cfg.queueBytes = n
		return nil
	}
}

// WithReadPacing sets how long the websocket transport lets a busy socket
// fill before it reads it again: before reading the start of a frame, if
// the previous read emptied the socket, the read waits until d has passed
// since that one started. A read that starts more than d after the one
// before is not delayed, nor is a message already read or the rest of a
// frame, so a notification that comes alone is delivered at once. Nor does
// a read wait while the client awaits the reply to a request written on the
// socket (a Publish, a Subscribe; not a /meta/connect, which the server
// holds) or has written to it since the read before, and a write ends a
// wait: replies are not held back. In a burst a message may be read up to
// d later, plus the runtime timer's slack (a sleep shorter than a
// millisecond takes about a millisecond on Linux when the process has
// nothing else to run), and the server, whose writes then merge into fewer
// TCP segments, delivers the burst sooner and the client reads it with
// fewer system calls (readpacing.go, BENCHMARKS.md). But a burst larger
// than the socket's receive buffer (typically a few hundred kilobytes) is
// read at most one buffer-full per d once the reader has caught up with
// it: no bound at the default, a few tens of megabytes a second at 10ms.
// A dropped connection is noticed at the end of a wait; closing the client
// ends one at once. d is at most 10ms; 0 reads at once. The default is
// DefaultReadPacing.
//
// The pacing wraps the upgraded connection, which the transport of the
// client's *http.Client hands over as the body of its 101 answer, so it
// applies whatever that RoundTripper is. Long-polling is not affected.
func WithReadPacing(d time.Duration) Option {
	return func(cfg *config) error {
		if d < 0 || d > maxReadPacing {
			return errors.New("cometd: WithReadPacing needs 0 <= d <= 10ms")
		}
		cfg.readPacing = d
		return nil
	}
}

// maxReadPacing bounds WithReadPacing: a wait also delays noticing a
// dropped connection and a /meta/connect reply, and a burst larger than the
// socket's receive buffer is read one buffer-full per interval (an outside
// review: 20,000 frames of 100 bytes took 1.3 s at 100ms against 0.12 s at
// 1ms). The interval is meant to be a burst's, not a quiet session's.
const maxReadPacing = 10 * time.Millisecond

// pacer is the websocket sockets' pacer of WithReadPacing; nil for none.
func (cfg *config) pacer() *pacer {
	switch cfg.readPacing {
	case 0:
		return nil
	case DefaultReadPacing:
		return defaultPacer
	}
	return newPacer(cfg.readPacing)
}

// WithMaxNetworkDelay sets the margin added to the server's advice.timeout to
// bound a /meta/connect, and the time allowed for any other request to be
// answered, counted from when the request was handed to the socket (so the
// time to transmit it counts, as in CometD's JavaScript client): a Publish,
// Subscribe or Unsubscribe not answered by then fails with ErrNoReply, and
// the message may have reached the server (a Subscribe then sends
// /meta/unsubscribe for the channel, unless another Subscription holds it;
// over long-polling the timed-out request may still be processed after
// that unsubscribe, which travels on another connection).
// The default is 10s.
func WithMaxNetworkDelay(d time.Duration) Option {
	return func(cfg *config) error {
		if d <= 0 {
			return errors.New("cometd: WithMaxNetworkDelay needs d > 0")
		}
		cfg.maxNetworkDelay = d
		return nil
	}
}
