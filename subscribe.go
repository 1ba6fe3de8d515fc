package omni

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/omnisdk/omni/cometd"
)

// Handler receives notifications of one kind. Build it with OnFacebook,
// OnTwitter, OnTwitterOperation, OnFacebookSession, OnMessageLog,
// OnUnknown, OnNotification or OnChannel.
type Handler struct {
	channel string // the CometD channel to subscribe, "" for none of its own
	match   func(Notification) bool
	call    func(Notification)
}

// OnFacebook handles Facebook post state changes (/v2/me/facebook).
func OnFacebook(fn func(*FacebookStateChange)) Handler {
	return typed(ChannelFacebook, fn)
}

// OnTwitter handles Tweet state changes of both documented shapes (/v2/me/twitter).
func OnTwitter(fn func(*TwitterStateChange)) Handler { return typed(ChannelTwitter, fn) }

// OnTwitterOperation handles TwitterOperationResponse notifications (/v2/me/twitter).
func OnTwitterOperation(fn func(*TwitterOperationResponse)) Handler {
	return typed(ChannelTwitter, fn)
}

// OnFacebookSession handles private-messaging session state changes
// (/v2/me/facebooksession).
func OnFacebookSession(fn func(*FacebookSessionStateChange)) Handler {
	return typed(ChannelFacebookSession, fn)
}

// OnMessageLog handles private-message log updates (/v2/me/facebooksession).
func OnMessageLog(fn func(*MessageLogUpdated)) Handler {
	return typed(ChannelFacebookSession, fn)
}

// OnUnknown receives notifications, on the channels the other handlers
// subscribed, whose message type this SDK does not decode (or could not
// decode), with their raw JSON, so that nothing new from the server is
// dropped silently. It subscribes to no channel of its own.
func OnUnknown(fn func(*UnknownNotification)) Handler {
	if fn == nil {
		return Handler{}
	}
	return Handler{match: func(n Notification) bool {
		_, ok := n.(*UnknownNotification)
		return ok
	}, call: func(n Notification) { fn(n.(*UnknownNotification)) }}
}

// OnNotification subscribes to everything under /v2/me/ and receives every
// notification, decoded.
func OnNotification(fn func(Notification)) Handler { return OnChannel(ChannelAll, fn) }

// OnChannel subscribes to any GWS channel (wildcards /* and /** allowed),
// such as "/v2/me/devices", and receives its notifications decoded.
func OnChannel(channel string, fn func(Notification)) Handler {
	if fn == nil {
		return Handler{}
	}
	return Handler{channel: channel, match: func(n Notification) bool {
		return cometd.Match(channel, n.Header().Channel)
	}, call: fn}
}

// typed builds a handler for one notification type on one channel.
func typed[T Notification](channel string, fn func(T)) Handler {
	if fn == nil {
		return Handler{}
	}
	return Handler{channel: channel, match: func(n Notification) bool {
		_, ok := n.(T)
		return ok && cometd.Match(channel, n.Header().Channel)
	}, call: func(n Notification) { fn(n.(T)) }}
}

// Subscription is a CometD session with GWS delivering notifications to
// handlers. Reconnects and re-subscriptions after a server restart happen by
// themselves; Close ends it.
type Subscription struct {
	cm     *cometd.Client
	client *Client

	mu       sync.Mutex // guards handlers, which add replaces (never changes in place), and subs
	handlers []Handler
	subs     []*cometd.Subscription // one per channel, for Ready
}

// Subscribe connects to GWS notifications ({base}/notifications) with the
// client's *http.Client (cookie jar), credentials and CSRF token, subscribes
// to the channels the handlers need and calls them, in order, on one
// goroutine. It returns once every subscription is accepted; a refused one is
// an error. A handshake refused for the credentials matches ErrUnauthorized
// (ErrForbidden for another 403), as a REST call would.
func (c *Client) Subscribe(ctx context.Context, handlers ...Handler) (*Subscription, error) {
	if c.gws == nil {
		return nil, ErrNotConfigured
	}
	if len(handlers) == 0 {
		return nil, errors.New("omni: Subscribe needs at least one handler")
	}
	for i, h := range handlers {
		if h.call == nil {
			return nil, fmt.Errorf("omni: Subscribe: handler %d is the zero Handler", i)
		}
	}
	cm, err := c.newCometD()
	if err != nil {
		return nil, err
	}
	s := &Subscription{cm: cm, handlers: slices.Clone(handlers), client: c}
	if err := cm.Handshake(ctx); err != nil {
		cm.Close()
		return nil, fmt.Errorf("omni: notifications handshake: %w", sentinelFor(err))
	}
	for _, ch := range s.channels() {
		sub, err := cm.Subscribe(ctx, ch, s.dispatch)
		if err != nil {
			cm.Close()
			return nil, fmt.Errorf("omni: subscribing to %s: %w", ch, sentinelFor(err))
		}
		s.subs = append(s.subs, sub)
	}
	return s, nil
}

