package omni_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"time"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/omnitest"
)

// A bulk send that partly fails: the simulator rejects one user and loses
// the answer to the first request; ResumeBulk finds that request's
// messages in the logs instead of sending them again.
func ExampleMessengerService_SendBulk() {
	srv, err := omnitest.Start("127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	c, err := omni.NewClient("", omni.WithMessenger(srv.MessengerURL(), omni.AppKey("key")))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	srv.RefuseDestination("user-3")
	srv.Inject(omnitest.RouteMessengerMessages, omnitest.ResetAfterProcessing())

	ctx := context.Background()
	var dests []omni.Destination
	for i := range 6 {
		dests = append(dests, omni.Destination{To: fmt.Sprintf("user-%d", i), MessageID: fmt.Sprintf("sale-%d", i)})
	}
	b, err := c.Messenger.SendBulk(ctx, omni.MessagesRequest{Messages: []omni.MessengerMessage{{
		Sender: "page-1", Destinations: dests, Content: omni.TextContent{Text: "Summer sale!"}}}},
		&omni.BulkOptions{DestinationsPerRequest: 3})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("after SendBulk:", b.Count(omni.BulkAccepted), "accepted,", b.Count(omni.BulkUnknown), "unknown")
	for !b.Done() {
		if err := c.Messenger.ResumeBulk(ctx, b); err != nil {
			log.Fatal(err)
		}
	}
	for _, e := range b.Entries {
		fmt.Println(e.MessageID, e.To, e.State, e.Violation, "requests:", e.Requests)
	}
	fmt.Println("messages the service took:", len(srv.OutboundMessages()))
	// Output:
	// after SendBulk: 2 accepted, 3 unknown
	// sale-0 user-0 accepted  requests: 1
	// sale-1 user-1 accepted  requests: 1
	// sale-2 user-2 accepted  requests: 1
	// sale-3 user-3 rejected Destination rejected requests: 1
	// sale-4 user-4 accepted  requests: 1
	// sale-5 user-5 accepted  requests: 1
	// messages the service took: 5
}

// A webhook for the messages users write: fn sees each message once, even
// when Infobip pushes it again.
func ExampleInboundHandler() {
	srv, err := omnitest.Start("127.0.0.1:0", omnitest.WithPushMinute(time.Millisecond))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	hook := httptest.NewServer(omni.InboundHandler(func(ctx context.Context, m omni.InboundMessage) error {
		switch in := m.Content.(type) {
		case omni.InboundText:
			fmt.Printf("%s wrote %q\n", m.Sender, in.Text)
		case omni.InboundPostback:
			fmt.Printf("%s pressed %s\n", m.Sender, in.Payload)
		default:
			fmt.Printf("%s sent a %s\n", m.Sender, m.Content.Type())
		}
		return nil
	}))
	defer hook.Close()
	srv.SetWebhooks(omnitest.Webhooks{Inbound: hook.URL})

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	customer := srv.Customer("6662136340512053", "17841447570021717")
	for _, send := range []func(){
		func() { customer.SendText("Hello") },
		func() { customer.SendPostback("Track my order", "ORDER_STATUS") },
		func() { customer.SendLocation(45.815, 15.9819) },
	} {
		send()
		if err := srv.WaitPushes(ctx); err != nil {
			log.Fatal(err)
		}
	}
	// Output:
	// 6662136340512053 wrote "Hello"
	// 6662136340512053 pressed ORDER_STATUS
	// 6662136340512053 sent a LOCATION
}
