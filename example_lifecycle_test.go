package omni_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/omnitest"
)

const exampleQueue = "/contacts/60ebbb94-3cef-4b14-95f8-5c49dbeb355d"

// agentSimulator is a simulator with an agent signed in and Ready on every
// social channel, so that customers' items are offered at once.
func agentSimulator() (*omnitest.Server, *omni.Client) {
	srv, c := readBackSimulator()
	ctx := context.Background()
	if err := c.Agent.StartContactCenterSession(ctx, omni.SessionStart{Channels: []string{
		omnitest.AgentChannelFacebook, omnitest.AgentChannelTwitter, omnitest.AgentChannelFacebookSession}}); err != nil {
		log.Fatal(err)
	}
	if err := c.Agent.ReadyAll(ctx); err != nil {
		log.Fatal(err)
	}
	return srv, c
}

// draftOf returns the reply draft answering parent.
func draftOf(srv *omnitest.Server, parent string) omnitest.Interaction {
	for _, it := range srv.Interactions() {
		if it.ParentID == parent {
			return it
		}
	}
	return omnitest.Interaction{}
}

// state returns the simulator's state of id.
func state(srv *omnitest.Server, id string) string {
	it, _ := srv.Interaction(id)
	return it.State
}

func ExampleAgentService_StartContactCenterSession() {
	srv, c := readBackSimulator()
	defer srv.Close()
	defer c.Close()
	ctx := context.Background()

	err := c.Agent.StartContactCenterSession(ctx, omni.SessionStart{Channels: []string{"facebook", "twitter"}})
	var partly *omni.SessionStartError
	if errors.As(err, &partly) { // statusCode 7: some channels failed
		for _, ch := range partly.Failed() {
			log.Printf("%s: %s", ch.Channel, ch.StatusMessage)
		}
	} else if err != nil {
		log.Fatal(err)
	}
	fmt.Println(srv.SignedIn(), srv.AgentChannelState("facebook"))
	// Output: true NotReady
}

func ExampleAgentService_Ready() {
	srv, c := readBackSimulator()
	defer srv.Close()
	defer c.Close()
	ctx := context.Background()

	if err := c.Agent.StartContactCenterSession(ctx, omni.SessionStart{Channels: []string{"facebook"}}); err != nil {
		log.Fatal(err)
	}
	post := srv.CustomerPost("Labuprofen", "hello") // waits: the agent is not Ready yet
	before, _ := srv.Interaction(post)
	if err := c.Agent.Ready(ctx, "facebook"); err != nil {
		log.Fatal(err)
	}
	after, _ := srv.Interaction(post)
	fmt.Println(before.Offered, after.Offered)
	// Output: false true
}

func ExampleAgentService_SetAgentState() {
	srv, c := agentSimulator()
	defer srv.Close()
	defer c.Close()

	// A custom agent state the contact center defines; Ready and NotReady have their own methods.
	if err := c.Agent.SetAgentState(context.Background(), "twitter", "OutToLunch"); err != nil {
		log.Fatal(err)
	}
	fmt.Println(srv.AgentChannelState("twitter"), srv.AgentChannelState("facebook"))
	// Output: OutToLunch Ready
}

func ExampleAgentService_NotReadyAll() {
	srv, c := agentSimulator()
	defer srv.Close()
	defer c.Close()

	if err := c.Agent.NotReadyAll(context.Background()); err != nil {
		log.Fatal(err)
	}
	fmt.Println(srv.AgentChannelState("facebook"), srv.AgentChannelState("twitter"))
	// Output: NotReady NotReady
}

func ExampleAgentService_EndContactCenterSession() {
	srv, c := agentSimulator()
	defer srv.Close()
	defer c.Close()

	// Last: GWS also ends the HTTP session with it.
	if err := c.Agent.EndContactCenterSession(context.Background()); err != nil {
		log.Fatal(err)
	}
	fmt.Println(srv.SignedIn())
	// Output: false
}

