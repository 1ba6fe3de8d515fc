package faultmatrix

import (
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
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnisdk/omni/cometd"
	"github.com/omnisdk/omni/omnitest"
)

const channel = "/matrix/events"

var transports = []string{cometd.LongPolling, cometd.WebSocket}

// deliverAll publishes [from, to) and waits until col has them all.
func deliverAll(t *testing.T, srv *omnitest.Server, col *collector, from, to int) {
	t.Helper()
	publishRange(srv, channel, from, to)
	waitFor(t, fmt.Sprintf("events %d..%d", from, to-1), func() bool {
		d, _ := col.count(from, to)
		return d == to-from
	})
}

// settle gives late duplicates a chance to show up before counting.
func settle() { time.Sleep(200 * time.Millisecond) }

// TestCometDSessionLoss: the server restarts, or forgets every session
// (402::Unknown client); the client re-handshakes and re-subscribes on its
// own. Events published before and after are delivered exactly once.
func TestCometDSessionLoss(t *testing.T) {
	faults := []struct {
		name  string
		apply func(*omnitest.Server) error
	}{
		{"server restart", (*omnitest.Server).Restart},
		{"session expiry (402::Unknown client)", func(s *omnitest.Server) error { s.DropSessions(); return nil }},
	}
	for _, f := range faults {
		for _, tr := range transports {
			t.Run(f.name+"/"+tr, func(t *testing.T) {
				srv := omnitest.NewServer(t, omnitest.WithCometDTimeout(time.Second))
				col := newCollector()
				s := newSubscriber(t, srv.NotificationsURL(), channel, col, cometd.WithTransports(tr))
				deliverAll(t, srv, col, 0, 50)
				first := s.c.ClientID()
				hs := countMeta(srv, cometd.ChannelHandshake)
				if err := f.apply(srv); err != nil {
					t.Fatal(err)
				}
				waitFor(t, "re-subscription", func() bool { return s.states.resubscribed() > 0 })
				deliverAll(t, srv, col, 50, 100)
				settle()
				d, dups := col.count(0, 100)
				if d != 100 || dups != 0 || s.c.ClientID() == first {
					t.Fatalf("received %d of 100, %d duplicates, clientId changed %v", d, dups, s.c.ClientID() != first)
				}
				record(t, Row{Area: "cometd", Fault: f.name + " (" + tr + ")",
					SDK: fmt.Sprintf("re-handshakes (%s), new clientId, re-subscribes by itself",
						plural(countMeta(srv, cometd.ChannelHandshake)-hs, "handshake")),
					Caller: "state listener reports the re-subscription (StateChange.Resubscribed); handlers keep receiving",
					Sent:   100, Received: d, Duplicated: dups})
			})
		}
	}
}

// outboundSeqs counts the distinct events lo..hi-1 the server has written
// to a client.
func outboundSeqs(srv *omnitest.Server, lo, hi int) int {
	seen := map[int]bool{}
	for _, m := range srv.Messages() {
		if m.Direction != omnitest.Outbound || m.Channel != channel {
			continue
		}
		var e event
		if json.Unmarshal(m.Data, &e) == nil && e.Seq >= lo && e.Seq < hi {
			seen[e.Seq] = true
		}
	}
	return len(seen)
}

// connectHeld reports whether the server holds a /meta/connect it has not
// answered yet (the tests run one client per server).
func connectHeld(srv *omnitest.Server) bool {
	held := 0
	for _, m := range srv.Messages() {
		if m.Channel != cometd.ChannelConnect {
			continue
		}
		if m.Direction == omnitest.Inbound {
			held++
		} else {
			held--
		}
	}
	return held > 0
}

