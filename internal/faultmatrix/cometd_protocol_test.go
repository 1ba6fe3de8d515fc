package faultmatrix

// Rows for the protocol items of issue 17 (1–6, 9): each test drives the
// simulator through front, an HTTP front that can hold, refuse or rewrite
// what passes, and counts what was published and what the handlers got.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omnisdk/omni/cometd"
	"github.com/omnisdk/omni/omnitest"
)

// wmsg is a Bayeux message as the front sees it.
type wmsg = map[string]any

// front is an HTTP reverse proxy in front of the simulator. Long-polling
// POSTs are forwarded whole and answered from a buffer, so that a test can
// refuse one before the server sees it (block), or change or hold the
// server's reply (rewrite); websocket upgrades pass through unless refused.
type front struct {
	srv *httptest.Server
	rp  *httputil.ReverseProxy

	mu            sync.Mutex
	refuseUpgrade bool
	upgrades      int // upgrade requests seen
	// block may answer a POST itself, before the server sees it.
	block func(w http.ResponseWriter, in []wmsg) bool
	// rewrite may change (or hold) the server's reply to a POST.
	rewrite  func(in, out []wmsg) []wmsg
	requests int // long-polling POSTs seen
}

func newFront(t *testing.T, target string) *front {
	t.Helper()
	u, _ := url.Parse("http://" + target)
	f := &front{rp: httputil.NewSingleHostReverseProxy(u)}
	f.rp.ErrorLog = log.New(io.Discard, "", 0) // cancelled polls are expected
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

// url is the notifications endpoint through the front.
func (f *front) url() string { return f.srv.URL + "/api/v2/notifications" }

// addr is the front's host:port.
func (f *front) addr() string { return strings.TrimPrefix(f.srv.URL, "http://") }

func (f *front) set(fn func(f *front)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		f.mu.Lock()
		f.upgrades++
		refuse := f.refuseUpgrade
		f.mu.Unlock()
		if refuse {
			http.Error(w, "restarting", http.StatusServiceUnavailable)
			return
		}
		f.rp.ServeHTTP(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	var in []wmsg
	_ = json.Unmarshal(body, &in)
	f.mu.Lock()
	f.requests++
	block, rewrite := f.block, f.rewrite
	f.mu.Unlock()
	if block != nil && block(w, in) {
		return
	}
	rec := httptest.NewRecorder()
	f.rp.ServeHTTP(rec, r)
	out := rec.Body.Bytes()
	var msgs []wmsg
	if rewrite != nil && rec.Code == http.StatusOK && json.Unmarshal(out, &msgs) == nil {
		out, _ = json.Marshal(rewrite(in, msgs))
	}
	for k, vs := range rec.Header() {
		if k != "Content-Length" {
			w.Header()[k] = vs
		}
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(out)
}

// carries reports whether msgs hold a message on channel (and, if sub is
// not empty, for that subscription).
func carries(msgs []wmsg, channel, sub string) bool {
	for _, m := range msgs {
		if m["channel"] == channel && (sub == "" || m["subscription"] == sub) {
			return true
		}
	}
	return false
}

// matrixClient is a cometd client with the ack extension, the matrix's
// backoff and a state log, closed by t.Cleanup.
func matrixClient(t *testing.T, u string, opts ...cometd.Option) (*cometd.Client, *stateLog) {
	t.Helper()
	base := []cometd.Option{cometd.WithExtension(cometd.AckExtension()),
		cometd.WithBackoff(20*time.Millisecond, 200*time.Millisecond),
		cometd.WithMaxNetworkDelay(2 * time.Second)}
	c, err := cometd.NewClient(u, append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	states := &stateLog{}
	c.OnState(states.add)
	return c, states
}

func guardCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	t.Cleanup(cancel)
	return ctx
}

// TestCometDMessagesAheadOfSubscribeReply (issue 17 item 1): the server has
// registered the subscription and its held /meta/connect returns with 20
// events before the subscribe reply, which the front holds until the server
// has written them all. The handler, registered before the subscribe was
// sent, gets them.
func TestCometDMessagesAheadOfSubscribeReply(t *testing.T) {
	srv := omnitest.NewServer(t, omnitest.WithCometDTimeout(5*time.Second))
	fr := newFront(t, srv.Addr())
	c, _ := matrixClient(t, fr.url(), cometd.WithTransports(cometd.LongPolling))
	ctx := guardCtx(t)
	if err := c.Handshake(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a held connect", func() bool { return connectHeld(srv) })
	subscribed, release := make(chan struct{}), make(chan struct{})
	fr.set(func(f *front) {
		f.rewrite = func(in, out []wmsg) []wmsg {
			if carries(in, cometd.ChannelSubscribe, channel) {
				close(subscribed)
				<-release
			}
			return out
		}
	})
	col := newCollector()
	errc := make(chan error, 1)
	go func() {
		_, err := c.Subscribe(ctx, channel, col.handle)
		errc <- err
	}()
	<-subscribed
	publishRange(srv, channel, 0, 20)
	waitFor(t, "the server writing the events", func() bool { return outboundSeqs(srv, 0, 20) == 20 })
	settle() // the connect reply is read and handed to the handler
	close(release)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	deliverAll(t, srv, col, 20, 40)
	settle()
	d, dups := col.count(0, 40)
	if d != 40 || dups != 0 {
		t.Fatalf("received %d of 40, %d duplicates", d, dups)
	}
	record(t, Row{Area: "cometd", Fault: "20 events in a connect reply ahead of the subscribe reply (long-polling)",
		SDK:    "handler registered before /meta/subscribe is sent: messages ahead of the reply are delivered",
		Caller: "every event; Subscribe returns once the reply comes", Sent: 40, Received: d, Lost: 40 - d, Duplicated: dups})
}

// TestCometDResubscribeFailsOnce (item 2): after the server forgot the
// session, the first re-subscription fails (402 reply, HTTP 503, or the
// connection reset); the client retries it with its backoff, and
// Subscription.Ready tells the caller when the channel is live again.
func TestCometDResubscribeFailsOnce(t *testing.T) {
	for _, kind := range []string{"402 reply", "HTTP 503", "connection reset"} {
		t.Run(kind, func(t *testing.T) {
			srv := omnitest.NewServer(t, omnitest.WithCometDTimeout(time.Second))
			fr := newFront(t, srv.Addr())
			c, states := matrixClient(t, fr.url(), cometd.WithTransports(cometd.LongPolling))
			ctx := guardCtx(t)
			col := newCollector()
			sub, err := c.Subscribe(ctx, channel, col.handle)
			if err != nil {
				t.Fatal(err)
			}
			deliverAll(t, srv, col, 0, 50)
			first := c.ClientID()
			var mu sync.Mutex
			failed, attempts := false, 0
			resub := func(in []wmsg) bool {
				for _, m := range in {
					if m["channel"] == cometd.ChannelSubscribe && m["clientId"] != first {
						return true
					}
				}
				return false
			}
			fr.set(func(f *front) {
				f.block = func(w http.ResponseWriter, in []wmsg) bool {
					if !resub(in) {
						return false
					}
					mu.Lock()
					defer mu.Unlock()
					attempts++
					if failed || kind == "402 reply" {
						return false
					}
					failed = true
					if kind == "HTTP 503" {
						http.Error(w, "busy", http.StatusServiceUnavailable)
						return true
					}
					if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
						_ = conn.Close()
					}
					return true
				}
				f.rewrite = func(in, out []wmsg) []wmsg {
					mu.Lock()
					defer mu.Unlock()
					if kind != "402 reply" || failed || !resub(in) {
						return out
					}
					failed = true
					for _, m := range out {
						if m["channel"] == cometd.ChannelSubscribe {
							m["successful"], m["error"] = false, "402::Unknown client"
						}
					}
					return out
				}
			})
			srv.DropSessions()
			waitFor(t, "a second re-subscription attempt", func() bool { mu.Lock(); defer mu.Unlock(); return attempts >= 2 })
			if err := sub.Ready(ctx); err != nil {
				t.Fatalf("Ready = %v", err)
			}
			deliverAll(t, srv, col, 50, 100)
			settle()
			d, dups := col.count(0, 100)
			mu.Lock()
			n := attempts
			mu.Unlock()
			if d != 100 || dups != 0 || n < 2 || states.resubscribed() == 0 {
				t.Fatalf("received %d of 100, %d duplicates, %d re-subscribe attempts", d, dups, n)
			}
			record(t, Row{Area: "cometd", Fault: "re-subscription after session loss fails once (" + kind + ")",
				SDK:    fmt.Sprintf("retries the re-subscription with the backoff (%s) until accepted", plural(n, "attempt")),
				Caller: "Subscription.Err shows the failure, Ready returns once active; events published after it all arrive",
				Sent:   100, Received: d, Lost: 100 - d, Duplicated: dups})
		})
	}
}

// TestCometDWebSocketAfterBadUpgrade (item 3): a server restarting behind
// a proxy — the socket drops, the session is gone, and websocket upgrades
// are answered 503 meanwhile; the client falls back and re-handshakes over
// long-polling. Once upgrades work again, the next re-handshake (the server
// forgetting the session) brings it back on websocket.
func TestCometDWebSocketAfterBadUpgrade(t *testing.T) {
	srv := omnitest.NewServer(t, omnitest.WithCometDTimeout(time.Second))
	fr := newFront(t, srv.Addr())
	px := newProxy(t, fr.addr())
	c, states := matrixClient(t, "http://"+px.Addr()+"/api/v2/notifications",
		cometd.WithTransports(cometd.WebSocket, cometd.LongPolling))
	ctx := guardCtx(t)
	col := newCollector()
	if _, err := c.Subscribe(ctx, channel, col.handle); err != nil {
		t.Fatal(err)
	}
	if c.Transport() != cometd.WebSocket {
		t.Fatalf("transport %s, want websocket first", c.Transport())
	}
	deliverAll(t, srv, col, 0, 50)
	fr.set(func(f *front) { f.refuseUpgrade = true })
	resubs := states.resubscribed()
	srv.DropSessions()
	px.DropAll()
	waitFor(t, "re-subscription over long-polling", func() bool {
		return states.resubscribed() > resubs && c.Transport() == cometd.LongPolling
	})
	deliverAll(t, srv, col, 50, 100)
	fr.set(func(f *front) { f.refuseUpgrade = false })
	resubs = states.resubscribed()
	srv.DropSessions()
	waitFor(t, "re-subscription over websocket", func() bool {
		return states.resubscribed() > resubs && c.Transport() == cometd.WebSocket
	})
	deliverAll(t, srv, col, 100, 150)
	settle()
	d, dups := col.count(0, 150)
	if d != 150 || dups != 0 || !states.fellBack() || c.Transport() != cometd.WebSocket {
		t.Fatalf("received %d of 150, %d duplicates, transport %s", d, dups, c.Transport())
	}
	fr.mu.Lock()
	upgrades := fr.upgrades
	fr.mu.Unlock()
	record(t, Row{Area: "cometd", Fault: "restart behind a proxy: socket dropped, session gone, websocket upgrades answered 503, then working again",
		SDK: fmt.Sprintf("falls back to long-polling for the session; the next re-handshake tries websocket again and stays on it (%s)",
			plural(upgrades, "upgrade request")),
		Caller: "Transport() long-polling, then websocket; events published after each re-subscription all arrive",
		Sent:   150, Received: d, Lost: 150 - d, Duplicated: dups})
}

// TestCometDAckHandshakeObjectForm (item 4): the server's handshake reply
// says ext.ack in the newer form {"enabled":true,"batch":0}; a held connect
// reply carrying events is then swallowed by the network. The client has
// acks on, so the server re-sends the batch and nothing is lost.
func TestCometDAckHandshakeObjectForm(t *testing.T) {
	srv := omnitest.NewServer(t, omnitest.WithCometDTimeout(5*time.Second))
	fr := newFront(t, srv.Addr())
	fr.set(func(f *front) {
		f.rewrite = func(in, out []wmsg) []wmsg {
			for _, m := range out {
				if ext, _ := m["ext"].(map[string]any); m["channel"] == cometd.ChannelHandshake && ext != nil && ext["ack"] == true {
					ext["ack"] = wmsg{"enabled": true, "batch": 0}
				}
			}
			return out
		}
	})
	px := newProxy(t, fr.addr())
	c, states := matrixClient(t, "http://"+px.Addr()+"/api/v2/notifications", cometd.WithTransports(cometd.LongPolling))
	ctx := guardCtx(t)
	col := newCollector()
	if _, err := c.Subscribe(ctx, channel, col.handle); err != nil {
		t.Fatal(err)
	}
	deliverAll(t, srv, col, 0, 50)
	reconnected := states.baseline(t)
	waitFor(t, "a held connect", func() bool { return connectHeld(srv) })
	px.Blackhole(true)
	publishRange(srv, channel, 50, 60)
	waitFor(t, "the server writing the events", func() bool { return outboundSeqs(srv, 50, 60) > 0 })
	settle()
	swallowed := outboundSeqs(srv, 50, 60)
	px.DropAll()
	px.Blackhole(false)
	waitFor(t, "a new connection", func() bool { return states.reconnections() > reconnected })
	deliverAll(t, srv, col, 60, 100)
	waitFor(t, "the redelivered events", func() bool { d, _ := col.count(50, 60); return d == 10 })
	settle()
	d, dups := col.count(0, 100)
	if d != 100 || dups != 0 {
		t.Fatalf("received %d of 100 (swallowed %d), %d duplicates", d, swallowed, dups)
	}
	record(t, Row{Area: "cometd", Fault: fmt.Sprintf("handshake ext.ack as {enabled:true,batch:0}, then a connect reply with %d of 10 events swallowed", swallowed),
		SDK:    "reads both forms of ext.ack: acks stay on, the server re-sends the swallowed batch",
		Caller: "nothing (state connected again); handlers keep receiving", Sent: 100, Received: d, Lost: 100 - d, Duplicated: dups})
}

// TestCometDReconnectNoneOnSuccess (item 5): a successful connect reply
// advises reconnect "none" (a server shutting the session down). The client
// stops, says why, and sends nothing more.
func TestCometDReconnectNoneOnSuccess(t *testing.T) {
	srv := omnitest.NewServer(t, omnitest.WithCometDTimeout(time.Second))
	fr := newFront(t, srv.Addr())
	c, _ := matrixClient(t, fr.url(), cometd.WithTransports(cometd.LongPolling))
	ctx := guardCtx(t)
	col := newCollector()
	if _, err := c.Subscribe(ctx, channel, col.handle); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	stopping := false
	fr.set(func(f *front) {
		f.rewrite = func(in, out []wmsg) []wmsg {
			mu.Lock()
			defer mu.Unlock()
			if !stopping || !carries(out, channel, "") {
				return out // only a reply that carries events says none
			}
			for _, m := range out {
				if m["channel"] == cometd.ChannelConnect && m["successful"] == true {
					m["advice"] = wmsg{"reconnect": "none"}
				}
			}
			return out
		}
	})
	deliverAll(t, srv, col, 0, 50)
	mu.Lock()
	stopping = true
	mu.Unlock()
	deliverAll(t, srv, col, 50, 51) // the connect reply carrying it says none
	<-c.Done()
	fr.mu.Lock()
	before := fr.requests
	fr.mu.Unlock()
	settle()
	fr.mu.Lock()
	after := fr.requests - before
	fr.mu.Unlock()
	d, dups := col.count(0, 51)
	if !errors.Is(c.Err(), cometd.ErrReconnectNone) || c.State() != cometd.StateTerminated || after != 0 || d != 51 {
		t.Fatalf("Err() = %v, state %s, %d requests after, received %d of 51", c.Err(), c.State(), after, d)
	}
	record(t, Row{Area: "cometd", Fault: "successful connect reply with advice reconnect \"none\"",
		SDK:    fmt.Sprintf("delivers what the reply carried and stops (%s after it)", plural(after, "request")),
		Caller: "state terminated; Err() wraps cometd.ErrReconnectNone; Done closed",
		Sent:   51, Received: d, Lost: 51 - d, Duplicated: dups})
}

// TestCometDAbandonedSubscribe (item 6): Subscribe's context ends while
// the server's (successful) reply is held; when it comes, the client sends
// /meta/unsubscribe, so the server stops writing that channel's events to
// the client. The client's other subscription is untouched.
func TestCometDAbandonedSubscribe(t *testing.T) {
	const abandoned = "/matrix/abandoned"
	srv := omnitest.NewServer(t, omnitest.WithCometDTimeout(time.Second))
	fr := newFront(t, srv.Addr())
	c, _ := matrixClient(t, fr.url(), cometd.WithTransports(cometd.LongPolling))
	ctx := guardCtx(t)
	col := newCollector()
	if _, err := c.Subscribe(ctx, channel, col.handle); err != nil {
		t.Fatal(err)
	}
	held, release := make(chan struct{}), make(chan struct{})
	fr.set(func(f *front) {
		f.rewrite = func(in, out []wmsg) []wmsg {
			if carries(in, cometd.ChannelSubscribe, abandoned) {
				close(held)
				<-release
			}
			return out
		}
	})
	sctx, cancel := context.WithCancel(ctx)
	errc := make(chan error, 1)
	other := newCollector()
	go func() {
		_, err := c.Subscribe(sctx, abandoned, other.handle)
		errc <- err
	}()
	<-held
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("Subscribe = %v", err)
	}
	close(release)
	waitFor(t, "the unsubscribe", func() bool { return countMeta(srv, cometd.ChannelUnsubscribe) == 1 })
	publishRange(srv, abandoned, 0, 10)
	deliverAll(t, srv, col, 0, 100)
	settle()
	written := 0
	for _, m := range srv.Messages() {
		if m.Direction == omnitest.Outbound && m.Channel == abandoned {
			written++
		}
	}
	d, dups := col.count(0, 100)
	if d != 100 || dups != 0 || written != 0 || other.totalDups() != 0 {
		t.Fatalf("received %d of 100, %d duplicates; server wrote %d events of the abandoned channel", d, dups, written)
	}
	record(t, Row{Area: "cometd", Fault: "Subscribe's context ends before the (successful) reply",
		SDK:    fmt.Sprintf("sends /meta/unsubscribe on the late success: the server wrote %d of 10 later events of the abandoned channel", written),
		Caller: "Subscribe returns context.Canceled; the other subscription receives every event",
		Sent:   100, Received: d, Lost: 100 - d, Duplicated: dups})
}

// TestCometDRehandshakeAt402 (item 9): with a 10 s backoff step, the server
// forgets the session of a connected client; the client re-handshakes at
// once (no backoff step, no interval) and events published after the
// re-subscription all arrive.
func TestCometDRehandshakeAt402(t *testing.T) {
	const step = 10 * time.Second
	srv := omnitest.NewServer(t, omnitest.WithCometDTimeout(time.Second))
	c, states := matrixClient(t, srv.NotificationsURL(), cometd.WithTransports(cometd.LongPolling), cometd.WithBackoff(step, step))
	ctx := guardCtx(t)
	col := newCollector()
	sub, err := c.Subscribe(ctx, channel, col.handle)
	if err != nil {
		t.Fatal(err)
	}
	deliverAll(t, srv, col, 0, 50)
	waitFor(t, "connected", func() bool { return c.State() == cometd.StateConnected })
	hs := countMeta(srv, cometd.ChannelHandshake)
	start := time.Now()
	srv.DropSessions()
	waitFor(t, "the re-handshake", func() bool { return countMeta(srv, cometd.ChannelHandshake) > hs })
	took := time.Since(start)
	if took >= step { // a failure bound, not a measurement: the step was applied
		t.Fatalf("re-handshake after %v: the %v backoff step was applied", took, step)
	}
	waitFor(t, "re-subscription", func() bool { return states.resubscribed() > 0 })
	if err := sub.Ready(ctx); err != nil {
		t.Fatal(err)
	}
	deliverAll(t, srv, col, 50, 100)
	settle()
	d, dups := col.count(0, 100)
	if d != 100 || dups != 0 {
		t.Fatalf("received %d of 100, %d duplicates", d, dups)
	}
	record(t, Row{Area: "cometd", Fault: "402::Unknown client on the connect of a connected session (backoff step 10 s)",
		SDK:    "re-handshakes at once with the backoff reset (no interval, no 10 s step), re-subscribes",
		Caller: "state rehandshaking, then connected; Subscription.Ready returns once re-subscribed",
		Sent:   100, Received: d, Lost: 100 - d, Duplicated: dups})
}

// TestCometDWebSocketOnlyServerRestart (review of issue 17, finding 2): a
// server that offers only websocket restarts behind a proxy (socket
// dropped, session gone, three upgrades answered 503). A refused upgrade
// is a network failure of that handshake attempt, never ErrNoTransport:
// the client backs off, upgrades again and re-subscribes over websocket.
func TestCometDWebSocketOnlyServerRestart(t *testing.T) {
	srv := omnitest.NewServer(t, omnitest.WithCometDTimeout(time.Second), omnitest.WithTransports(cometd.WebSocket))
	fr := newFront(t, srv.Addr())
	px := newProxy(t, fr.addr())
	c, states := matrixClient(t, "http://"+px.Addr()+"/api/v2/notifications")
	ctx := guardCtx(t)
	col := newCollector()
	if _, err := c.Subscribe(ctx, channel, col.handle); err != nil {
		t.Fatal(err)
	}
	deliverAll(t, srv, col, 0, 50)
	fr.set(func(f *front) { f.refuseUpgrade = true })
	fr.mu.Lock()
	before := fr.upgrades
	fr.mu.Unlock()
	resubs := states.resubscribed()
	srv.DropSessions()
	px.DropAll()
	waitFor(t, "three refused upgrades", func() bool {
		fr.mu.Lock()
		defer fr.mu.Unlock()
		return fr.upgrades >= before+3 || c.Err() != nil
	})
	fr.set(func(f *front) { f.refuseUpgrade = false })
	waitFor(t, "re-subscription over websocket", func() bool {
		return c.Err() != nil || states.resubscribed() > resubs && c.Transport() == cometd.WebSocket
	})
	if c.Err() != nil {
		t.Fatalf("the client ended: %v", c.Err())
	}
	deliverAll(t, srv, col, 50, 100)
	settle()
	d, dups := col.count(0, 100)
	if d != 100 || dups != 0 || c.Transport() != cometd.WebSocket {
		t.Fatalf("received %d of 100, %d duplicates, transport %s", d, dups, c.Transport())
	}
	record(t, Row{Area: "cometd", Fault: "websocket-only server restarts: socket dropped, session gone, 3 upgrades answered 503",
		SDK:    "each refused upgrade fails that handshake attempt (backoff, websocket again); never ErrNoTransport, never long-polling",
		Caller: "Err() nil; Transport() websocket; events published after the re-subscription all arrive",
		Sent:   100, Received: d, Lost: 100 - d, Duplicated: dups})
}
