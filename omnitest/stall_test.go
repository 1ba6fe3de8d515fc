package omnitest

import (
	"context"
	"testing"
	"time"

	"github.com/omnisdk/omni"
	bayeux "github.com/omnisdk/omni/cometd"
)

// metaConnects counts the /meta/connect messages clients have sent.
func metaConnects(srv *Server) int {
	n := 0
	for _, m := range srv.Messages() {
		if m.Direction == Inbound && m.Channel == "/meta/connect" {
			n++
		}
	}
	return n
}

// TestStallPastNetworkDelay: a message held by StallDelivery reaches the
// client after ResumeDelivery even when the client's network-delay timeout
// fired meanwhile and it left the connect it was waiting on; over
// long-polling the held message used to be written into that abandoned
// response and lost.
func TestStallPastNetworkDelay(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr, func(t *testing.T) {
			name := bayeux.WebSocket
			if tr == "long-polling" {
				name = bayeux.LongPolling
			}
			srv := NewServer(t, WithCometDTimeout(100*time.Millisecond))
			c := srv.NewClient(t, omni.WithCometDOptions(
				bayeux.WithTransports(name), bayeux.WithMaxNetworkDelay(200*time.Millisecond)))
			gaveUp := make(chan struct{}, 16)
			refs := make(chan int64, 16)
			ctx, cancel := context.WithTimeout(context.Background(), guard)
			defer cancel()
			sub, err := c.Subscribe(ctx, omni.OnFacebook(func(ev *omni.FacebookStateChange) { refs <- ev.ReferenceID }))
			if err != nil {
				t.Fatal(err)
			}
			defer sub.Close()
			defer sub.OnState(func(s bayeux.StateChange) {
				if s.To == bayeux.StateUnconnected {
					gaveUp <- struct{}{}
				}
			})()

			srv.StallDelivery()
			sendDone(t, srv, c) // 1, held by the stall
			select {
			case <-gaveUp: // the network-delay timeout fired
			case <-time.After(guard):
				t.Fatal("the client never gave up on the stalled connect")
			}
			// It connects again, and gives up again on that one: by then the
			// server has seen the newer connect replace the abandoned one.
			before := metaConnects(srv)
			waitFor(t, func() bool { return metaConnects(srv) > before+1 })
			srv.ResumeDelivery()
			sendDone(t, srv, c) // 2
			var got []int64
			for len(got) < 2 {
				select {
				case r := <-refs:
					got = append(got, r)
				case <-time.After(guard):
					t.Fatalf("%s: got %v, want [1 2]: the stalled message was lost", tr, got)
				}
			}
			if got[0] != 1 || got[1] != 2 {
				t.Fatalf("%s: got %v, want [1 2]", tr, got)
			}
		})
	}
}
