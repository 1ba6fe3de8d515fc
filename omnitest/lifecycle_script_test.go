package omnitest

import (
	"context"
	"errors"
	"testing"

	"github.com/omnisdk/omni"
)

// Scripts apply to the operations on customer-started interactions and
// their drafts as to any send of the route, and the journal holds what those
// requests published (second outside review: a script was ignored by a
// draft's Send, which went out, and then taken by a later, unrelated send;
// and lifecycle requests recorded no notifications).
func TestScriptsAndJournalCoverLifecycleOperations(t *testing.T) {
	srv := NewServer(t)
	c := srv.NewClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	if err := c.Agent.StartContactCenterSession(ctx, omni.SessionStart{Channels: []string{AgentChannelFacebook}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Agent.Ready(ctx, AgentChannelFacebook); err != nil {
		t.Fatal(err)
	}
	post := srv.CustomerPost("alice", "hello")
	n, err := c.Await(ctx, omni.Expect{Channel: omni.ChannelFacebook}, func(ctx context.Context) (omni.Accepted, error) {
		return c.Facebook.Reply(ctx, post, omni.FacebookReply{QueuePath: "/queues/out"})
	})
	if err != nil {
		t.Fatal(err)
	}
	draft := n.(*omni.FacebookStateChange).Facebook.ID
	if err := srv.Script(RouteFacebookSend, Failed("Page not found")); err != nil {
		t.Fatal(err)
	}
	_, err = c.Facebook.SendAndWait(ctx, draft, omni.FacebookSend{QueuePath: "/q", From: "page", Message: "answer"})
	var oe *omni.OperationError
	if !errors.As(err, &oe) || oe.Message != "Page not found" {
		t.Fatalf("SendAndWait of the draft: %v, want the scripted *OperationError", err)
	}
	if got, err := c.Facebook.Get(ctx, draft, nil); err != nil || got.State != omni.StateComposing {
		t.Errorf("the draft after the failed send: %+v, %v; want it still Composing", got, err)
	}
	if p := srv.PendingScripts(); len(p) != 0 {
		t.Errorf("scripts left: %v", p)
	}
	// A later send to another id is not the script's.
	if _, err := c.Facebook.SendAndWait(ctx, "OTHER", omni.FacebookSend{QueuePath: "/q", From: "page", Message: "x"}); err != nil {
		t.Errorf("an unrelated send: %v", err)
	}
	// The journal: the failed Send published its Error, a Complete its state change.
	res, err := c.Facebook.Complete(ctx, post, omni.Complete{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []int64{oe.ReferenceID, res.ReferenceID} {
		r, err := srv.WaitRequest(ctx, ByReferenceID(ref))
		if err != nil {
			t.Fatalf("WaitRequest(%d): %v", ref, err)
		}
		if len(r.Notifications) != 1 {
			t.Errorf("request with referenceId %d: %d notifications in the journal, want 1", ref, len(r.Notifications))
		}
	}
}

// The interaction collection's operations take scripts too (second outside
// review: Script refused the route, although Create and Follow publish): a
// Create scripted to fail makes no draft, a Follow scripted to fail answers
// success "false".
func TestScriptsCoverTheInteractionCollection(t *testing.T) {
	srv := NewServer(t)
	c := srv.NewClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	if err := srv.Script(RouteInteractionCollection, Failed("Queue not found")); err != nil {
		t.Fatalf("Script(RouteInteractionCollection): %v", err)
	}
	_, err := c.Await(ctx, omni.Expect{Channel: omni.ChannelFacebook}, func(ctx context.Context) (omni.Accepted, error) {
		return c.Facebook.Create(ctx, omni.FacebookCreate{QueuePath: "/queues/none"})
	})
	var oe *omni.OperationError
	if !errors.As(err, &oe) || oe.Message != "Queue not found" {
		t.Fatalf("Create: %v, want the scripted *OperationError", err)
	}
	if items := srv.Interactions(); len(items) != 0 {
		t.Errorf("a failed Create made %d interactions", len(items))
	}
	if r, err := srv.WaitRequest(ctx, ByReferenceID(oe.ReferenceID)); err != nil || len(r.Notifications) != 1 {
		t.Errorf("the failed Create's journal entry: %v, %v", r.Notifications, err)
	}
	if err := srv.Script(RouteInteractionCollection, Failed("Unable to perform twitter operation")); err != nil {
		t.Fatal(err)
	}
	_, err = c.Await(ctx, omni.Expect{Channel: omni.ChannelTwitter}, func(ctx context.Context) (omni.Accepted, error) {
		return c.Twitter.Follow(ctx, omni.TwitterFollow{TwitterUserID: "42", From: "acct"})
	})
	if !errors.As(err, &oe) {
		t.Errorf("Follow: %v, want an *OperationError", err)
	}
}

// An agent request's notifications are in its journal entry: the channel
// state a Ready publishes and the offer it releases (third outside review:
// RouteAgentChannel and RouteMe requests recorded none).
func TestJournalRecordsAgentRequestsNotifications(t *testing.T) {
	srv := NewServer(t)
	c := srv.NewClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	if err := c.Agent.StartContactCenterSession(ctx, omni.SessionStart{Channels: []string{AgentChannelFacebook}}); err != nil {
		t.Fatal(err)
	}
	srv.CustomerPost("alice", "waits for a Ready agent")
	if err := c.Agent.Ready(ctx, AgentChannelFacebook); err != nil {
		t.Fatal(err)
	}
	r, err := srv.WaitRequest(ctx, ByRoute(RouteAgentChannel))
	if err != nil {
		t.Fatal(err)
	}
	channels := map[string]int{}
	for _, n := range r.Notifications {
		channels[n.Channel]++
	}
	if channels[ChannelChannels] != 1 || channels[ChannelFacebook] != 1 {
		t.Errorf("Ready's journal entry: notifications on %v, want the channel state and the post's offer", channels)
	}
	if me, err := srv.WaitRequest(ctx, ByRoute(RouteMe)); err != nil || len(me.Notifications) == 0 {
		t.Errorf("StartContactCenterSession's journal entry holds no notification (%v)", err)
	}
}

// A scripted failure of an operation on a customer's Tweet is a
// TwitterStateChangeMessage of type Error naming the tweet, as the documents
// describe interaction operations' failures (third outside review: it was a
// TwitterOperationResponse, which names no interaction, so another client's
// wait could take it).
func TestScriptedTweetOperationFailureNamesTheTweet(t *testing.T) {
	srv := NewServer(t)
	c := srv.NewClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	if err := c.Agent.StartContactCenterSession(ctx, omni.SessionStart{Channels: []string{AgentChannelTwitter}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Agent.Ready(ctx, AgentChannelTwitter); err != nil {
		t.Fatal(err)
	}
	tweet := srv.CustomerTweet("bob", "hello")
	if err := srv.Script(RouteTwitterSend, Failed("Tweet not found")); err != nil {
		t.Fatal(err)
	}
	_, err := c.Await(ctx, omni.Expect{Channel: omni.ChannelTwitter}, func(ctx context.Context) (omni.Accepted, error) {
		return c.Twitter.Complete(ctx, tweet, omni.Complete{})
	})
	var oe *omni.OperationError
	if !errors.As(err, &oe) {
		t.Fatalf("Complete: %v, want an *OperationError", err)
	}
	if n, ok := oe.Notification.(*omni.TwitterStateChange); !ok || n.Tweet.ID != tweet {
		t.Errorf("the failure's notification: %#v", oe.Notification)
	}
}
