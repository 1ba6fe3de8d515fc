package omni

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// addJSONSeeds adds every testdata/*.json file (the seed documents'
// samples) to f.
func addJSONSeeds(f *testing.F, pattern string) {
	files, _ := filepath.Glob(filepath.Join("testdata", pattern))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzValidateSingleMessage: any JSON either fails to decode or gives a
// SingleMessage whose Validate does not panic; a valid one survives a
// round trip through its JSON and stays valid.
func FuzzValidateSingleMessage(f *testing.F) {
	addJSONSeeds(f, "messenger_*_request.json")
	f.Add([]byte(`{"from":"a","to":"b","message":{"type":"TEMPLATE","payload":{"type":"BUTTON","text":"t","buttons":[]}}}`))
	f.Add([]byte(`{"from":"a","to":"b","message":{"type":"TEXT","text":"\u00e9\u00e9"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var m SingleMessage
		if json.Unmarshal(data, &m) != nil {
			return
		}
		err := m.Validate()
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Fields) == 0 {
				t.Fatalf("Validate returned %T %v, want a *ValidationError listing fields", err, err)
			}
			return
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("a valid message does not marshal: %v", err)
		}
		var back SingleMessage
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("round trip of %s: %v", b, err)
		}
		if err := back.Validate(); err != nil {
			t.Fatalf("valid message %s is invalid after a round trip: %v", b, err)
		}
	})
}

// FuzzSendValidation: Facebook and Twitter sends either fail validation or
// put the id into exactly one escaped path segment.
func FuzzSendValidation(f *testing.F) {
	f.Add("01QQQG2MU214P06D", "/contacts/60ebbb94", "vitaliy_onv", "Hello Facebook!")
	f.Add("..", "/q", "f", "m")
	f.Add("../../facebook/1/single", "", "", "")
	f.Add("a%2F..", "/q", "f", strings.Repeat("x", 100000))
	f.Fuzz(func(t *testing.T, id, queue, from, message string) {
		for _, err := range []error{FacebookSend{QueuePath: queue, From: from, Message: message}.Validate(),
			TwitterSend{QueuePath: queue, From: from, Message: message}.Validate()} {
			var ve *ValidationError
			if err != nil && (!errors.As(err, &ve) || len(ve.Fields) == 0) {
				t.Fatalf("Validate: %T %v", err, err)
			}
		}
		var v ValidationError
		checkID(&v, id)
		if v.err() != nil {
			return
		}
		p := resourcePath("me/facebook", id)
		seg := strings.TrimPrefix(p, "me/facebook/")
		if seg == "" || seg == "." || seg == ".." || strings.ContainsAny(seg, "/?#") {
			t.Fatalf("id %q gives path %q", id, p)
		}
	})
}

// FuzzCheckResponse: any status, body and Retry-After give a nil error
// only for a 2xx answer (with statusCode 0 on GWS), never panic, and build
// an *APIError whose body is bounded.
func FuzzCheckResponse(f *testing.F) {
	addJSONSeeds(f, "*_response.json")
	f.Add([]byte(`{"statusCode":20,"statusMessage":"User not authenticated"}`))
	f.Add([]byte(`{"requestError":{"policyException":{"messageId":"X","validationErrors":{"a":["b"]}}}}`))
	f.Add([]byte(`{"statusCode":99999999999999999999}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		c := &Client{}
		for _, gws := range []bool{true, false} {
			for _, status := range []int{200, 204, 302, 400, 401, 403, 429, 500, 503} {
				ep := messengerEndpoint("http://h/", nil)
				if gws {
					ep = gwsEndpoint("http://h/", nil)
				}
				cl := &call{ep: ep, method: http.MethodPost, path: "p"}
				ra, _ := parseRetryAfter(string(bytes.ToValidUTF8(body[:min(len(body), 40)], nil)), time.Now())
				err := c.check(cl, &result{status: status, header: http.Header{}, body: body, retryAfter: ra})
				if status >= 300 && err == nil {
					t.Fatalf("HTTP %d checked as success", status)
				}
				var api *APIError
				if errors.As(err, &api) {
					if len(api.Body) > maxErrorBody || api.RetryAfter < 0 {
						t.Fatalf("APIError body %d bytes, RetryAfter %v", len(api.Body), api.RetryAfter)
					}
					_ = api.Error()
				}
			}
		}
	})
}

// FuzzParseRetryAfter: never negative, never a panic.
func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"1", "0", "-1", "120", "Wed, 21 Oct 2015 07:28:00 GMT", "99999999999999999999", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := parseRetryAfter(s, time.Unix(1_700_000_000, 0))
		if d < 0 || (!ok && d != 0) {
			t.Fatalf("parseRetryAfter(%q) = %v, %v", s, d, ok)
		}
	})
}

