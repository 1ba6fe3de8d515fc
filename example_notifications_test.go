package omni_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/omnitest"
)

// simulator starts the in-process contact center the notification examples
// run against, and a client for it.
func simulator() (*omnitest.Server, *omni.Client) {
	srv, err := omnitest.Start("127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	c, err := omni.NewClient(srv.URL(), omni.WithBasicAuth("agent1", "secret"))
	if err != nil {
		log.Fatal(err)
	}
	return srv, c
}

func ExampleFacebookService_SendAndWait() {
	srv, c := simulator()
	defer srv.Close()
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	ev, err := c.Facebook.SendAndWait(ctx, "01QQQG2MU214P06D", omni.FacebookSend{
		QueuePath: "/contacts/60ebbb94-3cef-4b14-95f8-5c49dbeb355d",
		From:      "vitaliy_onv",
		Message:   "Hello Facebook!",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ev.MessageType, ev.ReferenceID, ev.Facebook.State, ev.Facebook.Message)
	// Output: FacebookStateChangeMessage 1 Sent Hello Facebook!
}

func ExampleTwitterService_SendAndWait() {
	srv, c := simulator()
	defer srv.Close()
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	ev, err := c.Twitter.SendAndWait(ctx, "010QQG2MU214P06D", omni.TwitterSend{
		QueuePath: "/contacts/60ebbb94-3cef-4b14-95f8-5c49dbeb355d",
		From:      "vitaliy_onv",
		Message:   "Hello Twitter!",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ev.ReferenceID, ev.Tweet.State, ev.Tweet.Message)
	// Output: 1 Sent Hello Twitter!
}

func ExampleClient_Subscribe() {
	srv, c := simulator()
	defer srv.Close()
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	logs := make(chan *omni.MessageLogUpdated, 1)
	sub, err := c.Subscribe(ctx, omni.OnMessageLog(func(e *omni.MessageLogUpdated) { logs <- e }))
	if err != nil {
		log.Fatal(err)
	}
	defer sub.Close()

	// An agent answers in a Facebook private-message session; GWS reports
	// the new log on /v2/me/facebooksession.
	if _, err := c.FacebookSessions.SendMessage(ctx, "0000Na9B26EF002X", "How can I help?"); err != nil {
		log.Fatal(err)
	}
	select {
	case e := <-logs:
		last := e.Messages[len(e.Messages)-1]
		fmt.Println(last.Type, last.From.Type, last.Text)
	case <-ctx.Done():
		log.Fatal("no notification")
	}
	// Output: Text Agent How can I help?
}
