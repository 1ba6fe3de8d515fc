package omnitest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/omnitest"
)

var post = omni.FacebookSend{QueuePath: "/contacts/c1", From: "page", Message: "Hello Facebook!"}

// start is omnitest.Start for examples, which have no *testing.T.
func start(opts ...omnitest.Option) *omnitest.Server {
	srv, err := omnitest.Start("127.0.0.1:0", opts...)
	if err != nil {
		panic(err)
	}
	return srv
}

// client is what Server.NewClient does in a test, for a program.
func client(srv *omnitest.Server, opts ...omni.Option) *omni.Client {
	c, err := omni.NewClient(srv.URL(), append(srv.ClientOptions(), opts...)...)
	if err != nil {
		panic(err)
	}
	return c
}

// Item 1: a client bound to the server, with test-speed retries. In a test,
// srv.NewClient(t) does this and closes the client at cleanup.
func ExampleServer_ClientOptions() {
	srv := start(omnitest.WithBasicAuth("agent", "secret"))
	defer srv.Close()
	c := client(srv)
	defer c.Close() // before srv.Close: deferred calls run last-in first-out

	srv.Inject(omnitest.RouteFacebookSend, omnitest.Status(503).RetryAfter(0)) // retried at once
	ctx := context.Background()
	ev, err := c.Facebook.SendAndWait(ctx, "01QQQG2MU214P06D", post)
	fmt.Println(ev.ReferenceID, ev.Facebook.State, err)
	// Output: 1 Sent <nil>
}

// Item 2: a scripted outcome instead of the default "Sent".
func ExampleServer_Script() {
	srv := start()
	defer srv.Close()
	c := client(srv)
	defer c.Close()

	srv.Script(omnitest.RouteFacebookSend, omnitest.Failed("Page not found"))
	_, err := c.Facebook.SendAndWait(context.Background(), "01QQQG2MU214P06D", post)
	var failed *omni.OperationError
	if errors.As(err, &failed) {
		fmt.Println(failed.Notification.Header().NotificationType, failed.Message)
	}

	_, err = c.Twitter.SendAndWait(context.Background(), "T1",
		omni.TwitterSend{QueuePath: "/q", From: "acct", Message: "hi"}) // the default outcome
	fmt.Println(err)
	// Output:
	// Error Page not found
	// <nil>
}

// Item 3: a lost notification, seen by the client and in Publish's count.
func ExampleServer_InjectMessage() {
	srv := start()
	defer srv.Close()
	c := client(srv)
	defer c.Close()
	ctx := context.Background()
	got := make(chan int64, 4)
	sub, _ := c.Subscribe(ctx, omni.OnChannel(omni.ChannelFacebook, func(n omni.Notification) { got <- n.Header().ReferenceID }))
	defer sub.Close()

	srv.InjectMessage(omnitest.ChannelFacebook, omnitest.DropMessage())
	for range 2 {
		res, _ := c.Facebook.Send(ctx, "01QQQG2MU214P06D", post)
		r, _ := srv.WaitRequest(ctx, omnitest.ByReferenceID(res.ReferenceID)) // its notification is published
		fmt.Printf("send %d reached %d session(s), fault %q\n", res.ReferenceID, r.Notifications[0].Delivered, r.Notifications[0].Fault)
	}
	fmt.Println("received", <-got)
	// Output:
	// send 1 reached 0 session(s), fault "DropMessage()"
	// send 2 reached 1 session(s), fault ""
	// received 2
}

// Item 4: faults that cannot apply are refused; what was injected can be
// checked.
func ExampleServer_Inject() {
	srv := start()
	defer srv.Close()

	err := srv.Inject("gws.facebok.send", omnitest.Status(503))
	fmt.Println(errors.Is(err, omnitest.ErrInvalidFault))
	fmt.Println(srv.Inject(omnitest.RouteFacebookSend, omnitest.ResetBeforeBody().RetryAfter(time.Second)))
	fmt.Println(srv.Inject(omnitest.RouteFacebookSend, omnitest.Status(503).Times(0)))

	srv.Inject(omnitest.RouteVersion, omnitest.Status(503).Always())
	srv.Inject(omnitest.RouteFacebookSend, omnitest.Status(500).Times(2))
	fmt.Println(srv.PendingFaults())
	// Output:
	// true
	// omnitest: Inject("gws.facebook.send", ResetBeforeBody().RetryAfter(1s)): RetryAfter applies to Status faults only
	// omnitest: Inject("gws.facebook.send", Status(503).Times(0)): Times(0): n must be at least 1 (Always never runs out)
	// [{gws.version Status(503).Always() -1} {gws.facebook.send Status(500).Times(2) 2}]
}

