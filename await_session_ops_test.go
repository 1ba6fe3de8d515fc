package omni_test

import (
	"context"
	"testing"
	"time"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/omnitest"
)

// Two clients of one agent, handed the same referenceId for a typing
// indicator on two sessions: each wait takes the notification about its
// own session (sixth outside review: the typing operations were not among
// those checked, and b's wait took a's notification).
func TestTypingWaitsSkipAnotherSessionsNotificationWithTheSameReferenceID(t *testing.T) {
	for _, op := range []struct {
		name string
		run  func(c *omni.Client, id string) func(context.Context) (omni.Accepted, error)
	}{
		{"SendStartTyping", func(c *omni.Client, id string) func(context.Context) (omni.Accepted, error) {
			return func(ctx context.Context) (omni.Accepted, error) { return c.FacebookSessions.SendStartTyping(ctx, id) }
		}},
		{"SendStopTyping", func(c *omni.Client, id string) func(context.Context) (omni.Accepted, error) {
			return func(ctx context.Context) (omni.Accepted, error) { return c.FacebookSessions.SendStopTyping(ctx, id) }
		}},
	} {
		t.Run(op.name, func(t *testing.T) {
			clock := omnitest.NewFakeClock(time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC))
			srv := omnitest.NewServer(t, omnitest.WithClock(clock))
			a, b := srv.NewClient(t), srv.NewClient(t)
			ctx, cancel := context.WithTimeout(context.Background(), guardTimeout)
			defer cancel()
			// b's operation is answered first, a's later; both get referenceId 1.
			if err := srv.Script(omnitest.RouteFacebookSession, omnitest.Sent().After(2*time.Second)); err != nil {
				t.Fatal(err)
			}
			done := make(chan omni.Notification, 1)
			go func() {
				n, err := a.Await(ctx, omni.Expect{Channel: omni.ChannelFacebookSession}, op.run(a, "session-a"))
				if err != nil {
					t.Errorf("a's wait: %v", err)
				}
				done <- n
			}()
			if err := clock.WaitPending(ctx, 1); err != nil {
				t.Fatal(err)
			}
			if err := srv.Script(omnitest.RouteFacebookSession, omnitest.Sent().After(time.Second)); err != nil {
				t.Fatal(err)
			}
			bDone := make(chan omni.Notification, 1)
			go func() {
				n, err := b.Await(ctx, omni.Expect{Channel: omni.ChannelFacebookSession}, op.run(b, "session-b"))
				if err != nil {
					t.Errorf("b's wait: %v", err)
				}
				bDone <- n
			}()
			if err := clock.WaitPending(ctx, 2); err != nil {
				t.Fatal(err)
			}
			clock.Advance(time.Second) // b's notification: a's wait must skip it
			nb := <-bDone
			clock.Advance(time.Second) // a's own
			na := <-done
			if na == nil || nb == nil {
				t.Fatalf("notifications %v, %v", na, nb)
			}
			if na.Header().ReferenceID != nb.Header().ReferenceID {
				t.Fatalf("referenceIds %d and %d: the test needs them equal", na.Header().ReferenceID, nb.Header().ReferenceID)
			}
			for who, n := range map[string]omni.Notification{"session-a": na, "session-b": nb} {
				if ev, ok := n.(*omni.FacebookSessionStateChange); !ok || ev.Session.ID != who {
					t.Errorf("the wait for %s took a %T about %v", who, n, sessionOf(n))
				}
			}
		})
	}
}

// A Reply answered without a referenceId (the documents' Twitter Reply
// draft answers {"statusCode":0}) is waited for by the inbound item's id:
// its notification is about a new draft, whose parentId is that id (sixth
// outside review: no Expect could end such a wait).
func TestReplyWithoutReferenceIDWaitsByTheDraftsParent(t *testing.T) {
	srv := omnitest.NewServer(t, omnitest.WithoutReferenceIDs())
	c := srv.NewClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), guardTimeout)
	defer cancel()
	if err := c.Agent.StartContactCenterSession(ctx, omni.SessionStart{Channels: []string{omnitest.AgentChannelTwitter}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Agent.Ready(ctx, omnitest.AgentChannelTwitter); err != nil {
		t.Fatal(err)
	}
	tw := srv.CustomerTweet("bob", "hi")
	n, err := c.Await(ctx, omni.Expect{Channel: omni.ChannelTwitter, ResourceID: tw, State: omni.StateComposing},
		func(ctx context.Context) (omni.Accepted, error) {
			return c.Twitter.Reply(ctx, tw, omni.TwitterReply{QueuePath: "/q"})
		})
	if err != nil {
		t.Fatalf("Await(Reply): %v", err)
	}
	ev, ok := n.(*omni.TwitterStateChange)
	if !ok || ev.Tweet.ParentID != tw || ev.Tweet.ID == tw || ev.Tweet.State != omni.StateComposing {
		t.Fatalf("Await(Reply) = a %T (%s); want the new draft answering %s", n, n.Header().Raw, tw)
	}
}

// sessionOf names the session a notification is about, for messages.
func sessionOf(n omni.Notification) string {
	if ev, ok := n.(*omni.FacebookSessionStateChange); ok {
		return ev.Session.ID
	}
	return "(not a session state change)"
}
