package omnitest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

type faultKind int

const (
	faultStatus faultKind = iota + 1
	faultResetBeforeBody
	faultResetAfterProcessing
	faultHang
	faultMalformed
)

var faultNames = map[faultKind]string{
	faultStatus: "Status", faultResetBeforeBody: "ResetBeforeBody",
	faultResetAfterProcessing: "ResetAfterProcessing", faultHang: "Hang", faultMalformed: "MalformedJSON",
}

// Fault describes a misbehaviour injected with Server.Inject. Build one with
// Status, ResetBeforeBody, ResetAfterProcessing, Hang or MalformedJSON; by
// default it applies to the next matching request only (see Times and
// Always). A builder used wrongly (Times(0), RetryAfter on a fault that has
// no status) is not corrected silently: Inject refuses the fault.
type Fault struct {
	kind       faultKind
	status     int
	gwsCode    int
	gwsMessage string
	gwsSet     bool
	retryAfter time.Duration
	hasRetry   bool
	times      int    // uses asked for (1 by default)
	count      string // the Times and Always calls as made, for String
	misuse     string // the first builder misuse, reported by Inject
}

// Status answers with HTTP status code and a body shaped like the vendor's,
// without processing the request. GWS routes answer
// {"statusCode":N,"statusMessage":...} with N chosen from the HTTP status as
// the GWS documentation pairs them: 400 gives 10 (input validation error),
// 401 gives 20, 403 gives 3, 404 gives 6, any 5xx gives 4 (internal error)
// and any other 4xx gives 2 (parameter not valid for the current state);
// GWS sets both explicitly. Messenger routes answer a requestError with a
// messageId such as TOO_MANY_REQUESTS, and those of the current Messages API
// (/messenger/1/...) {"errorCode":"E429","description":...,"action":...} as
// that API does; CometD answers plain text. Inject
// refuses a code outside 400..599, unless GWS gives a GWS error for a
// 2xx or 3xx answer (GWS can answer HTTP 200 with a statusCode that is not
// 0); it always refuses the codes whose answer has no body (1xx, 204, 304).
func Status(code int) Fault { return Fault{kind: faultStatus, status: code, times: 1} }

// ResetBeforeBody closes the connection without reading the request body or
// answering. The request is not processed.
func ResetBeforeBody() Fault { return Fault{kind: faultResetBeforeBody, times: 1} }

// ResetAfterProcessing processes the request completely (a send counts, its
// referenceId is used and its notification is published) and then closes the
// connection without answering.
func ResetAfterProcessing() Fault { return Fault{kind: faultResetAfterProcessing, times: 1} }

// Hang never answers: the handler blocks until the request's context ends
// (the client gives up) or the server closes or restarts, then drops the
// connection. The request is not processed.
func Hang() Fault { return Fault{kind: faultHang, times: 1} }

// MalformedJSON answers 200 with a JSON body cut short. The request is not
// processed.
func MalformedJSON() Fault { return Fault{kind: faultMalformed, times: 1} }

// GWS sets the GWS envelope of a Status fault: statusCode code and
// statusMessage message, whatever the HTTP status. Inject refuses it on a
// fault that is not a Status, on a route that is not a GWS route, and for
// code 0 (success).
func (f Fault) GWS(code int, message string) Fault {
	if f.kind != faultStatus {
		f.note("GWS applies to Status faults only")
	}
	if code <= 0 {
		f.note(fmt.Sprintf("GWS statusCode %d is not an error code (1 or more)", code))
	}
	f.gwsCode, f.gwsMessage, f.gwsSet = code, message, true
	return f
}

// RetryAfter adds a Retry-After header to a Status fault. The header carries
// whole seconds, so d must be a whole number of seconds; RetryAfter(0) sends
// "Retry-After: 0", which the client honours by retrying at once: the way to
// test the Retry-After path without waiting. Inject refuses a negative or
// fractional d and RetryAfter on any other fault.
func (f Fault) RetryAfter(d time.Duration) Fault {
	switch {
	case f.kind != faultStatus:
		f.note("RetryAfter applies to Status faults only")
	case d < 0:
		f.note("RetryAfter must not be negative")
	case d%time.Second != 0:
		f.note(fmt.Sprintf("RetryAfter(%v): Retry-After is whole seconds on the wire", d))
	}
	f.retryAfter, f.hasRetry = d, true
	return f
}

// Times makes the fault apply to the next n matching requests (default 1).
// Inject refuses n < 1, and Times combined with Always (in either order):
// Always is the fault without end.
func (f Fault) Times(n int) Fault {
	if why := timesMisuse(n, f.count); why != "" {
		f.note(why)
	}
	f.times = n
	f.count += fmt.Sprintf(".Times(%d)", n)
	return f
}

