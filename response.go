package omni

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"
)

// maxResponseBody bounds how much of any response the client reads.
const maxResponseBody = 10 << 20

// errBodyTooLarge is returned, wrapped in a *TransportError, for a response
// larger than maxResponseBody.
var errBodyTooLarge = fmt.Errorf("response body larger than %d bytes", maxResponseBody)

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuffer() *bytes.Buffer { return bufPool.Get().(*bytes.Buffer) }

func putBuffer(b *bytes.Buffer) {
	if b.Cap() > 64<<10 {
		return // let big buffers go
	}
	b.Reset()
	bufPool.Put(b)
}

// readBounded reads r to its end into buf, failing when it holds more
// than limit bytes. It reads into buf's spare room itself rather than
// through an io.LimitReader, which would cost an allocation per response.
func readBounded(buf *bytes.Buffer, r io.Reader, limit int64) error {
	for {
		if int64(buf.Len()) > limit {
			return errBodyTooLarge
		}
		buf.Grow(bytes.MinRead)
		room := buf.AvailableBuffer()
		room = room[:cap(room)]
		if rest := limit + 1 - int64(buf.Len()); int64(len(room)) > rest {
			room = room[:rest]
		}
		n, err := r.Read(room)
		buf.Write(room[:n])
		if err == io.EOF {
			if int64(buf.Len()) > limit {
				return errBodyTooLarge
			}
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// drainLimit is how much of an unread body drainAndClose reads so that
// the connection can be reused; a longer rest is cut off with the
// connection.
const drainLimit = 256 << 10

// drainAndClose reads what is left of a body (bounded) and closes it, so
// the connection can be reused and no transport goroutine waits on it.
func drainAndClose(body io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, body, drainLimit)
	body.Close()
}

func truncate(b []byte) []byte {
	if len(b) > maxErrorBody {
		b = b[:maxErrorBody]
	}
	return bytes.Clone(b)
}

// gwsEnvelope is the part every GWS response has. statusCode is decoded
// as leniently as in notifications: a number or a numeric string.
type gwsEnvelope struct {
	StatusCode    json.RawMessage `json:"statusCode"`
	StatusMessage string          `json:"statusMessage"`
}

// status returns the envelope's statusCode; ok is false when there is none.
func (env gwsEnvelope) status() (code StatusCode, ok bool, err error) {
	raw := bytes.TrimSpace(env.StatusCode)
	if len(raw) == 0 || string(raw) == "null" {
		return 0, false, nil
	}
	s := string(raw)
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, false, err
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, false, fmt.Errorf("statusCode %s is not an integer", raw)
	}
	return StatusCode(n), true, nil
}

// gwsEndpoint is GWS at base: a CSRF token, and an envelope whose
// statusCode says whether the request succeeded.
func gwsEndpoint(base string, auth func(http.Header)) *endpoint {
	return &endpoint{name: "gws", base: base, auth: auth, csrf: newCSRFState(),
		failed: gwsFailed, details: gwsDetails, trailingCommas: true}
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// hasCommaBeforeClose reports whether b holds a comma followed (after white
// space) by "}" or "]", anywhere: the one byte scan that spares every other
// answer the validation dropTrailingCommas needs.
func hasCommaBeforeClose(b []byte) bool {
	for i := bytes.IndexByte(b, ','); i >= 0; {
		j := i + 1
		for j < len(b) && isJSONSpace(b[j]) {
			j++
		}
		if j < len(b) && (b[j] == '}' || b[j] == ']') {
			return true
		}
		k := bytes.IndexByte(b[j:], ',')
		if k < 0 {
			return false
		}
		i = j + k
	}
	return false
}

// dropTrailingCommas removes, in place, every comma outside a string that
// is followed (after white space) by "}" or "]", and returns the shortened
// b. Several documented GWS replies have one ({"statusCode":0,
// "referenceId":10,} for Twitter Create and Save, {"statusCode":"0",} for
// the supervisor's agent-state operations); the documents leave open
// whether the server sends them, so a reply that is JSON but for them is
// read as the JSON it means rather than failing an accepted operation.
func dropTrailingCommas(b []byte) []byte {
	w, inString, escaped := 0, false, false
	for r := 0; r < len(b); r++ {
		ch := b[r]
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case ch == '\\':
				escaped = true
			case ch == '"':
				inString = false
			}
		case ch == '"':
			inString = true
		case ch == ',':
			next := r + 1
			for next < len(b) && isJSONSpace(b[next]) {
				next++
			}
			prev := w - 1
			for prev >= 0 && isJSONSpace(b[prev]) {
				prev--
			}
			// A trailing comma follows a value: "{," and "[," are not one.
			if next < len(b) && (b[next] == '}' || b[next] == ']') && prev >= 0 && b[prev] != '{' && b[prev] != '[' && b[prev] != ',' {
				continue // drop the comma
			}
		}
		b[w] = ch
		w++
	}
	return b[:w]
}

