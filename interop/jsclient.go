package interop

import (
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"
)

// JSClientOptions configures a run of peers/js-client.js.
type JSClientOptions struct {
	URL         string        // Bayeux endpoint
	Channel     string        // channel to subscribe to
	Count       int           // messages to wait for
	Transport   string        // LongPolling or WebSocket; "" lets the client choose
	Unsubscribe bool          // unsubscribe after Count messages
	Disconnect  bool          // disconnect after that
	Messages    bool          // report every message as an event
	Timeout     time.Duration // the client gives up after this (default 60s)
}

// JSEvent is one line printed by the JavaScript client.
type JSEvent struct {
	Event      string          `json:"event"` // handshake, subscribed, message, done, unsubscribed, disconnected, error
	ClientID   string          `json:"clientId,omitempty"`
	Transport  string          `json:"transport,omitempty"`
	Channel    string          `json:"channel,omitempty"`
	Data       json.RawMessage `json:"data,omitempty"`
	Received   int             `json:"received,omitempty"`
	InOrder    bool            `json:"inOrder,omitempty"`
	Duplicates int             `json:"duplicates,omitempty"`
	Missing    int             `json:"missing,omitempty"`
	P50        float64         `json:"p50,omitempty"` // milliseconds
	P99        float64         `json:"p99,omitempty"` // milliseconds
	MsgsPerSec float64         `json:"msgsPerSec,omitempty"`
	CPUMicros  float64         `json:"cpuMicros,omitempty"` // done: the process's CPU time (user + system) from subscribed to done
	Successful *bool           `json:"successful,omitempty"`
	Message    string          `json:"message,omitempty"` // error text
}

// ParseJSEvent decodes one output line of the JavaScript client.
func ParseJSEvent(line []byte) (JSEvent, error) {
	var e JSEvent
	if err := json.Unmarshal(line, &e); err != nil {
		return JSEvent{}, fmt.Errorf("interop: bad js-client line %q: %w", line, err)
	}
	if e.Event == "" {
		return JSEvent{}, fmt.Errorf("interop: js-client line without event: %q", line)
	}
	return e, nil
}

// JSClient is a running peers/js-client.js.
type JSClient struct {
	t    testing.TB
	proc *proc

	mu      sync.Mutex
	events  []JSEvent
	changed chan struct{} // closed and replaced on every new event
	next    int           // index of the first event not yet returned by WaitEvent
}

// StartJSClient runs the official CometD JavaScript client with opts; the
// process is killed when the test ends. It skips or fails the test as [Node]
// does when Node.js or the npm peers are missing.
func StartJSClient(t testing.TB, opts JSClientOptions) *JSClient {
	t.Helper()
	node, dir := Node(t)
	if opts.Timeout <= 0 {
		opts.Timeout = 60 * time.Second
	}
	args := []string{"js-client.js", "--url", opts.URL, "--channel", opts.Channel,
		"--count", strconv.Itoa(opts.Count), "--timeout", strconv.FormatInt(opts.Timeout.Milliseconds(), 10)}
	if opts.Transport != "" {
		args = append(args, "--transport", opts.Transport)
	}
	if opts.Unsubscribe {
		args = append(args, "--unsubscribe")
	}
	if opts.Disconnect {
		args = append(args, "--disconnect")
	}
	if opts.Messages {
		args = append(args, "--messages")
	}
	c := &JSClient{t: t, changed: make(chan struct{})}
	w := &lineWriter{fn: c.add}
	pr, err := startProc(node, dir, args, w)
	if err != nil {
		t.Fatalf("interop: start js-client: %v", err)
	}
	c.proc = pr
	t.Cleanup(func() {
		pr.stop(3 * time.Second)
		if t.Failed() {
			if tail := pr.stderr.String(); tail != "" {
				t.Logf("interop: js-client stderr:\n%s", tail)
			}
		}
	})
	return c
}

func (c *JSClient) add(line []byte) {
	e, err := ParseJSEvent(line)
	if err != nil {
		e = JSEvent{Event: "error", Message: err.Error()}
	}
	c.mu.Lock()
	c.events = append(c.events, e)
	close(c.changed)
	c.changed = make(chan struct{})
	c.mu.Unlock()
}

// WaitEvent returns the next event named name, skipping earlier events of
// other kinds. It fails the test if the client reports an error, exits
// first, or nothing arrives within guard.
func (c *JSClient) WaitEvent(name string, guard time.Duration) JSEvent {
	c.t.Helper()
	timer := time.NewTimer(guard)
	defer timer.Stop()
	for {
		c.mu.Lock()
		for c.next < len(c.events) {
			e := c.events[c.next]
			c.next++
			if e.Event == name {
				c.mu.Unlock()
				return e
			}
			if e.Event == "error" {
				c.mu.Unlock()
				c.t.Fatalf("interop: js-client error while waiting for %q: %s", name, e.Message)
			}
		}
		changed := c.changed
		c.mu.Unlock()
		select {
		case <-changed:
		case <-c.proc.done:
			// Drain what the process printed before exiting.
			c.mu.Lock()
			more := c.next < len(c.events)
			c.mu.Unlock()
			if !more {
				c.t.Fatalf("interop: js-client exited before %q: %v", name, c.proc.errExited())
			}
		case <-timer.C:
			c.t.Fatalf("interop: js-client: no %q event within %v", name, guard)
		}
	}
}

// Events returns every event printed so far.
func (c *JSClient) Events() []JSEvent {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]JSEvent(nil), c.events...)
}

// Wait waits for the client to exit and fails the test if it exits with an
// error or does not exit within guard.
func (c *JSClient) Wait(guard time.Duration) {
	c.t.Helper()
	timer := time.NewTimer(guard)
	defer timer.Stop()
	select {
	case <-c.proc.done:
		if c.proc.err != nil {
			c.t.Fatalf("interop: js-client: %v", c.proc.errExited())
		}
	case <-timer.C:
		c.t.Fatalf("interop: js-client did not exit within %v", guard)
	}
}