// sentinelFor makes a CometD failure match the sentinel a REST call with
// the same cause matches, so a wrong password is ErrUnauthorized on every
// path: HTTP 401, Bayeux 401, and GWS's "403::User not authenticated" are
// ErrUnauthorized; another HTTP or Bayeux 403 is ErrForbidden.
func sentinelFor(err error) error {
	var se *cometd.StatusError
	var be *cometd.Error
	switch {
	case errors.As(err, &se) && se.StatusCode == http.StatusUnauthorized,
		errors.As(err, &be) && (be.Code == 401 || be.Code == 403 && strings.Contains(strings.ToLower(be.Message), "not authenticated")):
		return fmt.Errorf("%w (%w)", ErrUnauthorized, err)
	case errors.As(err, &se) && se.StatusCode == http.StatusForbidden, errors.As(err, &be) && be.Code == 403:
		return fmt.Errorf("%w (%w)", ErrForbidden, err)
	}
	return err
}

// newCometD builds a CometD client for {base}/notifications that shares the
// REST client's *http.Client, credentials and CSRF token. Sharing the cookie
// jar is what GWS needs (JSESSIONID on both); the trade-off is that two
// subscriptions of one Client share CometD's browser cookie too.
func (c *Client) newCometD() (*cometd.Client, error) {
	opts := []cometd.Option{
		cometd.WithHTTPClient(c.wire),
		cometd.WithRequestHeader(func(h http.Header) {
			h.Set("User-Agent", c.cfg.userAgent)
			c.gws.auth(h)
			c.gws.csrf.apply(h)
		}),
	}
	if c.cfg.logger != nil {
		opts = append(opts, cometd.WithLogger(c.cfg.logger))
	}
	opts = append(opts, c.cfg.cometdOpts...)
	return cometd.NewClient(c.gws.base+"notifications", opts...)
}

// channels returns the distinct channels the handlers need, sorted.
func (s *Subscription) channels() []string {
	set := map[string]bool{}
	for _, h := range s.handlers {
		if h.channel != "" {
			set[h.channel] = true
		}
	}
	out := make([]string, 0, len(set))
	for ch := range set {
		out = append(out, ch)
	}
	sort.Strings(out)
	return out
}

// dispatch decodes one CometD message and hands it to the matching handlers.
func (s *Subscription) dispatch(m *cometd.Message) {
	n, err := DecodeNotification(m.Channel, m.Data)
	if err != nil {
		s.client.cfg.logger.Warn("omni: undecodable notification", "channel", m.Channel, "error", err)
		n = &UnknownNotification{NotificationHeader: NotificationHeader{Channel: m.Channel, Raw: m.Data}}
	}
	s.mu.Lock()
	handlers := s.handlers
	s.mu.Unlock()
	taken := false
	for _, h := range handlers {
		if h.match(n) {
			h.call(n)
			taken = true
		}
	}
	if !taken {
		s.client.cfg.logger.Debug("omni: notification with no handler", "channel", m.Channel,
			"messageType", n.Header().MessageType)
	}
}

// add subscribes to h's channel and calls h from then on.
func (s *Subscription) add(ctx context.Context, h Handler) error {
	s.mu.Lock()
	prev := s.handlers
	s.handlers = append(prev[:len(prev):len(prev)], h)
	s.mu.Unlock()
	sub, err := s.cm.Subscribe(ctx, h.channel, s.dispatch)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.handlers = prev
		return fmt.Errorf("omni: subscribing to %s: %w", h.channel, sentinelFor(err))
	}
	s.subs = append(s.subs, sub)
	return nil
}

// Done is closed when the subscription has stopped for good: after Close,
// or when the server refused the session (see Err).
func (s *Subscription) Done() <-chan struct{} { return s.cm.Done() }

// Err returns why the subscription stopped, or nil.
func (s *Subscription) Err() error { return s.cm.Err() }

// Ready waits until every CometD subscription of s is active on the server
// in the current session (see cometd.Subscription.Ready): after a
// re-handshake the client re-subscribes, retrying until the server accepts,
// and a notification sent before that would be lost. It returns nil at once
// when all are active, the reason when one has ended (refused, or the
// session stopped), or ctx's error.
func (s *Subscription) Ready(ctx context.Context) error {
	s.mu.Lock()
	subs := slices.Clone(s.subs)
	s.mu.Unlock()
	for _, sub := range subs {
		if err := sub.Ready(ctx); err != nil {
			return fmt.Errorf("omni: notifications not ready: %w", err)
		}
	}
	return nil
}

// OnState calls fn on every state change of the underlying CometD session,
// such as reconnecting or re-subscribing after a server restart.
func (s *Subscription) OnState(fn func(cometd.StateChange)) (remove func()) { return s.cm.OnState(fn) }

// Close tells the server the session is over (/meta/disconnect, waiting at
// most one second for its answer) and stops every goroutine of the
// subscription. It is safe to call more than once, and from a handler.
func (s *Subscription) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = s.cm.Disconnect(ctx) // best effort: the session expires on the server anyway
	return s.cm.Close()
}
