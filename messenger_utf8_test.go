package omni_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/omnisdk/omni"
)

// Every string of a Messenger message is refused when it is not valid UTF-8
// (outside review: from, to and URLs went out with U+FFFD in place of the
// bad bytes, to another user key than the one given).
func TestMessengerRefusesInvalidUTF8(t *testing.T) {
	cases := []struct {
		field string
		err   error
	}{
		{"from", omni.SingleMessage{From: "app\xc3", To: "user", Message: omni.TextMessage("hi")}.Validate()},
		{"to", omni.SingleMessage{From: "app", To: "user\xa4", Message: omni.TextMessage("hi")}.Validate()},
		{"message.url", omni.SingleMessage{From: "a", To: "b", Message: omni.Media{Kind: omni.TypeImage, URL: "https://x.example/\xff.png"}}.Validate()},
		{"payload.buttons[0].url", omni.Template{Text: "ok", Buttons: []omni.Button{omni.URLButton("t", "https://x.example/\xff")}}.Validate()},
	}
	for _, tc := range cases {
		var ve *omni.ValidationError
		if !errors.As(tc.err, &ve) {
			t.Errorf("%s: %v, want a *ValidationError", tc.field, tc.err)
			continue
		}
		found := false
		for _, f := range ve.Fields {
			found = found || (f.Field == tc.field && f.Rule == "must be valid UTF-8")
		}
		if !found {
			t.Errorf("%s: %v", tc.field, tc.err)
		}
	}
}

// The current Messages API's strings are held to the same rule (second
// outside review: sender, to, a location's name and address and a quick
// reply's image URL still went out with U+FFFD).
func TestMessagesRequestRefusesInvalidUTF8(t *testing.T) {
	msg := func(edit func(*omni.MessengerMessage)) error {
		m := omni.MessengerMessage{Sender: "page", Destinations: []omni.Destination{{To: "user"}}, Content: omni.TextContent{Text: "hi"}}
		edit(&m)
		return omni.MessagesRequest{Messages: []omni.MessengerMessage{m}}.Validate()
	}
	cases := map[string]error{
		"messages[0].sender":             msg(func(m *omni.MessengerMessage) { m.Sender = "page\xff" }),
		"messages[0].destinations[0].to": msg(func(m *omni.MessengerMessage) { m.Destinations[0].To = "user\xfe" }),
		"messages[0].content.name":       msg(func(m *omni.MessengerMessage) { m.Content = omni.LocationContent{Name: "caf\xe9"} }),
		"messages[0].content.address":    msg(func(m *omni.MessengerMessage) { m.Content = omni.LocationContent{Address: "rue \xe9"} }),
		"messages[0].quickReplies[0].imageUrl": msg(func(m *omni.MessengerMessage) {
			m.QuickReplies = []omni.QuickReply{{Type: omni.QuickReplyPhoneNumber, ImageURL: "https://x.example/\xff"}}
		}),
	}
	for field, err := range cases {
		var ve *omni.ValidationError
		found := false
		if errors.As(err, &ve) {
			for _, f := range ve.Fields {
				found = found || (f.Field == field && f.Rule == "must be valid UTF-8")
			}
		}
		if !found {
			t.Errorf("%s: %v", field, err)
		}
	}
	if err := msg(func(m *omni.MessengerMessage) {
		m.Content = omni.LocationContent{Name: "Café ☕", Address: "שדרות רוטשילד 1"}
	}); err != nil {
		t.Errorf("valid location: %v", err)
	}
}

// A read's query values are held to the same rule, before anything is sent
// (stop 21's review: they went out percent-encoded as they were).
func TestReadQueriesRefuseInvalidUTF8(t *testing.T) {
	fs := newFakeServer(t, reply(200, `{"results":[]}`))
	c := newMessenger(t, fs)
	ctx := context.Background()
	_, err := c.Messenger.MessageLogs(ctx, &omni.MessageLogsOptions{Sender: "page\xff", MessageIDs: []string{"ok", "b\xc3"}})
	if got, want := fmt.Sprint(err), "omni: invalid request: messageId: must be valid UTF-8; sender: must be valid UTF-8"; got != want {
		t.Errorf("MessageLogs = %s, want %s", got, want)
	}
	_, err = c.Messenger.MessageReports(ctx, &omni.MessageReportsOptions{BulkID: "\xa4"})
	if got, want := fmt.Sprint(err), "omni: invalid request: bulkId: must be valid UTF-8"; got != want {
		t.Errorf("MessageReports = %s, want %s", got, want)
	}
	if n := len(fs.requests()); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
	if _, err := c.Messenger.MessageLogs(ctx, &omni.MessageLogsOptions{Sender: "café"}); err != nil {
		t.Errorf("valid UTF-8 refused: %v", err)
	}
}

// The options' own Validate methods refuse what the read refuses (outside
// review: they returned nil for invalid UTF-8 the read then refused).
func TestReadOptionsValidateUTF8(t *testing.T) {
	for name, err := range map[string]error{
		"MessageLogsOptions":    (&omni.MessageLogsOptions{Sender: "p\xff"}).Validate(),
		"MessageReportsOptions": (&omni.MessageReportsOptions{BulkID: "b\xff"}).Validate(),
		"LogsOptions":           (&omni.LogsOptions{From: "f\xff"}).Validate(),
		"ReportsOptions":        (&omni.ReportsOptions{MessageID: "m\xff"}).Validate(),
	} {
		if !errors.Is(err, omni.ErrValidation) || !strings.Contains(err.Error(), "must be valid UTF-8") {
			t.Errorf("%s.Validate = %v, want a UTF-8 refusal", name, err)
		}
	}
}