func ExampleAgentService_Snapshot() {
	srv, c := agentSimulator()
	defer srv.Close()
	defer c.Close()
	srv.CustomerTweet("vitaliy_onv", "@support help")

	snap, err := c.Agent.Snapshot(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(snap.Channels), len(snap.Tweets), snap.Tweets[0].State, snap.Tweets[0].Can(omni.OpReply))
	// Output: 3 1 Processing true
}

func ExampleAgentService_Channels() {
	srv, c := agentSimulator()
	defer srv.Close()
	defer c.Close()

	chs, err := c.Agent.Channels(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	for _, ch := range chs {
		fmt.Println(ch.Channel, ch.Ready())
	}
	// Output:
	// facebook true
	// twitter true
	// facebooksession true
}

func ExampleCapabilities_Can() {
	srv, c := agentSimulator()
	defer srv.Close()
	defer c.Close()
	ctx := context.Background()
	post := srv.CustomerPost("Labuprofen", "hello")

	f, err := c.Facebook.Get(ctx, post, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Can(omni.OpReply), f.Can(omni.OpSend))
	// The server decides: an operation outside the capabilities is refused.
	_, err = c.Facebook.Send(ctx, post, omni.FacebookSend{QueuePath: exampleQueue, From: "page", Message: "hi"})
	fmt.Println(errors.Is(err, omni.ErrInvalidState))
	// Output:
	// true false
	// true
}

func ExampleFacebookService_Reply() {
	srv, c := agentSimulator()
	defer srv.Close()
	defer c.Close()
	ctx := context.Background()
	comment := srv.CustomerComment("Labuprofen", "Can you help me?")

	// Reply creates an outbound draft (its own id, ParentID the comment's);
	// Send sends it and Complete ends the comment.
	r, err := c.Facebook.Reply(ctx, comment, omni.FacebookReply{QueuePath: exampleQueue})
	if err != nil {
		log.Fatal(err)
	}
	draft := draftOf(srv, comment)
	if _, err := c.Facebook.Send(ctx, draft.ID, omni.FacebookSend{QueuePath: exampleQueue, From: "Cloud App Community", Message: "Sure!"}); err != nil {
		log.Fatal(err)
	}
	if _, err := c.Facebook.Complete(ctx, comment, omni.Complete{}); err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Operation, r.Channel, state(srv, draft.ID), state(srv, comment))
	// Output: Reply /v2/me/facebook Sent Completed
}

func ExampleFacebookService_Create() {
	srv, c := agentSimulator()
	defer srv.Close()
	defer c.Close()
	ctx := context.Background()

	// A new, empty outbound post: its id comes in the notification (here: the simulator's record).
	if _, err := c.Facebook.Create(ctx, omni.FacebookCreate{QueuePath: "/queues/995655ec-81a5-46b0-82d0-3f2c5eca263d"}); err != nil {
		log.Fatal(err)
	}
	draft := srv.Interactions()[0]
	if _, err := c.Facebook.Save(ctx, draft.ID, omni.FacebookSave{From: "vitaliy_onv", Message: "Hi saved facebook!"}); err != nil {
		log.Fatal(err)
	}
	if _, err := c.Facebook.Cancel(ctx, draft.ID); err != nil {
		log.Fatal(err)
	}
	saved, _ := srv.Interaction(draft.ID)
	fmt.Println(saved.Message, saved.State)
	// Output: Hi saved facebook! Canceled
}

