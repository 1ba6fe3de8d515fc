package omnitest

import (
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// DefaultCometDTimeout is how long the CometD endpoint holds a /meta/connect
// when no option says otherwise.
const DefaultCometDTimeout = 30 * time.Second

// Option configures a Server. Options are applied in order; a nil Option is
// an error, as in omni.NewClient and cometd.NewClient.
type Option func(*config)

type config struct {
	contextPath   string
	basicUser     string
	basicPass     string
	basicAuth     bool
	msgKeys       []string
	msgBasic      [][2]string
	msgTokens     []string
	push          pushConfig // infobip_push.go
	csrf          bool
	latency       time.Duration
	cometdTimeout time.Duration
	transports    []string
	logger        *slog.Logger
	pendingReads  int // reads that show a Messenger message pending (WithPendingReads)
	middleware    []Middleware
	clock         Clock
	bareReplies   bool // WithoutReferenceIDs
}

func newConfig(opts []Option) (config, error) {
	c := config{cometdTimeout: DefaultCometDTimeout, pendingReads: 1}
	for i, o := range opts {
		if o == nil {
			return config{}, fmt.Errorf("omnitest: option %d is nil", i)
		}
		o(&c)
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	if c.clock == nil {
		c.clock = realClock{}
	}
	return c, nil
}

// messengerAuthConfigured reports whether any Messenger credential was given.
func (c *config) messengerAuthConfigured() bool {
	return len(c.msgKeys)+len(c.msgBasic)+len(c.msgTokens) > 0
}

// WithContextPath mounts GWS and its CometD endpoint under p, as a servlet
// container does: with "/cloud-web" the GWS base is
// http://HOST/cloud-web/api/v2. Leading and trailing slashes are normalised;
// "" or "/" means no context path (the default). The Messenger endpoint stays
// at the root of the listener.
func WithContextPath(p string) Option {
	return func(c *config) {
		p = strings.Trim(p, "/")
		if p == "" {
			c.contextPath = ""
			return
		}
		c.contextPath = "/" + p
	}
}

// WithBasicAuth makes every GWS request, and every CometD handshake, require
// "Authorization: Basic base64(user:pass)". A GWS request without it gets
// HTTP 401 {"statusCode":20,"statusMessage":"User not authenticated"}; a
// CometD handshake without it is refused with "403::User not authenticated".
// Without this option no GWS credentials are checked.
func WithBasicAuth(user, pass string) Option {
	return func(c *config) {
		c.basicAuth = true
		c.basicUser, c.basicPass = user, pass
	}
}

// WithMessengerAPIKey accepts "Authorization: App <key>" on the Messenger
// endpoint. Once any WithMessenger* credential is given, only the configured
// credentials are accepted; without any, every non-empty Authorization header
// is accepted.
func WithMessengerAPIKey(key string) Option {
	return func(c *config) { c.msgKeys = append(c.msgKeys, key) }
}

// WithMessengerBasic accepts "Authorization: Basic base64(user:pass)" on the
// Messenger endpoint (see WithMessengerAPIKey for how credentials combine).
func WithMessengerBasic(user, pass string) Option {
	return func(c *config) { c.msgBasic = append(c.msgBasic, [2]string{user, pass}) }
}

// WithMessengerToken accepts "Authorization: IBSSO <token>" and
// "Authorization: Bearer <token>" on the Messenger endpoint (see
// WithMessengerAPIKey for how credentials combine).
func WithMessengerToken(token string) Option {
	return func(c *config) { c.msgTokens = append(c.msgTokens, token) }
}

// WithCSRF turns on GWS CSRF protection: every answer to a GET carries
// X-CSRF-HEADER: X-CSRF-TOKEN and X-CSRF-TOKEN: <token of the HTTP session>,
// and every POST, PUT, PATCH or DELETE without the session's token (or
// without a session cookie) gets HTTP 403
// {"statusCode":3,"statusMessage":"Missing or invalid Csrf token"}.
// CometD requests are not checked.
func WithCSRF() Option {
	return func(c *config) { c.csrf = true }
}

// WithLatency delays every HTTP answer (GWS, CometD and Messenger) by d. The
// delay ends early when the request's context ends or the server closes.
func WithLatency(d time.Duration) Option {
	return func(c *config) { c.latency = max(d, 0) }
}

// WithCometDTimeout sets how long the CometD endpoint holds a /meta/connect
// that has nothing to deliver (advice.timeout); default 30s. Tests usually
// want something small such as 200ms.
func WithCometDTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.cometdTimeout = d
		}
	}
}

// WithTransports sets the CometD transports offered by the handshake, in
// order ("websocket", "long-polling"); default both.
func WithTransports(names ...string) Option {
	return func(c *config) { c.transports = append([]string(nil), names...) }
}

// WithLogger sends the simulator's diagnostics to l; by default nothing is
// logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

// WithoutReferenceIDs makes every GWS operation answer {"statusCode":0},
// without the referenceId, as the documents' samples of the private-message
// operations (Accept, SendMessage, SendToAgents, Complete, ...) and of some
// Twitter operations do. The notifications still carry their referenceId,
// as in those samples. A client then has nothing to correlate by but the
// resource and its state (omni.Expect's ResourceID and State): use it to
// test code that must work against such a server. Journal records show the
// referenceId the answer carried, 0.
func WithoutReferenceIDs() Option {
	return func(c *config) { c.bareReplies = true }
}
