package cometd

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// wireMessages returns the messages on channel from the raw wire records,
// as compact JSON strings, with the id replaced by "ID".
func wireMessages(t *testing.T, f *fake, channel string) []string {
	t.Helper()
	var out []string
	for _, r := range f.wire() {
		var raw []json.RawMessage
		if err := json.Unmarshal([]byte(r.body), &raw); err != nil {
			t.Fatalf("body %q is not an array: %v", r.body, err)
		}
		for _, m := range raw {
			var probe struct {
				Channel string `json:"channel"`
			}
			_ = json.Unmarshal(m, &probe)
			if probe.Channel == channel {
				out = append(out, string(m))
			}
		}
	}
	return out
}

func TestWireJSON(t *testing.T) {
	f := newFake(t)
	f.set(func(f *fake) { f.transports = []string{LongPolling} })
	c, _ := newTestClient(t, f, WithTransports(LongPolling), WithRequestHeader(func(h http.Header) {
		h.Set("X-Token", "secret")
	}))
	ctx := ctxT(t)
	if _, err := c.Subscribe(ctx, "/foo/bar", func(*Message) {}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a second connect", func() bool { return len(f.recorded(ChannelConnect)) >= 2 })

	hs := wireMessages(t, f, ChannelHandshake)
	want := `{"channel":"/meta/handshake","id":"1","version":"1.0","minimumVersion":"1.0","supportedConnectionTypes":["long-polling"]}`
	if len(hs) != 1 || hs[0] != want {
		t.Fatalf("handshake on the wire:\n got %v\nwant %s", hs, want)
	}
	// The handshake request carries the handshake alone.
	if r := f.wire()[0]; r.body != "["+want+"]" {
		t.Fatalf("first request body = %s", r.body)
	}
	conns := wireMessages(t, f, ChannelConnect)
	var first Message
	_ = json.Unmarshal([]byte(conns[0]), &first)
	wantConn := `{"channel":"/meta/connect","id":"` + first.ID + `","clientId":"c1","connectionType":"long-polling","advice":{"timeout":0}}`
	if conns[0] != wantConn {
		t.Fatalf("first connect:\n got %s\nwant %s", conns[0], wantConn)
	}
	var second Message
	_ = json.Unmarshal([]byte(conns[1]), &second)
	if second.Advice != nil || second.ClientID != "c1" || second.ID == first.ID {
		t.Fatalf("second connect = %s", conns[1])
	}
	subs := wireMessages(t, f, ChannelSubscribe)
	var sub Message
	_ = json.Unmarshal([]byte(subs[0]), &sub)
	wantSub := `{"channel":"/meta/subscribe","id":"` + sub.ID + `","clientId":"c1","subscription":"/foo/bar"}`
	if len(subs) != 1 || subs[0] != wantSub {
		t.Fatalf("subscribe:\n got %v\nwant %s", subs, wantSub)
	}
	ids := map[string]bool{}
	for _, r := range f.wire() {
		if got := r.header.Get("Content-Type"); got != "application/json;charset=UTF-8" {
			t.Errorf("Content-Type = %q", got)
		}
		if r.header.Get("X-Token") != "secret" {
			t.Errorf("request without the header from WithRequestHeader")
		}
		var msgs []Message
		_ = json.Unmarshal([]byte(r.body), &msgs)
		for _, m := range msgs {
			if ids[m.ID] {
				t.Errorf("id %s used twice", m.ID)
			}
			ids[m.ID] = true
		}
	}
}

func TestNegotiationPicksClientPreference(t *testing.T) {
	f := newFake(t)
	f.set(func(f *fake) { f.transports = []string{"callback-polling", LongPolling} })
	c, _ := newTestClient(t, f)
	if err := c.Handshake(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if got := c.Transport(); got != LongPolling {
		t.Fatalf("Transport() = %q, want long-polling", got)
	}
	eventually(t, "connect over long-polling", func() bool {
		for _, m := range f.recorded(ChannelConnect) {
			if m["connectionType"] == LongPolling {
				return true
			}
		}
		return false
	})
}

func TestNoCommonTransportIsTerminal(t *testing.T) {
	f := newFake(t)
	f.set(func(f *fake) { f.transports = []string{"callback-polling"} })
	c, _ := newTestClient(t, f, WithTransports(LongPolling))
	rec := recordStates(c)
	err := c.Handshake(ctxT(t))
	if !errors.Is(err, ErrNoTransport) {
		t.Fatalf("Handshake = %v, want ErrNoTransport", err)
	}
	var te *TerminalError
	if !errors.As(err, &te) {
		t.Fatalf("error %T is not a *TerminalError", err)
	}
	<-c.Done()
	if !errors.Is(c.Err(), ErrNoTransport) {
		t.Fatalf("Err() = %v", c.Err())
	}
	if c.State() != StateTerminated {
		t.Fatalf("State() = %v", c.State())
	}
	n := 0
	for _, ev := range rec.get() {
		if ev.To == StateTerminated {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d terminated events, want 1: %+v", n, rec.get())
	}
	if err := c.Publish(ctxT(t), "/x", 1); !errors.Is(err, ErrNoTransport) {
		t.Fatalf("Publish after termination = %v", err)
	}
}

func TestHandshake401IsTerminalOnce(t *testing.T) {
	f := newFake(t)
	f.set(func(f *fake) {
		f.httpHook = func(w http.ResponseWriter, r *http.Request) bool {
			f.mu.Lock()
			f.records = append(f.records, wireRecord{transport: LongPolling})
			f.mu.Unlock()
			http.Error(w, "no", http.StatusUnauthorized)
			return true
		}
	})
	c, _ := newTestClient(t, f, WithTransports(LongPolling))
	rec := recordStates(c)
	err := c.Handshake(ctxT(t))
	var se *StatusError
	if !errors.As(err, &se) || se.StatusCode != 401 {
		t.Fatalf("Handshake = %v, want status 401", err)
	}
	<-c.Done()
	if c.Err() == nil || !errors.As(c.Err(), &se) {
		t.Fatalf("Err() = %v", c.Err())
	}
	if n := len(f.wire()); n != 1 {
		t.Fatalf("%d requests, want exactly 1 (no retry after 401)", n)
	}
	eventually(t, "terminated event", func() bool {
		_, ok := rec.find(func(ev StateChange) bool { return ev.To == StateTerminated })
		return ok
	})
	n := 0
	for _, ev := range rec.get() {
		if ev.To == StateTerminated {
			n++
			if !errors.As(ev.Err, &se) {
				t.Errorf("terminated event Err = %v", ev.Err)
			}
		}
	}
	if n != 1 {
		t.Fatalf("terminated %d times", n)
	}
	if _, err := c.Subscribe(ctxT(t), "/x", func(*Message) {}); !errors.As(err, &se) {
		t.Fatalf("Subscribe after termination = %v", err)
	}
}

func TestHandshakeBackoffThenSuccess(t *testing.T) {
	f := newFake(t)
	fails := 3
	f.set(func(f *fake) {
		f.httpHook = func(w http.ResponseWriter, r *http.Request) bool {
			f.mu.Lock()
			defer f.mu.Unlock()
			if fails > 0 {
				fails--
				http.Error(w, "down", http.StatusServiceUnavailable)
				return true
			}
			return false
		}
	})
	c, w := newTestClient(t, f, WithTransports(LongPolling))
	if err := c.Handshake(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	got := w.get()
	want := []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 30 * time.Millisecond}
	if len(got) < 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("waits = %v, want to start with %v", got, want)
	}
}

func TestHandshakeContextEndsRetries(t *testing.T) {
	f := newFake(t)
	f.set(func(f *fake) {
		f.httpHook = func(w http.ResponseWriter, r *http.Request) bool {
			http.Error(w, "down", http.StatusBadGateway)
			return true
		}
	})
	c, _ := newTestClient(t, f, WithTransports(LongPolling))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The caller gives up during the third backoff wait: ending ctx while
	// a request is in flight instead would make that request's failure
	// the caller's own cancellation.
	waited := 0
	c.wait = func(ctx context.Context, d time.Duration) bool {
		if waited++; waited == 3 {
			cancel()
		}
		return sleepCtx(ctx, d)
	}
	err := c.Handshake(ctx)
	var se *StatusError
	if !errors.Is(err, context.Canceled) || !errors.As(err, &se) || se.StatusCode != 502 {
		t.Fatalf("Handshake = %v", err)
	}
	if c.Err() != nil {
		t.Fatalf("a retryable failure must not terminate: %v", c.Err())
	}
}

func TestHandshakeAdviceNoneIsTerminal(t *testing.T) {
	f := newFake(t)
	f.set(func(f *fake) {
		f.hook = func(m msg) ([]msg, bool) {
			if m["channel"] == ChannelHandshake {
				return []msg{{"channel": ChannelHandshake, "id": m["id"], "successful": false,
					"error": "403::Forbidden", "advice": msg{"reconnect": "none"}}}, true
			}
			return nil, false
		}
	})
	c, _ := newTestClient(t, f, WithTransports(LongPolling))
	err := c.Handshake(ctxT(t))
	var be *Error
	if !errors.As(err, &be) || be.Code != 403 || be.Message != "Forbidden" {
		t.Fatalf("Handshake = %v", err)
	}
	<-c.Done()
}

func TestHandshakeReplyWithPiggybackedData(t *testing.T) {
	f := newFake(t)
	f.set(func(f *fake) {
		f.transports = []string{LongPolling}
		f.hook = func(m msg) ([]msg, bool) {
			if m["channel"] == ChannelHandshake {
				return []msg{{"channel": ChannelHandshake, "id": m["id"], "successful": true, "clientId": "c9",
					"supportedConnectionTypes": []string{LongPolling}, "version": "1.0"},
					{"channel": "/early", "data": "x"}}, true
			}
			return nil, false
		}
	})
	c, _ := newTestClient(t, f)
	var metas []string
	done := make(chan struct{})
	var once sync.Once
	c.OnMeta("/meta/*", func(m *Message) {
		if m.Channel == ChannelHandshake {
			once.Do(func() {
				metas = append(metas, m.ClientID)
				close(done)
			})
		}
	})
	if err := c.Handshake(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	<-done
	if c.ClientID() != "c9" || len(metas) != 1 || metas[0] != "c9" {
		t.Fatalf("clientId %q, meta listener saw %v", c.ClientID(), metas)
	}
	if !strings.Contains(f.wire()[0].body, ChannelHandshake) {
		t.Fatal("no handshake")
	}
}
