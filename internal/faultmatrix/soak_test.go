package faultmatrix

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/omnisdk/omni/cometd"
	"github.com/omnisdk/omni/omnitest"
)

// TestSoak runs three CometD subscribers (websocket only, long-polling
// only, and websocket falling back to long-polling), all with the ack
// extension, against the simulator behind a TCP proxy, while events are published steadily and random faults strike:
// network drops, blackholed replies, refused reconnects, 5xx answers,
// connects answered but never delivered, dropped server sessions and server
// restarts. Every event published while the subscribers were connected must
// arrive exactly once at each; goroutines must not grow and the heap must
// stay flat.
//
// It runs only with OMNI_SOAK=1 (make soak); OMNI_SOAK_DURATION sets the
// length (default 10m).
//
// Session faults (dropped sessions, restarts) lose what the server still
// queued for the old session by design (Bayeux cannot redeliver across a
// new clientId), so before one the soak waits until everything published has
// arrived, and publishes again only once every subscriber has re-subscribed:
// no event is published while a subscriber has no session.
func TestSoak(t *testing.T) {
	if os.Getenv("OMNI_SOAK") != "1" {
		t.Skip("soak run: set OMNI_SOAK=1 (make soak)")
	}
	dur := 10 * time.Minute
	if v := os.Getenv("OMNI_SOAK_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("OMNI_SOAK_DURATION: %v", err)
		}
		dur = d
	}
	const channel = "/soak/events"
	srv := omnitest.NewServer(t, omnitest.WithCometDTimeout(time.Second))
	px := newProxy(t, srv.Addr())
	url := "http://" + px.Addr() + "/api/v2/notifications"
	subs := []*subscriber{
		newSubscriber(t, url, channel, newCollector(), cometd.WithTransports(cometd.WebSocket)),
		newSubscriber(t, url, channel, newCollector(), cometd.WithTransports(cometd.LongPolling)),
		// Starts on websocket and falls back to long-polling (keeping its
		// session) once refused reconnects add up to three failures.
		newSubscriber(t, url, channel, newCollector(), cometd.WithTransports(cometd.WebSocket, cometd.LongPolling)),
	}

	var pubMu sync.Mutex // held while publishing is paused
	published := 0
	stop := make(chan struct{})
	pubDone := make(chan struct{})
	go func() { // about 200 events a second, in small bursts
		defer close(pubDone)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			pubMu.Lock()
			publishRange(srv, channel, published, published+2)
			published += 2
			pubMu.Unlock()
		}
	}()

	allDelivered := func(upto int) func() bool {
		return func() bool {
			for _, s := range subs {
				if d, _ := s.col.count(0, upto); d < upto {
					return false
				}
			}
			return true
		}
	}
	diagnose := func(upto int) {
		for i, s := range subs {
			d, dups := s.col.count(0, upto)
			missing := []int{}
			for q := 0; q < upto && len(missing) < 10; q++ {
				if !s.col.has(q) {
					missing = append(missing, q)
				}
			}
			t.Logf("subscriber %d: state %s transport %s: %d of %d, dups %d, first missing %v",
				i, s.c.State(), s.c.Transport(), d, upto, dups, missing)
		}
	}
	faults := map[string]int{}
	var last []int
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	start := time.Now()
	var g0 int
	var h0 uint64
	nextReport := start.Add(time.Minute)
	for time.Since(start) < dur {
		time.Sleep(time.Duration(500+rng.IntN(1500)) * time.Millisecond)
		k := rng.IntN(8)
		last = append(last, k)
		if len(last) > 6 {
			last = last[1:]
		}
		switch k {
		case 0:
			faults["network drop"]++
			px.DropAll()
		case 1:
			faults["blackholed replies then drop"]++
			px.Blackhole(true)
			time.Sleep(time.Duration(100+rng.IntN(400)) * time.Millisecond)
			px.DropAll()
			px.Blackhole(false)
		case 2:
			faults["refused reconnects"]++
			px.Refuse(1 + rng.IntN(4))
			px.DropAll()
		case 3:
			faults["5xx answers"]++
			srv.Inject(omnitest.RouteNotifications, omnitest.Status(500+rng.IntN(4)).Times(1+rng.IntN(3)))
		case 4:
			faults["reset after processing"]++
			srv.Inject(omnitest.RouteNotifications, omnitest.ResetAfterProcessing())
		case 5:
			faults["hung request"]++
			srv.Inject(omnitest.RouteNotifications, omnitest.Hang())
		case 6, 7:
			pubMu.Lock()
			if !waitUntil(allDelivered(published)) {
				diagnose(published)
				t.Fatalf("not every event arrived before a session fault (last faults %v)", last)
			}
			before := make([]int, len(subs))
			for i, s := range subs {
				before[i] = s.states.resubscribed()
			}
			if k == 6 {
				faults["server sessions dropped (402)"]++
				srv.DropSessions()
			} else {
				faults["server restart"]++
				if err := srv.Restart(); err != nil {
					t.Fatal(err)
				}
			}
			for i, s := range subs {
				waitFor(t, "re-subscription", func() bool { return s.states.resubscribed() > before[i] })
			}
			pubMu.Unlock()
		}
		srv.Reset() // the records would grow the heap; the soak counts on the client side
		if g0 == 0 && time.Since(start) > 30*time.Second {
			g0, h0 = sample()
			t.Logf("soak: baseline after warm-up: %d goroutines, heap %d KiB", g0, h0>>10)
		}
		if time.Now().After(nextReport) {
			pubMu.Lock()
			p := published
			pubMu.Unlock()
			g, h := sample()
			t.Logf("soak: %s: published %d, goroutines %d, heap %d KiB, faults %v",
				time.Since(start).Round(time.Second), p, g, h>>10, faults)
			nextReport = nextReport.Add(time.Minute)
		}
	}
	close(stop)
	<-pubDone
	if !waitUntil(allDelivered(published)) {
		diagnose(published)
		t.Fatalf("not every event arrived at the end")
	}
	time.Sleep(500 * time.Millisecond) // let late duplicates, if any, arrive
	// The last fault may still hold connections (a hung request waits for
	// the client's deadline): give it time to settle before sampling.
	g1, h1 := sample()
	for end := time.Now().Add(guard); g1 > g0+4 && time.Now().Before(end); g1, h1 = sample() {
		time.Sleep(100 * time.Millisecond)
	}
	total := 0
	for _, n := range faults {
		total += n
	}
	for i, s := range subs {
		d, dups := s.col.count(0, published)
		t.Logf("soak: subscriber %d (%s): received %d of %d, duplicates %d, fell back to long-polling %v",
			i, s.c.Transport(), d, published, dups, s.states.fellBack())
		if d != published || dups != 0 || s.col.totalDups() != 0 {
			t.Errorf("subscriber %d: received %d distinct of %d, %d duplicates", i, d, published, dups)
		}
	}
	summary := fmt.Sprintf("soak %s: %d events published, each received exactly once by every subscriber; %d faults %v; goroutines %d -> %d; heap %d KiB -> %d KiB",
		dur, published, total, faults, g0, g1, h0>>10, h1>>10)
	t.Log(summary)
	if g0 > 0 && g1 > g0+8 {
		t.Errorf("goroutines grew from %d to %d", g0, g1)
	}
	if h0 > 0 && h1 > 2*h0+16<<20 {
		t.Errorf("heap grew from %d KiB to %d KiB", h0>>10, h1>>10)
	}
}

// waitUntil polls cond for up to guard.
func waitUntil(cond func() bool) bool {
	deadline := time.Now().Add(guard)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

// sample returns the goroutine count and the live heap after a collection.
func sample() (int, uint64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return runtime.NumGoroutine(), ms.HeapAlloc
}
