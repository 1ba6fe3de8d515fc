package cometd_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omnisdk/omni/cometd"
	"github.com/omnisdk/omni/omnitest"
)

// With the ack extension, a message over WithMaxMessageSize comes again at
// every connect: the client re-handshakes out of that loop at the second
// refusal in a row, says so (a StateChange whose Err wraps
// ErrMessageTooLarge), and hears the messages published in the new
// session. Each refusal is announced. Before, it reconnected into the same
// refusal for as long as the server kept the session (21 s with the
// default backoff in the review), announcing only the first, and the
// messages queued behind it were lost unannounced (outside review).
func TestAckedMessageOverTheMaximumSizeDoesNotDeafenTheClient(t *testing.T) {
	for _, transport := range []string{cometd.WebSocket, cometd.LongPolling} {
		t.Run(transport, func(t *testing.T) {
			srv := omnitest.NewServer(t, omnitest.WithCometDTimeout(500*time.Millisecond))
			c, err := cometd.NewClient(srv.NotificationsURL(), cometd.WithTransports(transport),
				cometd.WithMaxMessageSize(4096), cometd.WithBackoff(10*time.Millisecond, 50*time.Millisecond),
				cometd.WithExtension(cometd.AckExtension()))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			var (
				mu      sync.Mutex
				refused int
				resent  error
			)
			c.OnState(func(sc cometd.StateChange) {
				mu.Lock()
				defer mu.Unlock()
				if errors.Is(sc.Err, cometd.ErrMessageTooLarge) {
					refused++
					if strings.Contains(sc.Reason, "re-handshake") {
						resent = sc.Err
					}
				}
			})
			got := make(chan string, 100)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			sub, err := c.Subscribe(ctx, omnitest.ChannelFacebook, func(m *cometd.Message) { got <- string(m.Data) })
			if err != nil {
				t.Fatal(err)
			}
			if err := sub.Ready(ctx); err != nil {
				t.Fatal(err)
			}
			srv.Publish(omnitest.ChannelFacebook, map[string]string{"pad": strings.Repeat("x", 10000)})
			deadline := time.Now().Add(10 * time.Second)
			for {
				mu.Lock()
				done := resent != nil
				mu.Unlock()
				if done {
					break
				}
				if time.Now().After(deadline) {
					mu.Lock()
					t.Fatalf("no re-handshake out of the refusal loop in 10 s (%d refusals announced)", refused)
				}
				time.Sleep(5 * time.Millisecond)
			}
			mu.Lock()
			if refused < 3 { // two refusals, then the re-handshake's own announcement
				t.Errorf("%d state changes with ErrMessageTooLarge, want each refusal and the re-handshake announced", refused)
			}
			mu.Unlock()
			if err := sub.Ready(ctx); err != nil {
				t.Fatal(err)
			}
			// Ready can be from before the re-handshake's re-subscription:
			// publish until one arrives.
			for i := 0; ; i++ {
				srv.Publish(omnitest.ChannelFacebook, map[string]int{"after": i})
				select {
				case d := <-got:
					if !strings.Contains(d, "after") {
						t.Fatalf("delivered %s", d)
					}
					return
				case <-time.After(100 * time.Millisecond):
				case <-ctx.Done():
					t.Fatal("nothing delivered after the re-handshake")
				}
			}
		})
	}
}
