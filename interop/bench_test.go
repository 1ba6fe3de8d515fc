package interop

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omnisdk/omni/cometd"
)

// Environment of the cross-language benchmark.
const (
	benchEnv       = "OMNI_BENCH"        // "1" runs it
	benchNEnv      = "OMNI_BENCH_N"      // messages per run (default 10,000)
	benchOutEnv    = "OMNI_BENCH_OUT"    // also write the markdown table to this file
	benchRoundsEnv = "OMNI_BENCH_ROUNDS" // measured rounds per client (default 3)
)

// benchResult is one client's figures for one run.
type benchResult struct {
	MsgsPerSec float64
	P50, P99   time.Duration
	InOrder    bool
}

// TestBenchCrossLanguage compares the Go client with the official JavaScript
// client on the same third-party servers in the same run: the server
// publishes N small messages stamped with their publish time, and each client
// reports throughput (N over first publish → last handler call) and the
// publish→handler latency percentiles. It prints a markdown table. It runs
// only with OMNI_BENCH=1 (make bench) and asserts no timing.
func TestBenchCrossLanguage(t *testing.T) {
	if os.Getenv(benchEnv) != "1" {
		t.Skipf("cross-language benchmark; run with %s=1", benchEnv)
	}
	n := 10000
	if v := os.Getenv(benchNEnv); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			t.Fatalf("%s=%q: want a positive integer", benchNEnv, v)
		}
	}
	rounds := 3
	if v := os.Getenv(benchRoundsEnv); v != "" {
		var err error
		if rounds, err = strconv.Atoi(v); err != nil || rounds <= 0 {
			t.Fatalf("%s=%q: want a positive integer", benchRoundsEnv, v)
		}
	}
	cases := []struct{ peer, transport string }{
		{CometDNodeServer, LongPolling},
		{Faye, WebSocket},
	}
	var table strings.Builder
	fmt.Fprintf(&table, "Cross-language CometD client benchmark: %d server-side publishes per run, median of %d alternating runs per client after a warm-up, 127.0.0.1\n\n", n, rounds)
	table.WriteString("| server | transport | client | msgs/s | p50 ms | p99 ms | in order |\n")
	table.WriteString("|---|---|---|---:|---:|---:|---|\n")
	for _, bc := range cases {
		p := StartPeer(t, bc.peer, WithBayeuxTimeout(30*time.Second), WithMaxInterval(60*time.Second))
		// The server's JIT warms up over the first runs: whoever runs first
		// is slower. Warm up with both clients, then alternate the order
		// (Go, JS / JS, Go / ...) and keep the median of each figure.
		benchGo(t, p, bc.transport, "/bench/warmup-go", n)
		benchJS(t, p, bc.transport, "/bench/warmup-js", n)
		var goRuns, jsRuns []benchResult
		for r := 0; r < rounds; r++ {
			goCh, jsCh := fmt.Sprintf("/bench/go/%d", r), fmt.Sprintf("/bench/js/%d", r)
			if r%2 == 0 {
				goRuns = append(goRuns, benchGo(t, p, bc.transport, goCh, n))
				jsRuns = append(jsRuns, benchJS(t, p, bc.transport, jsCh, n))
			} else {
				jsRuns = append(jsRuns, benchJS(t, p, bc.transport, jsCh, n))
				goRuns = append(goRuns, benchGo(t, p, bc.transport, goCh, n))
			}
		}
		goRes, jsRes := median(goRuns), median(jsRuns)
		for _, r := range []struct {
			name string
			res  benchResult
		}{{"Go (omni/cometd)", goRes}, {"JS (cometd 9.0.0)", jsRes}} {
			fmt.Fprintf(&table, "| %s | %s | %s | %.0f | %.2f | %.2f | %v |\n", bc.peer, bc.transport, r.name,
				r.res.MsgsPerSec, ms(r.res.P50), ms(r.res.P99), r.res.InOrder)
		}
		fmt.Fprintf(&table, "| %s | %s | **Go/JS** | **%.2f×** | %.2f× | %.2f× | |\n", bc.peer, bc.transport,
			ratio(goRes.MsgsPerSec, jsRes.MsgsPerSec), ratio(ms(goRes.P50), ms(jsRes.P50)), ratio(ms(goRes.P99), ms(jsRes.P99)))
	}
	table.WriteString("\nmsgs/s: higher is better; latency ratios below 1 mean the Go client is faster.\n")
	fmt.Print("\n" + table.String())
	if out := os.Getenv(benchOutEnv); out != "" {
		if err := os.WriteFile(out, []byte(table.String()), 0o644); err != nil {
			t.Fatalf("write %s: %v", out, err)
		}
	}
}

