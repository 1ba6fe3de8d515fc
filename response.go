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

// TransportError is returned when no HTTP response could be had: the
// connection failed or broke, or the body could not be read. Attempts says
// how many times the request was tried.
type TransportError struct {
	Method   string
	URL      string
	Attempts int
	Err      error
}

// Error describes the failure.
func (e *TransportError) Error() string {
	return fmt.Sprintf("omni: %s %s: %v (after %d attempt(s))", e.Method, e.URL, e.Err, e.Attempts)
}

// Unwrap returns the underlying network error.
func (e *TransportError) Unwrap() error { return e.Err }

// DecodeError is returned when a successful response could not be decoded.
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

// Unwrap returns the JSON error.
func (e *DecodeError) Unwrap() error { return e.Err }

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

// noEnvelope stands for the absent envelope of a non-GWS answer; it is
// only read.
var noEnvelope gwsEnvelope

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

// check turns an HTTP error status or a non-zero GWS statusCode into an
// *APIError. A 2xx GWS answer without statusCode is a *DecodeError: the
// envelope is what says the request succeeded.
func (c *Client) check(cl *call, r *result) error {
	// The envelope is only allocated for GWS answers: the Messenger success
	// path allocates nothing here.
	env := &noEnvelope
	if cl.ep.gws && len(r.body) > 0 {
		env = new(gwsEnvelope)
		if err := json.Unmarshal(r.body, env); err != nil && r.status < 300 {
			return &DecodeError{Method: cl.method, URL: cl.redactedURL(), Err: err, Body: truncate(r.body)}
		}
	}
	failed := r.status >= 300 || (env.StatusCode != nil && *env.StatusCode != StatusSuccess)
	if !failed {
		if cl.ep.gws && env.StatusCode == nil {
			return &DecodeError{Method: cl.method, URL: cl.redactedURL(),
				Err: errors.New("response has no statusCode"), Body: truncate(r.body)}
		}
		return nil
	}
	e := &APIError{
		HTTPStatus: r.status,
		Method:     cl.method,
		URL:        cl.redactedURL(),
		RequestID:  r.header.Get("X-Request-Id"),
		Body:       truncate(r.body),
	}
	e.RetryAfter = r.retryAfter
	if env.StatusCode != nil {
		e.StatusCode, e.StatusMessage = *env.StatusCode, env.StatusMessage
	}
	if !cl.ep.gws && len(r.body) > 0 {
		var ib infobipError
		if json.Unmarshal(r.body, &ib) == nil {
			ex := ib.RequestError.ServiceException
			if ex == nil {
				ex = ib.RequestError.PolicyException
			}
			if ex != nil {
				e.MessageID, e.Text, e.ValidationErrors = ex.MessageID, ex.Text, ex.ValidationErrors
			}
		}
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
