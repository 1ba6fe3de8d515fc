package omnitest

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strconv"
	"strings"
)

// GWS statusCode values used by the simulator.
const (
	codeOK               = 0
	codeMissingParam     = 1
	codeInvalidParam     = 2
	codeForbidden        = 3
	codeInternal         = 4
	codeNotFound         = 6
	codeValidation       = 10
	codeNotAuthenticated = 20
)

// Version is the GWS version reported by GET /api/v2/diagnostics/version.
const Version = "8.5.200.50"

const msgNotAuthenticated = "User not authenticated"

// envelope is the GWS response body. Fields are omitted when empty so that
// an error carries only statusCode and statusMessage.
type envelope struct {
	StatusCode    int     `json:"statusCode"`
	StatusMessage string  `json:"statusMessage,omitempty"`
	ReferenceID   int64   `json:"referenceId,omitempty"`
	Version       string  `json:"version,omitempty"`
	User          *meUser `json:"user,omitempty"`
}

// accepted is the answer to an accepted operation: statusCode 0 with its
// referenceId, or without it under WithoutReferenceIDs.
func (s *Server) accepted(ref int64) envelope {
	if s.cfg.bareReplies {
		return envelope{StatusCode: codeOK}
	}
	return envelope{StatusCode: codeOK, ReferenceID: ref}
}

// gwsRoute maps a path below {ctx}/api/v2 to its route.
func gwsRoute(sub string) Route {
	if route, ok := lifecycleRoute(sub); ok {
		return route
	}
	switch sub {
	case "/me":
		return RouteMe
	case "/diagnostics/version":
		return RouteVersion
	case "/notifications":
		return RouteNotifications
	}
	if strings.HasPrefix(sub, "/notifications/") {
		return RouteNotifications // "/notifications/handshake" style suffixes
	}
	kind, _, ok := splitResource(sub)
	if !ok {
		return RouteGWSUnknown
	}
	switch kind {
	case "facebook":
		return RouteFacebookSend
	case "tweets", "twitter":
		return RouteTwitterSend
	case "facebooksessions", "facebooksession":
		return RouteFacebookSession
	}
	return RouteGWSUnknown
}

// splitResource splits "/me/{kind}/{id}".
func splitResource(sub string) (kind, id string, ok bool) {
	rest, found := strings.CutPrefix(sub, "/me/")
	if !found {
		return "", "", false
	}
	kind, id, found = strings.Cut(rest, "/")
	if !found || kind == "" || blank(id) || strings.Contains(id, "/") { // a blank id names nothing
		return "", "", false
	}
	return kind, id, true
}

// serveGWS authenticates, attaches the HTTP session, checks CSRF and routes.
func (s *Server) serveGWS(w http.ResponseWriter, r *http.Request, route Route, sub string, body []byte) {
	if !s.gwsAuthorized(r) {
		writeGWSError(w, http.StatusUnauthorized, codeNotAuthenticated, msgNotAuthenticated)
		return
	}
	sess := s.ensureSession(w, r)
	if s.csrfOn() {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			w.Header().Set(csrfHeaderHeader, csrfTokenHeader)
			w.Header().Set(csrfTokenHeader, s.csrfToken(sess))
		} else if csrfChecked(r.Method) && !s.validCSRF(sess, r) {
			writeGWSError(w, http.StatusForbidden, codeForbidden, msgBadCSRF)
			return
		}
	}
	if s.serveLifecycle(w, r, route, sub, sess, body) {
		return
	}
	switch {
	case route == RouteVersion && r.Method == http.MethodGet:
		writeGWS(w, http.StatusOK, envelope{StatusCode: codeOK, Version: Version})
	case route == RouteMe && r.Method == http.MethodGet:
		s.getMe(w, r)
	case route == RouteFacebookSend && r.Method == http.MethodPost:
		_, id, _ := splitResource(sub)
		s.sendFacebook(w, r, sess, id, body)
	case route == RouteTwitterSend && r.Method == http.MethodPost:
		_, id, _ := splitResource(sub)
		s.sendTwitter(w, r, sess, id, body)
	case isGWSReadRoute(route) && r.Method == http.MethodGet:
		s.serveGWSRead(w, r, route, sub)
	case route == RouteFacebookSession && r.Method == http.MethodPost:
		_, id, _ := splitResource(sub)
		s.facebookSessionOp(w, r, sess, id, body)
	default:
		writeGWSError(w, http.StatusNotFound, codeNotFound, "Resource not found")
	}
}

// csrfChecked reports whether requests of method need the CSRF token: the
// methods that change something (WithCSRF).
func csrfChecked(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

// decodeGWS decodes a JSON object body; false means it answered statusCode 10.
func decodeGWS(w http.ResponseWriter, body []byte, v any) bool {
	if err := json.Unmarshal(body, v); err != nil {
		msg := "Input validation error: request body is not valid JSON"
		if field, rule, ok := wrongType(err, ""); ok {
			msg = "Input validation error: " + field + ": " + rule
		}
		writeGWSError(w, http.StatusBadRequest, codeValidation, msg)
		return false
	}
	return true
}

// blank reports whether a required parameter is missing: empty or only
// white space, as the SDK's validation has it.
func blank(v string) bool { return strings.TrimSpace(v) == "" }

// wrongType describes a JSON field of the wrong type (valid JSON that does
// not fit the request's shape): its path below prefix and the rule, such
// as "saveLAR", "must be a boolean, not a JSON string"; ok false for
// another error, such as a syntax error.
func wrongType(err error, prefix string) (field, rule string, ok bool) {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return "", "", false
	}
	field = te.Field
	if prefix != "" {
		field = strings.TrimSuffix(prefix+"."+field, ".")
	}
	if field == "" {
		field = "body"
	}
	want := "an object"
	switch te.Type.Kind() {
	case reflect.String:
		want = "a string"
	case reflect.Bool:
		want = "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8,
		reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		want = "a number"
	case reflect.Slice, reflect.Array:
		want = "an array"
	}
	return field, "must be " + want + ", not a JSON " + te.Value, true
}

func writeMissing(w http.ResponseWriter, param string) {
	writeGWSError(w, http.StatusBadRequest, codeMissingParam, "Required parameter missing: "+param)
}

func writeBadOperation(w http.ResponseWriter, op string) {
	writeGWSError(w, http.StatusBadRequest, codeInvalidParam, "Invalid operationName: "+op)
}

func writeGWSError(w http.ResponseWriter, status, code int, msg string) {
	writeGWS(w, status, envelope{StatusCode: code, StatusMessage: msg})
}

func writeGWS(w http.ResponseWriter, status int, env envelope) {
	writeJSON(w, status, env)
}

// writeJSON writes v with an explicit Content-Length and flushes, so the
// client holds the whole answer before anything published afterwards.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(`{"statusCode":4,"statusMessage":"Internal error"}`)
		status = http.StatusInternalServerError
	}
	writeRaw(w, status, b)
}

func writeRaw(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}

// baseURL is the GWS base as the client addressed it, for resource URIs.
func (s *Server) baseURL(r *http.Request) string {
	return s.scheme() + "://" + r.Host + s.cfg.contextPath + "/api/v2"
}
