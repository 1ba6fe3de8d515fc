package omni_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/omnisdk/omni"
)

// recorded is one request as the server saw it.
type recorded struct {
	Method     string
	RequestURI string
	Header     http.Header
	Body       []byte
}

// fakeServer answers with handle and records every request.
type fakeServer struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []recorded
}

func newFakeServer(t *testing.T, handle http.HandlerFunc) *fakeServer {
	t.Helper()
	fs := &fakeServer{}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fs.mu.Lock()
		fs.reqs = append(fs.reqs, recorded{r.Method, r.RequestURI, r.Header.Clone(), body})
		fs.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		handle(w, r)
	}))
	t.Cleanup(fs.Close)
	return fs
}

func (fs *fakeServer) requests() []recorded {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append([]recorded(nil), fs.reqs...)
}

// reply writes a JSON body with a status.
func reply(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// golden reads a fixture from testdata.
func golden(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// assertJSONEqual compares two JSON documents by value.
func assertJSONEqual(t *testing.T, got, want []byte) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("got invalid JSON %s: %v", got, err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("want invalid JSON: %v", err)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if !bytes.Equal(gb, wb) {
		t.Errorf("JSON differs\n got: %s\nwant: %s", gb, wb)
	}
}

// fastRetry keeps retry waits tiny in tests.
var fastRetry = omni.WithRetry(omni.RetryPolicy{MaxAttempts: 3, MinWait: 1, MaxWait: 2})

// newGWS returns a client for a GWS fake at base path /api/v2.
func newGWS(t *testing.T, fs *fakeServer, opts ...omni.Option) *omni.Client {
	t.Helper()
	opts = append([]omni.Option{omni.WithBasicAuth("agent1", "s3cret-pass"), fastRetry}, opts...)
	c, err := omni.NewClient(fs.URL+"/api/v2", opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// newMessenger returns a Messenger-only client for a fake.
func newMessenger(t *testing.T, fs *fakeServer, opts ...omni.Option) *omni.Client {
	t.Helper()
	opts = append([]omni.Option{omni.WithMessenger(fs.URL, omni.AppKey("app-key-123")), fastRetry}, opts...)
	c, err := omni.NewClient("", opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
