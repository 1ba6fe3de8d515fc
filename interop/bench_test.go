package interop

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
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
	benchEnv       = "OMNI_BENCH"             // "1" runs it
	benchNEnv      = "OMNI_BENCH_N"           // burst sizes, comma-separated (default 10000)
	benchOutEnv    = "OMNI_BENCH_OUT"         // also write the markdown table to this file
	benchJSONEnv   = "OMNI_BENCH_JSON"        // also write the figures as JSON to this file
	benchRoundsEnv = "OMNI_BENCH_ROUNDS"      // measured rounds per client (default 3)
	benchCeilEnv   = "OMNI_BENCH_CEILING_N"   // burst sizes of the simulator (ceiling) rows (default 100,10000)
	benchOnlyEnv   = "OMNI_BENCH_ONLY"        // run only these "server/transport" cases, comma-separated (for profiling)
	benchPacingEnv = "OMNI_BENCH_READ_PACING" // the Go client's WithReadPacing, a Go duration (default: the client's default)
)

// benchResult is one client's figures for one run.
type benchResult struct {
	MsgsPerSec float64
	P50, P99   time.Duration
	InOrder    bool
	CPU        time.Duration // the reader process's CPU time (user + system) over the run
	// The server's side of the same span (bench_server_linux_test.go): its
	// process's CPU time and the TCP data segments the machine sent; -1
	// where the platform does not say.
	ServerCPU time.Duration
	Softirq   time.Duration // the machine's softirq time, charged to no process
	Segments  int64
}

// serverMark is the server's counters at the start of a reader's run.
type serverMark struct {
	cpu, softirq time.Duration
	segs         int64
}

func markServer(p *Peer) serverMark {
	return serverMark{serverCPU(p), machineSoftirq(), tcpDataSegments()}
}

// since fills r's server figures with what the server used since m.
func (m serverMark) since(p *Peer, r benchResult) benchResult {
	r.ServerCPU, r.Softirq, r.Segments = -1, -1, -1
	if c := serverCPU(p); c >= 0 && m.cpu >= 0 {
		r.ServerCPU = c - m.cpu
	}
	if c := machineSoftirq(); c >= 0 && m.softirq >= 0 {
		r.Softirq = c - m.softirq
	}
	if s := tcpDataSegments(); s >= 0 && m.segs >= 0 {
		r.Segments = s - m.segs
	}
	return r
}

