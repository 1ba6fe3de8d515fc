package bayeuxsrv

import (
	"strconv"
	"testing"
	"time"
)

// BenchmarkPublishFanout measures Publish to 1,000 subscribed sessions plus
// draining their queues (the server-side cost of the CometD benchmark shape,
// without HTTP).
func BenchmarkPublishFanout(b *testing.B) {
	srv := New(Options{MaxInterval: time.Hour})
	defer srv.Close()
	var sessions []*session
	for i := range 1000 {
		ss := newSession(false, DefaultMaxQueue, time.Now())
		srv.mu.Lock()
		srv.sessions[ss.id] = ss
		srv.addSubLocked(ss, "/bench/"+strconv.Itoa(i%10))
		srv.addSubLocked(ss, "/bench/*")
		srv.mu.Unlock()
		sessions = append(sessions, ss)
	}
	payload := map[string]any{"seq": 1, "text": "hello"}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if n := srv.Publish("/bench/3", payload); n != 1000 {
			b.Fatalf("Publish = %d", n)
		}
		for _, ss := range sessions {
			ss.mu.Lock()
			ss.drainLocked()
			ss.mu.Unlock()
		}
	}
	b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "deliveries/s")
}
