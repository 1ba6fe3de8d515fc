package omni_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/omnisdk/omni"
)

// fakeGWS stands in for a contact center in the examples.
func fakeGWS() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/facebook/1/single":
			io.WriteString(w, `{"to":"user-key","messageCount":1,"messageId":"m-1",`+
				`"status":{"groupId":1,"groupName":"PENDING","id":7,"name":"PENDING_ENROUTE","description":"Message sent to next instance"}}`)
		case "/api/v2/me/tweets/bad":
			io.WriteString(w, `{"statusCode":2,"statusMessage":"Invalid state"}`)
		default:
			io.WriteString(w, `{"statusCode":0,"referenceId":57}`)
		}
	}))
}

func ExampleFacebookService_Send() {
	srv := fakeGWS()
	defer srv.Close()

	c, err := omni.NewClient(srv.URL+"/api/v2", omni.WithBasicAuth("agent1", "secret"))
	if err != nil {
		log.Fatal(err)
	}
	res, err := c.Facebook.Send(context.Background(), "01QQQG2MU214P06D", omni.FacebookSend{
		QueuePath: "/contacts/60ebbb94-3cef-4b14-95f8-5c49dbeb355d",
		From:      "vitaliy_onv",
		Message:   "Hello Facebook!",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("referenceId:", res.ReferenceID)
	// Output: referenceId: 57
}

func ExampleTwitterService_Send() {
	srv := fakeGWS()
	defer srv.Close()

	c, err := omni.NewClient(srv.URL+"/api/v2", omni.WithBasicAuth("agent1", "secret"))
	if err != nil {
		log.Fatal(err)
	}
	tweet := omni.TwitterSend{QueuePath: "/contacts/60ebbb94", From: "vitaliy_onv", Message: "Hello Twitter!"}
	res, err := c.Twitter.Send(context.Background(), "01QQQG2MU214P06D", tweet)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("referenceId:", res.ReferenceID)

	// A non-zero GWS statusCode is an *APIError, even with HTTP 200.
	_, err = c.Twitter.Send(context.Background(), "bad", tweet)
	var apiErr *omni.APIError
	if errors.As(err, &apiErr) {
		fmt.Println("statusCode:", int(apiErr.GWSStatusCode), apiErr.GWSStatusCode)
	}
	// Output:
	// referenceId: 57
	// statusCode: 2 parameter not valid for the current state
}

func ExampleMessengerService_SendSingle() {
	srv := fakeGWS()
	defer srv.Close()

	c, err := omni.NewClient("", omni.WithMessenger(srv.URL, omni.AppKey("my-api-key")))
	if err != nil {
		log.Fatal(err)
	}
	out, err := c.Messenger.SendSingle(context.Background(), omni.SingleMessage{
		From: "8F0792F86035A9F4290821F1EE6BC06A",
		To:   "user-key",
		Message: omni.ButtonTemplate("Pick one",
			omni.PostbackButton("Yes", "YES"),
			omni.URLButton("Docs", "https://example.com/docs")),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(out.MessageID, out.Status.GroupID, out.Status.Name)
	// Output: m-1 PENDING PENDING_ENROUTE
}

func ExampleSingleMessage_Validate() {
	m := omni.SingleMessage{
		From:    "app",
		Message: omni.ButtonTemplate("Pick one", omni.URLButton("Open the documentation", "docs")),
	}
	fmt.Println(m.Validate())
	// Output: omni: invalid request: to: must not be empty; message.payload.buttons[0].title: must be 1 to 20 characters, got 22; message.payload.buttons[0].url: must be an http or https URL, or a host name such as www.example.com
}

func ExampleUnmarshalMessage() {
	m, err := omni.UnmarshalMessage([]byte(`{"type":"SENDER_ACTION","senderAction":"TYPING_ON"}`))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%T %v\n", m, m.(omni.SenderAction).Action)
	// Output: omni.SenderAction TYPING_ON
}
