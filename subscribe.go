package omni

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
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

	// anyChannel are the handlers that subscribe to no channel of their own
	// (OnUnknown): the first route a message reaches calls them.
	anyChannel []Handler

	mu   sync.Mutex             // guards subs
	subs []*cometd.Subscription // one per route, for Ready

	// Used on the delivery goroutine only: the message last dispatched and
	// its decoded form. CometD hands one message to every subscription
	// whose pattern matches its channel, one after the other; the first
	// decodes it, the others reuse that.
	lastMsg *cometd.Message
	lastN   Notification
}

// route is one CometD subscription of a Subscription and the handlers it
// delivers to: a message reaches a handler only through the subscription
// made for it, so a handler runs once per message however many other
// subscriptions (a wildcard and an exact channel, say) also match.
type route struct {
	channel  string
	handlers []Handler
}

// Subscribe connects to GWS notifications ({base}/notifications) with the
// client's *http.Client (cookie jar), credentials and CSRF token, subscribes
// to the channels the handlers need (one CometD subscription per distinct
// channel) and calls the handlers on one goroutine, one notification at a
// time, in the order the notifications arrive. Each handler runs exactly once
// per notification, whatever other handlers are subscribed: with
// OnNotification (/v2/me/**) and OnFacebook (/v2/me/facebook) a Facebook
// notification matches both subscriptions, and each handler still receives
// it once, through its own channel's subscription. For one notification the
// handlers of one channel run in the order given, channels in the order of
// their names, and OnUnknown handlers after those of the first channel that
// received it. It returns once every subscription is accepted; a refused one is
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
	routes, anyChannel := routesFor(handlers)
	s := &Subscription{cm: cm, client: c, anyChannel: anyChannel}
	if err := cm.Handshake(ctx); err != nil {
		cm.Close()
		return nil, fmt.Errorf("omni: notifications handshake: %w", sentinelFor(err))
	}
	for _, r := range routes {
		sub, err := cm.Subscribe(ctx, r.channel, s.dispatcher(r))
		if err != nil {
			cm.Close()
			return nil, fmt.Errorf("omni: subscribing to %s: %w", r.channel, sentinelFor(err))
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
		// First, so that every error, log record and extension after it
		// sees the server's error text without the credentials.
		cometd.WithExtension(scrubReplies{c}),
	}
	if c.cfg.logger != nil {
		opts = append(opts, cometd.WithLogger(c.cfg.logger))
	}
	opts = append(opts, c.cfg.cometdOpts...)
	return cometd.NewClient(c.gws.base+"notifications", opts...)
}

// routesFor groups handlers by channel, one route per distinct channel,
// sorted by channel; within a route the handlers keep the order given.
// Handlers with no channel of their own are returned apart.
func routesFor(handlers []Handler) (routes []*route, anyChannel []Handler) {
	byChannel := map[string]*route{}
	for _, h := range handlers {
		if h.channel == "" {
			anyChannel = append(anyChannel, h)
			continue
		}
		r := byChannel[h.channel]
		if r == nil {
			r = &route{channel: h.channel}
			byChannel[h.channel] = r
		}
		r.handlers = append(r.handlers, h)
	}
	for _, r := range byChannel {
		routes = append(routes, r)
	}
	sort.Slice(routes, func(i, j int) bool { return routes[i].channel < routes[j].channel })
	return routes, anyChannel
}

// dispatcher returns the CometD handler of route r.
func (s *Subscription) dispatcher(r *route) cometd.Handler {
	return func(m *cometd.Message) { s.dispatch(r, m) }
}

// dispatch decodes one CometD message and hands it to the matching handlers
// of route r; the first route a message reaches also hands it to the
// handlers of no channel. It runs on the delivery goroutine only.
func (s *Subscription) dispatch(r *route, m *cometd.Message) {
	first := m != s.lastMsg
	if first {
		n, err := DecodeNotification(m.Channel, m.Data)
		if err != nil {
			s.client.cfg.logger.Warn("omni: undecodable notification", "channel", m.Channel, "error", err)
			n = &UnknownNotification{NotificationHeader: NotificationHeader{Channel: m.Channel, Raw: m.Data}}
		}
		s.lastMsg, s.lastN = m, n
	}
	n := s.lastN
	taken := false
	for _, h := range r.handlers {
		if h.match(n) {
			h.call(n)
			taken = true
		}
	}
	if first {
		for _, h := range s.anyChannel {
			if h.match(n) {
				h.call(n)
				taken = true
			}
		}
	}
	if !taken {
		s.client.cfg.logger.Debug("omni: notification with no handler on this subscription",
			"subscription", r.channel, "channel", m.Channel, "messageType", n.Header().MessageType)
	}
}

// add subscribes to h's channel, on a CometD subscription of its own, and
// calls h from then on.
func (s *Subscription) add(ctx context.Context, h Handler) error {
	r := &route{channel: h.channel, handlers: []Handler{h}}
	sub, err := s.cm.Subscribe(ctx, h.channel, s.dispatcher(r))
	if err != nil {
		return fmt.Errorf("omni: subscribing to %s: %w", h.channel, sentinelFor(err))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subs = append(s.subs, sub)
	return nil
}

// Done is closed when the subscription has stopped for good: after Close,
// or when the server refused the session (see Err).
func (s *Subscription) Done() <-chan struct{} { return s.cm.Done() }

// Err returns why the subscription stopped, or nil. A session refused for
// the credentials matches ErrUnauthorized, as on a first Subscribe.
func (s *Subscription) Err() error {
	if err := s.cm.Err(); err != nil {
		return sentinelFor(err)
	}
	return nil
}

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
			return fmt.Errorf("omni: notifications not ready: %w", sentinelFor(err))
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

// scrubReplies is the CometD extension that removes, from the error text of
// every reply (a Bayeux "error" such as "403::bad credentials ..."), the
// credentials the client sends: the GWS password and Basic token, the CSRF
// token and the session cookies. That text becomes the cometd errors the
// SDK returns and logs, and a server may repeat the request's headers in it.
type scrubReplies struct{ c *Client }

func (scrubReplies) Outgoing(*cometd.Message) {}

func (x scrubReplies) Incoming(m *cometd.Message) {
	if m.Error == "" {
		return
	}
	if sc := newScrubber(x.c.gwsSecretsNow()); sc != nil {
		m.Error = sc.str(m.Error)
	}
}

// gwsSecretsNow returns GWS's credentials and the session's CSRF token and
// cookie values as they are now.
func (c *Client) gwsSecretsNow() []string {
	secrets := slices.Clip(c.gws.secrets)
	if _, tok := c.gws.csrf.current(); tok != "" {
		secrets = append(secrets, tok)
	}
	if jar := c.wire.Jar; jar != nil {
		if u, err := url.Parse(c.gws.base); err == nil {
			for _, ck := range jar.Cookies(u) {
				secrets = append(secrets, ck.Value)
			}
		}
	}
	return secrets
}
