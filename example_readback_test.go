package omni_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/omnitest"
)

// readBackSimulator starts the in-process simulator and a client for its
// GWS and Messenger endpoints.
func readBackSimulator() (*omnitest.Server, *omni.Client) {
	srv, err := omnitest.Start("127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	c, err := omni.NewClient(srv.URL(), omni.WithBasicAuth("agent1", "secret"),
		omni.WithMessenger(srv.MessengerURL(), omni.AppKey("demo-key")))
	if err != nil {
		log.Fatal(err)
	}
	return srv, c
}

func ExampleMessengerService_DeliveryReports() {
	srv, c := readBackSimulator()
	defer srv.Close()
	defer c.Close()
	ctx := context.Background()

	out, err := c.Messenger.SendSingle(ctx, omni.SingleMessage{From: "8F0792F86035A9F4290821F1EE6BC06A",
		To: "9c29bd43-054b-4cfe-a1d4-0b37812b4ed3", Message: omni.TextMessage("Hello, World!")})
	if err != nil {
		log.Fatal(err)
	}
	// Read until the message leaves the PENDING group. (The simulator shows
	// it pending on the first read and delivered on the next; against the
	// service, wait between reads.)
	for range 5 {
		reports, err := c.Messenger.DeliveryReports(ctx, &omni.ReportsOptions{MessageID: out.MessageID})
		if err != nil {
			log.Fatal(err)
		}
		if len(reports) == 0 {
			continue // no report yet
		}
		r := reports[0]
		fmt.Printf("%s/%s\n", r.Status.GroupID, r.Status.Name)
		if r.Status.GroupID != omni.GroupPending {
			fmt.Println("done after sending:", !r.DoneAt.Before(r.SentAt))
			break
		}
	}
	// Output:
	// PENDING/PENDING_ENROUTE
	// DELIVERED/DELIVERED_TO_HANDSET
	// done after sending: true
}

func ExampleMessengerService_Logs() {
	srv, c := readBackSimulator()
	defer srv.Close()
	defer c.Close()
	ctx := context.Background()

	var ids []string
	for _, text := range []string{"first", "second", "third"} {
		out, err := c.Messenger.SendSingle(ctx, omni.SingleMessage{From: "app-key", To: "user-key", Message: omni.TextMessage(text)})
		if err != nil {
			log.Fatal(err)
		}
		ids = append(ids, out.MessageID)
	}
	logs, err := c.Messenger.Logs(ctx, &omni.LogsOptions{To: "user-key", MessageIDs: ids[1:], Limit: 10})
	if err != nil {
		log.Fatal(err)
	}
	for _, l := range logs {
		fmt.Println(l.Text, l.Status.GroupID)
	}
	// Output:
	// second PENDING
	// third PENDING
}

func ExampleFacebookService_Get() {
	srv, c := readBackSimulator()
	defer srv.Close()
	defer c.Close()
	ctx := context.Background()

	_, err := c.Facebook.Send(ctx, "01QQQG2MU214P06D", omni.FacebookSend{
		QueuePath: "/contacts/60ebbb94-3cef-4b14-95f8-5c49dbeb355d", From: "vitaliy_onv", Message: "Hello Facebook!"})
	if err != nil {
		log.Fatal(err)
	}
	fb, err := c.Facebook.Get(ctx, "01QQQG2MU214P06D", &omni.GetOptions{Fields: []string{omni.FieldsAll}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(fb.ID, fb.FacebookType, fb.State, fb.Message)

	page, err := c.Facebook.List(ctx, &omni.ListOptions{Fields: []string{"id", "state"}, Limit: 10})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(page.Items), page.Items[0].ID, page.Items[0].State)
	// Output:
	// 01QQQG2MU214P06D Outbound Sent Hello Facebook!
	// 1 01QQQG2MU214P06D Sent
}

func ExampleDeliveryReportHandler() {
	h := omni.DeliveryReportHandler(func(ctx context.Context, reports []omni.DeliveryReport) error {
		for _, r := range reports {
			fmt.Println(r.MessageID, r.Status.Name, r.DoneAt.UTC().Format("15:04:05.000"))
		}
		return nil // an error makes the handler answer 500, so the service pushes again
	})
	// The service POSTs reports to the webhook; here a recorded push stands in.
	push := `{"results":[{"messageId":"ff4804ef-6ab6-4abd-984d-ab3b1387e852","to":"37512FEC78DB",` +
		`"sentAt":"2016-11-14T15:21:53.586+0100","doneAt":"2016-11-14T15:21:54.012+0100","messageCount":1,` +
		`"status":{"groupId":3,"groupName":"DELIVERED","id":5,"name":"DELIVERED_TO_HANDSET"}}]}`
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/webhooks/infobip", strings.NewReader(push)))
	fmt.Println(w.Code)
	// Output:
	// ff4804ef-6ab6-4abd-984d-ab3b1387e852 DELIVERED_TO_HANDSET 14:21:54.012
	// 200
}
