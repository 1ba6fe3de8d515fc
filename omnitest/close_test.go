package omnitest

import (
	"errors"
	"testing"
	"time"
)

// closeWithin calls Close and fails the test if it does not return within
// the failure guard (a hang, never a timing assertion).
func closeWithin(t *testing.T, srv *Server) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- srv.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Close: %v", err)
		}
	case <-time.After(guard):
		t.Fatal("Close hangs with delayed publications pending")
	}
}

// TestCloseDropsSeveralScheduled: Close drops every delayed publication
// still scheduled, however many there are, on either clock, and after a
// Restart too; Restart on the closed server answers ErrClosed.
func TestCloseDropsSeveralScheduled(t *testing.T) {
	clocks := map[string]func() Option{
		"real": func() Option { return WithClock(realClock{}) },
		"fake": func() Option { return WithClock(NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))) },
	}
	for name, clock := range clocks {
		t.Run(name+"/two-delayed-messages", func(t *testing.T) {
			srv, err := Start("127.0.0.1:0", clock())
			if err != nil {
				t.Fatal(err)
			}
			srv.InjectMessage(ChannelFacebook, DelayMessage(time.Hour).Times(2))
			srv.Publish(ChannelFacebook, map[string]any{"n": 1})
			srv.Publish(ChannelFacebook, map[string]any{"n": 2})
			closeWithin(t, srv)
		})
		t.Run(name+"/delayed-outcome-and-message", func(t *testing.T) {
			srv, err := Start("127.0.0.1:0", clock())
			if err != nil {
				t.Fatal(err)
			}
			c := srv.NewClient(t)
			srv.Script(RouteFacebookSend, Sent().After(time.Hour).Times(2))
			sendDone(t, srv, c)
			sendDone(t, srv, c)
			srv.InjectMessage(ChannelFacebook, DelayMessage(time.Hour))
			srv.Publish(ChannelFacebook, map[string]any{"n": 1})
			closeWithin(t, srv)
		})
		t.Run(name+"/after-restart", func(t *testing.T) {
			srv, err := Start("127.0.0.1:0", clock())
			if err != nil {
				t.Fatal(err)
			}
			srv.InjectMessage(ChannelFacebook, DelayMessage(time.Hour).Times(2))
			srv.Publish(ChannelFacebook, map[string]any{"n": 1})
			srv.Publish(ChannelFacebook, map[string]any{"n": 2})
			if err := srv.Restart(); err != nil {
				t.Fatalf("Restart: %v", err)
			}
			closeWithin(t, srv)
			if err := srv.Restart(); !errors.Is(err, ErrClosed) {
				t.Fatalf("Restart after Close: %v, want ErrClosed", err)
			}
		})
	}
}
