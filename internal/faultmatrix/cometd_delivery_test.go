package faultmatrix

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omnisdk/omni/cometd"
	"github.com/omnisdk/omni/internal/bayeuxsrv"
	"github.com/omnisdk/omni/omnitest"
)

// The delivery rows of issue 17: what reaches the handlers when a handler
// disconnects, panics or is too slow, and when the server sends fields of odd
// types.

// TestCometDDisconnectFromHandler: a handler calls Disconnect while the
// delivery queue (1 byte: one message) is full. Disconnect returns, and
// every event the server wrote to the client before the session ended is
// delivered, once, before Done closes.
func TestCometDDisconnectFromHandler(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr, func(t *testing.T) {
			srv := omnitest.NewServer(t, omnitest.WithCometDTimeout(time.Second))
			c, err := cometd.NewClient(srv.NotificationsURL(), cometd.WithTransports(tr), cometd.WithQueueBytes(1),
				cometd.WithBackoff(20*time.Millisecond, 200*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			col := newCollector()
			result := make(chan error, 1)
			handler := func(m *cometd.Message) {
				col.handle(m)
				var e event
				if json.Unmarshal(m.Data, &e) != nil || e.Seq != 0 {
					return
				}
				// Two more events written to the client: with one in the
				// queue and this one in the handler, the client is held up.
				if !waitUntil(func() bool { return outboundSeqs(srv, 0, 20) >= 3 }) {
					result <- errors.New("the server never wrote three events")
					return
				}
				ctx, cancel := context.WithTimeout(context.Background(), guard)
				defer cancel()
				result <- c.Disconnect(ctx)
			}
			ctx, cancel := context.WithTimeout(context.Background(), guard)
			defer cancel()
			if _, err := c.Subscribe(ctx, channel, handler); err != nil {
				t.Fatal(err)
			}
			publishRange(srv, channel, 0, 20)
			select {
			case err := <-result:
				if err != nil {
					t.Fatalf("Disconnect from the handler: %v", err)
				}
			case <-time.After(guard):
				t.Fatal("Disconnect from a handler with the queue full did not return")
			}
			<-c.Done()
			sent := outboundSeqs(srv, 0, 20)
			d, dups := col.count(0, 20)
			if d != sent || dups != 0 {
				t.Fatalf("received %d of the %d events the server wrote, %d duplicates", d, sent, dups)
			}
			record(t, Row{Area: "cometd", Fault: "handler calls Disconnect with the delivery queue full (" + tr + ")",
				SDK:    "stops waiting for room once Disconnect starts; sends /meta/disconnect, delivers what arrived, then closes Done",
				Caller: "Disconnect returns nil; sent = events the server wrote before the session ended",
				Sent:   sent, Received: d, Lost: sent - d, Duplicated: dups})
		})
	}
}

// TestCometDHandlerPanics: the handler panics on every 10th event (after
// counting it). The client recovers each panic, reports it to state
// listeners as a *cometd.PanicError, and goes on delivering.
func TestCometDHandlerPanics(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr, func(t *testing.T) {
			srv := omnitest.NewServer(t, omnitest.WithCometDTimeout(time.Second))
			c, err := cometd.NewClient(srv.NotificationsURL(), cometd.WithTransports(tr),
				cometd.WithBackoff(20*time.Millisecond, 200*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			var panics atomic.Int32
			c.OnState(func(ev cometd.StateChange) {
				if errors.Is(ev.Err, cometd.ErrHandlerPanic) {
					panics.Add(1)
				}
			})
			col := newCollector()
			ctx, cancel := context.WithTimeout(context.Background(), guard)
			defer cancel()
			if _, err := c.Subscribe(ctx, channel, func(m *cometd.Message) {
				col.handle(m)
				var e event
				if json.Unmarshal(m.Data, &e) == nil && e.Seq%10 == 9 {
					panic(fmt.Sprintf("handler bug at event %d", e.Seq))
				}
			}); err != nil {
				t.Fatal(err)
			}
			deliverAll(t, srv, col, 0, 100)
			waitFor(t, "10 panic reports", func() bool { return panics.Load() == 10 })
			settle()
			d, dups := col.count(0, 100)
			if d != 100 || dups != 0 || !col.inOrder() || panics.Load() != 10 || c.State() != cometd.StateConnected {
				t.Fatalf("received %d of 100, %d duplicates, in order %v, %d panics reported, state %s",
					d, dups, col.inOrder(), panics.Load(), c.State())
			}
			record(t, Row{Area: "cometd", Fault: "handler panics on every 10th event (" + tr + ")",
				SDK:    fmt.Sprintf("recovers each panic, logs it with the stack, keeps delivering (%d reported)", panics.Load()),
				Caller: "every event, in order; state listener: StateChange.Err is a *cometd.PanicError (errors.Is ErrHandlerPanic)",
				Sent:   100, Received: d, Duplicated: dups})
		})
	}
}

