package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseGoBenchMedians(t *testing.T) {
	out := `goos: linux
BenchmarkA-2   	 100	  300 ns/op	  10 B/op	  3 allocs/op
BenchmarkA-2   	 100	  100 ns/op	  10 B/op	  3 allocs/op
BenchmarkA-2   	 100	  200 ns/op	  10 B/op	  3 allocs/op
BenchmarkB-2   	 100	  50 ns/op	  7.5 sends/s	  0 B/op	  0 allocs/op
BenchmarkB-2   	 100	  70 ns/op	  9.5 sends/s	  0 B/op	  0 allocs/op
PASS
`
	p := filepath.Join(t.TempDir(), "bench.txt")
	if err := os.WriteFile(p, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	gb, err := parseGoBench(p)
	if err != nil {
		t.Fatal(err)
	}
	if got := gb["BenchmarkA"].median("ns/op"); got != 200 {
		t.Errorf("median ns/op of A = %v, want 200", got)
	}
	if got := gb["BenchmarkA"].runs(); got != 3 {
		t.Errorf("runs of A = %d, want 3", got)
	}
	if got := gb["BenchmarkB"].median("sends/s"); got != 8.5 {
		t.Errorf("median sends/s of B = %v, want 8.5 (mean of the middle two)", got)
	}
	if _, ok := gb["goos:"]; ok || len(gb) != 2 {
		t.Errorf("parsed %v", gb)
	}
}

func TestRewriteKeepsTextOutsideMarkers(t *testing.T) {
	doc := "intro\n<!-- bench:a -->\nold a\n<!-- /bench:a -->\nmiddle\n<!-- bench:b -->\nold b\n<!-- /bench:b -->\nend\n"
	got, missing := rewrite(doc, map[string]string{"a": "new a\n", "c": "x"})
	want := "intro\n<!-- bench:a -->\nnew a\n<!-- /bench:a -->\nmiddle\n<!-- bench:b -->\nold b\n<!-- /bench:b -->\nend\n"
	if got != want {
		t.Errorf("rewrite:\n%s\nwant:\n%s", got, want)
	}
	if len(missing) != 1 || missing[0] != "c" {
		t.Errorf("missing = %v, want [c]", missing)
	}
}

func TestPairTableVerdicts(t *testing.T) {
	gb := map[string]goBench{
		"BenchmarkSDK":  {"ns/op": {110}, "allocs/op": {120}},
		"BenchmarkBase": {"ns/op": {100}, "allocs/op": {104}},
	}
	s, ok := pairTable(gb, []pair{{"x", "BenchmarkSDK", "BenchmarkBase", 1.10, 15, ""}})
	if !ok || !strings.Contains(s, "**not met**") || !strings.Contains(s, "+16") {
		t.Errorf("16 extra allocations must fail the goal:\n%s", s)
	}
	gb["BenchmarkSDK"]["allocs/op"] = []float64{119}
	s, _ = pairTable(gb, []pair{{"x", "BenchmarkSDK", "BenchmarkBase", 1.10, 15, ""}})
	if strings.Contains(s, "not met") {
		t.Errorf("1.10× and +15 meet the goal:\n%s", s)
	}
}

func TestScaleSectionUsesMarginalCost(t *testing.T) {
	rows := []scaleRow{
		{Sessions: 100, Transport: "websocket", HeapPerSession: 20 << 10, GoroutinesPerSess: 2.5},
		// Total 1000×15.5 KiB; the 900 added sessions cost (15500−2000)/900 = 15 KiB each.
		{Sessions: 1000, Transport: "websocket", HeapPerSession: 15.5 * 1024, GoroutinesPerSess: 2.05},
	}
	s := scaleSection(rows)
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) != 4 {
		t.Fatalf("table:\n%s", s)
	}
	if !strings.Contains(lines[2], "not met") || !strings.Contains(lines[3], "| 15.0 (≤ 16)") || strings.Contains(lines[3], "not met") {
		t.Errorf("table:\n%s", s)
	}
}