// Always makes the fault apply to every matching request until
// ClearFaults. Inject refuses it combined with Times.
func (f Fault) Always() Fault {
	if why := alwaysMisuse(f.count); why != "" {
		f.note(why)
	}
	f.count += ".Always()"
	return f
}

func (f *Fault) note(msg string) {
	if f.misuse == "" {
		f.misuse = msg
	}
}

// String describes f as it was built, such as
// "Status(503).RetryAfter(1s).Times(2)".
func (f Fault) String() string {
	name, ok := faultNames[f.kind]
	if !ok {
		return "Fault{}"
	}
	var b strings.Builder
	b.WriteString(name)
	if f.kind == faultStatus {
		fmt.Fprintf(&b, "(%d)", f.status)
	} else {
		b.WriteString("()")
	}
	if f.gwsSet {
		fmt.Fprintf(&b, ".GWS(%d, %q)", f.gwsCode, f.gwsMessage)
	}
	if f.hasRetry {
		fmt.Fprintf(&b, ".RetryAfter(%v)", f.retryAfter)
	}
	b.WriteString(f.count)
	return b.String()
}

// ErrInvalidFault is matched (errors.Is) by every *FaultError.
var ErrInvalidFault = errors.New("omnitest: invalid fault")

// FaultError is a fault Inject (or a scripted outcome Script) refused, with
// the reason.
type FaultError struct {
	Route  Route  // the route, or for InjectMessage the channel
	Fault  string // the fault (or outcome) as its String describes it
	Reason string
	op     string // "Inject" unless set
}

// Error names the call, the route, the fault and the reason.
func (e *FaultError) Error() string {
	op := e.op
	if op == "" {
		op = "Inject"
	}
	return fmt.Sprintf("omnitest: %s(%q, %s): %s", op, e.Route, e.Fault, e.Reason)
}

// Is reports whether target is ErrInvalidFault.
func (e *FaultError) Is(target error) bool { return target == ErrInvalidFault }

// check says why f cannot apply to route, or "".
func (f Fault) check(route Route) string {
	v := routeVendor(route)
	switch {
	case route != RouteAny && v == 0:
		return fmt.Sprintf("unknown route (the simulator serves %v)", Routes())
	case f.kind == 0:
		return "the zero Fault does nothing"
	case f.misuse != "":
		return f.misuse
	case f.kind != faultStatus:
		return ""
	case f.status < 100 || f.status > 599:
		return fmt.Sprintf("HTTP status %d is outside 100..599", f.status)
	case !bodyAllowed(f.status):
		return fmt.Sprintf("HTTP status %d carries no body, so no error body can be sent with it", f.status)
	case f.gwsSet && v != vendorGWS:
		return "GWS sets a GWS envelope: use it on a GWS route"
	case f.status < 400 && !f.gwsSet:
		return fmt.Sprintf("HTTP status %d is not an error; add GWS(code, message) for a GWS error with it", f.status)
	}
	return ""
}

// bodyAllowed reports whether an answer with status may carry a body
// (RFC 9110: not 1xx, 204 or 304).
func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

// PendingFault is a fault Inject queued that has not been used up.
type PendingFault struct {
	Route Route
	Fault string // as Fault.String describes it
	Left  int    // uses left; -1 for Always
}

type faultEntry struct {
	route Route
	f     Fault
	left  int
}

// Inject queues f for route (or RouteAny, every route but CometD). Faults
// are consumed in the order they were injected: a request takes the oldest
// pending fault whose route matches it. A fault that cannot apply (unknown
// route, Status(0), Times(0), RetryAfter on a reset, ...) is refused with a
// *FaultError, and, on a Server made by NewServer, also fails the test, so
// an ignored error is not a silent no-op.
func (s *Server) Inject(route Route, f Fault) error {
	if why := f.check(route); why != "" {
		err := &FaultError{Route: route, Fault: f.String(), Reason: why}
		if s.t != nil {
			s.t.Errorf("%v", err)
		}
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &faultEntry{route: route, f: f, left: usesLeft(f.times, f.count)})
	return nil
}

// PendingFaults returns the HTTP faults not used up yet, oldest first
// (message faults: PendingMessageFaults).
func (s *Server) PendingFaults() []PendingFault {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]PendingFault, 0, len(s.faults))
	for _, e := range s.faults {
		out = append(out, PendingFault{Route: e.route, Fault: e.f.String(), Left: e.left})
	}
	return out
}

// ClearFaults removes every pending fault and message fault, Always ones
// included.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults, s.msgFaults = nil, nil
}

// AssertFaultsConsumed fails t for every injected fault that is still
// pending, Always faults excepted: a fault nothing took means the test did
// not exercise what it meant to.
func (s *Server) AssertFaultsConsumed(t testing.TB) {
	t.Helper()
	for _, p := range append(s.PendingFaults(), s.PendingMessageFaults()...) {
		if p.Left != always {
			t.Errorf("omnitest: fault %s on route %q was not consumed (%d use(s) left)", p.Fault, p.Route, p.Left)
		}
	}
}

