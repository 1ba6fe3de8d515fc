package omnitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// guard is a failure guard for waits, never a timing assertion.
const guard = 10 * time.Second

// client is a plain HTTP client with its own cookie jar and transport.
type client struct {
	t  testing.TB
	hc *http.Client
	tr *http.Transport
}

func newClient(t testing.TB) *client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &client{t: t, tr: tr, hc: &http.Client{Jar: jar, Transport: tr, Timeout: guard}}
}

// response is what a test needs of an HTTP answer.
type response struct {
	Status int
	Header http.Header
	Body   string
}

// doErr sends a request; hdr is a list of name, value pairs.
func (c *client) doErr(method, url, body string, hdr ...string) (*response, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &response{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}, nil
}

func (c *client) do(method, url, body string, hdr ...string) *response {
	c.t.Helper()
	r, err := c.doErr(method, url, body, hdr...)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, url, err)
	}
	return r
}

// expect checks status and exact body.
func expect(t testing.TB, r *response, status int, body string) {
	t.Helper()
	if r.Status != status || r.Body != body {
		t.Fatalf("got %d %s\nwant %d %s", r.Status, r.Body, status, body)
	}
}

// fixture reads testdata/name.
func fixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// compact re-encodes JSON without insignificant space, for comparisons.
func compact(t testing.TB, s string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		t.Fatalf("compact %q: %v", s, err)
	}
	return b.String()
}

// cometd is a minimal raw long-polling Bayeux client for the tests.
type cometd struct {
	c        *client
	url      string
	hdr      []string
	clientID string
	n        int
	pending  []json.RawMessage // data messages received and not yet taken
}

func newCometD(c *client, url string, hdr ...string) *cometd {
	return &cometd{c: c, url: url, hdr: hdr}
}

func (b *cometd) nextID() string { b.n++; return fmt.Sprint(b.n) }

// send posts msgs and returns the replies; data messages are kept aside.
func (b *cometd) send(msgs ...map[string]any) []map[string]any {
	b.c.t.Helper()
	body, _ := json.Marshal(msgs)
	r := b.c.do(http.MethodPost, b.url, string(body), b.hdr...)
	if r.Status != http.StatusOK {
		b.c.t.Fatalf("cometd: %d %s", r.Status, r.Body)
	}
	var out []json.RawMessage
	if err := json.Unmarshal([]byte(r.Body), &out); err != nil {
		b.c.t.Fatalf("cometd: decode %q: %v", r.Body, err)
	}
	var meta []map[string]any
	for _, raw := range out {
		m := decodeMap(b.c.t, string(raw))
		if ch, _ := m["channel"].(string); strings.HasPrefix(ch, "/meta/") {
			meta = append(meta, m)
		} else {
			b.pending = append(b.pending, raw)
		}
	}
	return meta
}

func (b *cometd) handshake() map[string]any {
	b.c.t.Helper()
	rep := b.send(map[string]any{
		"channel": "/meta/handshake", "id": b.nextID(), "version": "1.0",
		"supportedConnectionTypes": []string{"long-polling"},
	})[0]
	if id, _ := rep["clientId"].(string); id != "" {
		b.clientID = id
	}
	return rep
}

func (b *cometd) subscribe(channel string) {
	b.c.t.Helper()
	rep := b.send(map[string]any{"channel": "/meta/subscribe", "id": b.nextID(), "clientId": b.clientID, "subscription": channel})
	if ok, _ := rep[0]["successful"].(bool); !ok {
		b.c.t.Fatalf("subscribe %s: %v", channel, rep[0])
	}
}

func (b *cometd) connect() map[string]any {
	b.c.t.Helper()
	return b.send(map[string]any{"channel": "/meta/connect", "id": b.nextID(), "clientId": b.clientID, "connectionType": "long-polling"})[0]
}

// start handshakes, subscribes and makes the first (immediate) connect.
func (b *cometd) start(channels ...string) {
	b.c.t.Helper()
	if rep := b.handshake(); rep["successful"] != true {
		b.c.t.Fatalf("handshake: %v", rep)
	}
	for _, ch := range channels {
		b.subscribe(ch)
	}
	b.connect()
}

// next returns the next data message, connecting until one arrives.
func (b *cometd) next() json.RawMessage {
	b.c.t.Helper()
	deadline := time.Now().Add(guard)
	for len(b.pending) == 0 {
		if time.Now().After(deadline) {
			b.c.t.Fatal("cometd: no data message before the guard")
		}
		b.connect()
	}
	m := b.pending[0]
	b.pending = b.pending[1:]
	return m
}

// nextData returns the next data message's channel and data, as sent.
func (b *cometd) nextData() (channel, data string) {
	b.c.t.Helper()
	var m struct {
		Channel string          `json:"channel"`
		Data    json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(b.next(), &m); err != nil {
		b.c.t.Fatal(err)
	}
	return m.Channel, string(m.Data)
}

// decodeMap decodes a JSON object.
func decodeMap(t testing.TB, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
	return m
}

func itoa(n int) string { return fmt.Sprint(n) }

// basic builds a Basic Authorization header value.
func basic(user, pass string) string {
	req, _ := http.NewRequest(http.MethodGet, "http://x", nil)
	req.SetBasicAuth(user, pass)
	return req.Header.Get("Authorization")
}
