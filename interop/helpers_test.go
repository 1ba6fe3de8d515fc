package interop

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/omnisdk/omni/cometd"
)

// guard is the failure guard for anything expected to happen soon; it is
// never a performance expectation.
const guard = 30 * time.Second

// eachPeerTransport runs fn as a parallel subtest for every peer and every
// transport it supports, optionally filtered by keep.
func eachPeerTransport(t *testing.T, keep func(PeerSpec, string) bool, fn func(t *testing.T, spec PeerSpec, transport string)) {
	t.Helper()
	for _, spec := range Peers {
		for _, tr := range spec.Transports {
			if keep != nil && !keep(spec, tr) {
				continue
			}
			t.Run(spec.Name+"/"+tr, func(t *testing.T) {
				t.Parallel()
				fn(t, spec, tr)
			})
		}
	}
}

// longPollingOnly keeps the long-polling combinations.
func longPollingOnly(_ PeerSpec, tr string) bool { return tr == LongPolling }

// clientLog collects a client's log and prints it if the test fails.
func clientLog(t testing.TB, name string) *slog.Logger {
	buf := &tailBuffer{max: 64 << 10}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("interop: %s log:\n%s", name, buf.String())
		}
	})
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// newClient creates a Go CometD client for the peer restricted to one
// transport, with small backoff, closed when the test ends.
func newClient(t testing.TB, p *Peer, transport string, opts ...cometd.Option) *cometd.Client {
	t.Helper()
	all := append([]cometd.Option{
		cometd.WithTransports(transport),
		cometd.WithBackoff(50*time.Millisecond, 500*time.Millisecond),
		cometd.WithLogger(clientLog(t, "client "+p.Name()+"/"+transport)),
	}, opts...)
	c, err := cometd.NewClient(p.URL(), all...)
	if err != nil {
		t.Fatalf("NewClient(%s): %v", p.URL(), err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// handshake handshakes c and checks the negotiated transport.
func handshake(t testing.TB, c *cometd.Client, transport string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	if err := c.Handshake(ctx); err != nil {
		t.Fatalf("Handshake: %v", err)
	}
	if got := c.Transport(); got != transport {
		t.Fatalf("Transport() = %q, want %q", got, transport)
	}
	if c.ClientID() == "" {
		t.Fatal("ClientID() is empty after a successful handshake")
	}
}

// subscribe subscribes c to channel with a new collector.
func subscribe(t testing.TB, c *cometd.Client, channel string) (*cometd.Subscription, *collector) {
	t.Helper()
	col := newCollector()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	sub, err := c.Subscribe(ctx, channel, col.handle)
	if err != nil {
		t.Fatalf("Subscribe(%s): %v", channel, err)
	}
	if sub.Channel() != channel {
		t.Fatalf("Subscription.Channel() = %q, want %q", sub.Channel(), channel)
	}
	return sub, col
}

// flowing handshakes c over transport, subscribes it to channel and waits
// until a message published by the peer arrives: the starting point of every
// recovery scenario, which then breaks something and checks delivery resumes.
func flowing(t testing.TB, p *Peer, c *cometd.Client, transport, channel string) *collector {
	t.Helper()
	handshake(t, c, transport)
	_, col := subscribe(t, c, channel)
	p.Publish(channel, 1, map[string]any{"phase": "before"})
	col.wait(t, "a message before the fault", hasPhase("before"))
	return col
}

// payload is the data the peers publish.
type payload struct {
	Seq   int     `json:"seq"`
	TS    float64 `json:"ts"`
	Phase string  `json:"phase"`
	From  string  `json:"from"`
}

// received is one delivered message, copied out of the handler.
type received struct {
	Channel string
	Data    payload
	Raw     json.RawMessage
}

// collector records the messages a Handler receives.
type collector struct {
	mu      sync.Mutex
	msgs    []received
	bad     []string
	changed chan struct{}
}

func newCollector() *collector { return &collector{changed: make(chan struct{})} }

// handle is a cometd.Handler.
func (c *collector) handle(m *cometd.Message) {
	r := received{Channel: m.Channel, Raw: append(json.RawMessage(nil), m.Data...)}
	err := json.Unmarshal(m.Data, &r.Data)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		c.bad = append(c.bad, string(m.Data))
	}
	c.msgs = append(c.msgs, r)
	close(c.changed)
	c.changed = make(chan struct{})
}

// snapshot returns the messages received so far.
func (c *collector) snapshot() []received {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]received(nil), c.msgs...)
}

// tryWait waits up to d for cond to hold over the messages received so far.
func (c *collector) tryWait(d time.Duration, cond func([]received) bool) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		c.mu.Lock()
		ok := cond(c.msgs)
		changed := c.changed
		c.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-changed:
		case <-timer.C:
			c.mu.Lock()
			defer c.mu.Unlock()
			return cond(c.msgs)
		}
	}
}

// wait is tryWait that fails the test after the guard.
func (c *collector) wait(t testing.TB, what string, cond func([]received) bool) []received {
	t.Helper()
	if !c.tryWait(guard, cond) {
		got := c.snapshot()
		t.Fatalf("no %s within %v; %d messages received", what, guard, len(got))
	}
	return c.snapshot()
}

// atLeast is a condition: at least n messages.
func atLeast(n int) func([]received) bool {
	return func(ms []received) bool { return len(ms) >= n }
}

// hasPhase is a condition: a message with the given phase arrived.
func hasPhase(phase string) func([]received) bool {
	return func(ms []received) bool {
		for _, m := range ms {
			if m.Data.Phase == phase {
				return true
			}
		}
		return false
	}
}

// publishUntilReceived publishes one message tagged phase on channel every
// few hundred milliseconds until col has one; it proves delivery works again
// after a fault without assuming when the client recovers.
func publishUntilReceived(t testing.TB, p *Peer, col *collector, channel, phase string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		p.Publish(channel, 1, map[string]any{"phase": phase})
		if col.tryWait(300*time.Millisecond, hasPhase(phase)) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q message on %s within %v (peer stats %+v)", phase, channel, within, p.Stats())
		}
	}
}

// waitStats polls the peer's counters until cond holds.
func waitStats(t testing.TB, p *Peer, what string, cond func(Stats) bool) Stats {
	t.Helper()
	deadline := time.Now().Add(guard)
	for {
		s := p.Stats()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("peer %s: %s not reached within %v; stats %+v", p.Name(), what, guard, s)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stateRecorder records a client's state changes.
type stateRecorder struct {
	mu      sync.Mutex
	changes []cometd.StateChange
}

func recordStates(c *cometd.Client) *stateRecorder {
	r := &stateRecorder{}
	c.OnState(func(sc cometd.StateChange) {
		r.mu.Lock()
		r.changes = append(r.changes, sc)
		r.mu.Unlock()
	})
	return r
}

func (r *stateRecorder) snapshot() []cometd.StateChange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]cometd.StateChange(nil), r.changes...)
}

// summary renders the transitions compactly for logs.
func (r *stateRecorder) summary() string {
	s := ""
	for _, c := range r.snapshot() {
		if s != "" {
			s += " "
		}
		s += c.To.String()
		if c.Err != nil {
			s += "(err)"
		}
		if c.Resubscribed > 0 {
			s += "(resub)"
		}
	}
	return s
}

// waitState polls until the client reports the state.
func waitState(t testing.TB, c *cometd.Client, want cometd.State) {
	t.Helper()
	deadline := time.Now().Add(guard)
	for c.State() != want {
		if time.Now().After(deadline) {
			t.Fatalf("State() = %v, want %v within %v", c.State(), want, guard)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
