package omnitest

import (
	"context"
	"slices"
	"sync"
	"time"
)

// Clock is the simulator's source of time: WithLatency waits, the delays of
// scripted outcomes (Outcome.After) and of message faults (DelayMessage),
// and the timestamps it records and writes into notifications all read it.
// The CometD endpoint's hold of a /meta/connect (WithCometDTimeout) and the
// client's own waits use real time. The default is the system clock; give a
// *FakeClock with WithClock to move time by hand. With a FakeClock,
// WithLatency holds every request, CometD's included, until the test
// advances the clock. Work still scheduled when the server closes (a late
// notification) is dropped.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// AfterFunc calls f, in a goroutine of its own or in the goroutine
	// moving the clock, once d has passed. Stop on the result cancels it.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc call.
type Timer interface {
	// Stop cancels the call; false means it has already run or started.
	Stop() bool
}

// WithClock makes the server take its time from c (see Clock).
func WithClock(c Clock) Option {
	return func(cfg *config) {
		if c != nil {
			cfg.clock = c
		}
	}
}

// Clock returns the server's clock, for code in a test (or in this package)
// that schedules something the simulator does later.
func (s *Server) Clock() Clock { return s.clock }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// FakeClock is a Clock that moves only when Advance says so, as miniredis's
// FastForward: a delayed notification is published, and a WithLatency
// answer released, exactly when a test advances past its due time. It is
// safe for concurrent use.
type FakeClock struct {
	mu     sync.Mutex
	now    time.Time
	seq    int
	timers []*fakeTimer
	added  chan struct{} // closed and replaced when a timer is added
}

type fakeTimer struct {
	c   *FakeClock
	due time.Time
	seq int // AfterFunc order, for timers due at the same instant
	f   func()
}

// NewFakeClock returns a FakeClock reading start.
func NewFakeClock(start time.Time) *FakeClock {
	return &FakeClock{now: start, added: make(chan struct{})}
}

// Now returns the clock's time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc schedules f for Now()+d; d <= 0 runs it at the next Advance
// (Advance(0) included).
func (c *FakeClock) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &fakeTimer{c: c, due: c.now.Add(max(d, 0)), seq: c.seq, f: f}
	c.timers = append(c.timers, t)
	close(c.added)
	c.added = make(chan struct{})
	return t
}

// WaitPending waits until at least n calls are scheduled (a request held by
// WithLatency, a delayed notification), so that a test advances the clock
// only once the work it means to release is waiting. It returns ctx's error
// if ctx ends first.
func (c *FakeClock) WaitPending(ctx context.Context, n int) error {
	for {
		c.mu.Lock()
		got, added := len(c.timers), c.added
		c.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-added:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Stop cancels t if it has not run.
func (t *fakeTimer) Stop() bool {
	c := t.c
	c.mu.Lock()
	defer c.mu.Unlock()
	i := slices.Index(c.timers, t)
	if i < 0 {
		return false
	}
	c.timers = slices.Delete(c.timers, i, i+1)
	return true
}

// Advance moves the clock forward by d and runs every call that falls due,
// in due order, in the calling goroutine, each with the clock reading its
// due time; calls scheduled by those calls run too when they fall within d.
// When Advance returns, everything due has happened: a delayed notification
// has been handed to the CometD sessions.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	target := c.now.Add(max(d, 0))
	c.mu.Unlock()
	for {
		c.mu.Lock()
		var next *fakeTimer
		for _, t := range c.timers {
			if t.due.After(target) {
				continue
			}
			if next == nil || t.due.Before(next.due) || (t.due.Equal(next.due) && t.seq < next.seq) {
				next = t
			}
		}
		if next == nil {
			c.now = target
			c.mu.Unlock()
			return
		}
		c.timers = slices.DeleteFunc(c.timers, func(t *fakeTimer) bool { return t == next })
		if next.due.After(c.now) {
			c.now = next.due
		}
		c.mu.Unlock()
		next.f()
	}
}

// Pending returns how many calls are scheduled and not yet run.
func (c *FakeClock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// timerSet tracks the server's scheduled work so that Close can cancel what
// has not run and wait for what is running.
type timerSet struct {
	mu     sync.Mutex
	m      map[uint64]Timer // by id: every pending call has its own key
	next   uint64
	wg     sync.WaitGroup
	closed bool
}

// after runs f once d has passed on the server's clock, unless the server
// closes first. It survives Restart. New files of the package use it for
// their own timers (a session that times out, a push sent later).
func (s *Server) after(d time.Duration, f func()) {
	ts := &s.timers
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.closed {
		return
	}
	if ts.m == nil {
		ts.m = make(map[uint64]Timer)
	}
	// A counter, not a pointer to an empty struct: pointers to zero-size
	// values may all be equal, which made every call share one key and
	// left stop waiting for calls it had cancelled.
	ts.next++
	e := ts.next
	ts.wg.Add(1)
	ts.m[e] = s.clock.AfterFunc(d, func() {
		ts.mu.Lock()
		_, live := ts.m[e]
		delete(ts.m, e)
		ts.mu.Unlock()
		if !live {
			return // cancelled by stop, which called Done
		}
		defer ts.wg.Done()
		f()
	})
}

// stop cancels every pending call and waits for running ones.
func (ts *timerSet) stop() {
	ts.mu.Lock()
	ts.closed = true
	for e, t := range ts.m {
		if t.Stop() {
			delete(ts.m, e)
			ts.wg.Done()
		}
	}
	ts.mu.Unlock()
	ts.wg.Wait()
}

// sleep waits d on the server's clock; false means ctx or stop ended it.
func (s *Server) sleep(d time.Duration, done <-chan struct{}, stop <-chan struct{}) bool {
	if d <= 0 {
		return true
	}
	fired := make(chan struct{})
	t := s.clock.AfterFunc(d, func() { close(fired) })
	defer t.Stop()
	select {
	case <-fired:
		return true
	case <-done:
		return false
	case <-stop:
		return false
	}
}