// gwsFailed reads the envelope of a 2xx GWS answer: a statusCode other than
// 0 is a failure; no statusCode at all, or no JSON, cannot be read.
func gwsFailed(body []byte) (bool, error) {
	var env gwsEnvelope
	if len(body) > 0 {
		if err := json.Unmarshal(body, &env); err != nil {
			return false, err
		}
	}
	code, ok, err := env.status()
	if err != nil {
		return false, err
	}
	if !ok {
		return false, errors.New("response has no statusCode")
	}
	return code != StatusSuccess, nil
}

// gwsDetails copies the envelope of a failed GWS answer into e.
func gwsDetails(e *APIError, body []byte) {
	var env gwsEnvelope
	if json.Unmarshal(body, &env) == nil {
		if code, ok, err := env.status(); ok && err == nil {
			e.GWSStatusCode, e.GWSStatusMessage = code, env.StatusMessage
		}
	}
}

// messengerEndpoint is Infobip at base: no CSRF token, no envelope (a 2xx
// answer is a success), requestError bodies on failure.
func messengerEndpoint(base string, auth func(http.Header)) *endpoint {
	return &endpoint{name: "messenger", base: base, auth: auth, details: infobipDetails}
}

// infobipError is Infobip's error body.
type infobipError struct {
	RequestError struct {
		ServiceException *infobipException `json:"serviceException"`
		PolicyException  *infobipException `json:"policyException"`
	} `json:"requestError"`
}

type infobipException struct {
	MessageID        string              `json:"messageId"`
	Text             string              `json:"text"`
	ValidationErrors map[string][]string `json:"validationErrors"`
}

// infobipDetails copies Infobip's requestError into e.
func infobipDetails(e *APIError, body []byte) {
	var ib infobipError
	if json.Unmarshal(body, &ib) != nil {
		return
	}
	ex := ib.RequestError.ServiceException
	if ex == nil {
		ex = ib.RequestError.PolicyException
	}
	if ex != nil {
		e.MessageID, e.Text, e.ValidationErrors = ex.MessageID, ex.Text, ex.ValidationErrors
	}
}

// check turns an HTTP status of 300 or above (redirects are not followed)
// or a failure the endpoint's body reports (a GWS statusCode other than 0)
// into an *APIError. A 2xx answer the endpoint cannot read (a GWS answer
// without statusCode) is a *DecodeError.
func (c *Client) check(cl *call, r *result) error {
	failed := r.status >= 300
	if !failed && cl.ep.failed != nil {
		var err error
		if failed, err = cl.ep.failed(r.body); err != nil {
			return &DecodeError{Method: cl.method, URL: cl.redactedURL(), Err: err, Body: truncate(r.asSent())}
		}
	}
	if !failed {
		return nil
	}
	e := &APIError{
		HTTPStatus: r.status,
		Method:     cl.method,
		URL:        cl.redactedURL(),
		RetryAfter: r.retryAfter,
		RequestID:  r.header.Get("X-Request-Id"),
		Body:       truncate(r.asSent()),
	}
	if cl.ep.details != nil && len(r.body) > 0 {
		cl.ep.details(e, r.body)
	}
	return e
}

// MaxRetryAfterValue is APIError.RetryAfter for a Retry-After whose delay
// seconds do not fit a time.Duration (e.g. 99999999999999999999): the
// largest whole number of seconds a Duration holds (about 292 years). It is
// beyond any RetryPolicy.MaxRetryAfter, so such an answer is never waited
// out: it is handed to the caller.
const MaxRetryAfterValue = time.Duration(math.MaxInt64/int64(time.Second)) * time.Second

// parseRetryAfter reads a Retry-After value: delay seconds (RFC 9110: one
// or more digits, nothing else) or an HTTP date. Anything else, such as
// "+5", "-1", "0x10" or "1e3", is malformed and treated as absent. Delay
// seconds too large for a time.Duration are MaxRetryAfterValue.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if isDigits(v) {
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil || secs > math.MaxInt64/int64(time.Second) {
			// Only digits, so the only possible error is out of range.
			return MaxRetryAfterValue, true
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// isDigits reports whether s is one or more ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
