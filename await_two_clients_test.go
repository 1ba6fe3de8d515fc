package omni_test

import (
	"context"
	"errors"
	"strings"
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

// The same holds for the user-data operations, AddComment and Reply (its
// draft's parentId) on customer-started interactions (second outside
// review: they took the other client's notification as their own).
func TestLifecycleWaitsSkipAnotherClientsNotificationWithTheSameReferenceID(t *testing.T) {
	clock := omnitest.NewFakeClock(time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC))
	srv := omnitest.NewServer(t, omnitest.WithClock(clock))
	a, b := srv.NewClient(t), srv.NewClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), guardTimeout)
	defer cancel()
	if err := a.Agent.StartContactCenterSession(ctx, omni.SessionStart{Channels: []string{omnitest.AgentChannelFacebook}}); err != nil {
		t.Fatal(err)
	}
	if err := a.Agent.Ready(ctx, omnitest.AgentChannelFacebook); err != nil {
		t.Fatal(err)
	}
	for _, op := range []struct {
		name  string
		run   func(c *omni.Client, id string) func(context.Context) (omni.Accepted, error)
		bFail bool // b's operation fails: its Error notification names b's post
	}{
		{"AttachUserData", func(c *omni.Client, id string) func(context.Context) (omni.Accepted, error) {
			return func(ctx context.Context) (omni.Accepted, error) {
				return c.Facebook.AttachUserData(ctx, id, map[string]any{"k": id})
			}
		}, false},
		{"AddComment", func(c *omni.Client, id string) func(context.Context) (omni.Accepted, error) {
			return func(ctx context.Context) (omni.Accepted, error) { return c.Facebook.AddComment(ctx, id, "note") }
		}, false},
		{"Reply", func(c *omni.Client, id string) func(context.Context) (omni.Accepted, error) {
			return func(ctx context.Context) (omni.Accepted, error) {
				return c.Facebook.Reply(ctx, id, omni.FacebookReply{QueuePath: "/queues/out"})
			}
		}, false},
		// Third outside review: an Error about the other client's post
		// (inbound, no parentId) ended a's Reply wait as a failure.
		{"Reply, the other's fails", func(c *omni.Client, id string) func(context.Context) (omni.Accepted, error) {
			return func(ctx context.Context) (omni.Accepted, error) {
				return c.Facebook.Reply(ctx, id, omni.FacebookReply{QueuePath: "/queues/out"})
			}
		}, true},
	} {
		pa, pb := srv.CustomerPost("alice", op.name+" a"), srv.CustomerPost("bob", op.name+" b")
		// a's operation is answered later than b's, with the same referenceId.
		if err := srv.Script(omnitest.RouteFacebookSend, omnitest.Sent().After(2*time.Second)); err != nil {
			t.Fatal(err)
		}
		pending := clock.Pending()
		done := make(chan omni.Notification, 1)
		go func() {
			n, err := a.Await(ctx, omni.Expect{Channel: omni.ChannelFacebook}, op.run(a, pa))
			if err != nil {
				t.Errorf("%s: a's wait: %v", op.name, err)
			}
			done <- n
		}()
		if err := clock.WaitPending(ctx, pending+1); err != nil {
			t.Fatal(err)
		}
		bOutcome := omnitest.Sent()
		if op.bFail {
			bOutcome = omnitest.Failed("b failed")
		}
		if err := srv.Script(omnitest.RouteFacebookSend, bOutcome.After(time.Second)); err != nil {
			t.Fatal(err)
		}
		nb, err := func() (omni.Notification, error) {
			ch := make(chan omni.Notification, 1)
			var werr error
			go func() {
				n, err := b.Await(ctx, omni.Expect{Channel: omni.ChannelFacebook}, op.run(b, pb))
				var oe *omni.OperationError
				if op.bFail && errors.As(err, &oe) {
					n, err = oe.Notification, nil
				}
				werr = err
				ch <- n
			}()
			if err := clock.WaitPending(ctx, pending+2); err != nil {
				return nil, err
			}
			clock.Advance(time.Second) // b's notification, which a's wait must skip
			n := <-ch
			return n, werr
		}()
		if err != nil {
			t.Fatalf("%s: b's wait: %v", op.name, err)
		}
		clock.Advance(time.Second) // a's own
		na := <-done
		if na == nil || nb == nil {
			t.Fatalf("%s: notifications %v, %v", op.name, na, nb)
		}
		if na.Header().ReferenceID != nb.Header().ReferenceID {
			t.Fatalf("%s: referenceIds %d and %d: the test needs them equal", op.name, na.Header().ReferenceID, nb.Header().ReferenceID)
		}
		fa := na.(*omni.FacebookStateChange).Facebook
		if got := fa.ID; strings.HasPrefix(op.name, "Reply") {
			if fa.ParentID != pa {
				t.Errorf("%s: a's wait took the draft answering %s, want %s", op.name, fa.ParentID, pa)
			}
		} else if got != pa {
			t.Errorf("%s: a's wait took the notification about %s, want %s", op.name, got, pa)
		}
	}
}
