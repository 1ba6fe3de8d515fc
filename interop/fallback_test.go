package interop

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/omnisdk/omni/cometd"
)

// wsBreaker is an *http.Client whose connections the test can cut and whose
// websocket upgrades it can refuse, so a real server sees a client lose its
// socket and come back over long-polling.
type wsBreaker struct {
	refuse atomic.Bool
	mu     sync.Mutex
	conns  []net.Conn
}

func (b *wsBreaker) client() *http.Client {
	d := &net.Dialer{}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err == nil {
			b.mu.Lock()
			b.conns = append(b.conns, c)
			b.mu.Unlock()
		}
		return c, err
	}}
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if b.refuse.Load() && strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			return &http.Response{StatusCode: http.StatusBadRequest, Status: "400 Bad Request", Proto: "HTTP/1.1",
				ProtoMajor: 1, ProtoMinor: 1, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
		}
		return tr.RoundTrip(r)
	})}
}

// cut closes every connection dialled so far.
func (b *wsBreaker) cut() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range b.conns {
		_ = c.Close()
	}
	b.conns = nil
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestWebSocketFallbackKeepsSession: on Faye, the client's websocket is cut
// and upgrades are refused from then on. The client falls back to
// long-polling with the same clientId (Faye keeps sessions independent of
// the transport), so no new handshake happens, the subscription stays, and
// a message published while the socket was down arrives.
func TestWebSocketFallbackKeepsSession(t *testing.T) {
	p := StartPeer(t, Faye)
	b := &wsBreaker{}
	c := newClient(t, p, WebSocket, cometd.WithTransports(WebSocket, LongPolling), cometd.WithHTTPClient(b.client()))
	states := recordStates(c)
	col := flowing(t, p, c, WebSocket, "/fallback/x")
	id := c.ClientID()
	before := p.Stats()

	b.refuse.Store(true)
	b.cut()
	p.Publish("/fallback/x", 1, map[string]any{"phase": "during"})
	col.wait(t, "a message published while the socket was down", hasPhase("during"))
	waitState(t, c, cometd.StateConnected)

	if got := c.Transport(); got != LongPolling {
		t.Fatalf("Transport() = %q after the fallback, want %q", got, LongPolling)
	}
	if got := c.ClientID(); got != id {
		t.Fatalf("ClientID() = %q after the fallback, want the same session %q", got, id)
	}
	if s := p.Stats(); s.Handshakes != before.Handshakes || s.Subscribes != before.Subscribes {
		t.Fatalf("the fallback cost %d handshakes and %d subscribes, want none",
			s.Handshakes-before.Handshakes, s.Subscribes-before.Subscribes)
	}
	t.Logf("interop: faye: websocket → long-polling with the same session (states: %s)", states.summary())
}