func TestCeilingSectionVerdictAndSplit(t *testing.T) {
	rows := []xlRow{
		{Server: "faye", Transport: "websocket", Messages: 10, Rounds: 7, Client: "go", MsgsPerSec: 3, InOrder: true},
		{Server: "faye", Transport: "websocket", Messages: 10, Rounds: 7, Client: "js", MsgsPerSec: 1, InOrder: true},
		{Server: "simulator", Transport: "websocket", Messages: 10, Rounds: 7, Client: "go", MsgsPerSec: 200, CPUms1k: 2, InOrder: true},
		{Server: "simulator", Transport: "websocket", Messages: 10, Rounds: 7, Client: "go-json", MsgsPerSec: 150, CPUms1k: 3, InOrder: true},
		{Server: "simulator", Transport: "websocket", Messages: 10, Rounds: 7, Client: "js", MsgsPerSec: 100, CPUms1k: 4, InOrder: true},
		{Server: "simulator", Transport: "long-polling", Messages: 10, Rounds: 7, Client: "go", MsgsPerSec: 200, CPUms1k: 2.1, InOrder: true},
		{Server: "simulator", Transport: "long-polling", Messages: 10, Rounds: 7, Client: "js", MsgsPerSec: 100, CPUms1k: 4, InOrder: true},
	}
	c := cometdSection(rows)
	if strings.Contains(c, "simulator") || !strings.Contains(c, "faye / websocket") {
		t.Errorf("cometd table must hold the third-party rows only:\n%s", c)
	}
	// A burst of 10 is below the server figures' resolution.
	if row := strings.Split(strings.TrimSpace(c), "\n")[2]; !strings.Contains(row, "| – | – | – |") {
		t.Errorf("no server figures for 10 in flight:\n%s", row)
	}
	// 3× the msgs/s with no p99 (0 ≤ 1): both goals met.
	if row := strings.Split(strings.TrimSpace(c), "\n")[2]; strings.Contains(row, "not met") || !strings.HasSuffix(row, "| met | met |") {
		t.Errorf("faye row:\n%s", row)
	}
	s := ceilingSection(rows)
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) < 4 || strings.Contains(s, "faye") {
		t.Fatalf("ceiling table:\n%s", s)
	}
	if !strings.HasPrefix(lines[2], "| websocket |") || strings.Contains(lines[2], "not met") || !strings.Contains(lines[2], "**0.50×**") {
		t.Errorf("2× the msgs/s at half the CPU meets the goal:\n%s", lines[2])
	}
	if !strings.Contains(lines[2], "| 150 (1.50×), 3.00 |") {
		t.Errorf("the encoding/json handler's figures are shown beside the verdict's:\n%s", lines[2])
	}
	if !strings.Contains(lines[3], "not met") || !strings.Contains(lines[3], "| – |") {
		t.Errorf("more than half the CPU per message fails the goal; no go-json row shows –:\n%s", lines[3])
	}
}

// Per-round pairing: a load change between rounds hits an SDK benchmark and
// its baseline alike, so the verdict uses the median of per-round ratios.
func TestPairTableUsesPerRoundRatios(t *testing.T) {
	gb := map[string]goBench{
		// Rounds 2 and 3 ran on a loaded machine: both benchmarks slowed.
		"BenchmarkSDK":  {"ns/op": {105, 210, 205}, "allocs/op": {110, 110, 110}},
		"BenchmarkBase": {"ns/op": {100, 200, 200}, "allocs/op": {104, 104, 104}},
	}
	s, _ := pairTable(gb, []pair{{"x", "BenchmarkSDK", "BenchmarkBase", 1.10, 15, ""}})
	if !strings.Contains(s, "**1.050×**") || strings.Contains(s, "not met") {
		t.Errorf("median of 1.05, 1.05, 1.025 is 1.05:\n%s", s)
	}
	gb["BenchmarkSDK"]["ns/op"] = []float64{105, 210}
	s, _ = pairTable(gb, []pair{{"x", "BenchmarkSDK", "BenchmarkBase", 1.10, 15, ""}})
	if !strings.Contains(s, "**0.787×**") {
		t.Errorf("unequal run counts fall back to the ratio of medians (157.5/200):\n%s", s)
	}
}