// median returns the per-figure median of runs; InOrder holds only if it
// held in every run.
func median(runs []benchResult) benchResult {
	rate := make([]float64, len(runs))
	p50 := make([]time.Duration, len(runs))
	p99 := make([]time.Duration, len(runs))
	out := benchResult{InOrder: true}
	for i, r := range runs {
		rate[i], p50[i], p99[i] = r.MsgsPerSec, r.P50, r.P99
		out.InOrder = out.InOrder && r.InOrder
	}
	slices.Sort(rate)
	slices.Sort(p50)
	slices.Sort(p99)
	mid := len(runs) / 2
	out.MsgsPerSec, out.P50, out.P99 = rate[mid], p50[mid], p99[mid]
	return out
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// benchGo measures the Go client receiving n server-side publishes.
func benchGo(t *testing.T, p *Peer, transport, channel string, n int) benchResult {
	t.Helper()
	// Default options apart from the transport: no logger, default queue.
	c, err := cometd.NewClient(p.URL(), cometd.WithTransports(transport))
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	defer c.Close()
	handshake(t, c, transport)

	var (
		mu       sync.Mutex
		lat      = make([]time.Duration, 0, n)
		firstTS  = float64(-1)
		lastRecv time.Time
		next     int
		inOrder  = true
		done     = make(chan struct{})
	)
	ctx := t.Context()
	_, err = c.Subscribe(ctx, channel, func(m *cometd.Message) {
		var d struct {
			Seq int     `json:"seq"`
			TS  float64 `json:"ts"`
		}
		err := json.Unmarshal(m.Data, &d)
		now := time.Now()
		mu.Lock()
		defer mu.Unlock()
		if err != nil || len(lat) >= n {
			return
		}
		lat = append(lat, MicrosSince(d.TS))
		if firstTS < 0 || d.TS < firstTS {
			firstTS = d.TS
		}
		lastRecv = now
		if d.Seq != next {
			inOrder = false
		}
		next = d.Seq + 1
		if len(lat) == n {
			close(done)
		}
	})
	if err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	p.Publish(channel, n, nil)
	select {
	case <-done:
	case <-time.After(5 * time.Minute):
		t.Fatalf("Go client: not all %d messages within the guard", n)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(lat)
	elapsed := float64(lastRecv.UnixNano())/1e3 - firstTS // microseconds
	return benchResult{
		MsgsPerSec: float64(n) / (elapsed / 1e6),
		P50:        percentile(lat, 50),
		P99:        percentile(lat, 99),
		InOrder:    inOrder,
	}
}

// benchJS measures the official JavaScript client on the same server.
func benchJS(t *testing.T, p *Peer, transport, channel string, n int) benchResult {
	t.Helper()
	js := StartJSClient(t, JSClientOptions{URL: p.URL(), Channel: channel, Count: n, Transport: transport,
		Disconnect: true, Timeout: 5 * time.Minute})
	js.WaitEvent("subscribed", guard)
	p.Publish(channel, n, nil)
	d := js.WaitEvent("done", 5*time.Minute)
	js.Wait(guard)
	return benchResult{
		MsgsPerSec: d.MsgsPerSec,
		P50:        time.Duration(d.P50 * float64(time.Millisecond)),
		P99:        time.Duration(d.P99 * float64(time.Millisecond)),
		InOrder:    d.InOrder && d.Duplicates == 0 && d.Missing == 0 && d.Received == n,
	}
}

// percentile returns the p-th percentile (nearest rank) of sorted values.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.999999) - 1
	i = max(0, min(i, len(sorted)-1))
	return sorted[i]
}
