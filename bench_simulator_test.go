package omni_test

import (
	"context"
	"testing"
	"time"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/omnitest"
)

// BenchmarkSimulatorSendAndWait is the simulator's throughput as a test
// sees it: a Facebook send through the SDK plus the state-change
// notification it triggers, delivered over CometD (websocket) to the same
// client. Several goroutines send at once, as parallel tests would.
func BenchmarkSimulatorSendAndWait(b *testing.B) {
	srv := omnitest.NewServer(b)
	c, err := omni.NewClient(srv.URL(), omni.WithBasicAuth("agent1", "pw"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// Subscribe once before timing.
	if _, err := c.Facebook.SendAndWait(ctx, "01QQQG2MU214P06D", seedFacebook); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Facebook.SendAndWait(ctx, "01QQQG2MU214P06D", seedFacebook); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sends/s")
}
