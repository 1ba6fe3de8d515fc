package faultmatrix

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
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
	var base rest
	var h0 uint64
	nextReport := start.Add(time.Minute)
	// The third subscriber exists to fall back: the first fault refuses
	// reconnects (three at a time) until it has. Websocket failures are
	// counted per client, so random refusals shared by three clients may
	// never add up to three for it.
	time.Sleep(time.Second)
	faults["reconnects refused until the fallback"]++
	for !waitUntil(func() bool { return px.Refusing() == 0 }) || !subs[2].states.fellBack() {
		if time.Since(start) > guard {
			t.Fatal("the websocket subscriber that may fall back never did")
		}
		px.Refuse(3)
		px.DropAll()
	}
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
		if base.samples == 0 && time.Since(start) > 30*time.Second {
			base = atRest(t, subs)
			_, h0 = sample()
			t.Logf("soak: baseline after warm-up, at rest: %s; heap %d KiB", base, h0>>10)
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
	end := atRest(t, subs)
	_, h1 := sample()
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
	if !subs[2].states.fellBack() {
		t.Errorf("subscriber 2 never fell back to long-polling")
	}
	summary := fmt.Sprintf("soak %s: %d events published, each received exactly once by every subscriber; %d faults %v; goroutines at rest %s -> %s; heap %d KiB -> %d KiB",
		dur, published, total, faults, base, end, h0>>10, h1>>10)
	t.Log(summary)
	// At rest every subscriber holds one connect, so the same goroutines
	// run at the baseline and at the end: connection goroutines (client,
	// server, proxy) and the SDK's own. Growth beyond the spread of the
	// samples is a leak; so are more SDK goroutines than a client runs by
	// design (connect loop, websocket reader, sender, delivery,
	// re-subscription: 5).
	if base.samples > 0 && end.min > base.max+4 {
		t.Errorf("goroutines at rest grew from %s to %s:\n%s", base, end, goroutineDump())
	}
	if end.sdk > 5*len(subs) {
		t.Errorf("%d goroutines of package cometd at rest for %d clients (at most 5 each):\n%s", end.sdk, len(subs), goroutineDump())
	}
	if os.Getenv("OMNI_SOAK_DUMP") == "1" {
		t.Logf("goroutines at the end:\n%s", goroutineDump())
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

// goroutineDump returns the goroutines grouped by stack, with their counts.
func goroutineDump() string {
	var b strings.Builder
	_ = pprof.Lookup("goroutine").WriteTo(&b, 1)
	return b.String()
}

// rest is the goroutine count of the process sampled at rest: every
// subscriber connected, nothing left to deliver. A single sample depends on
// whether it falls between a connect reply and the next connect, or during a
// backoff after a fault (the 9 of the first report was all three clients in
// a backoff, no connection open), so a window of samples is taken.
type rest struct {
	min, max int // goroutines, over the window
	sdk      int // goroutines running package cometd code, fewest in the window
	samples  int
}

func (r rest) String() string {
	return fmt.Sprintf("%d..%d goroutines (%d of package cometd)", r.min, r.max, r.sdk)
}

// atRest waits until every subscriber is connected, then samples the
// goroutines 20 times, 50 ms apart.
func atRest(t *testing.T, subs []*subscriber) rest {
	t.Helper()
	if !waitUntil(func() bool {
		for _, s := range subs {
			if s.c.State() != cometd.StateConnected {
				return false
			}
		}
		return true
	}) {
		t.Fatalf("subscribers not connected: %v %v %v", subs[0].c.State(), subs[1].c.State(), subs[2].c.State())
	}
	r := rest{min: 1 << 30, sdk: 1 << 30}
	for range 20 {
		g, _ := sample()
		r.min, r.max = min(r.min, g), max(r.max, g)
		r.sdk = min(r.sdk, sdkGoroutines())
		r.samples++
		time.Sleep(50 * time.Millisecond)
	}
	return r
}

// sdkGoroutines counts goroutines with package cometd on their stack.
func sdkGoroutines() int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "github.com/omnisdk/omni/cometd.") {
			n++
		}
	}
	return n
}
