package omni_test

import (
	"context"
	"fmt"
	"log"

	"github.com/omnisdk/omni"
)

// The session of these examples: a customer's Facebook private-message
// conversation, as GWS names it.
const sessionID = "0000Na9B26EF002X"

func ExampleFacebookSessionService_Accept() {
	srv, c := readBackSimulator()
	defer srv.Close()
	defer c.Close()
	ctx := context.Background()

	if _, err := c.FacebookSessions.Accept(ctx, sessionID, "Kristi"); err != nil {
		log.Fatal(err)
	}
	fs, err := c.FacebookSessions.Get(ctx, sessionID, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(fs.State, fs.Participants[0].Type, fs.Participants[0].Nickname)
	// Output: Chatting Agent Kristi
}

func ExampleFacebookSessionService_SendMessage() {
	srv, c := readBackSimulator()
	defer srv.Close()
	defer c.Close()
	ctx := context.Background()

	// The ReferenceID matches the MessageLogUpdated notification that
	// carries the new message (see ExampleClient_Subscribe).
	r, err := c.FacebookSessions.SendMessage(ctx, sessionID, "How can I help?")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.ReferenceID > 0)
	// Output: true
}

func ExampleFacebookSessionService_SendToAgents() {
	srv, c := readBackSimulator()
	defer srv.Close()
	defer c.Close()

	// Only the agents of the session see this text.
	if _, err := c.FacebookSessions.SendToAgents(context.Background(), sessionID, "VIP customer"); err != nil {
		log.Fatal(err)
	}
	fmt.Println(srv.Requests()[0].Method, srv.Requests()[0].Path)
	// Output: POST /api/v2/me/facebooksessions/0000Na9B26EF002X
}

func ExampleFacebookSessionService_Transfer() {
	srv, c := readBackSimulator()
	defer srv.Close()
	defer c.Close()

	_, err := c.FacebookSessions.Transfer(context.Background(), sessionID, "")
	fmt.Println(err) // rejected before any request leaves the process
	_, err = c.FacebookSessions.Transfer(context.Background(), sessionID, "/agent-groups/second-line")
	fmt.Println(err, len(srv.Requests()))
	// Output:
	// omni: invalid request: targetPath: must not be empty
	// <nil> 1
}

func ExampleFacebookSessionService_SendStartTyping() {
	srv, c := readBackSimulator()
	defer srv.Close()
	defer c.Close()
	ctx := context.Background()

	// Typing notifications bracket a message the agent is writing.
	for _, op := range []func(context.Context, string) (*omni.OperationResult, error){
		c.FacebookSessions.SendStartTyping, c.FacebookSessions.SendStopTyping,
	} {
		if _, err := op(ctx, sessionID); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println(len(srv.Requests()))
	// Output: 2
}

func ExampleFacebookSessionService_SendStopTyping() {
	srv, c := readBackSimulator()
	defer srv.Close()
	defer c.Close()

	_, err := c.FacebookSessions.SendStopTyping(context.Background(), "")
	fmt.Println(err)
	// Output: omni: invalid request: id: must not be empty
}

func ExampleFacebookSessionService_Leave() {
	srv, c := readBackSimulator()
	defer srv.Close()
	defer c.Close()
	ctx := context.Background()

	if _, err := c.FacebookSessions.Accept(ctx, sessionID, "Kristi"); err != nil {
		log.Fatal(err)
	}
	if _, err := c.FacebookSessions.Leave(ctx, sessionID); err != nil {
		log.Fatal(err)
	}
	fs, err := c.FacebookSessions.Get(ctx, sessionID, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(fs.Participants))
	// Output: 0
}

func ExampleFacebookSessionService_Complete() {
	srv, c := readBackSimulator()
	defer srv.Close()
	defer c.Close()

	r, err := c.FacebookSessions.Complete(context.Background(), sessionID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.ReferenceID > 0)
	// Output: true
}

func ExampleFacebookSessionService_Get() {
	srv, c := readBackSimulator()
	defer srv.Close()
	defer c.Close()
	ctx := context.Background()

	if _, err := c.FacebookSessions.SendMessage(ctx, sessionID, "Hello"); err != nil {
		log.Fatal(err)
	}
	fs, err := c.FacebookSessions.Get(ctx, sessionID, &omni.GetOptions{Fields: []string{omni.FieldsAll}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(fs.ID, fs.State)
	// Output: 0000Na9B26EF002X Chatting
}

func ExampleFacebookSessionService_List() {
	srv, c := readBackSimulator()
	defer srv.Close()
	defer c.Close()
	ctx := context.Background()

	for _, id := range []string{"0000Na9B26EF002X", "0000Na9B26EF002Y"} {
		if _, err := c.FacebookSessions.Accept(ctx, id, "Kristi"); err != nil {
			log.Fatal(err)
		}
	}
	// Without Fields GWS lists URIs only; with them, the resources.
	page, err := c.FacebookSessions.List(ctx, &omni.ListOptions{Limit: 10})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(page.URIs), len(page.Items))
	page, err = c.FacebookSessions.List(ctx, &omni.ListOptions{Fields: []string{"id", "state"}, Limit: 10})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(page.URIs), len(page.Items), page.Items[0].State)
	// Output:
	// 2 0
	// 0 2 Chatting
}

func ExampleFacebookService_List() {
	srv, c := readBackSimulator()
	defer srv.Close()
	defer c.Close()
	ctx := context.Background()

	_, err := c.Facebook.List(ctx, &omni.ListOptions{Limit: -1})
	fmt.Println(err) // rejected before any request leaves the process
	_, err = c.Facebook.Send(ctx, "01QQQG2MU214P06D", omni.FacebookSend{
		QueuePath: "/contacts/60ebbb94-3cef-4b14-95f8-5c49dbeb355d", From: "vitaliy_onv", Message: "Hello Facebook!"})
	if err != nil {
		log.Fatal(err)
	}
	page, err := c.Facebook.List(ctx, nil) // no fields: URIs only
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(page.URIs), len(page.Items))
	// Output:
	// omni: invalid request: limit: must not be negative, got -1
	// 1 0
}

func ExampleTwitterService_Get() {
	srv, c := readBackSimulator()
	defer srv.Close()
	defer c.Close()
	ctx := context.Background()

	_, err := c.Twitter.Send(ctx, "01QQQG2MU214P06E", omni.TwitterSend{
		QueuePath: "/contacts/60ebbb94-3cef-4b14-95f8-5c49dbeb355d", From: "omni_demo", Message: "Hello Twitter!"})
	if err != nil {
		log.Fatal(err)
	}
	tw, err := c.Twitter.Get(ctx, "01QQQG2MU214P06E", nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tw.ID, tw.State, tw.Message)
	// Output: 01QQQG2MU214P06E Sent Hello Twitter!
}

func ExampleTwitterService_List() {
	srv, c := readBackSimulator()
	defer srv.Close()
	defer c.Close()
	ctx := context.Background()

	for _, id := range []string{"01QQQG2MU214P06E", "01QQQG2MU214P06F"} {
		_, err := c.Twitter.Send(ctx, id, omni.TwitterSend{
			QueuePath: "/contacts/60ebbb94-3cef-4b14-95f8-5c49dbeb355d", From: "omni_demo", Message: "Hi " + id})
		if err != nil {
			log.Fatal(err)
		}
	}
	page, err := c.Twitter.List(ctx, &omni.ListOptions{Fields: []string{"id"}, Offset: 1, Limit: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(page.Items), page.Items[0].ID)
	// Output: 1 01QQQG2MU214P06F
}
