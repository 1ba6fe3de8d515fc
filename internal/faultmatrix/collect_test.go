package faultmatrix

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omnisdk/omni/cometd"
	"github.com/omnisdk/omni/omnitest"
)

// guard bounds every wait of the matrix: reaching it is a failure, not a
// measurement.
const guard = 20 * time.Second

// event is the payload the tests publish: a sequence number.
type event struct {
	Seq int `json:"seq"`
}

// collector counts the events a subscription received, per sequence
// number, in one byte per event so that a long soak measures the SDK's heap
// rather than its own bookkeeping.
type collector struct {
	mu       sync.Mutex
	seen     []uint8 // copies received, by sequence number (saturates at 255)
	last     int
	disorder bool
	slow     time.Duration
}

func newCollector() *collector { return &collector{last: -1} }

func (c *collector) handle(m *cometd.Message) {
	var e event
	if err := json.Unmarshal(m.Data, &e); err != nil || e.Seq < 0 {
		return
	}
	if c.slow > 0 {
		time.Sleep(c.slow)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for e.Seq >= len(c.seen) {
		c.seen = append(c.seen, 0)
	}
	if c.seen[e.Seq] < 255 {
		c.seen[e.Seq]++
	}
	if e.Seq <= c.last {
		c.disorder = true
	}
	c.last = e.Seq
}

func (c *collector) at(seq int) int {
	if seq < len(c.seen) {
		return int(c.seen[seq])
	}
	return 0
}

// has reports whether seq arrived at least once.
func (c *collector) has(seq int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at(seq) > 0
}

// count returns the number of distinct events and of extra copies among
// sequence numbers in [from, to).
func (c *collector) count(from, to int) (distinct, dups int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for s := from; s < to; s++ {
		if n := c.at(s); n > 0 {
			distinct++
			dups += n - 1
		}
	}
	return distinct, dups
}

// totalDups returns every extra copy received.
func (c *collector) totalDups() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := 0
	for _, n := range c.seen {
		if n > 1 {
			d += int(n) - 1
		}
	}
	return d
}

// inOrder reports whether events arrived in increasing order.
func (c *collector) inOrder() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.disorder
}

// waitFor polls cond until it holds or guard passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(guard)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// stateLog counts what the state listener reported (counters only, so a
// long soak does not grow the heap with its own records).
type stateLog struct {
	mu           sync.Mutex
	resubscribes int
	reconnects   int
	rehandshakes int
	fallback     bool
}

func (s *stateLog) add(c cometd.StateChange) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.Resubscribed > 0 {
		s.resubscribes++
	}
	if c.To == cometd.StateConnected && c.From != cometd.StateConnected {
		s.reconnects++
	}
	if c.To == cometd.StateRehandshaking {
		s.rehandshakes++
	}
	if strings.Contains(c.Reason, "falling back") {
		s.fallback = true
	}
}

// rehandshaked counts re-handshakes (a new session, a new clientId).
func (s *stateLog) rehandshaked() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rehandshakes
}

// resubscribed counts state events reporting an accepted re-subscription.
func (s *stateLog) resubscribed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.resubscribes
}

// reconnections counts changes into the connected state from another one.
func (s *stateLog) reconnections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reconnects
}

// baseline waits until the first connection has been announced (state
// listeners run on the delivery goroutine, after the connect reply) and
// returns the count of connections so far. A test that drops the network
// and then waits for "a new connection" takes its baseline here: taken
// earlier, the first connection's late announcement can pass for the new
// one, and events published then go into the dying socket.
func (s *stateLog) baseline(t testing.TB) int {
	t.Helper()
	waitFor(t, "the first connection announced", func() bool { return s.reconnections() > 0 })
	return s.reconnections()
}

// fellBack reports whether the client announced a fallback to long-polling.
func (s *stateLog) fellBack() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fallback
}

// subscriber is a cometd client with the ack extension subscribed to one
// channel of the simulator.
type subscriber struct {
	c      *cometd.Client
	col    *collector
	states *stateLog
}

// newSubscriber connects to url (the simulator's notifications URL, or the
// same path through a proxy) and subscribes to channel.
func newSubscriber(t testing.TB, url, channel string, col *collector, opts ...cometd.Option) *subscriber {
	t.Helper()
	base := []cometd.Option{cometd.WithExtension(cometd.AckExtension()),
		cometd.WithBackoff(20*time.Millisecond, 200*time.Millisecond),
		cometd.WithMaxNetworkDelay(2 * time.Second)}
	c, err := cometd.NewClient(url, append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	s := &subscriber{c: c, col: col, states: &stateLog{}}
	c.OnState(s.states.add)
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	if _, err := c.Subscribe(ctx, channel, col.handle); err != nil {
		t.Fatal(err)
	}
	return s
}

// publishRange publishes events [from, to) on channel.
func publishRange(srv *omnitest.Server, channel string, from, to int) {
	for i := from; i < to; i++ {
		srv.Publish(channel, event{Seq: i})
	}
}

// countRequests counts the simulator's requests on route since index from.
func countRequests(srv *omnitest.Server, route omnitest.Route, from int) int {
	n := 0
	for _, r := range srv.Requests()[from:] {
		if r.Route == route {
			n++
		}
	}
	return n
}

// countMeta counts inbound CometD messages on a meta channel.
func countMeta(srv *omnitest.Server, channel string) int {
	n := 0
	for _, m := range srv.Messages() {
		if m.Direction == omnitest.Inbound && m.Channel == channel {
			n++
		}
	}
	return n
}

func plural(n int, what string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", what)
	}
	return fmt.Sprintf("%d %ss", n, what)
}