func ExampleFacebookService_SetDisposition() {
	srv, c := agentSimulator()
	defer srv.Close()
	defer c.Close()
	ctx := context.Background()
	post := srv.CustomerPost("Labuprofen", "hello")

	if _, err := c.Facebook.SetDisposition(ctx, post, omni.Disposition{Disposition: "resolved", Key: "DISP_KEY"}); err != nil {
		log.Fatal(err)
	}
	if _, err := c.Facebook.AddComment(ctx, post, "answered by the bot"); err != nil {
		log.Fatal(err)
	}
	if _, err := c.Facebook.AttachUserData(ctx, post, map[string]any{"Priority": "high", "Tier": "gold"}); err != nil {
		log.Fatal(err)
	}
	if _, err := c.Facebook.DeleteUserData(ctx, post, "Tier"); err != nil {
		log.Fatal(err)
	}
	it, _ := srv.Interaction(post)
	fmt.Println(it.UserData["DISP_KEY"], it.UserData["Priority"], it.UserData["Tier"])
	// Output: resolved high <nil>
}

func ExampleFacebookService_Transfer() {
	srv, c := agentSimulator()
	defer srv.Close()
	defer c.Close()
	post := srv.CustomerPost("Labuprofen", "I want a human")

	// To a user path or a queue path; the post leaves this agent.
	if _, err := c.Facebook.Transfer(context.Background(), post, "/users/10f8abb20c154fb28c82c68102625233"); err != nil {
		log.Fatal(err)
	}
	fmt.Println(state(srv, post))
	// Output: Completed
}

func ExampleTwitterService_Reply() {
	srv, c := agentSimulator()
	defer srv.Close()
	defer c.Close()
	ctx := context.Background()
	dm := srv.CustomerDirectMessage("vitaliy_onv", "please call me back")

	if _, err := c.Twitter.Reply(ctx, dm, omni.TwitterReply{QueuePath: exampleQueue}); err != nil {
		log.Fatal(err)
	}
	draft := draftOf(srv, dm)
	if _, err := c.Twitter.Send(ctx, draft.ID, omni.TwitterSend{QueuePath: exampleQueue, From: "support", Message: "Calling you today."}); err != nil {
		log.Fatal(err)
	}
	if _, err := c.Twitter.Complete(ctx, dm, omni.Complete{}); err != nil {
		log.Fatal(err)
	}
	fmt.Println(draft.UserData["To"], draft.UserData["_twitterMsgType"], state(srv, draft.ID), state(srv, dm))
	// Output: vitaliy_onv DirectMessage Sent Completed
}

