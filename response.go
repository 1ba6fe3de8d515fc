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

// readBounded reads r into buf, failing when it holds more than limit bytes.
func readBounded(buf *bytes.Buffer, r io.Reader, limit int64) error {
	n, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	if err != nil {
		return err
	}
	if n > limit {
		return errBodyTooLarge
	}
	return nil
}

// drainAndClose reads what is left of a body (bounded) and closes it, so
// the connection can be reused and no transport goroutine waits on it.
func drainAndClose(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 256<<10))
	body.Close()
}

func truncate(b []byte) []byte {
	if len(b) > maxErrorBody {
		b = b[:maxErrorBody]
	}
	return bytes.Clone(b)
}

// gwsEnvelope is the part every GWS response has.
type gwsEnvelope struct {
	StatusCode    *StatusCode `json:"statusCode"`
	StatusMessage string      `json:"statusMessage"`
}

// gwsEndpoint is GWS at base: a CSRF token, and an envelope whose
// statusCode says whether the request succeeded.
func gwsEndpoint(base string, auth func(http.Header)) *endpoint {
	return &endpoint{name: "gws", base: base, auth: auth, csrf: new(csrfState),
		failed: gwsFailed, details: gwsDetails}
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
	if env.StatusCode == nil {
		return false, errors.New("response has no statusCode")
	}
	return *env.StatusCode != StatusSuccess, nil
}

// gwsDetails copies the envelope of a failed GWS answer into e.
func gwsDetails(e *APIError, body []byte) {
	var env gwsEnvelope
	if json.Unmarshal(body, &env) == nil && env.StatusCode != nil {
		e.GWSStatusCode, e.GWSStatusMessage = *env.StatusCode, env.StatusMessage
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
			return &DecodeError{Method: cl.method, URL: cl.redactedURL(), Err: err, Body: truncate(r.body)}
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
		Body:       truncate(r.body),
	}
	if cl.ep.details != nil && len(r.body) > 0 {
		cl.ep.details(e, r.body)
	}
	return e
}

// parseRetryAfter reads a Retry-After value: delay seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0, false
		}
		// A huge value would overflow into a negative wait (an immediate
		// retry); saturate it instead, so it exceeds MaxRetryAfter.
		return time.Duration(min(int64(secs), math.MaxInt64/int64(time.Second))) * time.Second, true
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

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
