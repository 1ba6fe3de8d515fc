package omni_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/omnitest"
)

// TestLiveViewResyncReportsTheFinalState: interactions whose ending a CometD
// gap hid end, at the re-sync, in the state a read of each finds (outside
// review: every one was reported Completed, so a bot counting sent replies
// on OnEnd miscounted), and one whose read fails ends with Gone set and the
// last state seen.
func TestLiveViewResyncReportsTheFinalState(t *testing.T) {
	srv, c := simClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), guardTimeout)
	defer cancel()
	events := make(chan string, 64)
	drafts := make(chan string, 8)
	v, err := c.Watch(ctx, omni.InteractionHandlers{
		OnNew: func(ev *omni.InteractionEvent) {
			if !ev.Inbound {
				drafts <- ev.ID
			}
			events <- "new " + ev.ID
		},
		OnEnd: func(ev *omni.InteractionEvent) {
			s := fmt.Sprintf("end %s %s", ev.ID, ev.State)
			if ev.Gone {
				s += " gone"
			}
			if ev.Notification == nil {
				s += " (resync)"
			}
			events <- s
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	ev := &viewEvents{ch: events}
	startAgent(t, c, nil, omnitest.AgentChannelFacebook)
	post := srv.CustomerPost("alice", "two replies")
	ev.want(t, "new "+post)
	var ids []string
	for range 2 {
		if _, err := c.Facebook.Reply(ctx, post, omni.FacebookReply{QueuePath: "/queues/out"}); err != nil {
			t.Fatal(err)
		}
		select {
		case id := <-drafts:
			ids = append(ids, id)
		case <-ctx.Done():
			t.Fatal("no draft")
		}
	}
	ev.want(t, "new "+ids[0], "new "+ids[1])

	// The two drafts end with their notifications lost.
	if err := srv.InjectMessage(omni.ChannelFacebook, omnitest.DropMessage().Times(2)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Facebook.Send(ctx, ids[0], omni.FacebookSend{QueuePath: "/queues/out", From: "page", Message: "sent"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Facebook.Cancel(ctx, ids[1]); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "both notifications dropped", func() bool { return len(srv.PendingMessageFaults()) == 0 })
	if err := v.Resync(ctx); err != nil {
		t.Fatal(err)
	}
	ev.want(t, "end "+ids[0]+" Sent (resync)", "end "+ids[1]+" Canceled (resync)")

	// The post completes unseen, and the read of it fails.
	if err := srv.InjectMessage(omni.ChannelFacebook, omnitest.DropMessage()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Facebook.Complete(ctx, post, omni.Complete{}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the notification dropped", func() bool { return len(srv.PendingMessageFaults()) == 0 })
	srv.Inject(omnitest.RouteFacebookRead, omnitest.Status(404))
	if err := v.Resync(ctx); err != nil {
		t.Fatal(err)
	}
	ev.want(t, "end "+post+" Processing gone (resync)")

	// A read that hangs holds the re-sync only for its bound (second outside
	// review: an automatic re-sync waited on it for good).
	hung := srv.CustomerPost("carol", "its read hangs")
	ev.want(t, "new "+hung)
	if err := srv.InjectMessage(omni.ChannelFacebook, omnitest.DropMessage()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Facebook.Complete(ctx, hung, omni.Complete{}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the notification dropped", func() bool { return len(srv.PendingMessageFaults()) == 0 })
	srv.Inject(omnitest.RouteFacebookRead, omnitest.Hang())
	// Resync's own context outlasts the event's guard: only the read's own
	// bound can end it in time.
	long, cancelLong := context.WithTimeout(context.Background(), 6*guardTimeout)
	defer cancelLong()
	resynced := make(chan error, 1)
	go func() { resynced <- v.Resync(long) }()
	ev.want(t, "end "+hung+" Processing gone (resync)")
	if err := <-resynced; err != nil {
		t.Fatal(err)
	}
}

// A re-sync reports a change of properties the gap hid, not only of state
// and capabilities, and the view then holds the snapshot's resource (third
// outside review: a dropped AttachUserData stayed unseen, the view stale).
func TestLiveViewResyncReportsPropertyChanges(t *testing.T) {
	srv, c := simClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), guardTimeout)
	defer cancel()
	changes := make(chan *omni.InteractionEvent, 8)
	news := make(chan string, 8)
	v, err := c.Watch(ctx, omni.InteractionHandlers{
		OnNew:    func(ev *omni.InteractionEvent) { news <- ev.ID },
		OnChange: func(ev *omni.InteractionEvent) { changes <- ev },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	startAgent(t, c, nil, omnitest.AgentChannelFacebook)
	post := srv.CustomerPost("alice", "properties")
	select {
	case <-news:
	case <-ctx.Done():
		t.Fatal("no new post")
	}
	if err := srv.InjectMessage(omni.ChannelFacebook, omnitest.DropMessage()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Facebook.AttachUserData(ctx, post, map[string]any{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the notification dropped", func() bool { return len(srv.PendingMessageFaults()) == 0 })
	if err := v.Resync(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-changes:
		if ev.ID != post || ev.Notification != nil || ev.Facebook == nil || ev.Facebook.UserData["k"] != "v" {
			t.Errorf("change %+v", ev)
		}
	case <-ctx.Done():
		t.Fatal("the re-sync reported no change")
	}
	for _, in := range v.Interactions() {
		if in.ID == post && in.Facebook.UserData["k"] != "v" {
			t.Errorf("the view holds %+v", in.Facebook.UserData)
		}
	}
}
