package omni

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// retryInput is what a retry decision looks at.
type retryInput struct {
	send          bool // the request creates something and unsafe retries are off
	ctxDone       bool
	err           error // transport error, nil when a response arrived
	status        int
	retryAfter    time.Duration
	hasRetryAfter bool
	maxRetryAfter time.Duration
	csrfRejection bool // a GWS 403 "Missing or invalid Csrf token"
}

// retryAction is what to do about a failed attempt.
type retryAction int

const (
	dontRetry      retryAction = iota
	retryNow                   // after the backoff (or Retry-After) wait
	refreshCSRFAnd             // fetch a CSRF token, then retry once (see Client.do for "again")
)

// retryRule is one row of the retry table.
type retryRule struct {
	when   func(in retryInput) bool
	action func(in retryInput) retryAction
	reason string
}

func always(a retryAction) func(retryInput) retryAction {
	return func(retryInput) retryAction { return a }
}

// unlessSend retries idempotent requests only (and sends when the caller
// opted in with WithRetryUnsafeSends).
func unlessSend(in retryInput) retryAction {
	if in.send {
		return dontRetry
	}
	return retryNow
}

// retryTable decides every failed attempt; the first matching row wins.
// The README shows the same table.
var retryTable = []retryRule{
	{func(in retryInput) bool { return in.ctxDone }, always(dontRetry),
		"the caller's context is done: stop at once"},
	{func(in retryInput) bool { return in.err != nil && neverSent(in.err) }, always(retryNow),
		"the connection could not be made, so the request never left: safe for sends too"},
	{func(in retryInput) bool { return in.err != nil }, unlessSend,
		"the connection broke after the request may have reached the server: a send could be posted twice"},
	{func(in retryInput) bool { return in.csrfRejection }, always(refreshCSRFAnd),
		"GWS refused the CSRF token without acting: fetch a fresh one and retry once (again only if the session changed under it)"},
	{func(in retryInput) bool { return in.hasRetryAfter && in.retryAfter > in.maxRetryAfter }, always(dontRetry),
		"Retry-After, whatever the status, is longer than RetryPolicy.MaxRetryAfter: the caller decides (APIError.RetryAfter)"},
	{func(in retryInput) bool { return (in.status == 429 || in.status == 503) && in.hasRetryAfter }, always(retryNow),
		"the server refused without acting and said when to come back: wait Retry-After, safe for sends"},
	{func(in retryInput) bool {
		return in.status == 429 || in.status == 502 || in.status == 503 || in.status == 504
	}, unlessSend,
		"throttled or a gateway failed, and the upstream may have acted: idempotent requests only"},
	{func(in retryInput) bool { return true }, always(dontRetry),
		"success, a client error or a 500: retrying would not change the answer"},
}

// decideRetry returns the action of the first matching row and its reason.
func decideRetry(in retryInput) (retryAction, string) {
	for _, r := range retryTable {
		if r.when(in) {
			return r.action(in), r.reason
		}
	}
	return dontRetry, ""
}

// neverSent reports whether a transport error happened before any byte of
// the request was written: dialling (which includes DNS) failed.
func neverSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// attemptState is what the retry hooks know of the request they judge,
// and its count of attempts.
type attemptState struct {
	send bool
	// noJar sends the request through the client's jar-less twin (see
	// Client.wireNoJar): an endpoint that needs no cookies.
	noJar    bool
	method   string
	url      string
	attempts int
	// retryAfter is the last response's Retry-After, parsed once by
	// checkRetry for the retry decision, the backoff and the *APIError.
	retryAfter    time.Duration
	hasRetryAfter bool
	// wait is the delay checkRetry chose before the next attempt (the
	// Retry-After, or the jittered backoff); the Backoff hook returns it.
	wait time.Duration
	// last is the answer of the last attempt that is being retried, read
	// before retryablehttp drains it, so that a context ending during the
	// wait can still hand the server's *APIError to the caller.
	last *result
	// lastErr is the transport error of the last attempt being retried.
	lastErr error
	// gate is the endpoint's CSRF gate, which counts each attempt while it
	// awaits its answer (csrf_gate.go); nil for none. inGate is set while
	// an attempt is counted; heldBack when the gate held the last attempt
	// until the context ended, so it was not sent.
	gate             *csrfState
	gateEpoch        int
	inGate, heldBack bool
	// prior is the attempts of the call's earlier roundTrips (attempts
	// starts from it); mayHaveLeft is set once an attempt was answered or
	// failed after it may have been written (told by checkRetry, with or
	// without a connection trace); unsure once one failed after it may have
	// been written, with no answer to say what became of it (this
	// roundTrip's or, carried over, an earlier one's).
	prior               int
	mayHaveLeft, unsure bool
}

