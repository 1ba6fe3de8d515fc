package bayeuxsrv

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// msg is a Bayeux message as the tests build and decode it.
type msg = map[string]any

// guard is the failure guard for waits; never a timing assertion.
const guard = 10 * time.Second

type testEnv struct {
	srv *Server
	hs  *httptest.Server
	hc  *http.Client
}

// newEnv starts a Server behind httptest; cleanup closes both (the Server
// first, so held connects are released before httptest waits for handlers).
func newEnv(t *testing.T, opts Options) *testEnv {
	t.Helper()
	srv := New(opts)
	hs := httptest.NewServer(srv)
	tr := &http.Transport{}
	env := &testEnv{srv: srv, hs: hs, hc: &http.Client{Transport: tr, Timeout: guard}}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		hs.Close()
	})
	t.Cleanup(srv.Close)
	return env
}

// postRaw sends body and returns status and body.
func (e *testEnv) postRaw(body []byte) (int, []byte, http.Header, error) {
	resp, err := e.hc.Post(e.hs.URL+"/cometd", "application/json;charset=UTF-8", bytes.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header, err
}

// postErr sends msgs as a JSON array and decodes the reply array.
func (e *testEnv) postErr(msgs ...msg) ([]msg, error) {
	body, err := json.Marshal(msgs)
	if err != nil {
		return nil, err
	}
	code, b, _, err := e.postRaw(body)
	if err != nil {
		return nil, err
	}
	if code != http.StatusOK {
		return nil, fmt.Errorf("status %d: %s", code, b)
	}
	var out []msg
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("decode %q: %w", b, err)
	}
	return out, nil
}

func (e *testEnv) post(t *testing.T, msgs ...msg) []msg {
	t.Helper()
	out, err := e.postErr(msgs...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// postAsync sends msgs from another goroutine.
func (e *testEnv) postAsync(msgs ...msg) <-chan result {
	ch := make(chan result, 1)
	go func() {
		out, err := e.postErr(msgs...)
		ch <- result{out, err}
	}()
	return ch
}

type result struct {
	msgs []msg
	err  error
}

func await(t *testing.T, ch <-chan result) []msg {
	t.Helper()
	select {
	case r := <-ch:
		if r.err != nil {
			t.Fatal(r.err)
		}
		return r.msgs
	case <-time.After(guard):
		t.Fatal("no reply")
		return nil
	}
}

// handshake performs a long-polling handshake and returns the clientId.
func (e *testEnv) handshake(t *testing.T, ext msg) string {
	t.Helper()
	m := msg{"id": "hs", "channel": "/meta/handshake", "version": "1.0",
		"supportedConnectionTypes": []string{"long-polling"}}
	if ext != nil {
		m["ext"] = ext
	}
	out := e.post(t, m)
	if len(out) != 1 || out[0]["successful"] != true {
		t.Fatalf("handshake failed: %v", out)
	}
	return out[0]["clientId"].(string)
}

func connectMsg(id, clientID string) msg {
	return msg{"id": id, "channel": "/meta/connect", "clientId": clientID, "connectionType": "long-polling"}
}

func (e *testEnv) subscribe(t *testing.T, clientID string, sub any) msg {
	t.Helper()
	out := e.post(t, msg{"id": "sub", "channel": "/meta/subscribe", "clientId": clientID, "subscription": sub})
	if len(out) != 1 {
		t.Fatalf("subscribe replies: %v", out)
	}
	return out[0]
}

// firstConnect sends the first connect, which is answered at once.
func (e *testEnv) firstConnect(t *testing.T, clientID string) {
	t.Helper()
	out := e.post(t, connectMsg("c0", clientID))
	if last := out[len(out)-1]; last["successful"] != true {
		t.Fatalf("first connect: %v", out)
	}
}

// waitHeld polls until n connects are held for the session.
func waitHeld(t *testing.T, srv *Server, clientID string, n int) {
	t.Helper()
	ss := srv.lookup(clientID)
	if ss == nil {
		t.Fatal("unknown session")
	}
	deadline := time.Now().Add(guard)
	for {
		ss.mu.Lock()
		h := ss.holds
		ss.mu.Unlock()
		if h == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("holds = %d, want %d", h, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// waitFor polls cond until it holds or the guard expires.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(guard)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// data returns the data payloads of the data messages in replies, in order.
func data(replies []msg) []any {
	var out []any
	for _, m := range replies {
		if ch, _ := m["channel"].(string); len(ch) > 0 && !isMeta(ch) {
			if _, isReply := m["successful"]; !isReply {
				out = append(out, m["data"])
			}
		}
	}
	return out
}

// byChannel returns the first reply on channel.
func byChannel(t *testing.T, replies []msg, channel string) msg {
	t.Helper()
	for _, m := range replies {
		if m["channel"] == channel {
			return m
		}
	}
	t.Fatalf("no %s in %v", channel, replies)
	return nil
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
