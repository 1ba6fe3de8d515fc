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

// Any GWS operation can be waited for the same way: Await runs it with the
// ctx it is given and returns the notification the operation caused.
func ExampleClient_Await() {
	srv, c := simulator()
	defer srv.Close()
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	n, err := c.Await(ctx, omni.Expect{Channel: omni.ChannelFacebook},
		func(ctx context.Context) (omni.Accepted, error) {
			return c.Facebook.Send(ctx, "01QQQG2MU214P06D", omni.FacebookSend{
				QueuePath: "/contacts/60ebbb94-3cef-4b14-95f8-5c49dbeb355d",
				From:      "vitaliy_onv",
				Message:   "Hello Facebook!",
			})
		})
	var failed *omni.OperationError
	switch {
	case errors.As(err, &failed): // a notification of type Error for the operation
		log.Fatalf("GWS reported: %s", failed.Message)
	case err != nil:
		log.Fatal(err)
	}
	ev := n.(*omni.FacebookStateChange)
	fmt.Println(ev.NotificationType, ev.ReferenceID, ev.Facebook.ID, ev.Facebook.State)
	// Output: StatusChange 1 01QQQG2MU214P06D Sent
}

// An operation whose reply carries no referenceId is correlated by the
// resource it acts on and the state it should reach.
func ExampleExpect_resourceAndState() {
	srv, c := simulator()
	defer srv.Close()
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	// The simulator plays an operation without referenceId: its
	// notification carries none either. (One carrying the referenceId of a
	// reply the client decoded reports that operation, and is skipped.)
	srv.Script(omnitest.RouteFacebookSend, omnitest.Notify("no referenceId", func(s omnitest.Send) []omnitest.Notice {
		return []omnitest.Notice{omnitest.FacebookStateChange(0, "StatusChange", map[string]string{"id": s.ID, "state": "Sent"})}
	}))
	want := omni.Expect{Channel: omni.ChannelFacebook, ResourceID: "01QQQG2MU214P06D", State: omni.StateSent}
	n, err := c.Await(ctx, want, func(ctx context.Context) (omni.Accepted, error) {
		_, err := c.Facebook.Send(ctx, "01QQQG2MU214P06D", omni.FacebookSend{
			QueuePath: "/contacts/60ebbb94-3cef-4b14-95f8-5c49dbeb355d", From: "vitaliy_onv", Message: "Hi"})
		return &omni.SendResult{}, err // as if the reply were a bare {"statusCode":0}
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n.Header().MessageType, n.(*omni.FacebookStateChange).Facebook.State)
	// Output: FacebookStateChangeMessage Sent
}
