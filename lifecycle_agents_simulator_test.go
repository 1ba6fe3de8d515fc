package omni_test

import (
	"context"
	"errors"
	"testing"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/omnitest"
)

// wantNotFound asserts an *APIError with HTTP 404 and statusCode 6.
func wantNotFound(t *testing.T, what string, err error) {
	t.Helper()
	var ae *omni.APIError
	if !errors.Is(err, omni.ErrNotFound) || !errors.As(err, &ae) || ae.HTTPStatus != 404 || ae.GWSStatusCode != 6 {
		t.Errorf("%s: %v, want HTTP 404 statusCode 6 (ErrNotFound)", what, err)
	}
}

// TestSimulatorOperationOnAnotherKindsRoute: an id names an interaction of
// one kind; on another kind's route (POST /me/tweets/{facebook id}, ...) it
// is not found, and the interaction is left as it was.
func TestSimulatorOperationOnAnotherKindsRoute(t *testing.T) {
	srv, c := simClient(t)
	in := listen(t, c)
	ctx := context.Background()
	startAgent(t, c, in, omnitest.AgentChannelFacebook, omnitest.AgentChannelTwitter, omnitest.AgentChannelFacebookSession)
	post := srv.CustomerPost("Labuprofen", "hello")
	in.next(t, "inbound post", facebookWith(post, omni.StateProcessing))
	tweet := srv.CustomerTweet("vitaliy_onv", "hello")
	in.next(t, "inbound tweet", tweetWith(tweet, omni.StateProcessing))
	sess := srv.CustomerPrivateMessage("FirstL", "hello")
	in.next(t, "offered session", sessionWith(sess, omni.StateInvited))

	_, err := c.Twitter.Complete(ctx, post, omni.Complete{})
	wantNotFound(t, "Twitter.Complete(post)", err)
	_, err = c.FacebookSessions.Complete(ctx, post)
	wantNotFound(t, "FacebookSessions.Complete(post)", err)
	_, err = c.Facebook.Complete(ctx, tweet, omni.Complete{})
	wantNotFound(t, "Facebook.Complete(tweet)", err)
	_, err = c.Twitter.Transfer(ctx, sess, "/users/2")
	wantNotFound(t, "Twitter.Transfer(session)", err)
	_, err = c.Facebook.Reply(ctx, sess, omni.FacebookReply{QueuePath: qContacts})
	wantNotFound(t, "Facebook.Reply(session)", err)

	for id, state := range map[string]string{post: "Processing", tweet: "Processing", sess: "Invited"} {
		if it, _ := srv.Interaction(id); it.State != state {
			t.Errorf("%s %s is %s, want %s", it.Kind, id, it.State, state)
		}
	}
	// On its own route the post completes.
	if _, err := c.Facebook.Complete(ctx, post, omni.Complete{}); err != nil {
		t.Fatal(err)
	}
	in.next(t, "completed post", facebookWith(post, omni.StateCompleted))
}
