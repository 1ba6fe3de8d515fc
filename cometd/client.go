package cometd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Client is a Bayeux (CometD) client. Create it with NewClient, start it
// with Handshake (or directly with Subscribe), stop it with Disconnect or
// Close. All methods are safe for concurrent use.
type Client struct {
	cfg config // cfg.httpClient and cfg.logger are set (defaults filled in)
	lp  *longPolling
	ws  *wsTransport // nil when websocket is not among the transports
	ids atomic.Uint64
	// oddLogged is set once a message with an odd field was logged at Warn.
	oddLogged atomic.Bool
	wait      func(ctx context.Context, d time.Duration) bool // sleeps; replaced in tests

	ctx    context.Context // the client's lifetime
	cancel context.CancelFunc
	wg     sync.WaitGroup // network goroutines

	hsMu sync.Mutex // serialises user-triggered handshakes

	// sessCtx ends when the session it was made for is replaced or the
	// client stops (guarded by mu).
	sessCtx    context.Context
	sessCancel context.CancelFunc

	mu          sync.Mutex
	authHeader  http.Header // from the WithHandshakeAuth provider
	state       State
	clientID    string
	tr          transport // transport in use
	wsFailures  int       // websocket failures since the last successful connect
	serverTypes []string  // connection types the last successful handshake reply offered
	advice      Advice
	// The flags are side by side: an idle session's Client is one of its
	// larger objects, and a bool between two words takes a word.
	wsDisabled    bool // fell back to long-polling
	authStreak    bool // the last handshake attempt, or the session's connect, was refused with 401/403
	serverAcks    bool // the session's handshake reply agreed to the ack extension
	loopStarted   bool
	stopped       bool  // Close, Disconnect or a terminal error happened
	senderOn      bool  // the sender goroutine runs; it exits when the outbox is empty
	stopErr       error // returned by calls after stop
	terminalErr   error
	lastConnected time.Time
	pending       map[string]*pendingReq
	connectID     string // id of the outstanding /meta/connect
	// lostReply is a reply other than the connect's (a /meta/subscribe
	// answered 402 or with reconnect advice "handshake" or "none") that
	// says the current session is over; the connect loop acts on it as on
	// its connect's reply, and cancelConnect (long-polling; nil over
	// websocket, see connect) interrupts the held connect.
	lostReply     *Message
	cancelConnect context.CancelFunc
	subs          map[string][]*Subscription
	// unsubLeft holds channels whose /meta/unsubscribe got no reply, by
	// the clientId it went out in: sent again after the next successful
	// connect of that session (retryUnsubscribes). Nil until needed.
	unsubLeft     map[string]string
	route         *route // handlers of the last channel delivered; nil after any change to subs
	closing       bool   // Close was called: no handler or listener starts any more
	subSeq        uint64
	metaListeners []*metaListener
	stateLis      []*stateListener
	outbox        []*Message

	// queue holds what the network received until the delivery goroutine
	// runs its handlers (queue.go has the ordering rules).
	queue *deliveryQueue
	// lastConnectSent is when the last /meta/connect that succeeded was
	// sent: a stall of the queue after it explains a session loss.
	lastConnectSent time.Time

	closeOnce sync.Once
	doneOnce  sync.Once
	done      chan struct{}
}

// NewClient returns a client for the Bayeux endpoint at rawURL (http or
// https; the websocket URL is derived from it). It does no I/O and starts no
// goroutine; call Close (or Disconnect) when done with it all the same.
func NewClient(rawURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("cometd: bad URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, errors.New("cometd: URL scheme must be http or https")
	}
	cfg := defaultConfig()
	for i, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("cometd: option %d is nil", i)
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.httpClient == nil {
		jar, _ := cookiejar.New(nil)
		cfg.httpClient = &http.Client{Jar: jar}
	}
	if cfg.logger == nil {
		cfg.logger = slog.New(slog.DiscardHandler)
	}
	c := &Client{
		cfg:     cfg,
		advice:  defaultAdvice(),
		pending: map[string]*pendingReq{},
		subs:    map[string][]*Subscription{},
		done:    make(chan struct{}),
		wait:    sleepCtx,
	}
	c.queue = newDeliveryQueue(cfg.queueBytes, c.dispatch, c.notify, c.closeDone)
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.sessCtx, c.sessCancel = context.WithCancel(c.ctx)
	c.lp = &longPolling{url: rawURL, hc: cfg.httpClient, header: c.requestHeader, maxSize: cfg.maxMessageSize, receive: c.receiveOne,
		tooLarge: c.refusedTooLarge}
	if slices.Contains(cfg.transports, WebSocket) {
		ws := &wsTransport{url: wsURL(u), hc: cfg.httpClient, pacer: cfg.pacer(), header: c.requestHeader, maxSize: cfg.maxMessageSize,
			ctx: c.ctx, wg: &c.wg, receive: c.receiveOne}
		ws.written = c.tagSocket
		ws.tooLarge = c.refusedTooLarge
		ws.failed = func(s *wsSocket, err error) {
			if serr := c.errIfStopped(); serr != nil {
				err = serr // the client's stop, not its socket's end
			}
			c.failPending(s, err)
		}
		c.ws = ws
	}
	c.tr = c.transportByName(cfg.transports[0])
	return c, nil
}

// transportByName returns the transport named n.
func (c *Client) transportByName(n string) transport {
	if n == WebSocket && c.ws != nil {
		return c.ws
	}
	return c.lp
}

// nextID returns a new message id.
func (c *Client) nextID() string { return strconv.FormatUint(c.ids.Add(1), 10) }

// State returns the current state.
func (c *Client) State() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// ClientID returns the clientId of the current session, or "" if there is none.
func (c *Client) ClientID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.clientID
}

// Transport returns the connection type in use (or to be used next).
func (c *Client) Transport() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tr.name()
}

// Done returns a channel closed when the client has stopped for good: after
// Close, after Disconnect, or after a terminal error (see Err).
func (c *Client) Done() <-chan struct{} { return c.done }

// Err returns the terminal error that stopped the client (a *TerminalError),
// or nil.
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.terminalErr
}

// currentAdvice returns the client's current advice.
func (c *Client) currentAdvice() Advice {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.advice
}

// updateAdvice merges an advice received from the server.
func (c *Client) updateAdvice(a *Advice) {
	if a == nil {
		return
	}
	c.mu.Lock()
	c.advice = c.advice.merge(a)
	c.mu.Unlock()
	if a.MultipleClients {
		c.cfg.logger.Warn("cometd: server reports several clients sharing this browser cookie (advice multiple-clients)")
	}
}

// stoppedErr returns the error for calls on a stopped client; c.mu held.
func (c *Client) stoppedErrLocked() error {
	if c.stopErr != nil {
		return c.stopErr
	}
	return ErrClosed
}

// errIfStopped returns the error for calls on a stopped client, or nil.
func (c *Client) errIfStopped() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return c.stoppedErrLocked()
	}
	return nil
}

// backoff returns the wait after n consecutive failures.
func (c *Client) backoff(n int) time.Duration {
	if n <= 0 {
		return 0
	}
	d := time.Duration(n) * c.cfg.backoffInc
	if d > c.cfg.backoffMax || d/time.Duration(n) != c.cfg.backoffInc {
		d = c.cfg.backoffMax
	}
	return d
}

// sleepCtx waits d or until ctx is done; it reports whether d elapsed.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
