package main

import (
	"fmt"
	"slices"
	"strings"
)

// goSections renders the tables fed by go test -bench output.
func goSections(gb map[string]goBench) map[string]string {
	out := map[string]string{}
	if s, ok := pairTable(gb, []pair{
		{"REST send (Messenger SendSingle, loopback)", "BenchmarkMessengerSendSingle", "BenchmarkBareNetHTTP", 1.10, 15, "BenchmarkRESTPair"},
		{"REST send without a network (in-memory RoundTripper: the client side's CPU)", "BenchmarkMessengerSendSingleNoNetwork", "BenchmarkBareNetHTTPNoNetwork", 1.10, 15, ""},
	}); ok {
		out["rest"] = s
	}
	if s, ok := pairTable(gb, []pair{
		{"encode: SendSingle's body (wire form)", "BenchmarkMessengerJSONEncodeWire", "BenchmarkPlainJSONEncode", 1.2, -1, ""},
		{"encode: json.Marshal(SingleMessage)", "BenchmarkMessengerJSONEncode", "BenchmarkPlainJSONEncode", 1.2, -1, ""},
		{"decode: json.Unmarshal into SingleMessage", "BenchmarkMessengerJSONDecode", "BenchmarkPlainJSONDecode", 1.2, -1, ""},
	}); ok {
		out["json"] = s
	}
	var b strings.Builder
	b.WriteString("| benchmark | runs | median ns/op | throughput | B/op | allocs/op |\n|---|---:|---:|---:|---:|---:|\n")
	n := 0
	for _, r := range []struct{ name, unit, label string }{
		{"BenchmarkSimulatorSendAndWait", "sends/s", "sends/s with their notification"},
		{"BenchmarkPublishFanout", "deliveries/s", "deliveries/s (server core, no HTTP)"},
	} {
		g, ok := gb[r.name]
		if !ok {
			continue
		}
		n++
		fmt.Fprintf(&b, "| %s | %d | %.0f | %.0f %s | %.0f | %.0f |\n", r.name, g.runs(), g.median("ns/op"),
			g.median(r.unit), r.label, g.median("B/op"), g.median("allocs/op"))
	}
	if n > 0 {
		out["simulator"] = b.String()
	}
	return out
}

// pair is an SDK benchmark and its baseline, with the goals: the ns/op
// ratio and, when allocs >= 0, the allocations allowed above the baseline.
// When interleaved names a benchmark that measured both in alternating
// chunks and reported their ratio as its "sdk/bare" metric, the verdict's
// ratio is the median of that metric, and the ratio of the separate
// benchmarks' medians is shown beside it.
type pair struct {
	label, sdk, base string
	maxRatio         float64
	allocs           float64
	interleaved      string
}

// pairedRatio is the median of the per-round ratios sdk[i]/base[i] when
// both have the same number of runs (scripts/bench.sh runs an SDK benchmark
// and its baseline back to back in each round, so a change of the machine's
// load between rounds cancels out); otherwise the ratio of the medians.
// paired says which.
func pairedRatio(sdk, base []float64) (ratio float64, paired bool) {
	if len(sdk) == 0 || len(sdk) != len(base) {
		return goBench{"x": sdk}.median("x") / goBench{"x": base}.median("x"), false
	}
	r := make([]float64, len(sdk))
	for i := range sdk {
		r[i] = sdk[i] / base[i]
	}
	return goBench{"x": r}.median("x"), true
}

