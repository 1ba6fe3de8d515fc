package omni_test

import (
	"context"
	"errors"
	"net/url"
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

// TestSimulatorSecondAgentWithoutSession: a second client (its own cookie
// jar and user) that never started a contact-center session is an agent
// without one: it cannot go Ready, its snapshot holds none of the first
// agent's interactions, and operating one is not found; the first agent's
// item is left as it was and the first agent completes it.
func TestSimulatorSecondAgentWithoutSession(t *testing.T) {
	srv, c := simClient(t)
	in := listen(t, c)
	ctx := context.Background()
	c2, err := omni.NewClient(srv.URL(), omni.WithBasicAuth("agent2", "pw2"), fastRetry)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	cnt := newCounter()
	sub2, err := c2.Subscribe(ctx, omni.OnNotification(func(n omni.Notification) {
		if n.Header().Channel == markerChannel {
			cnt.marker <- struct{}{}
			return
		}
		cnt.add(n.Header().Channel)
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer sub2.Close()
	startAgent(t, c, in, omnitest.AgentChannelFacebook)
	post := srv.CustomerPost("Labuprofen", "hello")
	in.next(t, "inbound post", facebookWith(post, omni.StateProcessing))

	var ae *omni.APIError
	if err := c2.Agent.Ready(ctx, omnitest.AgentChannelFacebook); !errors.As(err, &ae) || ae.HTTPStatus != 400 || ae.GWSStatusCode != 2 {
		t.Errorf("Ready by an agent without a session: %v, want HTTP 400 statusCode 2", err)
	}
	snap, err := c2.Agent.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Facebook) != 0 || len(snap.Tweets) != 0 || len(snap.FacebookSessions) != 0 {
		t.Errorf("second agent's snapshot holds %d posts, %d tweets, %d sessions", len(snap.Facebook), len(snap.Tweets), len(snap.FacebookSessions))
	}
	_, err = c2.Facebook.Complete(ctx, post, omni.Complete{})
	wantNotFound(t, "Complete by the second agent", err)
	_, err = c2.Facebook.Reply(ctx, post, omni.FacebookReply{QueuePath: qContacts})
	wantNotFound(t, "Reply by the second agent", err)
	if it, _ := srv.Interaction(post); it.State != "Processing" {
		t.Fatalf("post is %s after the second agent's operations", it.State)
	}
	if snap, err := c.Agent.Snapshot(ctx); err != nil || len(snap.Facebook) != 1 || snap.Facebook[0].ID != post {
		t.Errorf("first agent's snapshot: %+v, %v", snap, err)
	}
	if _, err := c.Facebook.Complete(ctx, post, omni.Complete{}); err != nil {
		t.Fatal(err)
	}
	in.next(t, "completed post", facebookWith(post, omni.StateCompleted))
	// Everything published so far reached the second agent's session
	// before the marker (published to every session) does.
	cnt.waitMarker(t, srv)
	if n, m := cnt.get(omni.ChannelFacebook), cnt.get(omni.ChannelChannels); n != 0 || m != 0 {
		t.Errorf("second agent got %d Facebook and %d channel notifications of the first agent's", n, m)
	}
}

// sessionCookie returns the client's JSESSIONID for the server.
func sessionCookie(t *testing.T, c *omni.Client, srv *omnitest.Server) string {
	t.Helper()
	u, err := url.Parse(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	for _, ck := range c.HTTPClient().Jar.Cookies(u) {
		if ck.Name == omnitest.SessionCookie {
			return ck.Value
		}
	}
	return ""
}

// TestSimulatorEndSessionEndsTheHTTPSession: EndContactCenterSession also
// ends the HTTP session, as documented. Afterwards the agent is signed out:
// operating the post it held is not found. The next request starts a new
// HTTP session (a new JSESSIONID and, with CSRF on, a new token): the SDK's
// first POST with the old token is refused with 403, it fetches the new
// token and the retried StartContactCenterSession succeeds; Ready offers the
// post again.
func TestSimulatorEndSessionEndsTheHTTPSession(t *testing.T) {
	srv, c := simClient(t, omnitest.WithCSRF())
	in := listen(t, c)
	ctx := context.Background()
	startAgent(t, c, in, omnitest.AgentChannelFacebook)
	post := srv.CustomerPost("Labuprofen", "hello")
	in.next(t, "inbound post", facebookWith(post, omni.StateProcessing))
	before := sessionCookie(t, c, srv)
	if before == "" {
		t.Fatal("no JSESSIONID before EndContactCenterSession")
	}
	if err := c.Agent.EndContactCenterSession(ctx); err != nil {
		t.Fatal(err)
	}
	in.next(t, "the post revoked", facebookWith(post, omni.StateRevoked))
	if srv.SignedIn() {
		t.Fatal("still signed in")
	}
	ended := len(srv.Requests())
	_, err := c.Facebook.Complete(ctx, post, omni.Complete{})
	wantNotFound(t, "Complete after EndContactCenterSession", err)
	after := sessionCookie(t, c, srv)
	if after == "" || after == before {
		t.Fatalf("JSESSIONID after EndContactCenterSession: %q (before %q), want a new one", after, before)
	}
	refused := 0
	for _, r := range srv.Requests()[ended:] {
		if r.Status == 403 {
			refused++
		}
	}
	if refused == 0 {
		t.Error("no POST was refused for the old CSRF token")
	}
	startAgent(t, c, in, omnitest.AgentChannelFacebook)
	in.next(t, "the post offered again", facebookWith(post, omni.StateProcessing))
	if _, err := c.Facebook.Complete(ctx, post, omni.Complete{}); err != nil {
		t.Fatal(err)
	}
	in.next(t, "completed post", facebookWith(post, omni.StateCompleted))
}

// An interaction withdrawn at EndContactCenterSession ends in the agent's
// view (Revoked), and offered again after the next StartContactCenterSession
// it is new again: the simulator used to withdraw it silently, so a view
// kept it, live, while no agent held it (stop 21's review).
func TestSimulatorEndSessionRevokesTheOfferedInteractions(t *testing.T) {
	srv, c := simClient(t)
	ctx := context.Background()
	ev := subscribeInteractions(t, c)
	startAgent(t, c, nil, omnitest.AgentChannelTwitter)
	tw := srv.CustomerTweet("vitaliy_onv", "hello")
	ev.want(t, "new tweet/"+tw)
	if err := c.Agent.EndContactCenterSession(ctx); err != nil {
		t.Fatal(err)
	}
	ev.want(t, "end tweet/"+tw)
	startAgent(t, c, nil, omnitest.AgentChannelTwitter)
	ev.want(t, "new tweet/"+tw)
	if _, err := c.Twitter.Complete(ctx, tw, omni.Complete{}); err != nil {
		t.Fatal(err)
	}
	ev.want(t, "end tweet/"+tw)
}

// A private-messaging session withdrawn at EndContactCenterSession after
// its Accept is offered again as a new arrival: Invited, Accept and Reject,
// no agent among its participants, and it can be accepted again. Before, it
// came back Chatting with the old agent, and Accept was refused (outside
// review).
func TestSimulatorWithdrawnSessionIsOfferedAgainAsInvited(t *testing.T) {
	srv, c := simClient(t)
	in := listen(t, c)
	ctx := context.Background()
	startAgent(t, c, in)
	if err := c.Agent.ReadyAll(ctx); err != nil {
		t.Fatal(err)
	}
	sess := srv.CustomerPrivateMessage("FirstL", "Hello World")
	in.next(t, "offer", sessionWith(sess, omni.StateInvited))
	if _, err := c.FacebookSessions.Accept(ctx, sess, "agentA"); err != nil {
		t.Fatal(err)
	}
	in.next(t, "chatting", sessionWith(sess, omni.StateChatting))
	if err := c.Agent.EndContactCenterSession(ctx); err != nil {
		t.Fatal(err)
	}
	rev := in.next(t, "revoked", sessionWith(sess, omni.StateRevoked)).(*omni.FacebookSessionStateChange)
	if len(rev.Session.Capabilities) != 0 {
		t.Errorf("revoked with capabilities %v", rev.Session.Capabilities)
	}
	// The simulator's view is what the agent was last told (outside review
	// of stop 28: it showed the re-offer's Invited [Accept Reject]).
	if got, _ := srv.Interaction(sess); got.State != "Revoked" || len(got.Capabilities) != 0 || got.Offered {
		t.Errorf("Interaction after the withdrawal: state %q, capabilities %v, offered %v; want Revoked, none, false",
			got.State, got.Capabilities, got.Offered)
	}
	startAgent(t, c, in)
	if err := c.Agent.ReadyAll(ctx); err != nil {
		t.Fatal(err)
	}
	again := in.next(t, "offered again", sessionWith(sess, omni.StateInvited)).(*omni.FacebookSessionStateChange)
	if !sameOps(again.Session.Capabilities, omni.OpAccept, omni.OpReject) {
		t.Errorf("offered again with capabilities %v", again.Session.Capabilities)
	}
	if got, _ := srv.Interaction(sess); got.State != "Invited" || len(got.Capabilities) != 2 || !got.Offered {
		t.Errorf("Interaction offered again: state %q, capabilities %v, offered %v", got.State, got.Capabilities, got.Offered)
	}
	for _, p := range again.Session.Participants {
		if p.Type == omni.ParticipantAgent {
			t.Errorf("offered again with agent %+v", p)
		}
	}
	if _, err := c.FacebookSessions.Accept(ctx, sess, "agentB"); err != nil {
		t.Fatalf("Accept of the session offered again: %v", err)
	}
	in.next(t, "chatting again", sessionWith(sess, omni.StateChatting))
}
