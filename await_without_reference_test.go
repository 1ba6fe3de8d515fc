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
