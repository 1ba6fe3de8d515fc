package omni

import (
	"testing"
	"time"
)

// Every backoff wait lies between MinWait and MaxWait, as RetryPolicy says
// (outside review of the docs: the jitter took the first waits down to half
// of MinWait), and grows with the attempt.
func TestBackoffStaysBetweenMinAndMaxWait(t *testing.T) {
	for _, p := range []struct{ min, max time.Duration }{
		{250 * time.Millisecond, 8 * time.Second},
		{200 * time.Millisecond, 8 * time.Second},
		{100 * time.Millisecond, 100 * time.Millisecond},
		{time.Second, 1500 * time.Millisecond},
	} {
		for attempt := range 8 {
			for range 200 {
				w := backoff(p.min, p.max, attempt, &attemptState{})
				if w < p.min || w > p.max {
					t.Fatalf("MinWait %v, MaxWait %v, attempt %d: waited %v", p.min, p.max, attempt, w)
				}
				if attempt == 0 && w > 2*p.min {
					t.Fatalf("MinWait %v: the first wait %v is above twice MinWait", p.min, w)
				}
			}
		}
	}
	if w := backoff(time.Second, 8*time.Second, 0, &attemptState{hasRetryAfter: true, retryAfter: 3 * time.Second}); w != 3*time.Second {
		t.Errorf("with Retry-After 3s: %v", w)
	}
}

// A MaxWait given alone below the default MinWait bounds the waits
// (fifth outside review: the default MinWait of 250 ms won, five times a
// MaxWait of 50 ms).
func TestMaxWaitAloneBoundsTheWaits(t *testing.T) {
	p := RetryPolicy{MaxWait: 50 * time.Millisecond}.withDefaults()
	for attempt := range 5 {
		if w := backoff(p.MinWait, p.MaxWait, attempt, &attemptState{}); w > 50*time.Millisecond {
			t.Fatalf("attempt %d waited %v, above MaxWait 50ms", attempt, w)
		}
	}
	if p := (RetryPolicy{MinWait: 20 * time.Second}).withDefaults(); p.MaxWait != 20*time.Second {
		t.Errorf("MinWait alone above the default MaxWait: MaxWait %v", p.MaxWait)
	}
}
