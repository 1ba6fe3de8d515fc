package userservice

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/omnitest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const guard = 10 * time.Second // a failure bound, never a timing assertion

// newPoster is item 1: a client bound to the server's lifetime.
func newPoster(t *testing.T, opts ...omnitest.Option) (*omnitest.Server, *Poster) {
	srv := omnitest.NewServer(t, opts...)
	return srv, &Poster{Client: srv.NewClient(t), Page: "page", Queue: "/contacts/c1"}
}

func bounded(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	t.Cleanup(cancel)
	return ctx
}

func TestPublished(t *testing.T) {
	t.Parallel()
	_, p := newPoster(t)
	if ref, err := p.Publish(bounded(t), "F1", "hello"); err != nil || ref != 1 {
		t.Fatalf("%d, %v", ref, err)
	}
}

// Item 2: a scripted failure and a notification that never comes.
func TestRejectedAndSilent(t *testing.T) {
	t.Parallel()
	srv, p := newPoster(t)
	srv.Script(omnitest.RouteFacebookSend, omnitest.Failed("Page not found"))
	if _, err := p.Publish(bounded(t), "F1", "hello"); !errors.Is(err, ErrRejected) {
		t.Fatalf("got %v, want ErrRejected", err)
	}
	srv.Script(omnitest.RouteFacebookSend, omnitest.NoNotification())
	ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
	defer cancel()
	var wait *omni.WaitError
	if _, err := p.Publish(ctx, "F2", "hello"); !errors.As(err, &wait) || wait.ReferenceID != 2 {
		t.Fatalf("got %v, want a WaitError for referenceId 2", err)
	}
}

// Item 3: message faults over both transports.
func TestNotificationFaults(t *testing.T) {
	t.Parallel()
	for _, transport := range []string{"websocket", "long-polling"} {
		t.Run(transport, func(t *testing.T) {
			srv, p := newPoster(t, omnitest.WithTransports(transport), omnitest.WithCometDTimeout(time.Second))
			ctx := bounded(t)
			srv.InjectMessage(omnitest.ChannelFacebook, omnitest.DuplicateMessage())
			if _, err := p.Publish(ctx, "F1", "a"); err != nil { // a duplicate is harmless
				t.Fatal(err)
			}
			srv.CutConnections()
			if ref, err := p.Publish(ctx, "F2", "b"); err != nil || ref != 2 { // the client reconnects
				t.Fatalf("after a cut: %d, %v", ref, err)
			}
			srv.InjectMessage(omnitest.ChannelFacebook, omnitest.DropMessage())
			short, cancel := context.WithTimeout(ctx, 250*time.Millisecond)
			defer cancel()
			var wait *omni.WaitError
			if _, err := p.Publish(short, "F3", "c"); !errors.As(err, &wait) {
				t.Fatalf("a lost notification: %v", err)
			}
			srv.AssertFaultsConsumed(t)
		})
	}
}

// Items 4 and 5: faults a test can trust, GWS bodies it asks for.
func TestSendFaults(t *testing.T) {
	t.Parallel()
	srv, p := newPoster(t)
	ctx := bounded(t)
	srv.Inject(omnitest.RouteFacebookSend, omnitest.Status(400))
	_, err := p.Publish(ctx, "F1", "x")
	if !errors.Is(err, omni.ErrValidation) || errors.Is(err, omni.ErrServer) {
		t.Fatalf("400: %v", err)
	}
	srv.Inject(omnitest.RouteFacebookSend, omnitest.Status(200).GWS(2, "Invalid state"))
	var apiErr *omni.APIError
	if _, err := p.Publish(ctx, "F1", "x"); !errors.As(err, &apiErr) || apiErr.GWSStatusCode != omni.StatusInvalidState {
		t.Fatalf("200 statusCode 2: %v", err)
	}
	srv.Inject(omnitest.RouteAny, omnitest.Status(503).RetryAfter(0).Times(2)) // CometD is spared
	if _, err := p.Client.ServerVersion(ctx); err != nil {
		t.Fatalf("retried after Retry-After: 0: %v", err)
	}
	srv.AssertFaultsConsumed(t)

	other, err := omnitest.Start("127.0.0.1:0") // not bound to t: a refusal is only an error
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := other.Inject(omnitest.RouteFacebookSend, omnitest.Status(0)); !errors.Is(err, omnitest.ErrInvalidFault) {
		t.Fatalf("Status(0): %v", err)
	}
}

// Item 6: the journal.
func TestJournal(t *testing.T) {
	t.Parallel()
	srv, p := newPoster(t)
	ctx := bounded(t)
	srv.Inject(omnitest.RouteFacebookSend, omnitest.Status(502))
	if _, err := p.Publish(ctx, "F1", "x"); err == nil {
		t.Fatal("a 502 send succeeded")
	}
	ref, err := p.Publish(ctx, "F1", "x")
	if err != nil {
		t.Fatal(err)
	}
	r, err := srv.WaitRequest(ctx, omnitest.ByReferenceID(ref))
	if err != nil || r.Status != 200 || r.GWSCode != 0 || len(r.Notifications) != 1 || r.Notifications[0].Delivered != 1 {
		t.Fatalf("%+v %v", r, err)
	}
	if f := srv.Requests(omnitest.ByRoute(omnitest.RouteFacebookSend), omnitest.Faulted()); len(f) != 1 || f[0].Status != 502 || f[0].Fault != "Status(502)" {
		t.Fatalf("faulted: %+v", f)
	}
}

// Item 7: time the test controls.
func TestLateOutcome(t *testing.T) {
	t.Parallel()
	clock := omnitest.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	srv, p := newPoster(t, omnitest.WithClock(clock))
	ctx := bounded(t)
	srv.Script(omnitest.RouteFacebookSend, omnitest.Sent().After(10*time.Minute))
	done := make(chan error, 1)
	go func() {
		_, err := p.Publish(ctx, "F1", "x")
		done <- err
	}()
	if err := clock.WaitPending(ctx, 1); err != nil {
		t.Fatal(err)
	}
	clock.Advance(10 * time.Minute)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
