package omni

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/omnisdk/omni/cometd"
)

// Option configures a Client. Options are applied in order by NewClient; a
// nil Option is an error.
type Option func(*settings) error

// settings is what the options say, kept by the Client as one value;
// newSettings fills in the defaults.
type settings struct {
	gwsCreds       *basicAuth
	messengerBase  string
	messengerCreds MessengerCredentials
	httpClient     *http.Client
	userAgent      string
	retry          RetryPolicy
	unsafeRetries  bool
	logger         *slog.Logger
	twitterPath    string
	sessionPath    string
	reportsPath    string
	logsPath       string
	cometdOpts     []cometd.Option
}

// RetryPolicy bounds automatic retries. The zero value of a field keeps its default.
type RetryPolicy struct {
	// MaxAttempts is the total number of attempts, the first included
	// (default 4). 1 disables retries.
	MaxAttempts int
	// MinWait and MaxWait bound the jittered exponential backoff between
	// attempts (defaults 250ms and 8s). MinWait longer than MaxWait is
	// refused; MinWait longer than the default MaxWait, with MaxWait left
	// 0, raises MaxWait to MinWait, and MaxWait shorter than the default
	// MinWait, with MinWait left 0, lowers MinWait to MaxWait.
	MinWait, MaxWait time.Duration
	// MaxRetryAfter is the longest Retry-After the client waits out by itself
	// (default 30s), whatever the status of the answer that carries it; a
	// longer one is not waited for: the answer is returned to the caller as
	// an *APIError with RetryAfter set.
	MaxRetryAfter time.Duration
}

// newSettings applies opts in order over the defaults. A nil option is an
// error, as in cometd.NewClient and omnitest.Start.
func newSettings(opts []Option) (settings, error) {
	s := settings{twitterPath: "me/tweets", sessionPath: "me/facebooksessions",
		reportsPath: defaultReportsPath, logsPath: defaultLogsPath}
	for i, opt := range opts {
		if opt == nil {
			return settings{}, fmt.Errorf("omni: NewClient: option %d is nil", i)
		}
		if err := opt(&s); err != nil {
			return settings{}, err
		}
	}
	s.retry = s.retry.withDefaults()
	if s.userAgent == "" {
		s.userAgent = "omni-go/" + Version
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 4
	}
	minSet, maxSet := p.MinWait > 0, p.MaxWait > 0
	if !minSet {
		p.MinWait = 250 * time.Millisecond
	}
	if !maxSet {
		p.MaxWait = 8 * time.Second
	}
	switch {
	case p.MaxWait >= p.MinWait:
	case maxSet && !minSet: // MaxWait alone, below the default MinWait
		p.MinWait = p.MaxWait
	default: // MinWait alone, above the default MaxWait
		p.MaxWait = p.MinWait
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = 30 * time.Second
	}
	return p
}

// WithBasicAuth sets the GWS user name and password, sent as HTTP Basic
// authentication on every GWS and CometD request.
func WithBasicAuth(username, password string) Option {
	return func(s *settings) error {
		if username == "" {
			return errors.New("omni: WithBasicAuth: username must not be empty")
		}
		if err := checkBasic(username); err != nil {
			return fmt.Errorf("omni: WithBasicAuth: %w", err)
		}
		s.gwsCreds = &basicAuth{username: username, password: password}
		return nil
	}
}

// WithMessenger enables the Messenger service: baseURL is the account's
// Infobip host (such as https://xyz.api.infobip.com) and creds one of
// AppKey, MessengerBasicAuth, IBSSOToken or BearerToken.
func WithMessenger(baseURL string, creds MessengerCredentials) Option {
	return func(s *settings) error {
		if creds == nil {
			return errors.New("omni: WithMessenger: credentials must not be nil")
		}
		if err := creds.check(); err != nil {
			return err
		}
		s.messengerBase = baseURL
		s.messengerCreds = creds
		return nil
	}
}

// WithHTTPClient makes the Client send every request, REST and CometD,
// through hc. Give hc a cookie jar (net/http/cookiejar): GWS keeps its
// session and CSRF token in cookies (Messenger requests are sent without
// the jar: Infobip uses none, and GWS's must not reach it). hc is never
// changed: its Transport and Jar are read on every request, so
// httpmock.ActivateNonDefault(hc) works before or after NewClient; its
// Timeout (as set when NewClient ran) and
// CheckRedirect apply, except that a redirect to another host or scheme, or
// one that would change the method (a POST followed as a GET after a 301,
// 302 or 303), is never followed (credentials stay with their host, a send
// is never mistaken for a read; the 3xx is an *APIError). Client.Close
// leaves hc's connections alone.
func WithHTTPClient(hc *http.Client) Option {
	return func(s *settings) error {
		if hc == nil {
			return errors.New("omni: WithHTTPClient: client must not be nil")
		}
		s.httpClient = hc
		return nil
	}
}