// TestCometDNetworkDrop: while a /meta/connect is held, the network
// swallows the server's reply, which carries the first of 10 events just
// published (and, depending on timing, more of them), and then drops. The
// server believes it delivered what it wrote; the rest stay queued for the
// next connect. With the ack extension the client's next connect names the
// last batch it got and the server sends the swallowed ones again; without
// it exactly the swallowed ones are lost.
func TestCometDNetworkDrop(t *testing.T) {
	for _, ack := range []bool{true, false} {
		for _, tr := range transports {
			name := tr + "/ack"
			if !ack {
				name = tr + "/no-ack"
			}
			t.Run(name, func(t *testing.T) {
				srv := omnitest.NewServer(t, omnitest.WithCometDTimeout(5*time.Second))
				px := newProxy(t, srv.Addr())
				col := newCollector()
				opts := []cometd.Option{cometd.WithTransports(tr)}
				if !ack {
					opts = append(opts, cometd.WithExtension(noAck{}))
				}
				s := newSubscriber(t, "http://"+px.Addr()+"/api/v2/notifications", channel, col, opts...)
				deliverAll(t, srv, col, 0, 50)
				reconnected := s.states.baseline(t)
				// Swallow only once a connect is held: were the client's next
				// connect swallowed instead, the server would have no reply to
				// put the events in.
				waitFor(t, "a held connect", func() bool { return connectHeld(srv) })
				px.Blackhole(true)
				publishRange(srv, channel, 50, 60)
				waitFor(t, "the server writing the events", func() bool { return outboundSeqs(srv, 50, 60) > 0 })
				settle() // the reply is written (and recorded) as a whole
				swallowed := outboundSeqs(srv, 50, 60)
				px.DropAll()
				px.Blackhole(false)
				waitFor(t, "a new connection", func() bool { return s.states.reconnections() > reconnected })
				deliverAll(t, srv, col, 60, 100)
				if ack {
					waitFor(t, "the redelivered events", func() bool { d, _ := col.count(50, 60); return d == 10 })
				}
				settle()
				d, dups := col.count(0, 100)
				lost := 100 - d
				if dups != 0 || (ack && lost != 0) || (!ack && lost != swallowed) {
					t.Fatalf("received %d of 100 (lost %d, swallowed %d), %d duplicates", d, lost, swallowed, dups)
				}
				sdk := "reconnects; ext.ack names the last batch received, the server re-sends the swallowed batch"
				if !ack {
					sdk = "reconnects; without ext.ack the server considers the swallowed batch delivered"
				}
				record(t, Row{Area: "cometd", Fault: fmt.Sprintf("network drop during a held connect, reply with %d of 10 events swallowed (%s)", swallowed, name),
					SDK: sdk, Caller: "nothing (state connected again); handlers keep receiving",
					Sent: 100, Received: d, Lost: lost, Duplicated: dups})
			})
		}
	}
}

// noAck replaces the ack extension newSubscriber installs: it removes
// ext.ack from the handshake, so the server never numbers batches.
type noAck struct{}

func (noAck) Outgoing(m *cometd.Message) {
	if m.Channel == cometd.ChannelHandshake {
		delete(m.Ext, "ack")
	}
}

func (noAck) Incoming(*cometd.Message) {}

// TestCometDWebSocketFallback: the websocket is dropped and the next three
// connection attempts are reset; the client falls back to long-polling and
// keeps its session (no re-handshake), so the 10 events published while the
// network was down, queued on the server for that session, arrive over
// long-polling, and nothing is lost.
func TestCometDWebSocketFallback(t *testing.T) {
	srv := omnitest.NewServer(t, omnitest.WithCometDTimeout(time.Second))
	px := newProxy(t, srv.Addr())
	col := newCollector()
	s := newSubscriber(t, "http://"+px.Addr()+"/api/v2/notifications", channel, col,
		cometd.WithTransports(cometd.WebSocket, cometd.LongPolling))
	if s.c.Transport() != cometd.WebSocket {
		t.Fatalf("transport %s, want websocket first", s.c.Transport())
	}
	deliverAll(t, srv, col, 0, 50)
	reconnected := s.states.baseline(t)
	px.Refuse(3)
	px.DropAll()
	publishRange(srv, channel, 50, 60) // network down
	waitFor(t, "fallback and a new connection", func() bool {
		return s.states.fellBack() && s.states.reconnections() > reconnected
	})
	deliverAll(t, srv, col, 60, 100)
	settle()
	d, dups := col.count(0, 100)
	if s.c.Transport() != cometd.LongPolling || d != 100 || dups != 0 || s.states.rehandshaked() != 0 {
		t.Fatalf("transport %s; received %d of 100, %d duplicates, %d re-handshakes",
			s.c.Transport(), d, dups, s.states.rehandshaked())
	}
	record(t, Row{Area: "cometd", Fault: "websocket dropped, next 3 connections reset",
		SDK:    "falls back to long-polling after 3 websocket failures, keeping the session (same clientId, no re-handshake)",
		Caller: "state listener: \"falling back to long-polling…\", Transport() == long-polling; events queued meanwhile arrive",
		Sent:   100, Received: d, Lost: 100 - d, Duplicated: dups})
}

// TestCometDSlowHandler: a handler taking 5 ms per event behind a delivery
// queue of 1,200 bytes (about 4 events): the client stops reading
// (backpressure) instead of dropping.
func TestCometDSlowHandler(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr, func(t *testing.T) {
			srv := omnitest.NewServer(t, omnitest.WithCometDTimeout(time.Second))
			col := newCollector()
			col.slow = 5 * time.Millisecond
			newSubscriber(t, srv.NotificationsURL(), channel, col, cometd.WithTransports(tr), cometd.WithQueueBytes(1200))
			deliverAll(t, srv, col, 0, 300)
			settle()
			d, dups := col.count(0, 300)
			if d != 300 || dups != 0 || !col.inOrder() {
				t.Fatalf("received %d of 300, %d duplicates, in order %v", d, dups, col.inOrder())
			}
			record(t, Row{Area: "cometd", Fault: "slow handler (5 ms per event, queue of 1,200 bytes ≈ 4 events, 300 events at once) (" + tr + ")",
				SDK: "backpressure: stops reading until the handler catches up (well within the session's maxInterval), drops nothing", Caller: "every event, in publish order",
				Sent: 300, Received: d, Duplicated: dups})
		})
	}
}