// pairTable renders SDK/baseline ratios; ok is false if nothing was found.
func pairTable(gb map[string]goBench, pairs []pair) (string, bool) {
	var b strings.Builder
	b.WriteString("| figure | benchmark | runs | median ns/op | B/op | allocs/op | ratio (goal) | verdict |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---|---|\n")
	found := false
	for _, p := range pairs {
		s, ok1 := gb[p.sdk]
		base, ok2 := gb[p.base]
		if !ok1 || !ok2 {
			continue
		}
		found = true
		r, paired := pairedRatio(s["ns/op"], base["ns/op"])
		goal := fmt.Sprintf("**%.3f×** (≤ %.2f×)", r, p.maxRatio)
		if paired {
			goal = fmt.Sprintf("**%.3f×** (≤ %.2f×; ratio of medians %.3f×)", r, p.maxRatio, s.median("ns/op")/base.median("ns/op"))
		}
		if il, ok := gb[p.interleaved]; ok && len(il["sdk/bare"]) > 0 {
			r = il.median("sdk/bare")
			goal = fmt.Sprintf("**%.3f×** (≤ %.2f×; median of %d interleaved runs, %.0f / %.0f ns per send; separate runs' ratio of medians %.3f×)",
				r, p.maxRatio, len(il["sdk/bare"]), il.median("sdk-ns/send"), il.median("bare-ns/send"), s.median("ns/op")/base.median("ns/op"))
		}
		extra := s.median("allocs/op") - base.median("allocs/op")
		ok := r <= p.maxRatio && (p.allocs < 0 || extra <= p.allocs)
		if p.allocs >= 0 {
			goal += fmt.Sprintf("; allocs **%+.0f** (≤ +%.0f)", extra, p.allocs)
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %.0f | %.0f | %.0f | | |\n", p.label, p.sdk, s.runs(), s.median("ns/op"), s.median("B/op"), s.median("allocs/op"))
		fmt.Fprintf(&b, "| | %s (baseline) | %d | %.0f | %.0f | %.0f | %s | %s |\n", p.base, base.runs(), base.median("ns/op"), base.median("B/op"), base.median("allocs/op"), goal, verdict(ok))
	}
	return b.String(), found
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "**not met**"
}

// xlRow is one line of the cross-language harness JSON.
type xlRow struct {
	Server     string  `json:"server"`
	Transport  string  `json:"transport"`
	Messages   int     `json:"messages"`
	Rounds     int     `json:"rounds"`
	Client     string  `json:"client"`
	MsgsPerSec float64 `json:"msgsPerSec"`
	P50ms      float64 `json:"p50ms"`
	P99ms      float64 `json:"p99ms"`
	InOrder    bool    `json:"inOrder"`
	CPUms1k    float64 `json:"cpuMsPer1000"` // the reader process's CPU ms per 1,000 messages
	// The server's side while it served this reader: its process's CPU ms
	// per 1,000 messages and the machine's TCP data segments per 1,000
	// messages; -1 where not measured (older runs, other platforms: 0).
	ServerCPUms1k float64 `json:"serverCpuMsPer1000"`
	Softirqms1k   float64 `json:"softirqMsPer1000"` // the machine's, charged to no process
	Segments1k    float64 `json:"dataSegmentsPer1000"`
}

// minServerBurst is the smallest burst whose server figures are shown: the
// server's CPU time is counted in 10 ms ticks.
const minServerBurst = 1000

// serverFigures renders, per 1,000 messages, for the Go, JS and floor
// readers in turn: the reader process's CPU time, and while the server
// served that reader the server process's CPU time, the machine's softirq
// time and the TCP data segments sent. A reader's figure not measured
// shows –, and all show – where the burst is too small for the ticks.
func serverFigures(n int, readers ...xlRow) (reader, cpu, softirq, segs string) {
	if n < minServerBurst {
		return "–", "–", "–", "–"
	}
	var rc, sc, si, sg []string
	for _, r := range readers {
		rc = append(rc, figure(r.CPUms1k > 0, "%.1f", r.CPUms1k))
		sc = append(sc, figure(r.ServerCPUms1k > 0, "%.0f", r.ServerCPUms1k))
		// A machine idle in soft interrupts reads 0: unlike the others, 0
		// is a measurement here, and only -1 means "not measured" (with
		// the server's CPU or segments measured beside it).
		si = append(si, figure(r.Softirqms1k >= 0 && (r.ServerCPUms1k > 0 || r.Segments1k > 0), "%.1f", r.Softirqms1k))
		sg = append(sg, figure(r.Segments1k > 0, "%.0f", r.Segments1k))
	}
	join := func(f []string) string {
		if slices.IndexFunc(f, func(s string) bool { return s != "–" }) < 0 {
			return "–"
		}
		return strings.Join(f, " / ")
	}
	return join(rc), join(sc), join(si), join(sg)
}

// figure formats v, or – where it was not measured (ok false).
func figure(ok bool, format string, v float64) string {
	if !ok {
		return "–"
	}
	return fmt.Sprintf(format, v)
}

// simulatorServer is the server name of the ceiling rows (interop.Simulator).
const simulatorServer = "simulator"

// xlKey identifies one server, transport and burst size.
type xlKey struct {
	server, transport string
	n                 int
}

// groupXL groups rows by server, transport and burst size (in first-seen
// order) and reader, keeping those whose server is (ceiling) or is not the
// simulator.
func groupXL(rows []xlRow, ceiling bool) ([]xlKey, map[xlKey]map[string]xlRow) {
	by := map[xlKey]map[string]xlRow{}
	var order []xlKey
	for _, r := range rows {
		if (r.Server == simulatorServer) != ceiling {
			continue
		}
		k := xlKey{r.Server, r.Transport, r.Messages}
		if by[k] == nil {
			by[k] = map[string]xlRow{}
			order = append(order, k)
		}
		by[k][r.Client] = r
	}
	return order, by
}

// ceilingSection renders the rows read from the simulator's server, where
// the server is not the bottleneck, with each reader's CPU per message.
// Goals: Go ≥ 2× the JS client's msgs/s and ≤ ½ its CPU per message. The
// verdict is the "go" reader's (a handler that takes two numbers with a
// byte scan); "go-json", the same client with an encoding/json handler, is
// shown beside it when the run has it.
func ceilingSection(rows []xlRow) string {
	order, by := groupXL(rows, true)
	var b strings.Builder
	b.WriteString("| transport | in flight | Go msgs/s | JS msgs/s | **Go/JS msgs/s** (goal ≥ 2) | Go p50 / p99 ms | JS p50 / p99 ms | Go CPU ms / 1,000 msgs | JS CPU ms / 1,000 msgs | **Go/JS CPU per msg** (goal ≤ 0.5) | Go with an encoding/json handler: msgs/s (/JS), CPU ms / 1,000 | floor msgs/s | verdict |\n")
	b.WriteString("|---|---:|---:|---:|---|---|---|---:|---:|---|---|---:|---|\n")
	for _, k := range order {
		g, j, f := by[k]["go"], by[k]["js"], by[k]["floor"]
		rr, rc := div(g.MsgsPerSec, j.MsgsPerSec), div(g.CPUms1k, j.CPUms1k)
		v := verdict(rr >= 2 && rc <= 0.5 && rc > 0)
		if !g.InOrder {
			v += " (Go out of order!)"
		}
		withJSON := "–"
		if gj, ok := by[k]["go-json"]; ok {
			withJSON = fmt.Sprintf("%.0f (%.2f×), %.2f", gj.MsgsPerSec, div(gj.MsgsPerSec, j.MsgsPerSec), gj.CPUms1k)
			if !gj.InOrder {
				v += " (Go with encoding/json out of order!)"
			}
		}
		fmt.Fprintf(&b, "| %s | %d | %.0f | %.0f | **%.2f×** | %.2f / %.2f | %.2f / %.2f | %.2f | %.2f | **%.2f×** | %s | %.0f | %s |\n",
			k.transport, k.n, g.MsgsPerSec, j.MsgsPerSec, rr, g.P50ms, g.P99ms, j.P50ms, j.P99ms, g.CPUms1k, j.CPUms1k, rc, withJSON, f.MsgsPerSec, v)
	}
	if len(order) > 0 {
		fmt.Fprintf(&b, "\nMedian of %d alternating rounds per reader after a warm-up. CPU = the reader process's user + system time from the publish to its last message (Go: getrusage of the test process; JS: process.cpuUsage()). Go's handler takes seq and ts with a byte scan; the encoding/json column is the same client whose handler decodes each message's data with json.Unmarshal.\n", by[order[0]]["go"].Rounds)
	}
	return b.String()
}

// cometdSection renders the cross-language comparison with its goals.
func cometdSection(rows []xlRow) string {
	order, by := groupXL(rows, false)
	var b strings.Builder
	b.WriteString("| server / transport | in flight | Go msgs/s | JS msgs/s | **Go/JS msgs/s** (goal ≥ 2) | Go p50 / p99 ms | JS p50 / p99 ms | **Go/JS p99** (goal ≤ 1) | floor msgs/s | Go/floor | reader CPU ms / 1,000 msgs, Go / JS / floor | server CPU ms / 1,000 msgs, serving Go / JS / floor | machine softirq ms / 1,000 msgs, Go / JS / floor | data segments / 1,000 msgs, Go / JS / floor | verdict (≥ 2×, p99 ≤ 1×) | Go ≥ JS and p99 ≤ JS (issue 14) |\n")
	b.WriteString("|---|---:|---:|---:|---|---|---|---|---:|---:|---|---|---|---|---|---|\n")
	for _, k := range order {
		g, j, f := by[k]["go"], by[k]["js"], by[k]["floor"]
		rr, rp := div(g.MsgsPerSec, j.MsgsPerSec), div(g.P99ms, j.P99ms)
		v := verdict(rr >= 2 && rp <= 1)
		if !g.InOrder {
			v += " (Go out of order!)"
		}
		rcpu, scpu, soft, segs := serverFigures(k.n, g, j, f)
		fmt.Fprintf(&b, "| %s / %s | %d | %.0f | %.0f | **%.2f×** | %.2f / %.2f | %.2f / %.2f | **%.2f×** | %.0f | %.2f | %s | %s | %s | %s | %s | %s |\n",
			k.server, k.transport, k.n, g.MsgsPerSec, j.MsgsPerSec, rr, g.P50ms, g.P99ms, j.P50ms, j.P99ms, rp, f.MsgsPerSec, div(g.MsgsPerSec, f.MsgsPerSec),
			rcpu, scpu, soft, segs, v, verdict(rr >= 1 && rp <= 1))
	}
	if len(order) > 0 {
		fmt.Fprintf(&b, "\nMedian of %d alternating rounds per reader after a warm-up. msgs/s = burst size ÷ (last handler call − first publish). Reader CPU = the reader process's user + system time (Go and floor: getrusage of the test process; JS: process.cpuUsage()), server CPU = the server process's user + system time (/proc/<pid>/stat), machine softirq = the time all CPUs spent in soft interrupts, which the kernel charges to no process (/proc/stat; both 10 ms ticks), and data segments = the machine's TCP segments carrying data (TcpExt TCPOrigDataSent), all from the publish to the reader's last message; shown from %d messages in flight.\n", by[order[0]]["go"].Rounds, minServerBurst)
	}
	return b.String()
}

func div(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// scaleRow is one run of bench/scale.
type scaleRow struct {
	Sessions          int     `json:"sessions"`
	Transport         string  `json:"transport"`
	SetupSeconds      float64 `json:"setupSeconds"`
	SteadySeconds     float64 `json:"steadySeconds"`
	HeapPerSession    float64 `json:"heapPerSession"`
	StackPerSession   float64 `json:"stackPerSession"`
	RSSPerSession     float64 `json:"rssPerSession"`
	GoroutinesPerSess float64 `json:"goroutinesPerSession"`
	ClientCPUPercent  float64 `json:"clientCpuPercent"`
	ServerCPUPercent  float64 `json:"serverCpuPercent"`
	ClientCPUPerEvent float64 `json:"clientCpuPerEventMicros"`
	EventsPerSec      float64 `json:"eventsPerSec"`
	ExpectedPerSec    float64 `json:"expectedPerSec"`
}

// scaleSection renders the scale runs. Per-session figures are given two
// ways: total ÷ N, and the marginal cost of the sessions added since the
// previous N (the slope, free of the process's fixed costs such as the
// shared idle-connection pool). A flat marginal column means linear growth.
// The verdict uses the marginal figures where there are some.
func scaleSection(rows []scaleRow) string {
	var b strings.Builder
	b.WriteString("| transport | sessions | heap KiB/session | marginal heap KiB/session (goal) | goroutines/session | marginal goroutines/session (goal ≤ 3) | stacks KiB/session | RSS KiB/session | client CPU % of a core | µs client CPU/event | simulator CPU % | events/s (expected) | verdict |\n")
	b.WriteString("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n")
	prev := map[string]scaleRow{}
	for _, r := range rows {
		goal := 32.0
		if r.Transport == "websocket" {
			goal = 16
		}
		heap, gor := r.HeapPerSession/1024, r.GoroutinesPerSess
		mHeap, mGor := "–", "–"
		if p, ok := prev[r.Transport]; ok && r.Sessions > p.Sessions {
			dn := float64(r.Sessions - p.Sessions)
			heap = (r.HeapPerSession*float64(r.Sessions) - p.HeapPerSession*float64(p.Sessions)) / dn / 1024
			gor = (r.GoroutinesPerSess*float64(r.Sessions) - p.GoroutinesPerSess*float64(p.Sessions)) / dn
			mHeap, mGor = fmt.Sprintf("%.1f", heap), fmt.Sprintf("%.2f", gor)
		}
		_, first := prev[r.Transport]
		first = !first
		prev[r.Transport] = r
		v := verdict(heap <= goal && gor <= 3.005)
		if first {
			v += " (total ÷ N: fixed costs included)"
		}
		fmt.Fprintf(&b, "| %s | %d | %.1f | %s (≤ %.0f) | %.2f | %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.0f (%.0f) | %s |\n",
			r.Transport, r.Sessions, r.HeapPerSession/1024, mHeap, goal, r.GoroutinesPerSess, mGor,
			r.StackPerSession/1024, r.RSSPerSession/1024, r.ClientCPUPercent, r.ClientCPUPerEvent, r.ServerCPUPercent,
			r.EventsPerSec, r.ExpectedPerSec, v)
	}
	return b.String()
}