// takeFault consumes one use of the oldest fault matching route.
func (s *Server) takeFault(route Route) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, e := range s.faults {
		if e.route != route && (e.route != RouteAny || route == RouteNotifications) {
			continue
		}
		if e.left != always {
			e.left--
			if e.left <= 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
		}
		return e.f, true
	}
	return Fault{}, false
}

// resetConn closes the client connection without an answer.
func resetConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

// hang blocks until ctx ends or stop is closed, then drops the connection.
func hang(ctx context.Context, stop <-chan struct{}, w http.ResponseWriter) {
	select {
	case <-ctx.Done():
	case <-stop:
	}
	resetConn(w)
}

// writeStatusFault answers a Status fault in the shape of route's vendor.
func writeStatusFault(w http.ResponseWriter, route Route, f Fault) {
	if f.hasRetry {
		w.Header().Set("Retry-After", strconv.FormatInt(int64(f.retryAfter/time.Second), 10))
	}
	switch routeVendor(route) {
	case vendorCometD:
		http.Error(w, http.StatusText(f.status), f.status)
	case vendorMessenger:
		if isMessagesRoute(route) {
			description, action := messagesFaultText(f.status)
			writeMessagesError(w, f.status, description, action, nil)
			return
		}
		writeMessengerError(w, f.status, messengerMessageID(f.status), messengerText(f.status), nil)
	default:
		code, msg := gwsFaultCode(f.status)
		if f.gwsSet {
			code, msg = f.gwsCode, f.gwsMessage
		}
		writeGWSError(w, f.status, code, msg)
	}
}

// writeMalformed answers 200 with a JSON body cut short.
func writeMalformed(w http.ResponseWriter, route Route) {
	body := `{"statusCode":0,"referenceId":`
	switch {
	case route == RouteNotifications:
		body = `[{"channel":"/meta/connect","successful":tr`
	case isMessengerRoute(route):
		body = `{"to":"`
	}
	writeRaw(w, http.StatusOK, []byte(body))
}

// gwsFaultCode pairs an HTTP error status with the GWS statusCode the
// documentation gives for it.
func gwsFaultCode(status int) (int, string) {
	switch status {
	case http.StatusBadRequest:
		return codeValidation, "Input validation error"
	case http.StatusUnauthorized:
		return codeNotAuthenticated, msgNotAuthenticated
	case http.StatusForbidden:
		return codeForbidden, "Operation forbidden"
	case http.StatusNotFound:
		return codeNotFound, "Resource not found"
	}
	text := http.StatusText(status)
	if text == "" {
		text = "Error"
	}
	if status >= 500 {
		return codeInternal, text
	}
	return codeInvalidParam, text
}

func messengerMessageID(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "BAD_REQUEST"
	case http.StatusUnauthorized:
		return "UNAUTHORIZED"
	case http.StatusTooManyRequests:
		return "TOO_MANY_REQUESTS"
	case http.StatusInternalServerError:
		return "GENERAL_ERROR"
	}
	text := http.StatusText(status)
	if text == "" {
		return "GENERAL_ERROR"
	}
	return strings.ToUpper(strings.NewReplacer(" ", "_", "-", "_").Replace(text))
}

func messengerText(status int) string {
	switch status {
	case http.StatusUnauthorized:
		return msgInvalidLogin
	case http.StatusTooManyRequests:
		return "Too many requests"
	}
	if t := http.StatusText(status); t != "" {
		return t
	}
	return "Error"
}

// messagesFaultText is the description and action of a Status fault on the
// current Messages API. The documents show this API's 400 and name its
// 401, 403 and 500 without their texts: those of 400 and 401 are the ones
// its own refusals use, the others are inferred.
func messagesFaultText(status int) (description, action string) {
	switch {
	case status == http.StatusBadRequest:
		return "Request cannot be processed.", "Check the syntax, violations and adjust the request."
	case status == http.StatusUnauthorized:
		return msgMessagesUnauthorized, actionMessagesUnauthorized
	case status == http.StatusForbidden:
		return "The request is not allowed for these credentials.", "Check the resources and the credentials' permissions."
	case status == http.StatusTooManyRequests:
		return "Too many requests.", "Try again later."
	case status >= 500:
		return statusSentence(status), "Try again later."
	}
	return statusSentence(status), "Check the request and adjust it."
}

// statusSentence is status's text as a sentence: "Service unavailable.".
func statusSentence(status int) string {
	t := http.StatusText(status)
	if t == "" {
		return "Error."
	}
	return t[:1] + strings.ToLower(t[1:]) + "."
}