// storm is an HTTP front for the simulator that answers 503 to everything
// while on, and counts what it refused.
type storm struct {
	on      atomic.Bool
	refused atomic.Int64
	rp      *httputil.ReverseProxy
}

func (s *storm) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.on.Load() {
		s.refused.Add(1)
		http.Error(w, "storm", http.StatusServiceUnavailable)
		return
	}
	s.rp.ServeHTTP(w, r)
}

// TestCometD5xxStorm: every request gets 503 for an outage. The client
// backs off linearly up to its cap and never loops hot; afterwards it
// reconnects and receives again. The outage is scaled down tenfold with the
// backoff: 3 s with 100 ms steps capped at 3 s stands for CometD's default
// 1 s steps capped at 30 s during a 30 s outage.
func TestCometD5xxStorm(t *testing.T) {
	const inc, maxBackoff, outage = 100 * time.Millisecond, 3 * time.Second, 3 * time.Second
	srv := omnitest.NewServer(t, omnitest.WithCometDTimeout(300*time.Millisecond))
	target, _ := url.Parse("http://" + srv.Addr())
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ErrorLog = log.New(io.Discard, "", 0) // cancelled polls are expected here
	st := &storm{rp: rp}
	front := httptest.NewServer(st)
	defer front.Close()
	col := newCollector()
	c, err := cometd.NewClient(front.URL+"/api/v2/notifications", cometd.WithTransports(cometd.LongPolling),
		cometd.WithExtension(cometd.AckExtension()), cometd.WithBackoff(inc, maxBackoff), cometd.WithMaxNetworkDelay(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	if _, err := c.Subscribe(ctx, channel, col.handle); err != nil {
		t.Fatal(err)
	}
	deliverAll(t, srv, col, 0, 10)
	st.on.Store(true)
	time.Sleep(outage)
	st.on.Store(false)
	refused := int(st.refused.Load())
	// The most requests a linear backoff allows in the outage: one at the
	// start, then one per step that fits.
	bound, spent := 1, time.Duration(0)
	for n := 1; ; n++ {
		spent += min(time.Duration(n)*inc, maxBackoff)
		if spent > outage {
			break
		}
		bound++
	}
	if refused == 0 || refused > bound+1 {
		t.Fatalf("%d requests during the %s outage, want 1..%d", refused, outage, bound+1)
	}
	waitFor(t, "reconnection", func() bool { return c.State() == cometd.StateConnected })
	deliverAll(t, srv, col, 10, 20)
	settle()
	d, dups := col.count(0, 20)
	if d != 20 || dups != 0 {
		t.Fatalf("received %d of 20, %d duplicates", d, dups)
	}
	record(t, Row{Area: "cometd", Fault: "5xx storm: every request 503 for 3 s (scaled 1:10 from 30 s, backoff 100 ms steps)",
		SDK: fmt.Sprintf("linear backoff: %d requests in 3 s (%.1f/s; the schedule allows at most %d), then reconnects",
			refused, float64(refused)/outage.Seconds(), bound),
		Caller: "state unconnected during the outage, then connected", Sent: 20, Received: d, Duplicated: dups})
}

// TestCometDHandshakeDenied: the server refuses the handshake (403, advice
// reconnect none). The client stops at once with a terminal error and
// sends nothing more.
func TestCometDHandshakeDenied(t *testing.T) {
	srv := omnitest.NewServer(t, omnitest.WithBasicAuth("agent1", "right"))
	c, err := cometd.NewClient(srv.NotificationsURL(), cometd.WithBackoff(10*time.Millisecond, 50*time.Millisecond),
		cometd.WithRequestHeader(func(h http.Header) { h.Set("Authorization", "Basic d3Jvbmc6d3Jvbmc=") }))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	_, err = c.Subscribe(ctx, channel, func(*cometd.Message) {})
	var term *cometd.TerminalError
	if !errors.As(err, &term) {
		t.Fatalf("got %v, want a *cometd.TerminalError", err)
	}
	time.Sleep(500 * time.Millisecond) // would hold 10+ retries at the backoff cap
	n := countMeta(srv, cometd.ChannelHandshake)
	if n != 1 || c.State() != cometd.StateTerminated {
		t.Fatalf("%d handshakes, state %s; want 1 and terminated", n, c.State())
	}
	record(t, Row{Area: "cometd", Fault: "handshake denied (403::User not authenticated, reconnect none)",
		SDK: fmt.Sprintf("stops: %s, no retry loop", plural(n, "handshake")), Caller: "*cometd.TerminalError from Subscribe; state terminated",
		Sent: 0, Received: 0})
}
