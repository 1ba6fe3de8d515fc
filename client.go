package omni

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Client talks to a contact center's social channels: GWS (Facebook and
// Twitter) and Infobip (Facebook Messenger). It is safe for concurrent use.
// Every method that does I/O takes a context; cancelling it stops the call,
// its retries and its waits at once.
type Client struct {
	// Facebook sends Facebook posts through GWS.
	Facebook *FacebookService
	// Twitter sends Tweets through GWS.
	Twitter *TwitterService
	// Messenger sends Facebook Messenger messages through Infobip.
	Messenger *MessengerService
	// FacebookSessions runs operations on Facebook private-messaging sessions.
	FacebookSessions *FacebookSessionService
	// Agent runs the agent's contact-center session and channel states.
	Agent *AgentService

	gws       *endpoint // nil when no GWS base URL was given
	messenger *endpoint // nil when WithMessenger was not given

	cfg  settings        // what the options said, defaults filled in
	hc   *http.Client    // the caller's (WithHTTPClient) or the SDK's own
	own  *http.Transport // the SDK's own transport, nil with WithHTTPClient
	wire *http.Client    // what requests go through (see wireClient)
	// wireNoJar is wire without its cookie jar, for Messenger: Infobip uses
	// no cookies, and GWS's session cookie must not reach it.
	wireNoJar *http.Client
	// userAgent is the User-Agent header value of every request, built once.
	userAgent []string
	// attempts pools the per-request retry state (see attempt).
	attempts sync.Pool

	waitMu sync.Mutex
	wait   *waiter   // the shared subscription of Await, started on first use
	refs   knownRefs // referenceIds the client's GWS operations returned
	closed bool
	views  viewSet // the open live views (Watch), closed by Close
}

// endpoint is one vendor's base URL, how to authenticate to it, and how it
// answers. GWS has a CSRF token and an envelope; Messenger has neither.
type endpoint struct {
	name string
	base string // absolute, ends in "/"
	auth func(http.Header)
	// csrf is the endpoint's CSRF token cache, nil when it uses none.
	csrf *csrfState
	// failed reads a 2xx body: whether it reports a failure anyway (a GWS
	// statusCode other than 0), or why it cannot be read. nil: 2xx is success.
	failed func(body []byte) (bool, error)
	// details fills in what the body of a failed answer says.
	details func(e *APIError, body []byte)
	// redact removes the endpoint's credentials from the server's words in
	// an error (see redactor); nil when there are none to remove.
	redact func(any)
	// secrets are the credentials redact removes; a call whose requests
	// carried a CSRF token or cookies redacts those too (call.redact).
	secrets []string
	// trailingCommas: an answer that is JSON but for a comma before a
	// closing brace or bracket is read without it (GWS: see
	// dropTrailingCommas).
	trailingCommas bool
}

// service is embedded by every service so they share the client.
type service struct{ client *Client }

