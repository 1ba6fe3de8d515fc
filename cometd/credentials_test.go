package cometd

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
)

// tokens is a WithHandshakeAuth provider handing out tok-1, tok-2, ...:
// a new token on refresh (or when none was issued yet), the current one
// otherwise.
type tokens struct {
	mu    sync.Mutex
	n     int
	calls []bool // the refresh argument of each call
	fail  int    // the next fail calls return an error
}

func (p *tokens) provide(ctx context.Context, refresh bool) (Credentials, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ctx == nil || ctx.Err() != nil {
		return Credentials{}, errors.New("no live context")
	}
	p.calls = append(p.calls, refresh)
	if p.fail > 0 {
		p.fail--
		return Credentials{}, errors.New("token service unavailable")
	}
	if refresh || p.n == 0 {
		p.n++
	}
	tok := fmt.Sprintf("tok-%d", p.n)
	return Credentials{Header: http.Header{"Authorization": {"Bearer " + tok}},
		Ext: map[string]any{"authentication": map[string]string{"token": tok}}}, nil
}

func (p *tokens) got() []bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]bool(nil), p.calls...)
}

// Item 12 of issue 17: the provider is called for every handshake (also
// each re-handshake); its header goes on every request of the session, its
// ext into the handshake.
func TestHandshakeAuthPerHandshake(t *testing.T) {
	f := newFake(t)
	f.set(func(f *fake) { f.transports = []string{LongPolling} })
	var p tokens
	c, _ := newTestClient(t, f, WithTransports(LongPolling), WithHandshakeAuth(p.provide))
	if _, err := c.Subscribe(ctxT(t), "/a", func(*Message) {}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a connect", func() bool { return len(f.recorded(ChannelConnect)) >= 1 })
	f.dropSessions()
	eventually(t, "the re-handshake", func() bool { return c.ClientID() == "c2" })
	if got := p.got(); !reflect.DeepEqual(got, []bool{false, false}) {
		t.Fatalf("provider calls %v, want one per handshake", got)
	}
	hs := wireMessages(t, f, ChannelHandshake)
	if !strings.Contains(hs[0], `"ext":{"authentication":{"token":"tok-1"}}`) {
		t.Fatalf("handshake %s", hs[0])
	}
	for _, w := range f.wire() {
		if w.header.Get("Authorization") != "Bearer tok-1" {
			t.Fatalf("request without the token: %s", w.body)
		}
	}
}

// Item 12: a handshake refused with HTTP 401 or 403, or with a 401/403
// reply, is retried at once with refreshed credentials; refused again with
// HTTP 401/403 it is terminal.
func TestHandshakeAuthRefreshOnRefusal(t *testing.T) {
	cases := []struct {
		name    string
		refuse  int  // how many handshakes are refused
		inBand  bool // refuse with a 403 reply instead of HTTP 401
		success bool
	}{
		{"HTTP 401 once", 1, false, true},
		{"403 reply once", 1, true, true},
		{"HTTP 401 twice", 2, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			var mu sync.Mutex
			refused := 0
			f.set(func(f *fake) {
				f.transports = []string{LongPolling}
				f.httpHook = func(w http.ResponseWriter, r *http.Request) bool {
					if tc.inBand || r.Header.Get("Authorization") == "" {
						return false
					}
					mu.Lock()
					defer mu.Unlock()
					if refused >= tc.refuse {
						return false
					}
					refused++
					f.mu.Lock()
					f.records = append(f.records, wireRecord{transport: LongPolling, header: r.Header.Clone()})
					f.mu.Unlock()
					http.Error(w, "expired", http.StatusUnauthorized)
					return true
				}
				f.hook = func(m msg) ([]msg, bool) {
					mu.Lock()
					defer mu.Unlock()
					if !tc.inBand || m["channel"] != ChannelHandshake || refused >= tc.refuse {
						return nil, false
					}
					refused++
					return []msg{{"channel": ChannelHandshake, "id": m["id"], "successful": false,
						"error": "403::Invalid token", "advice": msg{"reconnect": "handshake"}}}, true
				}
			})
			var p tokens
			c, w := newTestClient(t, f, WithTransports(LongPolling), WithHandshakeAuth(p.provide))
			err := c.Handshake(ctxT(t))
			if got := p.got(); !reflect.DeepEqual(got, []bool{false, true}) {
				t.Fatalf("provider calls %v, want [false true]", got)
			}
			if len(w.get()) != 0 {
				t.Fatalf("waited %v before the retry with new credentials", w.get())
			}
			if tc.success {
				if err != nil {
					t.Fatalf("Handshake = %v", err)
				}
				wire := f.wire()
				if h := wire[len(wire)-1].header.Get("Authorization"); h != "Bearer tok-2" {
					t.Fatalf("last request with %q", h)
				}
				return
			}
			var te *TerminalError
			var se *StatusError
			if !errors.As(err, &te) || !errors.As(err, &se) || se.StatusCode != 401 {
				t.Fatalf("Handshake = %v", err)
			}
			<-c.Done()
			if n := len(f.wire()); n != 2 {
				t.Fatalf("%d requests, want 2", n)
			}
		})
	}
}

// Item 12: a provider that fails is retried with the backoff; the error
// says what failed.
func TestHandshakeAuthProviderError(t *testing.T) {
	f := newFake(t)
	p := tokens{fail: 2}
	c, w := newTestClient(t, f, WithTransports(LongPolling), WithHandshakeAuth(p.provide))
	rec := recordStates(c)
	if err := c.Handshake(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if got := w.get(); len(got) != 2 {
		t.Fatalf("waits %v, want two backoff steps", got)
	}
	var ev StateChange
	eventually(t, "a failure event", func() bool {
		var ok bool
		ev, ok = rec.find(func(ev StateChange) bool { return ev.Err != nil })
		return ok
	})
	if !errors.Is(ev.Err, ErrCredentials) || !strings.Contains(ev.Err.Error(), "token service unavailable") {
		t.Fatalf("state events %+v", rec.get())
	}
	if n := len(f.recorded(ChannelHandshake)); n != 1 {
		t.Fatalf("%d handshakes sent, want 1 (none without credentials)", n)
	}
}

// Credentials never print their values.
func TestCredentialsRedacted(t *testing.T) {
	cr := Credentials{Header: http.Header{"Authorization": {"Bearer s3cr3t"}}, Ext: map[string]any{"authentication": "s3cr3t"}}
	for _, s := range []string{fmt.Sprint(cr), fmt.Sprintf("%+v", cr), fmt.Sprintf("%#v", cr), cr.String()} {
		if strings.Contains(s, "s3cr3t") || !strings.Contains(s, "Authorization") {
			t.Fatalf("printed %q", s)
		}
	}
}