// attempt is one request's attemptState with a go-retryablehttp client
// and a connection trace whose hooks are bound to it. Attempts are pooled
// per Client: building the client, the trace and their five hooks for
// every call, and carrying the state in the request's context, cost 10
// allocations per call (issue 14's profile). The retry hooks run inside
// Do; the trace's hooks may run later (net/http's write loop can outlive a
// request cut off by its context), so an attempt goes back to the pool only
// once an answer came: the request's headers were written, so no hook is
// left to run.
type attempt struct {
	st attemptState
	rc retryablehttp.Client
	// trace records whether the request may have been written by any of
	// its attempts: traced is set when the transport reported getting a
	// connection (net/http does; a custom RoundTripper may not), wrote when
	// an attempt wrote its request headers. An earlier attempt that was
	// written (and answered 503, say) still counts when a later one is cut
	// off before it is written.
	trace         httptrace.ClientTrace
	traced, wrote atomic.Bool
}

// mayHaveReachedServer reports whether some attempt may have written its
// request. Without trace events (a custom transport) it cannot be known,
// so it may have.
func (a *attempt) mayHaveReachedServer() bool {
	if a.st.mayHaveLeft || a.st.unsure {
		return true // an earlier attempt was answered or broke after writing
	}
	if a.st.heldBack && a.st.attempts <= a.st.prior+1 {
		return false // this roundTrip's only attempt never left
	}
	return a.wrote.Load() || !a.traced.Load()
}

// withTrace is ctx carrying a's connection trace. A trace the caller put
// in ctx is kept: httptrace composes it into the trace it is given, so
// that trace is a fresh copy, not the pooled one. A context that can never
// end gets none: the trace only serves the error of a request its context
// cut off (contextEnded), and the transport's work for it showed in the
// CPU profile of a send (issue 14).
func (a *attempt) withTrace(ctx context.Context) context.Context {
	if ctx.Done() == nil {
		return ctx
	}
	if httptrace.ContextClientTrace(ctx) != nil {
		t := a.trace
		return httptrace.WithClientTrace(ctx, &t)
	}
	return httptrace.WithClientTrace(ctx, &a.trace)
}

// getAttempt returns a pooled attempt, or builds one, for a request.
func (c *Client) getAttempt(st attemptState) *attempt {
	a, _ := c.attempts.Get().(*attempt)
	if a == nil {
		a = &attempt{}
		a.rc = retryablehttp.Client{
			HTTPClient:   c.wire,
			RetryWaitMin: c.cfg.retry.MinWait,
			RetryWaitMax: c.cfg.retry.MaxWait,
			RetryMax:     c.cfg.retry.MaxAttempts - 1,
			// Each attempt passes the CSRF gate before it is sent (a
			// retry's wait is not counted as in flight) and leaves it when
			// its answer or error is in, which CheckRetry is told first.
			RequestLogHook: func(_ retryablehttp.Logger, r *http.Request, _ int) { a.st.enterGate(r.Context()) },
			CheckRetry: func(ctx context.Context, resp *http.Response, err error) (bool, error) {
				a.st.leaveGate()
				return c.checkRetry(ctx, &a.st, resp, err)
			},
			// The wait checkRetry chose (resp is nil after a transport
			// error, so it could not be found from the response).
			Backoff: func(time.Duration, time.Duration, int, *http.Response) time.Duration { return a.st.wait },
			// The wait is over: the kept answer belongs to an attempt that
			// is no longer the last one. go-retryablehttp sends the same
			// *http.Request again, and net/http adds the jar's cookies to
			// its Header at each send: without clearing them, a retry
			// would carry the first attempt's cookies before the jar's
			// current ones (a replaced session first). The SDK sets no
			// Cookie header of its own.
			PrepareRetry: func(r *http.Request) error {
				r.Header.Del("Cookie")
				a.st.last, a.st.lastErr = nil, nil
				return nil
			},
			// The last response or error is returned as it is, never
			// replaced by a "giving up after N attempts" error.
			ErrorHandler: retryablehttp.PassthroughErrorHandler,
		}
		a.trace = httptrace.ClientTrace{
			GetConn:      func(string) { a.traced.Store(true) },
			WroteHeaders: func() { a.wrote.Store(true) },
		}
	}
	a.st = st
	a.rc.HTTPClient = c.wire
	if st.noJar {
		a.rc.HTTPClient = c.wireNoJar
	}
	a.traced.Store(false)
	a.wrote.Store(false)
	return a
}

