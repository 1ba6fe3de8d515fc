package omni_test

import (
	"context"
	"testing"
	"time"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/omnitest"
)

// TestSendAndWaitSkipsAnotherClientsNotificationWithTheSameReferenceID: two
// clients of one agent (two HTTP sessions, which the simulator numbers
// referenceIds in separately; the documents do not say GWS numbers them per
// user) are handed the same referenceId. The first client's send fails; the
// Error notification, published to both, must not end the second client's
// wait for its own send (outside review: it did, and a send that went out
// was reported failed).
func TestSendAndWaitSkipsAnotherClientsNotificationWithTheSameReferenceID(t *testing.T) {
	clock := omnitest.NewFakeClock(time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC))
	srv := omnitest.NewServer(t, omnitest.WithClock(clock))
	a, b := srv.NewClient(t), srv.NewClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), guardTimeout)
	defer cancel()
	post := omni.FacebookSend{QueuePath: "/queues/out", From: "page", Message: "hello"}
	// One send each first: both clients' subscriptions are live, and both
	// have had referenceId 1.
	if _, err := a.Facebook.SendAndWait(ctx, "warm-a", post); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Facebook.SendAndWait(ctx, "warm-b", post); err != nil {
		t.Fatal(err)
	}
	if err := srv.Script(omnitest.RouteFacebookSend, omnitest.Failed("page gone").After(time.Second)); err != nil {
		t.Fatal(err)
	}
	ra, err := a.Facebook.Send(ctx, "item-a", post)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Script(omnitest.RouteFacebookSend, omnitest.Sent().After(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	type result struct {
		ev  *omni.FacebookStateChange
		err error
	}
	done := make(chan result, 1)
	go func() {
		ev, err := b.Facebook.SendAndWait(ctx, "item-b", post)
		done <- result{ev, err}
	}()
	if err := clock.WaitPending(ctx, 2); err != nil { // both delayed notifications scheduled
		t.Fatal(err)
	}
	rb := srv.Requests(omnitest.ByRoute(omnitest.RouteFacebookSend))
	if got := rb[len(rb)-1].ReferenceID; got != ra.ReferenceID {
		t.Fatalf("the two sends got referenceIds %d and %d: the test needs them equal", ra.ReferenceID, got)
	}
	clock.Advance(time.Second) // a's Error notification: b's wait must go on
	clock.Advance(time.Second) // b's Sent
	r := <-done
	if r.err != nil || r.ev.Facebook.ID != "item-b" || r.ev.Facebook.State != omni.StateSent {
		t.Fatalf("b's SendAndWait: %+v, %v", r.ev, r.err)
	}
}