// FuzzParseTimestamp: a timestamp that parses formats back to the same
// instant in the first layout.
func FuzzParseTimestamp(f *testing.F) {
	for _, s := range []string{"2014-01-02T14:23:18.000-0800", "2014-01-09 11:58:12.035+0200", "2014-01-02T14:23:18Z", "", "2014-13-45"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := ParseTimestamp(s)
		if err != nil {
			return
		}
		back, err := ParseTimestamp(ts.Format(time.RFC3339Nano))
		if err != nil || !back.Equal(ts) {
			t.Fatalf("ParseTimestamp(%q) = %v; its RFC 3339 form gives %v, %v", s, ts, back, err)
		}
	})
}

// FuzzCSRFCapture: a header name is stored only when it is a valid token,
// and whatever is stored can be set on a request without breaking it.
func FuzzCSRFCapture(f *testing.F) {
	f.Add("X-CSRF-TOKEN", "abc123")
	f.Add("X-CSRF TOKEN\r\nEvil: 1", "t")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, name, token string) {
		var s csrfState
		s.capture(http.Header{"X-Csrf-Header": {name}, "X-Csrf-Token": {token}}, "")
		h := http.Header{}
		got := s.apply(h)
		if got != "" && (!validHeaderName(name) || got != token) {
			t.Fatalf("captured %q=%q from %q=%q", h, got, name, token)
		}
	})
}

// FuzzParseBase: an accepted base URL is absolute http(s) with a host, ends
// in "/", and carries no credentials, query (not even an empty one),
// fragment, empty port or . / .. path segment; a refused one gets one of the
// fixed messages, which never repeat the input.
func FuzzParseBase(f *testing.F) {
	for _, s := range []string{"https://gws.example.com/api/v2", "http://u:p@h/", "https://h/x?y#z", "ftp://h",
		"https://h/cloud-web/api/v2/", "//h", "http://0?", "https://:80", "must be an absolute", "http://0:", "http://h:99999/",
		"http://h/a/../api/v2", "http://h/%2e%2e/api"} {
		f.Add(s)
	}
	fixed := map[string]bool{
		"omni: base URL must be an absolute http or https URL":                       true,
		"omni: base URL must not carry credentials: use the auth options":            true,
		"omni: base URL must not have a query or fragment":                           true,
		"omni: base URL has an empty port":                                           true,
		"omni: base URL has a port outside 1-65535":                                  true,
		"omni: base URL must not have a . or .. path segment (plain or %2e-encoded)": true,
	}
	f.Fuzz(func(t *testing.T, raw string) {
		base, err := parseBase("base URL", raw)
		if err != nil {
			if !fixed[err.Error()] {
				t.Fatalf("parseBase(%q): error %q is not one of the fixed messages", raw, err)
			}
			return
		}
		u, err := url.Parse(base)
		if err != nil || !strings.HasSuffix(base, "/") || (u.Scheme != "http" && u.Scheme != "https") ||
			u.Hostname() == "" || u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" ||
			strings.ContainsAny(base, "?#") || strings.HasSuffix(u.Host, ":") || hasDotSegment(u.Path) {
			t.Fatalf("parseBase(%q) = %q (%v)", raw, base, err)
		}
	})
}
