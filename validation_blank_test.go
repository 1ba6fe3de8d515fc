package omni_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/omnisdk/omni"
)

// Required fields of only white space are refused before sending, naming
// the field (sixth outside review: "  ", "\t" and "\u00a0" passed for
// from, to, queuePath, the post's text and the interaction id, and the
// simulator took them). Messenger message text keeps the vendor's length
// rules only.
func TestBlankRequiredFieldsAreRefused(t *testing.T) {
	srv, c := simClient(t)
	ctx := context.Background()
	const rule = "must not be blank (only white space)"
	for name, tc := range map[string]struct {
		call  func() error
		field string
	}{
		"SendSingle from": {func() error {
			_, err := c.Messenger.SendSingle(ctx, omni.SingleMessage{From: "  ", To: "u", Message: omni.TextMessage("hi")})
			return err
		}, "from"},
		"SendSingle to": {func() error {
			_, err := c.Messenger.SendSingle(ctx, omni.SingleMessage{From: "p", To: "\t", Message: omni.TextMessage("hi")})
			return err
		}, "to"},
		"SendMessages sender": {func() error {
			_, err := c.Messenger.SendMessages(ctx, omni.MessagesRequest{Messages: []omni.MessengerMessage{{Sender: " ",
				Destinations: []omni.Destination{{To: "u"}}, Content: omni.TextContent{Text: "hi"}}}})
			return err
		}, "messages[0].sender"},
		"SendMessages destination": {func() error {
			_, err := c.Messenger.SendMessages(ctx, omni.MessagesRequest{Messages: []omni.MessengerMessage{{Sender: "p",
				Destinations: []omni.Destination{{To: "u"}, {To: "\u00a0"}}, Content: omni.TextContent{Text: "hi"}}}})
			return err
		}, "messages[0].destinations[1].to"},
		"Facebook.Send queuePath": {func() error {
			_, err := c.Facebook.Send(ctx, "01QQQG2MU214P06D", omni.FacebookSend{QueuePath: "  ", From: "a", Message: "b"})
			return err
		}, "queuePath"},
		"Facebook.Send message": {func() error {
			_, err := c.Facebook.Send(ctx, "01QQQG2MU214P06D", omni.FacebookSend{QueuePath: "/q", From: "a", Message: " "})
			return err
		}, "facebook.message"},
		"Twitter.Send from": {func() error {
			_, err := c.Twitter.Send(ctx, "01QQQG2MU214P06D", omni.TwitterSend{QueuePath: "/q", From: "\n", Message: "b"})
			return err
		}, "twitter.from"},
		"interaction id": {func() error {
			_, err := c.Facebook.Send(ctx, " ", seedFacebook)
			return err
		}, "id"},
		"session SendMessage text": {func() error {
			_, err := c.FacebookSessions.SendMessage(ctx, sessionID, "  ")
			return err
		}, "text"},
	} {
		err := tc.call()
		var ve *omni.ValidationError
		if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != tc.field || ve.Fields[0].Rule != rule {
			t.Errorf("%s: %v; want a *ValidationError on %s: %s", name, err, tc.field, rule)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests reached the simulator, want none", n)
	}
}

// Channel names of only white space are refused too, by the SDK before
// sending and by the simulator (seventh outside review of this session).
func TestBlankChannelsAreRefused(t *testing.T) {
	srv, c := simClient(t)
	ctx := context.Background()
	const rule = "must not be blank (only white space)"
	err := c.Agent.StartContactCenterSession(ctx, omni.SessionStart{Channels: []string{"chat", " \t"}})
	var ve *omni.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != "channels[1]" || ve.Fields[0].Rule != rule {
		t.Errorf("StartContactCenterSession = %v; want a *ValidationError on channels[1]", err)
	}
	err = c.Agent.Ready(ctx, "  ")
	if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != "channel" || ve.Fields[0].Rule != rule {
		t.Errorf("Ready = %v; want a *ValidationError on channel", err)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests reached the simulator, want none", n)
	}
	for path, body := range map[string]string{
		"/me":              `{"operationName":"StartContactCenterSession","channels":["  "]}`,
		"/me/channels/%20": `{"operationName":"Ready"}`,
	} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL()+path, strings.NewReader(body))
		req.SetBasicAuth("agent1", "pw")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s %s: HTTP %d; want 400 or 404", path, body, resp.StatusCode)
		}
	}
}