// TestBenchCrossLanguage compares the Go client with the official JavaScript
// client on the same third-party servers in the same run: the server
// publishes bursts of small messages stamped with their publish time, and
// each reader reports throughput (burst size over first publish → last
// handler call) and the publish→handler latency percentiles. A third
// reader, the floor (bench_floor_test.go), measures what the server itself
// can deliver. It prints a markdown table and, with OMNI_BENCH_JSON, writes
// the figures for bench/report. It runs only with OMNI_BENCH=1 (make bench)
// and asserts no timing.
func TestBenchCrossLanguage(t *testing.T) {
	if os.Getenv(benchEnv) != "1" {
		t.Skipf("cross-language benchmark; run with %s=1", benchEnv)
	}
	sizes := benchSizes(t, benchNEnv, []int{10000})
	ceilSizes := benchSizes(t, benchCeilEnv, []int{100, 10000})
	rounds := 3
	if v := os.Getenv(benchRoundsEnv); v != "" {
		var err error
		if rounds, err = strconv.Atoi(v); err != nil || rounds <= 0 {
			t.Fatalf("%s=%q: want a positive integer", benchRoundsEnv, v)
		}
	}
	// The third-party servers, then the simulator's server in its own
	// process: the ceiling rows, where the server is not the bottleneck.
	cases := []struct {
		peer, transport string
		sizes           []int
	}{
		{CometDNodeServer, LongPolling, sizes},
		{Faye, WebSocket, sizes},
		{Simulator, LongPolling, ceilSizes},
		{Simulator, WebSocket, ceilSizes},
	}
	var rows []benchRow
	only := os.Getenv(benchOnlyEnv)
	for _, bc := range cases {
		if only != "" && !slices.Contains(strings.Split(only, ","), bc.peer+"/"+bc.transport) {
			continue
		}
		sizes := bc.sizes
		var p *Peer
		if bc.peer == Simulator {
			p = startSimulator(t, 30*time.Second)
		} else {
			p = StartPeer(t, bc.peer, WithBayeuxTimeout(30*time.Second), WithMaxInterval(60*time.Second))
		}
		// The server's JIT warms up over the first runs: whoever runs first
		// is slower. Warm up with every reader, then alternate the order
		// (Go, JS / JS, Go / ...) and keep the median of each figure.
		warm := slices.Max(sizes)
		// On the third-party servers the Go handler decodes each message's
		// data with encoding/json, as a user's handler would. On the
		// simulator's server (the client-ceiling rows) the "go" reader's
		// handler takes seq and ts with a byte scan, as little work as the
		// JS handler's reading of two fields the JS client already parsed,
		// so those rows measure the client; "go-json" is the same client
		// with the encoding/json handler, shown beside it.
		goDecode := decodeJSON
		if bc.peer == Simulator {
			goDecode = decodeScan
		}
		benchGo(t, p, bc.transport, "/bench/warmup-go", warm, goDecode)
		benchJS(t, p, bc.transport, "/bench/warmup-js", warm)
		benchFloor(t, p, bc.transport, "/bench/warmup-floor", warm)
		for _, n := range sizes {
			var goRuns, goJSONRuns, jsRuns, floorRuns []benchResult
			for r := 0; r < rounds; r++ {
				goCh, jsCh := fmt.Sprintf("/bench/go/%d/%d", n, r), fmt.Sprintf("/bench/js/%d/%d", n, r)
				if r%2 == 0 {
					goRuns = append(goRuns, benchGo(t, p, bc.transport, goCh, n, goDecode))
					jsRuns = append(jsRuns, benchJS(t, p, bc.transport, jsCh, n))
				} else {
					jsRuns = append(jsRuns, benchJS(t, p, bc.transport, jsCh, n))
					goRuns = append(goRuns, benchGo(t, p, bc.transport, goCh, n, goDecode))
				}
				if bc.peer == Simulator {
					goJSONRuns = append(goJSONRuns, benchGo(t, p, bc.transport, fmt.Sprintf("/bench/go-json/%d/%d", n, r), n, decodeJSON))
				}
				floorRuns = append(floorRuns, benchFloor(t, p, bc.transport, fmt.Sprintf("/bench/floor/%d/%d", n, r), n))
			}
			for _, x := range []struct {
				client string
				runs   []benchResult
			}{{"go", goRuns}, {"go-json", goJSONRuns}, {"js", jsRuns}, {"floor", floorRuns}} {
				if len(x.runs) == 0 {
					continue
				}
				m := median(x.runs)
				rows = append(rows, benchRow{Server: bc.peer, Transport: bc.transport, Messages: n, Rounds: rounds,
					Client: x.client, MsgsPerSec: m.MsgsPerSec, P50ms: ms(m.P50), P99ms: ms(m.P99), InOrder: m.InOrder,
					CPUms1k: ms(m.CPU) * 1000 / float64(n), ServerCPUms1k: per1k(ms(m.ServerCPU), n),
					Softirqms1k: per1k(ms(m.Softirq), n), Segments1k: per1k(float64(m.Segments), n)})
			}
		}
	}
	table := benchTable(rows)
	fmt.Print("\n" + table)
	if out := os.Getenv(benchOutEnv); out != "" {
		if err := os.WriteFile(out, []byte(table), 0o644); err != nil {
			t.Fatalf("write %s: %v", out, err)
		}
	}
	if out := os.Getenv(benchJSONEnv); out != "" {
		b, err := json.MarshalIndent(rows, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(out, append(b, '\n'), 0o644); err != nil {
			t.Fatalf("write %s: %v", out, err)
		}
	}
}

// benchRow is one reader's median figures for one server, transport and
// burst size, as written to OMNI_BENCH_JSON for the BENCHMARKS.md generator.
type benchRow struct {
	Server     string  `json:"server"`
	Transport  string  `json:"transport"`
	Messages   int     `json:"messages"`
	Rounds     int     `json:"rounds"`
	Client     string  `json:"client"` // go, go-json, js or floor
	MsgsPerSec float64 `json:"msgsPerSec"`
	P50ms      float64 `json:"p50ms"`
	P99ms      float64 `json:"p99ms"`
	InOrder    bool    `json:"inOrder"`
	// CPUms1k is the reader process's CPU time per 1,000 messages, in
	// milliseconds (the floor's excludes its decoding after the run).
	CPUms1k float64 `json:"cpuMsPer1000"`
	// ServerCPUms1k is the server process's CPU time per 1,000 messages
	// while it served this reader, Softirqms1k the machine's softirq time
	// (both 10 ms resolution), and Segments1k the TCP data segments the
	// machine sent per 1,000 messages; -1 if not measured.
	ServerCPUms1k float64 `json:"serverCpuMsPer1000"`
	Softirqms1k   float64 `json:"softirqMsPer1000"`
	Segments1k    float64 `json:"dataSegmentsPer1000"`
}

// per1k scales a figure of a burst of n to 1,000 messages; a negative
// figure (not measured) stays -1.
func per1k(v float64, n int) float64 {
	if v < 0 {
		return -1
	}
	return v * 1000 / float64(n)
}

// benchTable renders rows as a markdown table with the Go/JS ratios.
func benchTable(rows []benchRow) string {
	var b strings.Builder
	b.WriteString("| server | transport | in flight | reader | msgs/s | p50 ms | p99 ms | CPU ms/1000 msgs | server CPU ms/1000 msgs | softirq ms/1000 msgs | data segments/1000 msgs | in order |\n")
	b.WriteString("|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|\n")
	names := map[string]string{"go": "Go (omni/cometd)", "go-json": "Go, encoding/json handler",
		"js": "JS (cometd 9.0.0)", "floor": "floor (raw reader)"}
	group := map[string]benchRow{} // the rows of the current server, transport and size
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %d | %s | %.0f | %.2f | %.2f | %.2f | %.1f | %.1f | %.0f | %v |\n", r.Server, r.Transport, r.Messages,
			names[r.Client], r.MsgsPerSec, r.P50ms, r.P99ms, r.CPUms1k, r.ServerCPUms1k, r.Softirqms1k, r.Segments1k, r.InOrder)
		group[r.Client] = r
		if r.Client == "floor" { // the last row of a group
			g, j := group["go"], group["js"]
			clear(group)
			fmt.Fprintf(&b, "| %s | %s | %d | **Go/JS** | **%.2f×** | %.2f× | %.2f× | %.2f× | %.2f× | %.2f× | %.2f× | |\n", r.Server, r.Transport, r.Messages,
				ratio(g.MsgsPerSec, j.MsgsPerSec), ratio(g.P50ms, j.P50ms), ratio(g.P99ms, j.P99ms), ratio(g.CPUms1k, j.CPUms1k),
				ratio(g.ServerCPUms1k, j.ServerCPUms1k), ratio(g.Softirqms1k, j.Softirqms1k), ratio(g.Segments1k, j.Segments1k))
		}
	}
	return b.String()
}

