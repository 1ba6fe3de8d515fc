package omni_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/omnitest"
)

// Against a server whose replies carry no referenceId (as the documents'
// private-message samples show, simulated with WithoutReferenceIDs), a wait
// by resource and state ends with the operation's notification, and one by
// referenceId alone fails at once, having sent.
func TestAwaitByResourceWhenRepliesCarryNoReferenceID(t *testing.T) {
	srv := omnitest.NewServer(t, omnitest.WithoutReferenceIDs())
	c := srv.NewClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	n, err := c.Await(ctx, omni.Expect{Channel: omni.ChannelFacebookSession, ResourceID: sessionID, State: omni.StateChatting},
		func(ctx context.Context) (omni.Accepted, error) {
			return c.FacebookSessions.Accept(ctx, sessionID, "Kristi")
		})
	if err != nil {
		t.Fatalf("Await(Accept): %v", err)
	}
	ev, ok := n.(*omni.FacebookSessionStateChange)
	if !ok || ev.Session.ID != sessionID || ev.Session.State != omni.StateChatting || ev.ReferenceID == 0 {
		t.Fatalf("Await(Accept) = %#v; want the session's Chatting state change (with the notification's referenceId)", n)
	}
	reqs := srv.Requests(omnitest.ByRoute(omnitest.RouteFacebookSession))
	if len(reqs) != 1 || reqs[0].ReferenceID != 0 || reqs[0].Status != 200 {
		t.Fatalf("journal %+v; want one accepted request answered without a referenceId", reqs)
	}

	_, err = c.Facebook.SendAndWait(ctx, "01QQQG2MU214P06D", seedFacebook)
	var we *omni.WaitError
	if !errors.As(err, &we) || we.ReferenceID != 0 {
		t.Fatalf("SendAndWait = %v; want a *WaitError with ReferenceID 0", err)
	}
	if n := len(srv.Requests(omnitest.ByRoute(omnitest.RouteFacebookSend))); n != 1 {
		t.Fatalf("%d sends, want 1 (sent once, not retried)", n)
	}
}

// Without referenceIds in the replies, the notifications still carry them:
// a wait by resource records the referenceId of the notification that ended
// it, so the rest of that operation's notifications (an Accept's
// ParticipantsUpdated coming later) do not end the next wait on the same
// session (seventh outside review of this session: a typing wait right
// after an Accept returned the Accept's late notification).
func TestAwaitByResourceSkipsTheLateNotificationsOfTheOperationBefore(t *testing.T) {
	clock := omnitest.NewFakeClock(time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC))
	srv := omnitest.NewServer(t, omnitest.WithoutReferenceIDs(), omnitest.WithClock(clock))
	c := srv.NewClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := c.Agent.StartContactCenterSession(ctx, omni.SessionStart{Channels: []string{omnitest.AgentChannelFacebookSession}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Agent.Ready(ctx, omnitest.AgentChannelFacebookSession); err != nil {
		t.Fatal(err)
	}
	s := srv.CustomerPrivateMessage("alice", "hello")
	// The Accept's StatusChange now, its ParticipantsUpdated a second later.
	accept := omnitest.Notify("accept", func(x omnitest.Send) []omnitest.Notice {
		return []omnitest.Notice{omnitest.FacebookSessionStateChange(x.ReferenceID, "StatusChange", x.Resource)}
	}).Then(omnitest.Notify("participants", func(x omnitest.Send) []omnitest.Notice {
		return []omnitest.Notice{omnitest.FacebookSessionStateChange(x.ReferenceID, "ParticipantsUpdated", x.Resource)}
	}).After(time.Second))
	if err := srv.Script(omnitest.RouteFacebookSession, accept); err != nil {
		t.Fatal(err)
	}
	first, err := c.Await(ctx, omni.Expect{Channel: omni.ChannelFacebookSession, ResourceID: s, State: omni.StateChatting},
		func(ctx context.Context) (omni.Accepted, error) { return c.FacebookSessions.Accept(ctx, s, "Kristi") })
	if err != nil {
		t.Fatalf("Await(Accept): %v", err)
	}
	// The typing indicator's notification comes after the Accept's late one.
	if err := srv.Script(omnitest.RouteFacebookSession, omnitest.Sent().After(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	done := make(chan omni.Notification, 1)
	go func() {
		n, err := c.Await(ctx, omni.Expect{Channel: omni.ChannelFacebookSession, ResourceID: s},
			func(ctx context.Context) (omni.Accepted, error) { return c.FacebookSessions.SendStartTyping(ctx, s) })
		if err != nil {
			t.Errorf("Await(SendStartTyping): %v", err)
		}
		done <- n
	}()
	if err := clock.WaitPending(ctx, 2); err != nil { // the Accept's late one and the typing's
		t.Fatal(err)
	}
	clock.Advance(time.Second) // the Accept's ParticipantsUpdated: not the typing's
	clock.Advance(time.Second) // the typing's
	n := <-done
	if n == nil || n.Header().ReferenceID == first.Header().ReferenceID || n.Header().NotificationType == "ParticipantsUpdated" {
		t.Fatalf("the typing wait took %v, the Accept's (referenceId %d)", n, first.Header().ReferenceID)
	}
}
