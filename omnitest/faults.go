package omnitest

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Route names an endpoint of the simulator, for fault injection and in the
// request records.
type Route string

// Routes served by the simulator.
const (
	// RouteAny matches every route in Inject.
	RouteAny Route = "*"
	// RouteFacebookSend is POST {ctx}/api/v2/me/facebook/{id}.
	RouteFacebookSend Route = "gws.facebook.send"
	// RouteTwitterSend is POST {ctx}/api/v2/me/tweets/{id} and /me/twitter/{id}.
	RouteTwitterSend Route = "gws.twitter.send"
	// RouteFacebookSession is POST {ctx}/api/v2/me/facebooksessions/{id} and /me/facebooksession/{id}.
	RouteFacebookSession Route = "gws.facebooksession"
	// RouteMe is GET and POST {ctx}/api/v2/me.
	RouteMe Route = "gws.me"
	// RouteVersion is GET {ctx}/api/v2/diagnostics/version.
	RouteVersion Route = "gws.version"
	// RouteGWSUnknown is any other path under {ctx}/api/v2 (answered 404).
	RouteGWSUnknown Route = "gws.unknown"
	// RouteNotifications is the CometD endpoint {ctx}/api/v2/notifications.
	RouteNotifications Route = "cometd"
	// RouteMessengerSend is POST /facebook/1/single.
	RouteMessengerSend Route = "messenger.send"
	// RouteMessengerUnknown is any other path (answered 404).
	RouteMessengerUnknown Route = "messenger.unknown"
)

type faultKind int

const (
	faultStatus faultKind = iota + 1
	faultResetBeforeBody
	faultResetAfterProcessing
	faultHang
	faultMalformed
)

// Fault describes a misbehaviour injected with Server.Inject. Build one with
// Status, ResetBeforeBody, ResetAfterProcessing, Hang or MalformedJSON; by
// default it applies to the next matching request only (see Times). The zero
// Fault does nothing.
type Fault struct {
	kind       faultKind
	status     int
	retryAfter time.Duration
	times      int
}

// Status answers with HTTP status code and a body shaped like the vendor's
// (GWS: {"statusCode":N,"statusMessage":...}; Messenger: a requestError with
// messageId such as TOO_MANY_REQUESTS; CometD: plain text). The request is
// not processed.
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

// RetryAfter adds a Retry-After header (whole seconds, rounded up) to a
// Status fault.
func (f Fault) RetryAfter(d time.Duration) Fault {
	f.retryAfter = d
	return f
}

// Times makes the fault apply to the next n matching requests (default 1).
// n < 1 is treated as 1.
func (f Fault) Times(n int) Fault {
	f.times = max(n, 1)
	return f
}

type faultEntry struct {
	route Route
	f     Fault
	left  int
}

// Inject queues f for route (or RouteAny). Faults are consumed in the order
// they were injected: a request takes the oldest pending fault whose route
// matches it.
func (s *Server) Inject(route Route, f Fault) {
	if f.kind == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &faultEntry{route: route, f: f, left: max(f.times, 1)})
}

// takeFault consumes one use of the oldest fault matching route.
func (s *Server) takeFault(route Route) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, e := range s.faults {
		if e.route != route && e.route != RouteAny {
			continue
		}
		e.left--
		if e.left <= 0 {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
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
	if f.retryAfter > 0 {
		secs := (f.retryAfter + time.Second - 1) / time.Second
		w.Header().Set("Retry-After", strconv.FormatInt(int64(secs), 10))
	}
	switch {
	case route == RouteNotifications:
		http.Error(w, http.StatusText(f.status), f.status)
	case isMessengerRoute(route):
		writeMessengerError(w, f.status, messengerMessageID(f.status), messengerText(f.status), nil)
	default:
		code, msg := gwsFaultCode(f.status)
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

func gwsFaultCode(status int) (int, string) {
	switch status {
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
	return codeInternal, text
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