func ExampleTwitterService_Unfollow() {
	srv, c := agentSimulator()
	defer srv.Close()
	defer c.Close()

	// The outcome is a TwitterOperationResponse with the same referenceId.
	r, err := c.Twitter.Unfollow(context.Background(), omni.TwitterFollow{TwitterUserID: "1234567890", From: "customer_support"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Operation, r.ReferenceID > 0, r.ID == "")
	// Output: Unfollow true true
}

func ExampleTwitterService_Retweet() {
	srv, c := agentSimulator()
	defer srv.Close()
	defer c.Close()
	ctx := context.Background()
	tw := srv.CustomerTweet("vitaliy_onv", "Great service!")

	for _, op := range []func(context.Context, string) (*omni.OperationResult, error){
		c.Twitter.Retweet, c.Twitter.MarkFavorite,
	} {
		r, err := op(ctx, tw)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(r.Operation, r.Channel)
	}
	// Output:
	// Retweet /v2/me/twitter
	// MarkFavorite /v2/me/twitter
}

func ExampleFacebookSessionService_Reject() {
	srv, c := agentSimulator()
	defer srv.Close()
	defer c.Close()
	sess := srv.CustomerPrivateMessage("FirstL", "hello")

	// An offered session (Invited) is accepted or rejected.
	if _, err := c.FacebookSessions.Reject(context.Background(), sess); err != nil {
		log.Fatal(err)
	}
	fmt.Println(state(srv, sess))
	// Output: Completed
}

func ExampleFacebookSessionService_Consult() {
	srv, c := agentSimulator()
	defer srv.Close()
	defer c.Close()
	ctx := context.Background()
	sess := srv.CustomerPrivateMessage("FirstL", "hello")
	if _, err := c.FacebookSessions.Accept(ctx, sess, "TestName"); err != nil {
		log.Fatal(err)
	}

	// Bring in another agent the customer does not see, then remove them.
	if _, err := c.FacebookSessions.Consult(ctx, sess, omni.FacebookConsult{TargetPath: "/users/c30d06daa1ea43b8be79f9b071f30d70"}); err != nil {
		log.Fatal(err)
	}
	_, err := c.FacebookSessions.RemoveParticipantFromConference(ctx, sess,
		"http://10.10.15.212:9090/api/v2/users/c30d06daa1ea43b8be79f9b071f30d70")
	fmt.Println(err)
	// Output: <nil>
}

func ExampleFacebookSessionService_ReportResponseTemplateUsage() {
	srv, c := agentSimulator()
	defer srv.Close()
	defer c.Close()
	ctx := context.Background()
	sess := srv.CustomerPrivateMessage("FirstL", "opening hours?")
	if _, err := c.FacebookSessions.Accept(ctx, sess, "TestName"); err != nil {
		log.Fatal(err)
	}

	_, err := c.FacebookSessions.ReportResponseTemplateUsage(ctx, sess, omni.TemplateUsage{
		ResponseTemplateID: "9a379217-8c06-4fae-b33b-36c94a54b58c", ResponseType: omni.ResponseSuggestedChosen})
	fmt.Println(err)
	_, err = c.FacebookSessions.CompleteInQueue(ctx, sess, "PostProcessingQueue")
	fmt.Println(err, state(srv, sess))
	// Output:
	// <nil>
	// <nil> Completed
}

func ExampleClient_Watch() {
	srv, c := agentSimulator()
	defer srv.Close()
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	// The bot: reply to each inbound post, send each draft, complete the post
	// once its answer is sent.
	answered := make(chan string, 1)
	parents := map[string]string{}
	view, err := c.Watch(ctx, omni.InteractionHandlers{
		OnNew: func(ev *omni.InteractionEvent) {
			switch {
			case ev.Inbound && ev.Can(omni.OpReply):
				c.Facebook.Reply(ctx, ev.ID, omni.FacebookReply{QueuePath: exampleQueue})
			case !ev.Inbound && ev.Can(omni.OpSend):
				parents[ev.ID] = ev.Facebook.ParentID
				c.Facebook.Send(ctx, ev.ID, omni.FacebookSend{QueuePath: exampleQueue, From: "page", Message: "Thanks!"})
			}
		},
		OnEnd: func(ev *omni.InteractionEvent) {
			if parent, ok := parents[ev.ID]; ok {
				c.Facebook.Complete(ctx, parent, omni.Complete{})
			} else if ev.Inbound {
				answered <- string(ev.State)
			}
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer view.Close()
	srv.CustomerPost("Labuprofen", "Is the shop open on Sunday?")
	select {
	case s := <-answered:
		fmt.Println("post", s)
	case <-ctx.Done():
		fmt.Println("timed out")
	}
	// Output: post Completed
}

// Any operation's method can be awaited as it is: Await takes what the
// operation returns (an *OperationResult here) and waits for the
// notification its referenceId names, the new draft's for a Reply.
func ExampleClient_Await_reply() {
	srv, c := agentSimulator()
	defer srv.Close()
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	comment := srv.CustomerComment("Labuprofen", "Can you help me?")

	n, err := c.Await(ctx, omni.Expect{Channel: omni.ChannelFacebook}, func(ctx context.Context) (omni.Accepted, error) {
		return c.Facebook.Reply(ctx, comment, omni.FacebookReply{QueuePath: exampleQueue})
	})
	if err != nil {
		log.Fatal(err)
	}
	draft := n.(*omni.FacebookStateChange).Facebook
	fmt.Println(draft.ParentID == comment, draft.State, draft.Can(omni.OpSend))
	// Output: true Composing true
}
