// Command outside is a program in its own module that uses omni the way the
// README shows, against an httptest server: it sends a Facebook post, a
// Tweet and a Messenger message, and checks the typed results and errors.
// examples/outside_test.go builds it with a replace directive to the checkout.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/omnisdk/omni"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "outside:", err)
		os.Exit(1)
	}
}

func run() error {
	srv := httptest.NewServer(http.HandlerFunc(answer))
	defer srv.Close()
	ctx := context.Background()

	c, err := omni.NewClient(srv.URL+"/api/v2", omni.WithBasicAuth("agent1", "pw"),
		omni.WithMessenger(srv.URL, omni.AppKey("good-key")))
	if err != nil {
		return err
	}
	defer c.Close()

	fb, err := c.Facebook.Send(ctx, "01QQQG2MU214P06D", omni.FacebookSend{
		QueuePath: "/contacts/60ebbb94", From: "vitaliy_onv", Message: "Hello Facebook!"})
	if err != nil {
		return err
	}
	fmt.Println("facebook referenceId", fb.ReferenceID)

	tw, err := c.Twitter.Send(ctx, "010QQG2MU214P06D", omni.TwitterSend{
		QueuePath: "/contacts/60ebbb94", From: "vitaliy_onv", Message: "Hello Twitter!"})
	if err != nil {
		return err
	}
	fmt.Println("twitter referenceId", tw.ReferenceID)

	out, err := c.Messenger.SendSingle(ctx, omni.SingleMessage{From: "app", To: "user",
		Message: omni.ButtonTemplate("Pick one", omni.PostbackButton("Yes", "YES"), omni.URLButton("Docs", "https://example.com"))})
	if err != nil {
		return err
	}
	fmt.Println("messenger", out.MessageID, out.Status.GroupID == omni.GroupPending)

	_, err = c.Messenger.SendSingle(ctx, omni.SingleMessage{From: "app", To: "user", Message: omni.TextMessage("")})
	var verr *omni.ValidationError
	fmt.Println("validation", errors.Is(err, omni.ErrValidation), errors.As(err, &verr))

	bad, err := omni.NewClient("", omni.WithMessenger(srv.URL, omni.AppKey("bad-key")))
	if err != nil {
		return err
	}
	_, err = bad.Messenger.SendSingle(ctx, omni.SingleMessage{From: "app", To: "user", Message: omni.TextMessage("hi")})
	var apiErr *omni.APIError
	fmt.Println("unauthorized", errors.Is(err, omni.ErrUnauthorized), errors.As(err, &apiErr) && apiErr.HTTPStatus == 401)
	return nil
}

// answer plays GWS and the Messenger API with their documented bodies.
func answer(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch {
	case strings.HasPrefix(r.URL.Path, "/api/v2/me/facebook/"):
		fmt.Fprint(w, `{"statusCode":0,"referenceId":1}`)
	case strings.HasPrefix(r.URL.Path, "/api/v2/me/tweets/"):
		fmt.Fprint(w, `{"statusCode":0,"referenceId":2}`)
	case r.URL.Path == "/facebook/1/single" && r.Header.Get("Authorization") == "App good-key":
		fmt.Fprint(w, `{"to":"user","messageCount":1,"messageId":"m-1",`+
			`"status":{"groupId":1,"groupName":"PENDING","id":7,"name":"PENDING_ENROUTE","description":"Message sent to next instance"}}`)
	case r.URL.Path == "/facebook/1/single":
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"requestError":{"serviceException":{"messageId":"UNAUTHORIZED","text":"Invalid login details"}}}`)
	default:
		http.NotFound(w, r)
	}
}
