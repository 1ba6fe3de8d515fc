package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

const controlGuard = 30 * time.Second // failure guard for a control request

// Stats counts what a peer has seen since it (re)started.
type Stats struct {
	Handshakes     int `json:"handshakes"`
	Connects       int `json:"connects"`
	Subscribes     int `json:"subscribes"`
	Unsubscribes   int `json:"unsubscribes"`
	Disconnects    int `json:"disconnects"`
	Publishes      int `json:"publishes"` // client publishes (non-meta messages)
	HungConnects   int `json:"hungConnects"`
	FailedConnects int `json:"failedConnects"`
}

// Publish makes the server publish count messages on channel, in order. Each
// message's data is data plus "seq" (0..count-1) and "ts" (the publish time
// in microseconds since the Unix epoch, see [MicrosSince]).
func (p *Peer) Publish(channel string, count int, data map[string]any) {
	p.t.Helper()
	body, err := json.Marshal(map[string]any{"channel": channel, "count": count, "data": data})
	if err != nil {
		p.t.Fatalf("interop: publish: %v", err)
	}
	var out struct {
		Published int `json:"published"`
	}
	p.control(http.MethodPost, "publish", nil, body, &out)
	if out.Published != count {
		p.t.Fatalf("interop: %s published %d messages, want %d", p.spec.Name, out.Published, count)
	}
}

// HangConnects makes the next n /meta/connect messages hang for d; the
// server then drops their connection without an answer.
func (p *Peer) HangConnects(n int, d time.Duration) {
	p.t.Helper()
	q := url.Values{"n": {strconv.Itoa(n)}, "ms": {strconv.FormatInt(d.Milliseconds(), 10)}}
	p.control(http.MethodPost, "hang-connects", q, nil, nil)
}

// FailConnects makes the next n long-polling requests carrying a
// /meta/connect fail with the HTTP status.
func (p *Peer) FailConnects(n, status int) {
	p.t.Helper()
	q := url.Values{"n": {strconv.Itoa(n)}, "status": {strconv.Itoa(status)}}
	p.control(http.MethodPost, "fail-connects", q, nil, nil)
}

// Stats returns the peer's counters.
func (p *Peer) Stats() Stats {
	p.t.Helper()
	var s Stats
	p.control(http.MethodGet, "stats", nil, nil, &s)
	return s
}

func (p *Peer) control(method, what string, q url.Values, body []byte, out any) {
	p.t.Helper()
	if err := p.doControl(method, what, q, body, out); err != nil {
		p.t.Fatalf("interop: %s control %s: %v", p.spec.Name, what, err)
	}
}

func (p *Peer) doControl(method, what string, q url.Values, body []byte, out any) error {
	ctx, cancel := context.WithTimeout(context.Background(), controlGuard)
	defer cancel()
	u := p.BaseURL() + "/_control/" + what
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := controlClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// controlClient does not keep idle connections, so no transport goroutine
// outlives a test (goleak) and a restarted peer is reached on a fresh socket.
var controlClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

// MicrosSince returns the time elapsed since ts, a publish time in
// microseconds since the Unix epoch as set by the peers.
func MicrosSince(ts float64) time.Duration {
	now := float64(time.Now().UnixNano()) / 1e3
	return time.Duration((now - ts) * float64(time.Microsecond))
}