// NewClient returns a Client for the GWS API at baseURL, such as
// "https://gws.example.com/api/v2" (a context path before /api/v2 is fine).
// baseURL may be empty when only Messenger is used. A malformed URL, a
// missing credential or a nil option is an error.
func NewClient(baseURL string, opts ...Option) (*Client, error) {
	s, err := newSettings(opts)
	if err != nil {
		return nil, err
	}
	c := &Client{cfg: s, userAgent: []string{s.userAgent}}
	if baseURL != "" {
		base, err := parseBase("base URL", baseURL)
		if err != nil {
			return nil, err
		}
		if s.gwsCreds == nil {
			return nil, errors.New("omni: NewClient: the GWS base URL needs credentials: add WithBasicAuth")
		}
		c.gws = gwsEndpoint(base, s.gwsCreds.apply)
		c.gws.secrets = s.gwsCreds.secrets()
		c.gws.redact = redactor(c.gws.secrets)
		c.warnPlainHTTP(base)
	}
	if s.messengerCreds != nil {
		base, err := parseBase("Messenger base URL", s.messengerBase)
		if err != nil {
			return nil, err
		}
		c.messenger = messengerEndpoint(base, s.messengerCreds.apply)
		c.messenger.secrets = s.messengerCreds.secrets()
		c.messenger.redact = redactor(c.messenger.secrets)
		c.warnPlainHTTP(base)
	}
	if c.gws == nil && c.messenger == nil {
		return nil, errors.New("omni: NewClient: give a GWS base URL, WithMessenger, or both")
	}
	if c.gws != nil && c.messenger != nil {
		// Each endpoint redacts the other's credentials too: a proxy or a
		// shared host may echo either.
		all := append(slices.Clip(c.gws.secrets), c.messenger.secrets...)
		c.gws.secrets, c.messenger.secrets = all, all
		c.gws.redact, c.messenger.redact = redactor(all), redactor(all)
	}
	// The endpoints hold what they need of the credentials; the Client
	// keeps none, so printing it shows none.
	c.cfg.gwsCreds, c.cfg.messengerCreds = nil, nil
	c.hc = s.httpClient
	if c.hc == nil {
		c.hc, c.own = defaultHTTPClient()
	}
	c.wire = wireClient(c.hc, c.own != nil)
	// Messenger's requests go through the same transport without the jar
	// that keeps GWS's session, so that cookie never reaches it (cookies
	// ignore ports: a gateway serving both on one host would get it) and no
	// jar lookup costs a send. The transport is read at each request
	// (httpmock.ActivateNonDefault(c.HTTPClient()) after NewClient): a
	// caller's wire reads it already, the SDK's own wire is hc itself.
	tr := c.wire.Transport
	if c.own != nil {
		tr = callerTransport{c.hc}
	}
	c.wireNoJar = &http.Client{Transport: tr, CheckRedirect: c.wire.CheckRedirect, Timeout: c.wire.Timeout}
	svc := service{client: c}
	c.Facebook = (*FacebookService)(&svc)
	c.Twitter = (*TwitterService)(&svc)
	c.Messenger = (*MessengerService)(&svc)
	c.FacebookSessions = (*FacebookSessionService)(&svc)
	c.Agent = (*AgentService)(&svc)
	return c, nil
}

// HTTPClient returns the *http.Client every request goes through, the one
// given to WithHTTPClient or the client's own (with a cookie jar for GWS's
// session). Messenger requests go through its transport without the jar,
// whichever client it is: Infobip uses no cookies, and GWS's must not reach
// it. A given client is used through a wrapper that follows no redirect to
// another host.
func (c *Client) HTTPClient() *http.Client { return c.hc }

// BaseURL returns the GWS base URL with a trailing slash, or "" when none was given.
func (c *Client) BaseURL() string {
	if c.gws == nil {
		return ""
	}
	return c.gws.base
}

// Close ends the goroutines the Client itself started: those of its live
// views (Watch), of its shared notification subscription (used by Await and
// SendAndWait), if one was started, and the idle-connection goroutines of
// the transport the SDK built (never those of a client given with
// WithHTTPClient). A *Subscription you got from Client.Subscribe is yours:
// Close does not end it; call its Close (or Disconnect). Waiting afterwards
// returns ErrClientClosed, and so do Watch and a closed view's Resync; plain
// sends still work (opening new connections). Like LiveView.Close it must
// not be called from a view's handler.
func (c *Client) Close() error {
	c.waitMu.Lock()
	w := c.wait
	c.wait, c.closed = nil, true
	c.waitMu.Unlock()
	err := c.views.closeAll()
	if w != nil {
		err = errors.Join(err, w.sub.Close())
	}
	if c.own != nil {
		c.own.CloseIdleConnections()
	}
	return err
}

// parseBase checks a base URL and returns it with a trailing slash.
// Errors never repeat the URL, which might carry a secret.
func parseBase(what, raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return "", fmt.Errorf("omni: %s must be an absolute http or https URL", what)
	}
	if u.User != nil {
		return "", fmt.Errorf("omni: %s must not carry credentials: use the auth options", what)
	}
	// Even an empty query ("https://h/api/v2?") would put every path
	// appended to the base into the query.
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(raw, "?#") {
		return "", fmt.Errorf("omni: %s must not have a query or fragment", what)
	}
	if strings.HasSuffix(u.Host, ":") {
		return "", fmt.Errorf("omni: %s has an empty port", what)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("omni: %s has a port outside 1-65535", what)
		}
	}
	// url.Parse has decoded %2e into u.Path: "%2e%2e" is caught too.
	if hasDotSegment(u.Path) {
		return "", fmt.Errorf("omni: %s must not have a . or .. path segment (plain or %%2e-encoded)", what)
	}
	s := u.String()
	if !strings.HasSuffix(s, "/") {
		s += "/"
	}
	return s, nil
}