// Item 5: the GWS body a test asks for.
func ExampleFault_GWS() {
	srv := start()
	defer srv.Close()
	c := client(srv)
	defer c.Close()
	ctx := context.Background()

	srv.Inject(omnitest.RouteFacebookSend, omnitest.Status(400))
	_, err := c.Facebook.Send(ctx, "01QQQG2MU214P06D", post)
	fmt.Println(errors.Is(err, omni.ErrValidation), errors.Is(err, omni.ErrServer))

	srv.Inject(omnitest.RouteFacebookSend, omnitest.Status(200).GWS(2, "Invalid state for Send"))
	_, err = c.Facebook.Send(ctx, "01QQQG2MU214P06D", post)
	var apiErr *omni.APIError
	errors.As(err, &apiErr)
	fmt.Println(apiErr.HTTPStatus, int(apiErr.GWSStatusCode), apiErr.GWSStatusMessage)
	// Output:
	// true false
	// 200 2 Invalid state for Send
}

// Item 6: the journal says how each request was answered.
func ExampleServer_Requests() {
	srv := start()
	defer srv.Close()
	c := client(srv)
	defer c.Close()
	ctx := context.Background()

	srv.Inject(omnitest.RouteFacebookSend, omnitest.Status(503))
	_, _ = c.Facebook.Send(ctx, "01QQQG2MU214P06D", post) // a send is not retried after a 503
	res, _ := c.Facebook.Send(ctx, "01QQQG2MU214P06D", post)
	srv.WaitRequest(ctx, omnitest.ByReferenceID(res.ReferenceID))

	for _, r := range srv.Requests(omnitest.ByRoute(omnitest.RouteFacebookSend)) {
		fmt.Printf("%s %d statusCode %d referenceId %d fault %q notifications %d\n",
			r.Method, r.Status, r.GWSCode, r.ReferenceID, r.Fault, len(r.Notifications))
	}
	fmt.Println(len(srv.Requests(omnitest.Faulted())), len(srv.Requests(omnitest.ByStatus(200), omnitest.ByRoute(omnitest.RouteFacebookSend))))
	// Output:
	// POST 503 statusCode 4 referenceId 0 fault "Status(503)" notifications 0
	// POST 200 statusCode 0 referenceId 1 fault "" notifications 1
	// 1 1
}

// Item 7: time the test controls.
func ExampleFakeClock() {
	clock := omnitest.NewFakeClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	srv := start(omnitest.WithClock(clock))
	defer srv.Close()
	c := client(srv)
	defer c.Close()
	ctx := context.Background()

	srv.Script(omnitest.RouteFacebookSend, omnitest.Sent().After(time.Hour))
	done := make(chan *omni.FacebookStateChange)
	go func() {
		ev, _ := c.Facebook.SendAndWait(ctx, "01QQQG2MU214P06D", post)
		done <- ev
	}()
	_ = clock.WaitPending(ctx, 1) // answered; the notification waits for the hour
	clock.Advance(time.Hour)
	ev := <-done
	r, _ := srv.WaitRequest(ctx, omnitest.ByReferenceID(ev.ReferenceID))
	fmt.Println(ev.Facebook.State, r.Notifications[0].Time.Format(time.Kitchen))
	// Output: Sent 10:00AM
}

// Item 8: credentials switched while the server runs, over TLS.
func ExampleServer_RequireBasicAuth() {
	srv, err := omnitest.StartTLS("127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	old := client(srv)
	defer old.Close()
	ctx := context.Background()

	srv.RequireBasicAuth("agent", "rotated")
	_, err = old.ServerVersion(ctx)
	fmt.Println(errors.Is(err, omni.ErrUnauthorized))
	fresh := client(srv) // ClientOptions sends what the server requires now
	defer fresh.Close()
	v, err := fresh.ServerVersion(ctx)
	fmt.Println(v, err, srv.URL()[:8])
	// Output:
	// true
	// 8.5.200.50 <nil> https://
}

// Item 9: the simulator's records have names of their own.
func ExampleServer_MessengerMessages() {
	srv := start()
	defer srv.Close()
	c := client(srv)
	defer c.Close()

	sent, _ := c.Messenger.SendSingle(context.Background(), omni.SingleMessage{From: "app", To: "user", Message: omni.TextMessage("hi")})
	var recs []omnitest.MessengerRecord = srv.MessengerMessages() // not an omni.SentMessage
	var cometd []omnitest.CometDRecord = srv.Messages()           // not an omni.Message
	fmt.Println(recs[0].MessageID == sent.MessageID, string(recs[0].Message), len(cometd))
	// Output: true {"type":"TEXT","text":"hi"} 0
}