// median returns the per-figure median of runs; InOrder holds only if it
// held in every run.
func median(runs []benchResult) benchResult {
	rate := make([]float64, len(runs))
	p50 := make([]time.Duration, len(runs))
	p99 := make([]time.Duration, len(runs))
	cpu := make([]time.Duration, len(runs))
	scpu := make([]time.Duration, len(runs))
	soft := make([]time.Duration, len(runs))
	segs := make([]int64, len(runs))
	out := benchResult{InOrder: true}
	for i, r := range runs {
		rate[i], p50[i], p99[i], cpu[i] = r.MsgsPerSec, r.P50, r.P99, r.CPU
		scpu[i], soft[i], segs[i] = r.ServerCPU, r.Softirq, r.Segments
		out.InOrder = out.InOrder && r.InOrder
	}
	slices.Sort(rate)
	slices.Sort(p50)
	slices.Sort(p99)
	slices.Sort(cpu)
	slices.Sort(scpu)
	slices.Sort(soft)
	slices.Sort(segs)
	mid := len(runs) / 2
	out.MsgsPerSec, out.P50, out.P99, out.CPU = rate[mid], p50[mid], p99[mid], cpu[mid]
	out.ServerCPU, out.Softirq, out.Segments = scpu[mid], soft[mid], segs[mid]
	if scpu[0] < 0 { // not measured in some run
		out.ServerCPU = -1
	}
	if soft[0] < 0 {
		out.Softirq = -1
	}
	if segs[0] < 0 {
		out.Segments = -1
	}
	return out
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// benchPacing is the Go client's read pacing: OMNI_BENCH_READ_PACING if
// set, to compare settings in one harness, or the client's default.
func benchPacing(t *testing.T) cometd.Option {
	v := os.Getenv(benchPacingEnv)
	if v == "" {
		return cometd.WithReadPacing(cometd.DefaultReadPacing)
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		t.Fatalf("%s: %v", benchPacingEnv, err)
	}
	return cometd.WithReadPacing(d)
}

// benchGo measures the Go client receiving n server-side publishes.
func benchGo(t *testing.T, p *Peer, transport, channel string, n int, decode benchDecode) benchResult {
	t.Helper()
	// Default options apart from the transport (and the read pacing, when
	// OMNI_BENCH_READ_PACING sets it): no logger, default queue.
	c, err := cometd.NewClient(p.URL(), cometd.WithTransports(transport), benchPacing(t))
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
		d, err := decode(m.Data)
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
	// CPU of this process from the publish to the last handler call: the
	// client's reading, decoding and delivery (and the handler's decoding,
	// as in the JS reader). Garbage of earlier runs is collected first.
	runtime.GC()
	cpu0, srv := processCPU(), markServer(p)
	p.Publish(channel, n, nil)
	select {
	case <-done:
	case <-time.After(5 * time.Minute):
		t.Fatalf("Go client: not all %d messages within the guard", n)
	}
	cpu := processCPU() - cpu0
	server := srv.since(p, benchResult{})
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
		CPU:        cpu,
		ServerCPU:  server.ServerCPU,
		Softirq:    server.Softirq,
		Segments:   server.Segments,
	}
}