func TestPairTableTakesTheInterleavedRatio(t *testing.T) {
	gb := map[string]goBench{
		// Run one after the other, the separate benchmarks disagree by 12 %;
		// the interleaved runs measured 1.07, 1.12 and 1.05.
		"BenchmarkSDK":  {"ns/op": {112}, "allocs/op": {110}},
		"BenchmarkBase": {"ns/op": {100}, "allocs/op": {104}},
		"BenchmarkPair": {"ns/op": {200, 200, 200}, "sdk/bare": {1.07, 1.12, 1.05},
			"sdk-ns/send": {107, 112, 105}, "bare-ns/send": {100, 100, 100}},
	}
	s, _ := pairTable(gb, []pair{{"x", "BenchmarkSDK", "BenchmarkBase", 1.10, 15, "BenchmarkPair"}})
	if !strings.Contains(s, "**1.070×**") || !strings.Contains(s, "median of 3 interleaved runs, 107 / 100 ns") ||
		!strings.Contains(s, "ratio of medians 1.120×") || strings.Contains(s, "not met") {
		t.Errorf("the verdict is the interleaved runs' median ratio (1.07), the separate ratio shown beside it:\n%s", s)
	}
	gb["BenchmarkPair"]["sdk/bare"] = []float64{1.11, 1.12, 1.05}
	if s, _ = pairTable(gb, []pair{{"x", "BenchmarkSDK", "BenchmarkBase", 1.10, 15, "BenchmarkPair"}}); !strings.Contains(s, "**not met**") {
		t.Errorf("a median of 1.11 fails the 1.10 goal:\n%s", s)
	}
}

// The readers' and the server's CPU and the data segments per 1,000
// messages are shown for the Go, JS and floor readers side by side, from
// minServerBurst messages in flight, with – for a figure not measured.
func TestCometdSectionShowsTheServersCost(t *testing.T) {
	rows := []xlRow{
		{Server: "faye", Transport: "websocket", Messages: 10000, Rounds: 7, Client: "go", MsgsPerSec: 48826, InOrder: true,
			CPUms1k: 22.28, ServerCPUms1k: 26, Softirqms1k: 3, Segments1k: 879},
		{Server: "faye", Transport: "websocket", Messages: 10000, Rounds: 7, Client: "js", MsgsPerSec: 49926, InOrder: true,
			CPUms1k: 16.3, ServerCPUms1k: 21, Softirqms1k: 0, Segments1k: 337},
		{Server: "faye", Transport: "websocket", Messages: 10000, Rounds: 7, Client: "floor", MsgsPerSec: 55822, InOrder: true,
			CPUms1k: 7.96, ServerCPUms1k: 35, Softirqms1k: 3, Segments1k: 716},
		{Server: "cometd-nodejs-server", Transport: "long-polling", Messages: 10000, Rounds: 7, Client: "go", MsgsPerSec: 2, InOrder: true,
			ServerCPUms1k: -1, Softirqms1k: -1, Segments1k: 500},
		{Server: "cometd-nodejs-server", Transport: "long-polling", Messages: 10000, Rounds: 7, Client: "js", MsgsPerSec: 1, InOrder: true,
			ServerCPUms1k: 20, Segments1k: 400},
	}
	lines := strings.Split(strings.TrimSpace(cometdSection(rows)), "\n")
	if len(lines) < 4 {
		t.Fatalf("table:\n%s", strings.Join(lines, "\n"))
	}
	if !strings.Contains(lines[2], "| 22.3 / 16.3 / 8.0 | 26 / 21 / 35 | 3.0 / 0.0 / 3.0 | 879 / 337 / 716 | **not met** | **not met** |") {
		t.Errorf("faye row:\n%s", lines[2])
	}
	if !strings.Contains(lines[3], "| – | – / 20 / – | – / 0.0 / – | 500 / 400 / – |") {
		t.Errorf("a server CPU not measured for one reader shows –:\n%s", lines[3])
	}
}
