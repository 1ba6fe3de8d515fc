// Command scale is the scale benchmark of `make bench`: N concurrent CometD
// sessions (this client) against the simulator, each subscribed to its own
// channel and receiving one event per second. The simulator runs in a child
// process (this program with -serve), so the figures of this process are the
// client's alone: heap, goroutine stacks, RSS and goroutines per session, and
// CPU at steady state. It writes one JSON object per run to -out.
//
//	go run ./bench/scale -n 100,1000,10000 -transports long-polling,websocket -steady 10s -out scale.json
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// result is the outcome of one run.
type result struct {
	Sessions          int     `json:"sessions"`
	Transport         string  `json:"transport"`
	SetupSeconds      float64 `json:"setupSeconds"`
	SteadySeconds     float64 `json:"steadySeconds"`
	HeapPerSession    float64 `json:"heapPerSession"`  // bytes
	StackPerSession   float64 `json:"stackPerSession"` // bytes
	RSSPerSession     float64 `json:"rssPerSession"`   // bytes
	GoroutinesPerSess float64 `json:"goroutinesPerSession"`
	ClientCPUPercent  float64 `json:"clientCpuPercent"` // of one core
	ServerCPUPercent  float64 `json:"serverCpuPercent"` // of one core
	ClientCPUPerEvent float64 `json:"clientCpuPerEventMicros"`
	EventsPerSec      float64 `json:"eventsPerSec"` // delivered to handlers
	ExpectedPerSec    float64 `json:"expectedPerSec"`
}

func main() {
	serveN := flag.Int("serve", 0, "internal: run the simulator child for N channels")
	ns := flag.String("n", "100,1000,10000", "comma-separated session counts")
	transports := flag.String("transports", "long-polling,websocket", "comma-separated transports")
	steady := flag.Duration("steady", 10*time.Second, "length of the measured steady state")
	warm := flag.Duration("warm", 3*time.Second, "settling time before the steady state")
	out := flag.String("out", "", "file for the JSON results (default stdout)")
	one := flag.Int("one", 0, "measure one run of N sessions over -transports in this process and print its JSON")
	memProfile := flag.String("memprofile", "", "with -one: write a heap profile at the end of the steady state")
	flag.Parse()
	if *one > 0 {
		r, err := run(*one, *transports, *warm, *steady, *memProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "scale:", err)
			os.Exit(1)
		}
		_ = json.NewEncoder(os.Stdout).Encode(r)
		return
	}
	if *serveN > 0 {
		if err := serve(*serveN); err != nil {
			fmt.Fprintln(os.Stderr, "scale: serve:", err)
			os.Exit(1)
		}
		return
	}
	var results []result
	for _, tr := range strings.Split(*transports, ",") {
		for _, s := range strings.Split(*ns, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || n <= 0 {
				fmt.Fprintf(os.Stderr, "scale: bad -n %q\n", s)
				os.Exit(2)
			}
			r, err := runChild(n, strings.TrimSpace(tr), *warm, *steady)
			if err != nil {
				fmt.Fprintf(os.Stderr, "scale: %d %s: %v\n", n, tr, err)
				os.Exit(1)
			}
			fmt.Fprintf(os.Stderr, "scale: %5d %-12s heap %6.0f B/session, rss %6.0f B/session, %.2f goroutines/session, client CPU %.1f%%, %.0f/%.0f events/s\n",
				r.Sessions, r.Transport, r.HeapPerSession, r.RSSPerSession, r.GoroutinesPerSess, r.ClientCPUPercent, r.EventsPerSec, r.ExpectedPerSec)
			results = append(results, r)
		}
	}
	b, _ := json.MarshalIndent(results, "", "  ")
	b = append(b, '\n')
	if *out == "" {
		os.Stdout.Write(b)
		return
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "scale:", err)
		os.Exit(1)
	}
}

// runChild measures one run in a fresh process, so that the memory left
// behind by earlier runs does not blur the figures.
func runChild(n int, transport string, warm, steady time.Duration) (result, error) {
	var r result
	self, err := os.Executable()
	if err != nil {
		return r, err
	}
	cmd := exec.Command(self, "-one", strconv.Itoa(n), "-transports", transport,
		"-warm", warm.String(), "-steady", steady.String())
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		return r, err
	}
	err = json.Unmarshal(b, &r)
	return r, err
}