// benchJS measures the official JavaScript client on the same server.
func benchJS(t *testing.T, p *Peer, transport, channel string, n int) benchResult {
	t.Helper()
	js := StartJSClient(t, JSClientOptions{URL: p.URL(), Channel: channel, Count: n, Transport: transport,
		Disconnect: true, Timeout: 5 * time.Minute})
	js.WaitEvent("subscribed", guard)
	srv := markServer(p)
	p.Publish(channel, n, nil)
	d := js.WaitEvent("done", 5*time.Minute)
	server := srv.since(p, benchResult{})
	js.Wait(guard)
	return benchResult{
		ServerCPU:  server.ServerCPU,
		Softirq:    server.Softirq,
		Segments:   server.Segments,
		MsgsPerSec: d.MsgsPerSec,
		P50:        time.Duration(d.P50 * float64(time.Millisecond)),
		P99:        time.Duration(d.P99 * float64(time.Millisecond)),
		InOrder:    d.InOrder && d.Duplicates == 0 && d.Missing == 0 && d.Received == n,
		CPU:        time.Duration(d.CPUMicros * float64(time.Microsecond)),
	}
}

// benchSizes parses the comma-separated burst sizes in the environment
// variable env, or returns def.
func benchSizes(t *testing.T, env string, def []int) []int {
	t.Helper()
	v := os.Getenv(env)
	if v == "" {
		return def
	}
	var sizes []int
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			t.Fatalf("%s=%q: want positive integers separated by commas", env, v)
		}
		sizes = append(sizes, n)
	}
	return sizes
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