// oddServer is a small long-polling Bayeux server that writes fields of odd
// types, as some servers do: numeric ids on data messages and on the connect
// reply, "ext":[] on every other event, and advice "interval":0.0. Each
// connect is answered with the next batch of events, then held.
type oddServer struct {
	mu     sync.Mutex
	events int // published so far
	next   int // first event not yet written
	wake   chan struct{}
}

func (s *oddServer) publish(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events += n
	close(s.wake)
	s.wake = make(chan struct{})
}

func (s *oddServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var in []map[string]any
	if json.Unmarshal(body, &in) != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	var out bytes.Buffer
	out.WriteString("[")
	for i, m := range in {
		if i > 0 {
			out.WriteString(",")
		}
		id, _ := m["id"].(string)
		switch m["channel"] {
		case cometd.ChannelHandshake:
			fmt.Fprintf(&out, `{"channel":"/meta/handshake","id":%s,"successful":true,"clientId":"odd1","version":"1.0",`+
				`"supportedConnectionTypes":["long-polling"],"advice":{"reconnect":"retry","interval":0.0,"timeout":1000.0}}`, id)
		case cometd.ChannelSubscribe:
			fmt.Fprintf(&out, `{"channel":"/meta/subscribe","id":%s,"successful":true,"subscription":%q}`, id, m["subscription"])
		case cometd.ChannelConnect:
			s.mu.Lock()
			for s.next == s.events {
				wake := s.wake
				s.mu.Unlock()
				select {
				case <-wake:
				case <-r.Context().Done():
					return
				case <-time.After(time.Second):
				}
				s.mu.Lock()
			}
			for ; s.next < s.events; s.next++ {
				ext := ""
				if s.next%2 == 1 {
					ext = `,"ext":[]`
				}
				fmt.Fprintf(&out, `{"channel":%q,"id":%d,"data":{"seq":%d}%s},`, channel, 1000+s.next, s.next, ext)
			}
			s.mu.Unlock()
			fmt.Fprintf(&out, `{"channel":"/meta/connect","id":%s,"successful":true,"advice":{"reconnect":"retry","interval":0.0,"timeout":1000}}`, id)
		default:
			fmt.Fprintf(&out, `{"channel":%q,"id":%s,"successful":true}`, m["channel"], id)
		}
	}
	out.WriteString("]")
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(out.Bytes())
}

