package interop

import (
	"runtime"
	"testing"
	"time"
)

// The server-side counters of the benchmark read real figures on Linux:
// a process that burns CPU shows it, and sending data moves the segment count.
func TestBenchServerCountersRead(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the server-side counters are read on Linux only")
	}
	p := startSimulator(t, 30*time.Second)
	cpu0, seg0, si0 := serverCPU(p), tcpDataSegments(), machineSoftirq()
	if cpu0 < 0 || seg0 < 0 || si0 < 0 {
		t.Fatalf("serverCPU = %v, tcpDataSegments = %d, machineSoftirq = %v: want all read", cpu0, seg0, si0)
	}
	// A burst the server must encode and write makes it use CPU and send
	// data; 50,000 messages take the simulator's server far more than the
	// counters' 10 ms resolution.
	if r := benchFloor(t, p, WebSocket, "/bench/counters", 50000); !r.InOrder {
		t.Fatalf("the floor reader did not get the burst in order: %+v", r)
	}
	cpu1, seg1, si1 := serverCPU(p), tcpDataSegments(), machineSoftirq()
	if si1 < si0 { // softirq time may not grow in 10 ms ticks over a short burst, but never falls
		t.Errorf("softirq time fell: %v → %v", si0, si1)
	}
	if cpu1 <= cpu0 {
		t.Errorf("server CPU did not grow over a burst: %v → %v", cpu0, cpu1)
	}
	if seg1 <= seg0 {
		t.Errorf("data segments did not grow over a burst: %d → %d", seg0, seg1)
	}
}
