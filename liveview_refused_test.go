package omni_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/omnitest"
)

// When the server refuses the session for good (a changed password at the
// re-handshake), a Subscription's Err and Ready match ErrUnauthorized, and a
// LiveView says it heard nothing more: OnResyncError gets the error and
// Resync returns it (fourth outside review: the view went deaf silently,
// Resync said nil, and the error matched no sentinel).
func TestRefusedSessionIsReportedAsUnauthorized(t *testing.T) {
	srv := omnitest.NewServer(t, omnitest.WithBasicAuth("agent1", "pw"), omnitest.WithCometDTimeout(100*time.Millisecond))
	c := srv.NewClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), guardTimeout)
	defer cancel()
	sub, err := c.Subscribe(ctx, omni.OnFacebook(func(*omni.FacebookStateChange) {}))
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	stopped := make(chan error, 1)
	v, err := c.Watch(ctx, omni.InteractionHandlers{OnResyncError: func(err error) {
		select {
		case stopped <- err:
		default:
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	srv.RequireBasicAuth("agent1", "changed")
	srv.DropSessions()
	select {
	case <-sub.Done():
	case <-ctx.Done():
		t.Fatal("the subscription did not stop")
	}
	if err := sub.Err(); !errors.Is(err, omni.ErrUnauthorized) {
		t.Errorf("Subscription.Err: %v, want ErrUnauthorized", err)
	}
	if err := sub.Ready(ctx); !errors.Is(err, omni.ErrUnauthorized) {
		t.Errorf("Subscription.Ready: %v, want ErrUnauthorized", err)
	}
	select {
	case err := <-stopped:
		if !errors.Is(err, omni.ErrUnauthorized) {
			t.Errorf("OnResyncError: %v, want ErrUnauthorized", err)
		}
	case <-ctx.Done():
		t.Fatal("the view did not say it stopped")
	}
	if err := v.Resync(ctx); !errors.Is(err, omni.ErrUnauthorized) {
		t.Errorf("Resync of the stopped view: %v, want ErrUnauthorized", err)
	}
}