// TestCometDOddFieldTypes: every reply of the server has fields of odd types
// (numeric ids, "ext":[], "interval":0.0). The client tolerates them, logs
// once, and delivers every event; before, each such reply was refused whole.
func TestCometDOddFieldTypes(t *testing.T) {
	srv := &oddServer{wake: make(chan struct{})}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	var logBuf lockedBuffer
	c, err := cometd.NewClient(hs.URL+"/cometd", cometd.WithTransports(cometd.LongPolling),
		cometd.WithBackoff(20*time.Millisecond, 200*time.Millisecond), cometd.WithLogger(logTo(&logBuf)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var failures atomic.Int32
	c.OnState(func(ev cometd.StateChange) {
		if ev.Err != nil {
			failures.Add(1)
		}
	})
	col := newCollector()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	if _, err := c.Subscribe(ctx, channel, col.handle); err != nil {
		t.Fatal(err)
	}
	for range 10 {
		srv.publish(10)
	}
	waitFor(t, "100 events", func() bool { d, _ := col.count(0, 100); return d == 100 })
	settle()
	d, dups := col.count(0, 100)
	warns := strings.Count(logBuf.String(), "tolerated a field")
	if d != 100 || dups != 0 || failures.Load() != 0 || warns != 1 {
		t.Fatalf("received %d of 100, %d duplicates, %d failed state changes, %d warnings", d, dups, failures.Load(), warns)
	}
	record(t, Row{Area: "cometd", Fault: `every reply with odd field types ("id":1000, "ext":[], advice "interval":0.0)`,
		SDK:    "tolerates the odd fields (numeric id read as text, fraction truncated, wrong type skipped), logs once at Warn",
		Caller: "every event; no failed connect, no state change with an error",
		Sent:   100, Received: d, Duplicated: dups})
}

// TestCometDSlowHandlerLosesSession: the handler blocks on the first event
// with a queue of 1,000 bytes (about 3 events) until the server — which,
// like CometD's, forgets a session left 200 ms without a /meta/connect —
// has expired the session, holding 10 more events for it. The client says
// so: a StateChange whose Err matches cometd.ErrSlowConsumer. It then
// re-handshakes, re-subscribes and receives again. The lost column is what
// the server dropped with the session; the test fails if anything is lost
// without that report.
func TestCometDSlowHandlerLosesSession(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr, func(t *testing.T) {
			var written sync.Map // event seqs the server wrote
			srv := bayeuxsrv.New(bayeuxsrv.Options{Timeout: 100 * time.Millisecond, MaxInterval: 200 * time.Millisecond,
				OnMessage: func(dir bayeuxsrv.Direction, m json.RawMessage) {
					var e struct {
						Data *event `json:"data"`
					}
					if dir == bayeuxsrv.Outbound && json.Unmarshal(m, &e) == nil && e.Data != nil {
						written.Store(e.Data.Seq, true)
					}
				}})
			hs := httptest.NewServer(srv)
			defer hs.Close()
			defer srv.Close()
			c, err := cometd.NewClient(hs.URL+"/cometd", cometd.WithTransports(tr), cometd.WithQueueBytes(1000),
				cometd.WithBackoff(20*time.Millisecond, 200*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			states := &stateLog{}
			var slow atomic.Pointer[cometd.StateChange]
			c.OnState(func(ev cometd.StateChange) {
				states.add(ev)
				if errors.Is(ev.Err, cometd.ErrSlowConsumer) {
					slow.Store(&ev)
				}
			})
			gate := make(chan struct{})
			col := newCollector()
			ctx, cancel := context.WithTimeout(context.Background(), guard)
			defer cancel()
			if _, err := c.Subscribe(ctx, channel, func(m *cometd.Message) {
				<-gate
				col.handle(m)
			}); err != nil {
				t.Fatal(err)
			}
			pub := func(from, to int) {
				for i := from; i < to; i++ {
					srv.Publish(channel, event{Seq: i})
				}
			}
			pub(0, 30)
			waitFor(t, "three events written", func() bool {
				n := 0
				written.Range(func(any, any) bool { n++; return true })
				return n >= 3
			})
			pub(30, 40) // held by the server while the client does not connect
			waitFor(t, "the server expiring the session", func() bool { return srv.SessionCount() == 0 })
			close(gate)
			waitFor(t, "re-subscription", func() bool { return states.resubscribed() > 0 })
			pub(40, 50)
			waitFor(t, "events after the re-subscription", func() bool { d, _ := col.count(40, 50); return d == 10 })
			settle()
			d, dups := col.count(0, 50)
			ev := slow.Load()
			if dups != 0 || ev == nil || !strings.Contains(ev.Reason, "too slow") {
				t.Fatalf("received %d of 50, %d duplicates, slow-consumer report %+v", d, dups, ev)
			}
			record(t, Row{Area: "cometd", Fault: "handler blocked until the server expired the session (maxInterval 200 ms, queue 1,000 bytes) (" + tr + ")",
				SDK:    "stops reading when the queue is full; on the server's 402 reports the loss, re-handshakes and re-subscribes",
				Caller: "StateChange.Err matching cometd.ErrSlowConsumer (lost = what the server dropped with the session); handlers receive again",
				Sent:   50, Received: d, Lost: 50 - d, Duplicated: dups})
		})
	}
}

// lockedBuffer is a bytes.Buffer a logger and the test can share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// logTo returns a logger writing warnings and errors to w.
func logTo(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}