// hasDotSegment reports whether a decoded path has a "." or ".." segment.
func hasDotSegment(path string) bool {
	for _, seg := range strings.Split(path, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// warnPlainHTTP logs once per endpoint when credentials would cross a
// network in clear text.
func (c *Client) warnPlainHTTP(base string) {
	u, _ := url.Parse(base)
	if u.Scheme != "http" {
		return
	}
	host := u.Hostname()
	if host == "localhost" {
		return
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return
	}
	c.cfg.logger.Warn("omni: credentials will be sent over plain http", "host", host)
}

// defaultHTTPClient has a cookie jar (GWS sessions), TLS 1.2 or newer, no
// overall timeout (contexts bound each call; CometD holds requests open) and
// follows no redirect, so credentials never travel to another host.
func defaultHTTPClient() (*http.Client, *http.Transport) {
	jar, _ := cookiejar.New(nil) // cookiejar.New never fails without options
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 16
	hardenTLS(tr)
	return &http.Client{
		Jar:       jar,
		Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}, tr
}

// call describes one API request.
type call struct {
	ep     *endpoint
	method string
	path   string     // relative to ep.base, already escaped
	query  url.Values // optional
	body   any        // JSON-encoded when not nil
	// send marks a request that creates something (a post, a message): it
	// is retried only where the server cannot have acted on it.
	send bool
	// complete, when set, checks the decoded answer has what a success
	// must carry (such as a messageId); its error becomes a *DecodeError.
	complete func() error
	// lenient, when set, decodes the answer again, leniently per field
	// (numbers sent as strings), when the plain decode into out failed over
	// a field's type: the fast path stays encoding/json's own.
	lenient func(body []byte) error
	// decode, when set, decodes the answer into out without reflection when
	// it can do so exactly as json.Unmarshal would, and reports whether it
	// did; when it did not, json.Unmarshal (and lenient) decide.
	decode func(body []byte) bool
	// tokenFetch marks the CSRF token fetch, which the CSRF gate does not
	// hold back (it is what the gate waits to send).
	tokenFetch bool
	// carried are the CSRF tokens and Cookie headers the call's requests
	// carried: credentials that change over a session, redacted from the
	// call's error with the endpoint's own (redact).
	carried []string
}

// carry records a CSRF token or a Cookie header a request of the call
// carried (nothing when empty).
func (cl *call) carry(v string) {
	if v != "" && !slices.Contains(cl.carried, v) {
		cl.carried = append(cl.carried, v)
	}
}

// redact removes from err the endpoint's credentials and the CSRF tokens and
// cookie values the call's requests carried: a server repeating its
// request's headers in an error text must not show them.
func (cl *call) redact(err error) {
	if len(cl.carried) == 0 {
		if cl.ep.redact != nil {
			cl.ep.redact(err)
		}
		return
	}
	secrets := slices.Clip(cl.ep.secrets)
	for _, v := range cl.carried {
		if !strings.Contains(v, "=") {
			secrets = append(secrets, v) // a CSRF token
			continue
		}
		for _, kv := range strings.Split(v, ";") { // a Cookie header: its values
			if _, val, ok := strings.Cut(kv, "="); ok {
				secrets = append(secrets, strings.Trim(strings.TrimSpace(val), `"`))
			}
		}
	}
	if r := redactor(secrets); r != nil {
		r(err)
	}
}

// url returns the absolute URL of the call; redacted is cl.redactedURL().
func (cl *call) url(redacted string) string {
	if len(cl.query) > 0 {
		return redacted + "?" + encodeQuery(cl.query)
	}
	return redacted
}

// queryKeeps puts back the characters encodeQuery leaves as they are.
var queryKeeps = strings.NewReplacer("%2A", "*", "%2C", ",")

// encodeQuery is q.Encode() with '*' and ',' as they are: RFC 3986 allows
// both in a query, the documents write subresources=* and fields=id,state
// so, a server decodes them alike either way, and a mock of the documented
// URL (httpmock) compares the query as written. Encode writes '%' only to
// start an escape (a '%' of a value is "%25"), so "%2A" and "%2C" in its
// output can only be a '*' or a ','.
func encodeQuery(q url.Values) string {
	s := q.Encode()
	if !strings.Contains(s, "%2") {
		return s
	}
	return queryKeeps.Replace(s)
}

// redactedURL is the call's URL as it may appear in errors and logs.
func (cl *call) redactedURL() string { return cl.ep.base + cl.path }

// do runs the pipeline: encode, send with retries (and one CSRF refresh),
// check the response, decode into out (when not nil).
func (c *Client) do(ctx context.Context, cl *call, out any) error {
	if cl.ep == nil {
		return ErrNotConfigured
	}
	err := c.exchange(ctx, cl, out)
	if err != nil {
		cl.redact(err)
	}
	return err
}

// exchange is do without the redaction of the error.
func (c *Client) exchange(ctx context.Context, cl *call, out any) error {
	var body []byte
	if cl.body != nil {
		var err error
		if body, err = encodeBody(cl.body); err != nil {
			return fmt.Errorf("omni: encoding %s request: %w", cl.ep.name, err)
		}
	}
	if cl.ep == c.gws {
		// Await's hook: its notification subscription is live before the
		// operation's first request leaves (and after it was validated).
		if err := runBeforeSend(ctx); err != nil {
			return err
		}
	}
	res, err := c.roundTrip(ctx, cl, body, carry{})
	if err != nil {
		return err
	}
	defer res.release()
	// A CSRF rejection: the server did nothing, so the request is sent
	// again with a fresh token: once, as the vendor describes, and again
	// (up to RetryPolicy.MaxAttempts sends in all) only when a newer token
	// is known or the refused retry carried another session than the one
	// its token belongs to.
	// Concurrent requests without a valid session each make the server
	// start one, and a late answer's Set-Cookie can replace, in the jar, the
	// session the fresh token belongs to. A server that refuses a token in
	// its own session gets no more tries.
	for tries := 1; cl.ep.csrf != nil && res.status == http.StatusForbidden && c.csrfRetry(res.body); tries++ {
		if res.attempts >= c.cfg.retry.MaxAttempts || (tries > 1 && !cl.ep.csrf.anotherTry(res.csrfToken, res.cookie)) {
			break // the refusal is the answer: an *APIError (ErrForbidden)
		}
		used, sofar := res.csrfToken, carry{attempts: res.attempts, unsure: res.unsure}
		refused := c.check(cl, res)
		res.release()
		if err := c.refreshCSRF(ctx, used); err != nil {
			if errors.Is(err, errNoFreshToken) {
				return c.mayHaveActed(cl, sofar, refused) // nothing new to send it with
			}
			return c.mayHaveActed(cl, sofar, afterRefusal(refused, "fetching a CSRF token", err))
		}
		c.cfg.logger.Debug("omni: retrying after CSRF refresh", "method", cl.method, "url", cl.redactedURL(),
			"send", tries+1)
		if res, err = c.roundTrip(ctx, cl, body, sofar); err != nil {
			var te *TransportError
			if errors.As(err, &te) && !te.MayHaveReachedServer {
				// The retry never left (held back until ctx ended, a
				// refused dial): its *TransportError, and beside it the
				// server's last word, the refusal.
				return fmt.Errorf("%w; before the token fetch: %w", err, refused)
			}
			return err
		}
		defer res.release()
	}
	if err := c.check(cl, res); err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if len(res.body) > 0 && (cl.decode == nil || !cl.decode(res.body)) {
		if err := json.Unmarshal(res.body, out); err != nil {
			var te *json.UnmarshalTypeError
			if cl.lenient == nil || !errors.As(err, &te) || cl.lenient(res.body) != nil {
				return &DecodeError{Method: cl.method, URL: cl.redactedURL(), Err: err, Body: truncate(res.asSent())}
			}
		}
	}
	if cl.complete != nil {
		if err := cl.complete(); err != nil {
			return &DecodeError{Method: cl.method, URL: cl.redactedURL(), Err: err, Body: truncate(res.asSent())}
		}
	}
	if cl.send && cl.method == http.MethodPost {
		if err := sendAnswered(res); err != nil {
			return &DecodeError{Method: cl.method, URL: cl.redactedURL(), Err: err, Body: truncate(res.asSent())}
		}
	}
	return nil
}

// carry is what a call's earlier roundTrips (before a CSRF token fetch)
// leave to the next: the attempts made, and whether one of them may have
// been written without an answer saying what became of it.
type carry struct {
	attempts int
	unsure   bool
}

// mayHaveActed is err, unless an attempt before the CSRF refusal may have
// been written without an answer (a read, or a send with
// WithRetryUnsafeSends, broken after writing): then a *TransportError
// that may have reached the server, wrapping err, so that a refusal of a
// later attempt does not hide it.
func (c *Client) mayHaveActed(cl *call, sofar carry, err error) error {
	if !sofar.unsure {
		return err
	}
	return &TransportError{Method: cl.method, URL: cl.redactedURL(), Attempts: sofar.attempts, Err: err,
		MayHaveReachedServer: true}
}

// afterRefusal is the error of a request refused for its CSRF token when
// what followed (the token fetch, or a retry that never left) failed with
// err: the refusal (an *APIError, so the server did nothing with the
// request), with err. An *APIError in err (a 401 of the fetch, say) and a
// context that ended stay matchable (errors.Is; errors.As finds the
// refusal first); a *TransportError in err is only described, so that it
// is not taken for the request's.
func afterRefusal(refused error, what string, err error) error {
	if refused == nil {
		return err
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return fmt.Errorf("%w; %s: %w", refused, what, apiErr)
	}
	var ctxErr error
	switch {
	case errors.Is(err, context.Canceled):
		ctxErr = context.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		ctxErr = context.DeadlineExceeded
	}
	if ctxErr != nil {
		return fmt.Errorf("%w; %s: %w (%v)", refused, what, ctxErr, err)
	}
	return fmt.Errorf("%w; %s: %v", refused, what, err)
}

// sendAnswered checks that the 2xx answer to a send whose answer is
// decoded says something: a 204, or an empty body, null or {}, cannot say
// what was accepted, so it is not reported as success.
func sendAnswered(res *result) error {
	if res.status == http.StatusNoContent {
		return errors.New("HTTP 204 No Content: the send's answer is missing")
	}
	body := trimJSONSpace(res.body)
	if len(body) == 0 || string(body) == "null" {
		return errors.New("the send's answer is empty")
	}
	// An empty object, "{" and "}" with only JSON whitespace between them
	// and nothing after; looked at in place rather than decoded (decoding
	// it into a map cost 15 allocations per send, issue 14's profile).
	if body[0] == '{' && string(trimJSONSpace(body[1:])) == "}" {
		return errors.New("the send's answer is an empty object")
	}
	return nil
}

// trimJSONSpace is b without JSON's whitespace (space, tab, CR, LF) at
// either end, as cometd's decoder trims a frame.
func trimJSONSpace(b []byte) []byte { return bytes.Trim(b, " \t\r\n") }

// asSent is the body as the server sent it.
func (r *result) asSent() []byte {
	if r.sent != nil {
		return r.sent
	}
	return r.body
}

// result is a response whose body has been read (bounded) and closed.
type result struct {
	status int
	header http.Header
	body   []byte // read as JSON (see dropTrailingCommas)
	// sent is the body as the server sent it, when body is not (a trailing
	// comma dropped): errors show what was sent.
	sent      []byte
	buf       *bytes.Buffer
	csrfToken string // the token the request carried
	// cookie is the Cookie header the last attempt carried (the jar's
	// cookies, added by net/http); compared only, never logged.
	cookie string
	// retryAfter is the answer's Retry-After (0 for none), as checkRetry parsed it.
	retryAfter time.Duration
	// attempts is the number of attempts the call has made so far, this
	// answer's included; unsure is set when one of them may have been
	// written without an answer (see attemptState.unsure).
	attempts int
	unsure   bool
}

func (r *result) release() {
	if r.buf != nil {
		putBuffer(r.buf)
		r.buf, r.body = nil, nil
	}
}

// roundTrip sends one request through the retry client and reads the answer.
// prior is what earlier roundTrips of the same call (before a CSRF token
// fetch) did: their attempts count toward RetryPolicy.MaxAttempts and in
// TransportError.Attempts, and one of them written without an answer makes
// MayHaveReachedServer true.
func (c *Client) roundTrip(ctx context.Context, cl *call, body []byte, prior carry) (*result, error) {
	// One string for the URL and its redacted form (the same without a
	// query), built once per call rather than for each use.
	redacted := cl.redactedURL()
	if ctxErr := ctx.Err(); ctxErr != nil {
		// Nothing was sent.
		return nil, &TransportError{Method: cl.method, URL: redacted, Err: ctxErr}
	}
	st := attemptState{send: cl.send && !c.cfg.unsafeRetries, method: cl.method, url: redacted,
		attempts: prior.attempts, prior: prior.attempts, unsure: prior.unsure, noJar: cl.ep == c.messenger}
	if !cl.tokenFetch {
		st.gate = cl.ep.csrf // nil for an endpoint without CSRF
	}
	var reqBody any
	if body != nil {
		reqBody = body
	}
	a := c.getAttempt(st)
	req, err := retryablehttp.NewRequestWithContext(a.withTrace(ctx), cl.method, cl.url(redacted), reqBody)
	if err != nil {
		return nil, fmt.Errorf("omni: building %s request: %w", cl.ep.name, err)
	}
	// The header values never change: shared slices, not a new one per
	// header and call as Header.Set makes (the keys are canonical already).
	// Nothing modifies a request's header values in place (a RoundTripper
	// must not modify the request; Header.Add appends to a copy, as the
	// slices are full); net/http copies them when it clones a request.
	h := req.Header
	h["Accept"] = jsonValue
	h["User-Agent"] = c.userAgent
	if body != nil {
		h["Content-Type"] = jsonValue
	}
	cl.ep.auth(h)
	var token string
	if cl.ep.csrf != nil && cl.method != http.MethodGet && cl.method != http.MethodHead {
		token = cl.ep.csrf.apply(h)
	}
	resp, err := a.rc.Do(req)
	if cl.ep == c.gws { // a GWS session's token and cookies (Messenger sends neither)
		cl.carry(token)
		cl.carry(h.Get("Cookie"))
	}
	if err != nil {
		// a is not put back: net/http may still be writing this request
		// and call a's trace hooks after Do returned (after the context
		// ended, say), which must not reach the next call's state.
		if resp != nil {
			drainAndClose(resp.Body)
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, c.contextEnded(cl, a, ctxErr)
		}
		err = unwrapURLError(err)
		// An earlier attempt that was answered, or broke after it may have
		// been written, counts as much as the last one.
		return nil, &TransportError{Method: cl.method, URL: redacted, Attempts: a.st.attempts, Err: err,
			MayHaveReachedServer: !neverSent(err) || a.st.mayHaveLeft || a.st.unsure}
	}
	// An answer arrived, even if ctx ended meanwhile (checkRetry keeps it):
	// it is read and used, and its body always closed. The server had the
	// request, so its headers were written: no trace hook is still to come
	// and a can serve another call.
	retryAfter, attempts, unsure := a.st.retryAfter, a.st.attempts, a.st.unsure
	c.putAttempt(a)
	if cl.ep.csrf != nil {
		cl.ep.csrf.capture(resp.Header, h.Get("Cookie"))
	}
	buf := getBuffer()
	if err := readBounded(buf, resp.Body, maxResponseBody); err != nil {
		drainAndClose(resp.Body)
		putBuffer(buf)
		// The server answered, so it got the request: a send may have been
		// accepted. Say so, rather than a bare context error.
		return nil, &TransportError{Method: cl.method, URL: redacted, Attempts: attempts,
			Err: fmt.Errorf("reading the body of the HTTP %d answer: %w", resp.StatusCode, err), MayHaveReachedServer: true}
	}
	// readBounded read to the end: nothing is left to drain.
	resp.Body.Close()
	answer, sent := buf.Bytes(), []byte(nil)
	if cl.ep.trailingCommas && hasCommaBeforeClose(answer) && !json.Valid(answer) {
		if clean := dropTrailingCommas(bytes.Clone(answer)); json.Valid(clean) {
			answer, sent = clean, buf.Bytes()
		}
	}
	return &result{status: resp.StatusCode, header: resp.Header, body: answer, sent: sent, buf: buf, csrfToken: token,
		cookie: h.Get("Cookie"), retryAfter: retryAfter, attempts: attempts, unsure: unsure}, nil
}

// contextEnded is the error of a request whose context ended before an
// answer could be used. During a wait before a retry, the server's last
// answer is kept: the error wraps both ctx.Err() and that *APIError.
// Otherwise no answer came: a *TransportError wrapping ctx.Err(), saying
// whether the request may have been written.
func (c *Client) contextEnded(cl *call, a *attempt, ctxErr error) error {
	st := &a.st
	if st.last != nil {
		if apiErr := c.check(cl, st.last); apiErr != nil {
			return fmt.Errorf("%w; stopped waiting to retry: %w", apiErr, ctxErr)
		}
	}
	err := ctxErr
	if st.lastErr != nil {
		err = fmt.Errorf("%w; stopped waiting to retry: %w", unwrapURLError(st.lastErr), ctxErr)
	}
	return &TransportError{Method: cl.method, URL: cl.redactedURL(), Attempts: st.attempts, Err: err,
		MayHaveReachedServer: a.mayHaveReachedServer()}
}

// jsonValue is the Accept and Content-Type header value of API requests.
var jsonValue = []string{"application/json"}

// unwrapURLError drops *url.Error's wrapping, whose text repeats the full URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
