package bayeuxsrv

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// FuzzServeRequest feeds arbitrary bodies to the long-polling handler: it
// must never panic and always answer with 200 and a JSON array, 400 or 413.
func FuzzServeRequest(f *testing.F) {
	for _, seed := range []string{
		`[{"id":"1","channel":"/meta/handshake","version":"1.0","supportedConnectionTypes":["long-polling"],"ext":{"ack":true}}]`,
		`{"channel":"/meta/connect","clientId":"x","advice":{"timeout":0},"ext":{"ack":3}}`,
		`[{"channel":"/meta/subscribe","clientId":"x","subscription":["/a/**","/meta/*"]}]`,
		`[{"channel":"/a/b","clientId":"x","data":{"k":[1,2]}},{"channel":"/meta/disconnect","clientId":"x"}]`,
		`[{"channel":"/service/x","id":{"weird":true}}]`,
		`[null]`, `[]`, `{`, ``, `"x"`,
	} {
		f.Add([]byte(seed))
	}
	srv := New(Options{Timeout: 10 * time.Millisecond, MaxMessageSize: 4096})
	defer srv.Close()
	f.Fuzz(func(t *testing.T, body []byte) {
		// Handshake then run the body with the new clientId substituted for "x",
		// so that session paths are reached as well.
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(
			[]byte(`[{"channel":"/meta/handshake","supportedConnectionTypes":["long-polling"]}]`))))
		id := extractClientID(rec.Body.Bytes())
		body = bytes.ReplaceAll(body, []byte(`"x"`), []byte(`"`+id+`"`))
		rec = httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body)))
		switch rec.Code {
		case http.StatusOK:
			if out := rec.Body.Bytes(); !json.Valid(out) || out[0] != '[' {
				t.Fatalf("reply is not a JSON array: %q", out)
			}
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("status %d for %q", rec.Code, body)
		}
		srv.mu.Lock()
		for _, ss := range srv.sessions {
			srv.removeLocked(ss, goneDropped)
		}
		srv.mu.Unlock()
	})
}

func extractClientID(b []byte) string {
	const key = `"clientId":"`
	i := bytes.Index(b, []byte(key))
	if i < 0 {
		return "none"
	}
	rest := b[i+len(key):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return "none"
	}
	return string(rest[:j])
}
