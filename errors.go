package omni

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Sentinel errors for use with errors.Is. An *APIError or a *ValidationError
// matches the sentinel that describes it, so callers can branch on the kind of
// failure without inspecting status codes:
//
//	if errors.Is(err, omni.ErrRateLimited) { ... }
var (
	// ErrUnauthorized: HTTP 401, GWS statusCode 20 or Infobip UNAUTHORIZED.
	ErrUnauthorized = errors.New("omni: unauthorized")
	// ErrForbidden: HTTP 403 or GWS statusCode 3 (operation forbidden) or 5 (no permission).
	ErrForbidden = errors.New("omni: forbidden")
	// ErrNotFound: HTTP 404 or GWS statusCode 6.
	ErrNotFound = errors.New("omni: not found")
	// ErrRateLimited: HTTP 429 (Infobip TOO_MANY_REQUESTS).
	ErrRateLimited = errors.New("omni: rate limited")
	// ErrValidation: the request was invalid, either rejected before sending
	// (*ValidationError) or by the server (HTTP 400 unless its statusCode is
	// 2, which is ErrInvalidState; GWS statusCode 1 or 10).
	ErrValidation = errors.New("omni: validation failed")
	// ErrServer: HTTP 5xx (only 500-599), or GWS statusCode 4 (internal
	// error) on a 2xx answer. See APIError.Is for how the HTTP status and
	// a vendor code combine.
	ErrServer = errors.New("omni: server error")
	// ErrNotConfigured: a service was used that NewClient was not given a
	// base URL or credentials for.
	ErrNotConfigured = errors.New("omni: service not configured")
	// ErrClientClosed: a wait (Await, SendAndWait) on a Client after Close.
	ErrClientClosed = errors.New("omni: client closed")
	// ErrRejected: the service answered a send with a status of group
	// REJECTED (*RejectedError): the message will not be delivered.
	ErrRejected = errors.New("omni: message rejected")
)

// RejectedError is a Messenger send the service accepted as a request (a
// 2xx answer) but answered with a status of group REJECTED, such as
// REJECTED_NOT_ENOUGH_CREDITS: the message was not sent and will not be.
// Sent is the answer, messageId included. It matches ErrRejected.
type RejectedError struct {
	Sent SentMessage
}

func (e *RejectedError) Error() string {
	msg := "omni: message " + e.Sent.MessageID + " rejected: " + e.Sent.Status.Name
	if d := e.Sent.Status.Description; d != "" {
		msg += " (" + d + ")"
	}
	return msg
}

// Is reports whether target is ErrRejected.
func (e *RejectedError) Is(target error) bool { return target == ErrRejected }

// maxErrorBody is how much of a failed response's body an APIError keeps.
const maxErrorBody = 64 << 10

// APIError is returned when a server answers with an HTTP status of 300 or
// above (a redirect to another host is never followed, so a 3xx is an answer
// too), or with
// a GWS statusCode other than 0. It never carries credentials: URL has its
// user information and query removed.
type APIError struct {
	// HTTPStatus is the HTTP status code of the response.
	HTTPStatus int
	// Method and URL identify the request (URL without user info or query).
	Method string
	URL    string

	// GWSStatusCode and GWSStatusMessage are the statusCode and
	// statusMessage of the GWS envelope (0 and "" for Infobip).
	GWSStatusCode    StatusCode
	GWSStatusMessage string

	// MessageID, Text and ValidationErrors come from an Infobip requestError.
	MessageID        string
	Text             string
	ValidationErrors map[string][]string

	// RetryAfter is the server's Retry-After, when it sent a well-formed
	// one (delay seconds as digits only, or an HTTP date; a malformed value
	// such as "+5" counts as absent). Delay seconds too large for a
	// time.Duration are MaxRetryAfterValue.
	RetryAfter time.Duration
	// RequestID is the X-Request-Id response header, when present.
	RequestID string
	// Body is the response body, cut at 64 KiB.
	Body []byte
}

// Error describes the failure in one line.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "omni: %s %s: HTTP %d", e.Method, e.URL, e.HTTPStatus)
	if e.GWSStatusCode != StatusSuccess {
		fmt.Fprintf(&b, ", statusCode %d", int(e.GWSStatusCode))
		if e.GWSStatusCode.known() {
			fmt.Fprintf(&b, " (%s)", e.GWSStatusCode)
		}
	}
	if e.GWSStatusMessage != "" {
		fmt.Fprintf(&b, ": %s", e.GWSStatusMessage)
	}
	if e.MessageID != "" {
		fmt.Fprintf(&b, ": %s", e.MessageID)
		if e.Text != "" {
			fmt.Fprintf(&b, " %q", e.Text)
		}
	}
	for _, field := range sortedKeys(e.ValidationErrors) {
		fmt.Fprintf(&b, "; %s: %s", field, strings.Join(e.ValidationErrors[field], ", "))
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	return b.String()
}

