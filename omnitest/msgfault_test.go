package omnitest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/omnisdk/omni"
	bayeux "github.com/omnisdk/omni/cometd"
)

var transports = []string{"websocket", "long-polling"}

// clientFor makes a client that uses transport only.
func clientFor(t *testing.T, srv *Server, transport string) *omni.Client {
	name := bayeux.WebSocket
	if transport == "long-polling" {
		name = bayeux.LongPolling
	}
	return srv.NewClient(t, omni.WithCometDOptions(bayeux.WithTransports(name)))
}

// sendDone sends and waits until the server has finished the request, so
// that its notifications are published before the next send's.
func sendDone(t *testing.T, srv *Server, c *omni.Client) int64 {
	t.Helper()
	ref := send(t, c)
	waitSend(t, srv, ref)
	return ref
}

func TestMessageFaults(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr, func(t *testing.T) {
			srv := NewServer(t, WithCometDTimeout(time.Second))
			c := clientFor(t, srv, tr)
			n := subscribeFacebook(t, c)

			srv.InjectMessage(ChannelFacebook, DropMessage())
			sendDone(t, srv, c) // 1, dropped
			sendDone(t, srv, c) // 2
			if got := n.next(t); got != 2 {
				t.Fatalf("after a drop got %d, want 2", got)
			}
			if p := waitSend(t, srv, 1).Notifications; len(p) != 1 || p[0].Delivered != 0 || p[0].Fault != "DropMessage()" {
				t.Fatalf("journal of the dropped one: %+v", p)
			}

			srv.InjectMessage(ChannelFacebook, DuplicateMessage())
			sendDone(t, srv, c) // 3, twice
			sendDone(t, srv, c) // 4
			for _, want := range []int64{3, 3, 4} {
				if got := n.next(t); got != want {
					t.Fatalf("duplicate: got %d, want %d", got, want)
				}
			}

			srv.InjectMessage(ChannelFacebook, ReorderMessage())
			sendDone(t, srv, c) // 5, held
			sendDone(t, srv, c) // 6, then 5
			for _, want := range []int64{6, 5} {
				if got := n.next(t); got != want {
					t.Fatalf("reorder: got %d, want %d", got, want)
				}
			}
			srv.AssertFaultsConsumed(t)
		})
	}
}

func TestDelayMessageOnFakeClock(t *testing.T) {
	clock := NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := NewServer(t, WithClock(clock))
	c := srv.NewClient(t)
	n := subscribeFacebook(t, c)
	srv.InjectMessage(ChannelFacebook, DelayMessage(time.Hour))
	sendDone(t, srv, c) // 1, an hour late
	sendDone(t, srv, c) // 2
	if got := n.next(t); got != 2 {
		t.Fatalf("got %d first, want 2", got)
	}
	clock.Advance(time.Hour)
	if got := n.next(t); got != 1 {
		t.Fatalf("got %d, want the delayed 1", got)
	}
}

func TestPublishCounts(t *testing.T) {
	srv := NewServer(t)
	if n := srv.Publish(ChannelFacebook, map[string]any{"messageType": "X"}); n != 0 {
		t.Fatalf("nobody subscribed: %d", n)
	}
	c := srv.NewClient(t)
	subscribeFacebook(t, c)
	subscribeFacebook(t, c)
	if n := srv.Publish(ChannelFacebook, map[string]any{"messageType": "X"}); n != 2 {
		t.Fatalf("two sessions: %d", n)
	}
	srv.InjectMessage(AnyChannel, DropMessage())
	if n := srv.Publish(ChannelFacebook, map[string]any{"messageType": "X"}); n != 0 {
		t.Fatalf("dropped: %d", n)
	}
	rec := &recordingTB{TB: t}
	other := NewServer(rec)
	for _, bad := range []struct {
		channel string
		f       MessageFault
	}{{"/v2/me/*", DropMessage()}, {"v2", DropMessage()}, {ChannelFacebook, DelayMessage(0)}, {ChannelFacebook, DropMessage().Times(0)}, {ChannelFacebook, MessageFault{}}} {
		if err := other.InjectMessage(bad.channel, bad.f); !errors.Is(err, ErrInvalidFault) {
			t.Errorf("InjectMessage(%q, %s) = %v", bad.channel, bad.f, err)
		}
	}
	if len(rec.reported()) != 5 || len(other.PendingMessageFaults()) != 0 {
		t.Fatalf("reported %q", rec.reported())
	}
}

func TestCutConnections(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr, func(t *testing.T) {
			srv := NewServer(t, WithCometDTimeout(time.Second))
			c := clientFor(t, srv, tr)
			n := subscribeFacebook(t, c)
			upgrades := len(srv.Requests(ByRoute(RouteNotifications)))
			srv.CutConnections()
			sendDone(t, srv, c)
			if got := n.next(t); got != 1 {
				t.Fatalf("after the cut got %d", got)
			}
			if len(srv.Requests(ByRoute(RouteNotifications))) == upgrades && tr == "websocket" {
				t.Fatal("the client did not reconnect")
			}
		})
	}
}

func TestStallDelivery(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr, func(t *testing.T) {
			srv := NewServer(t, WithCometDTimeout(time.Second))
			c := clientFor(t, srv, tr)
			n := subscribeFacebook(t, c)
			srv.StallDelivery()
			sendDone(t, srv, c)
			if p := waitSend(t, srv, 1).Notifications; len(p) != 1 || p[0].Delivered != 1 {
				t.Fatalf("queued for the session: %+v", p)
			}
			for _, m := range srv.Messages() {
				if m.Direction == Outbound && m.Channel == ChannelFacebook {
					t.Fatal("written while stalled")
				}
			}
			srv.ResumeDelivery()
			if got := n.next(t); got != 1 {
				t.Fatalf("after resume got %d", got)
			}
		})
	}
}

var _ = context.Background