// WithUserAgent replaces the User-Agent header (default "omni-go/<Version>").
func WithUserAgent(ua string) Option {
	return func(s *settings) error {
		if strings.TrimSpace(ua) == "" {
			return errors.New("omni: WithUserAgent: user agent must not be empty")
		}
		if strings.ContainsAny(ua, "\r\n\x00") {
			// A header value cannot hold them; net/http would refuse every
			// request instead.
			return errors.New("omni: WithUserAgent: user agent must not contain CR, LF or NUL")
		}
		s.userAgent = ua
		return nil
	}
}

// WithRetry sets the retry bounds. Which failures are retried at all is
// decided by the retry table (see README); this only limits how often and
// how long.
func WithRetry(p RetryPolicy) Option {
	return func(s *settings) error {
		if p.MaxAttempts < 0 || p.MinWait < 0 || p.MaxWait < 0 || p.MaxRetryAfter < 0 {
			return errors.New("omni: WithRetry: values must not be negative")
		}
		if p.MinWait > 0 && p.MaxWait > 0 && p.MinWait > p.MaxWait {
			return fmt.Errorf("omni: WithRetry: MinWait %v must not be longer than MaxWait %v", p.MinWait, p.MaxWait)
		}
		s.retry = p
		return nil
	}
}

// WithRetryUnsafeSends lets the client retry sends (POSTs that create a
// message) on failures after which the server may have acted: a connection
// reset after the request was written, or 429, 502, 503 and 504 without a
// (valid) Retry-After.
// Neither vendor documents an idempotency key, so such a retry can deliver a
// message twice. Off by default.
func WithRetryUnsafeSends(on bool) Option {
	return func(s *settings) error {
		s.unsafeRetries = on
		return nil
	}
}

// WithLogger gives the client a logger. It logs, with method and URL
// (query removed), at Debug: each retry it decides ("omni: retrying", with
// the attempt, status, reason and wait), a retry it skips because the wait
// would outlast the context, and each CSRF token fetch and the retry after
// it; at Warn: credentials about to cross plain http (once per endpoint)
// and an undecodable notification; and, through the CometD client of
// Subscribe and SendAndWait, its state changes (Info, Warn when caused by
// an error), re-subscriptions, undelivered messages and its termination.
// A first attempt that succeeds logs nothing. Headers, credentials,
// cookies, CSRF tokens and bodies are never logged. Without it the client
// prints nothing.
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) error {
		if l == nil {
			return errors.New("omni: WithLogger: logger must not be nil")
		}
		s.logger = l
		return nil
	}
}

// WithTwitterPath changes the path prefix of Tweet operations, relative to
// the GWS base URL (default "me/tweets"; 2015-era servers use "me/twitter").
func WithTwitterPath(prefix string) Option {
	return pathOption("WithTwitterPath", prefix, func(s *settings, p string) { s.twitterPath = p })
}

// WithFacebookSessionPath changes the path prefix of Facebook private
// messaging operations (default "me/facebooksessions"; older servers use
// "me/facebooksession").
func WithFacebookSessionPath(prefix string) Option {
	return pathOption("WithFacebookSessionPath", prefix, func(s *settings, p string) { s.sessionPath = p })
}

// pathExamples is the example each path option's error gives.
var pathExamples = map[string]string{
	"WithTwitterPath":          "me/twitter",
	"WithFacebookSessionPath":  "me/facebooksession",
	"WithMessengerReportsPath": "sms/1/reports",
	"WithMessengerLogsPath":    "sms/1/logs",
}

// pathOption sets a path prefix relative to a base URL. It refuses an
// empty path, a "." or ".." segment (plain or %2e-encoded), a query or
// fragment (plain or %3F/%23-encoded), and bad %-escapes: once joined to
// the base, each would reach another endpoint.
func pathOption(name, prefix string, set func(*settings, string)) Option {
	return func(s *settings) error {
		p := strings.Trim(prefix, "/")
		decoded, err := url.PathUnescape(p)
		if p == "" || err != nil || hasDotSegment(decoded) || strings.ContainsAny(decoded, "?#") {
			example := pathExamples[name]
			if example == "" {
				example = "me/twitter"
			}
			return fmt.Errorf("omni: %s: %q must be a relative path without . or .. segments (plain or %%2e-encoded), query or fragment, such as %q",
				name, prefix, example)
		}
		set(s, p)
		return nil
	}
}

// WithCometDOptions passes options to the CometD client of Subscribe and
// SendAndWait, such as cometd.WithTransports(cometd.LongPolling) or a
// shorter cometd.WithBackoff. The client's *http.Client, credentials and
// logger are set already.
func WithCometDOptions(opts ...cometd.Option) Option {
	return func(s *settings) error {
		for i, o := range opts {
			if o == nil {
				return fmt.Errorf("omni: WithCometDOptions: option %d is nil", i)
			}
		}
		s.cometdOpts = append(s.cometdOpts, opts...)
		return nil
	}
}