// Is reports whether the error matches one of the package's sentinel errors.
//
// The HTTP status decides; a vendor code (the GWS statusCode, Infobip's
// messageId and validationErrors) refines only within it:
//   - 5xx is ErrServer whatever the body says; no vendor code adds another
//     sentinel to it. A status outside 100-599 (such as 600 or 999)
//     matches no sentinel.
//   - 400, 401, 403, 404 and 429 are ErrValidation, ErrUnauthorized,
//     ErrForbidden, ErrNotFound and ErrRateLimited; a vendor code adds only
//     ErrInvalidState, which has no HTTP status of its own. A 400 whose GWS
//     statusCode is 2 says the state, not the input, is wrong: it is
//     ErrInvalidState only.
//   - Any other 4xx (409, 422, ...) is refined by the vendor code, except
//     to ErrServer.
//   - A 2xx (a GWS statusCode other than 0) has no HTTP verdict: the vendor
//     code decides. A 3xx matches no sentinel.
func (e *APIError) Is(target error) bool {
	status := e.HTTPStatus
	if status == http.StatusBadRequest && e.GWSStatusCode == StatusInvalidState {
		return target == ErrInvalidState
	}
	if own := statusSentinel(status); own != nil {
		if target == own {
			return true
		}
		// The status has its sentinel: a vendor code adds only what it
		// refines within a client error.
		return status < 500 && target == ErrInvalidState && e.vendorIs(target)
	}
	switch {
	case status >= 200 && status < 300:
		return e.vendorIs(target)
	case status >= 400 && status < 500:
		return target != ErrServer && e.vendorIs(target)
	}
	return false
}

// statusSentinel is the sentinel an HTTP status stands for by itself.
func statusSentinel(status int) error {
	switch {
	case status == http.StatusBadRequest:
		return ErrValidation
	case status == http.StatusUnauthorized:
		return ErrUnauthorized
	case status == http.StatusForbidden:
		return ErrForbidden
	case status == http.StatusNotFound:
		return ErrNotFound
	case status == http.StatusTooManyRequests:
		return ErrRateLimited
	case status >= 500 && status < 600:
		return ErrServer
	}
	return nil
}

// vendorIs reports whether the vendor codes of the body stand for target.
func (e *APIError) vendorIs(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.GWSStatusCode == StatusNotAuthenticated || e.MessageID == "UNAUTHORIZED"
	case ErrForbidden:
		return e.GWSStatusCode == StatusForbidden || e.GWSStatusCode == StatusNoPermission
	case ErrNotFound:
		return e.GWSStatusCode == StatusNotFound
	case ErrRateLimited:
		return e.MessageID == "TOO_MANY_REQUESTS"
	case ErrValidation:
		return e.GWSStatusCode == StatusMissingParameter || e.GWSStatusCode == StatusInputValidation ||
			len(e.ValidationErrors) > 0
	case ErrServer:
		return e.GWSStatusCode == StatusInternalError
	case ErrInvalidState:
		return e.GWSStatusCode == StatusInvalidState
	}
	return false
}

// FieldError is one rule a request field broke.
type FieldError struct {
	// Field is the JSON path of the field, such as "message.payload.buttons[1].title".
	Field string
	// Rule says what the field must be, such as "must be 1 to 20 characters".
	Rule string
}

func (f FieldError) String() string { return f.Field + ": " + f.Rule }

// ValidationError lists every field of a request that broke a rule. It is
// returned before any byte is sent.
type ValidationError struct {
	Fields []FieldError
}

// Error lists the broken rules.
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.String()
	}
	return "omni: invalid request: " + strings.Join(parts, "; ")
}

// Is reports whether target is ErrValidation.
func (e *ValidationError) Is(target error) bool { return target == ErrValidation }

// add records a broken rule.
func (e *ValidationError) add(field, rule string, args ...any) {
	if len(args) > 0 {
		rule = fmt.Sprintf(rule, args...)
	}
	e.Fields = append(e.Fields, FieldError{Field: field, Rule: rule})
}

// nest records the fields of a nested validation error under prefix ("" for none).
func (e *ValidationError) nest(prefix string, err error) {
	if err == nil {
		return // before errors.As, whose target would be allocated for every valid request
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		for _, f := range ve.Fields {
			if prefix != "" {
				f.Field = prefix + "." + f.Field
			}
			e.Fields = append(e.Fields, f)
		}
	} else if err != nil {
		e.Fields = append(e.Fields, FieldError{Field: prefix, Rule: err.Error()})
	}
}