// enterGate counts the attempt about to be sent at the CSRF gate, waiting
// while a token fetch holds it. When ctx ends first the attempt is sent
// anyway: net/http refuses it at once for the done context, without
// writing anything.
func (st *attemptState) enterGate(ctx context.Context) {
	if st.gate == nil {
		return
	}
	epoch, err := st.gate.enter(ctx)
	if err != nil {
		st.heldBack = true
		return
	}
	st.inGate, st.gateEpoch = true, epoch
}

// leaveGate ends the count of enterGate.
func (st *attemptState) leaveGate() {
	if st.inGate {
		st.inGate = false
		st.gate.leave(st.gateEpoch)
	}
}

// putAttempt returns a to the pool, keeping no answer alive.
func (c *Client) putAttempt(a *attempt) {
	a.st = attemptState{}
	c.attempts.Put(a)
}

// checkRetry is retryablehttp's hook for the request of st; CSRF
// rejections are left to do, which needs the body to recognise them.
func (c *Client) checkRetry(ctx context.Context, st *attemptState, resp *http.Response, err error) (bool, error) {
	st.attempts++
	if resp != nil || (err != nil && !neverSent(err) && ctx.Err() == nil) {
		// Answered, or broken after it may have been written (an attempt
		// cut off by the context is judged by the connection trace).
		st.mayHaveLeft = true
		if resp == nil {
			st.unsure = true
		}
	}
	in := retryInput{send: st.send, ctxDone: ctx.Err() != nil, err: err, maxRetryAfter: c.cfg.retry.MaxRetryAfter}
	st.retryAfter, st.hasRetryAfter = 0, false
	if resp != nil {
		in.status = resp.StatusCode
		if v := resp.Header.Get("Retry-After"); v != "" { // time.Now only when needed: every answer passes here
			st.retryAfter, st.hasRetryAfter = parseRetryAfter(v, time.Now())
		}
		in.retryAfter, in.hasRetryAfter = st.retryAfter, st.hasRetryAfter
	}
	action, reason := decideRetry(in)
	if in.ctxDone {
		if resp != nil {
			return false, nil // an answer came as ctx ended: it is used, not thrown away
		}
		return false, ctx.Err()
	}
	if action != retryNow || st.attempts >= c.cfg.retry.MaxAttempts {
		return false, nil
	}
	st.wait = backoff(c.cfg.retry.MinWait, c.cfg.retry.MaxWait, st.attempts-1, st)
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < st.wait {
		// The wait cannot end before the caller's deadline: waiting would
		// only turn the server's answer into "context deadline exceeded".
		// Hand the answer (or transport error) over now.
		c.cfg.logger.Debug("omni: not retrying: the wait would outlast the context", "method", st.method,
			"url", st.url, "attempt", st.attempts, "status", in.status, "wait", st.wait)
		return false, nil
	}
	st.last, st.lastErr = nil, err
	if resp != nil {
		// Keep the answer: if ctx ends during the wait, it is what the
		// caller gets (retryablehttp drains the body before waiting).
		buf := new(bytes.Buffer)
		if readBounded(buf, resp.Body, maxResponseBody) == nil {
			st.last = &result{status: resp.StatusCode, header: resp.Header, body: buf.Bytes(),
				retryAfter: st.retryAfter}
		}
	}
	c.cfg.logger.Debug("omni: retrying", "method", st.method, "url", st.url, "attempt", st.attempts,
		"status", in.status, "reason", reason, "wait", st.wait)
	return true, nil
}

// backoff waits Retry-After when the server sent one (as checkRetry
// parsed it), otherwise an exponential delay between min and max: the n-th
// retry waits a random time in [min·2ⁿ, min·2ⁿ⁺¹], capped at max (and,
// once capped, in the upper half below max), so that no wait is shorter
// than min or longer than max, as RetryPolicy says.
func backoff(min, max time.Duration, attempt int, st *attemptState) time.Duration {
	if st.hasRetryAfter {
		return st.retryAfter
	}
	d := min
	for i := 0; i < attempt && d < max; i++ {
		d *= 2
	}
	hi := d * 2
	if hi > max || hi <= 0 {
		hi = max
	}
	lo := hi / 2
	if lo < min {
		lo = min
	}
	return lo + rand.N(hi-lo+1)
}
