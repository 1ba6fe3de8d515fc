package cometd

import (
	"context"
	"testing"
	"time"
)

// TestDisconnectDuringHandshakeSendsNothing: Disconnect's doc says a
// Disconnect while the handshake is in flight sends no /meta/disconnect
// (there is no clientId yet), returns, and leaves the client disconnected;
// the handshake then fails instead of going on to connect.
func TestDisconnectDuringHandshakeSendsNothing(t *testing.T) {
	for _, tr := range []string{LongPolling, WebSocket} {
		t.Run(tr, func(t *testing.T) {
			f := newFake(t)
			release := make(chan struct{})
			arrived := make(chan struct{}, 1)
			f.set(func(f *fake) {
				f.hook = func(m msg) ([]msg, bool) {
					if m["channel"] == ChannelHandshake {
						arrived <- struct{}{}
						<-release // hold the reply until Disconnect has returned
					}
					return nil, false
				}
			})
			c, _ := newTestClient(t, f, WithTransports(tr))
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			hs := make(chan error, 1)
			go func() { hs <- c.Handshake(ctx) }()
			<-arrived
			if err := c.Disconnect(ctx); err != nil {
				t.Errorf("Disconnect = %v, want nil", err)
			}
			close(release)
			if err := <-hs; err == nil {
				t.Errorf("Handshake = nil after Disconnect; want an error")
			}
			if st := c.State(); st != StateDisconnected {
				t.Errorf("state %v, want disconnected", st)
			}
			time.Sleep(50 * time.Millisecond) // a late disconnect or connect would show by now
			if n := len(f.recorded(ChannelDisconnect)); n != 0 {
				t.Errorf("%d /meta/disconnect sent, want 0 (no clientId yet)", n)
			}
			if n := len(f.recorded(ChannelConnect)); n != 0 {
				t.Errorf("%d /meta/connect sent after Disconnect, want 0", n)
			}
		})
	}
}