// err returns a copy of e, or nil when no rule was broken. A copy, so that
// the ValidationError a Validate method collects into stays on its stack: a
// valid request allocates nothing for its validation.
func (e *ValidationError) err() error {
	if len(e.Fields) == 0 {
		return nil
	}
	cp := *e
	return &cp
}

// WaitError is an Await (or SendAndWait) whose operation succeeded
// (ReferenceID says which, 0 when the reply carried none) but whose
// notification did not come: ctx ended or the subscription stopped. Do not
// run the operation again blindly: the server accepted it.
type WaitError struct {
	ReferenceID int64
	Err         error
}

// Error describes the failure.
func (e *WaitError) Error() string {
	return fmt.Sprintf("omni: sent with referenceId %d, but waiting for its notification failed: %v", e.ReferenceID, e.Err)
}

// Unwrap returns the cause, such as context.DeadlineExceeded.
func (e *WaitError) Unwrap() error { return e.Err }

// OperationError is an operation the server accepted and then reported as
// failed in a notification: one of notificationType Error, or a
// TwitterOperationResponse with success "false".
type OperationError struct {
	ReferenceID int64
	// Message is the server's errorMessage (or statusMessage), when it sent one.
	Message string
	// Notification is the notification that reported the failure.
	Notification Notification
}

// Error describes the failure.
func (e *OperationError) Error() string {
	return fmt.Sprintf("omni: operation with referenceId %d failed: %s", e.ReferenceID, e.Message)
}

// TransportError is returned when no HTTP response could be had: the
// connection failed or broke, the caller's context ended before an answer
// came (Err then wraps ctx.Err(), so errors.Is(err,
// context.DeadlineExceeded) holds), or the body could not be read.
// Attempts says how many times the request was tried.
type TransportError struct {
	Method   string
	URL      string
	Attempts int
	Err      error
	// MayHaveReachedServer is false only when the request certainly never
	// left (the connection could not be made: dial or DNS failure), which
	// the retry table treats as safe to resend. When true, the server may
	// have acted on it (the connection broke after the request was
	// written, the caller's context ended after it was written, or the
	// answer came but its body could not be read; with a custom
	// RoundTripper that reports no connection events, a request cut off by
	// the context counts as possibly arrived): check,
	// for example with the notification or a read, before sending again.
	MayHaveReachedServer bool
}

// Error describes the failure.
func (e *TransportError) Error() string {
	return fmt.Sprintf("omni: %s %s: %v (after %d attempt(s))", e.Method, e.URL, e.Err, e.Attempts)
}

// Unwrap returns the underlying network error.
func (e *TransportError) Unwrap() error { return e.Err }

// DecodeError is returned when a successful (2xx) response could not be
// decoded. The server answered, so the request reached it and may have
// been carried out: do not send it again blindly (read the resource, or the
// Messenger logs, to learn what happened), as for a *TransportError whose
// MayHaveReachedServer is true.
type DecodeError struct {
	Method string
	URL    string
	Err    error
	// Body is the start of the response (at most 64 KiB).
	Body []byte
}

// Error describes the failure.
func (e *DecodeError) Error() string {
	return fmt.Sprintf("omni: %s %s: decoding response: %v", e.Method, e.URL, e.Err)
}

// Unwrap returns the JSON error, or what the answer lacked.
func (e *DecodeError) Unwrap() error { return e.Err }

// ErrInvalidWebhook is matched (errors.Is) by every error of the webhook
// parsers (ParseInbound, ParseSeenReports, ParseDeliveryReports and their
// Decode functions) about the request itself.
var ErrInvalidWebhook = errors.New("omni: invalid webhook request")

// WebhookError is a push to a webhook (inbound messages, seen reports or
// delivery reports) that could not be read. Status is the HTTP status to
// answer it with: 405 for a method other than POST, 413 for a body over
// MaxWebhookBody, 400 for a body that is not the push's JSON.
type WebhookError struct {
	Status int
	Err    error
	push   string // what the push carries, such as "inbound messages"
}

// Error names the push and the problem; it never repeats the body.
func (e *WebhookError) Error() string {
	push := e.push
	if push == "" {
		push = "push"
	}
	return fmt.Sprintf("omni: %s webhook: %v", push, e.Err)
}

// Unwrap returns the cause, such as a *json.SyntaxError.
func (e *WebhookError) Unwrap() error { return e.Err }

// Is reports whether target is ErrInvalidWebhook.
func (e *WebhookError) Is(target error) bool { return target == ErrInvalidWebhook }
