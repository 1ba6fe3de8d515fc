package omni_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/omnisdk/omni"
)

// Raw messages and contents cannot slip past the checks by the case of
// their keys (outside review: the SDK's checks read keys whatever their case,
// the last copy winning, while the raw bytes went out with both copies for a
// service that reads them exactly), nor by the case of a known type; and the
// vendor's own spellings still go through.
func TestRawMessagesCannotBypassTheChecksByCase(t *testing.T) {
	long := strings.Repeat("a", 641)
	refused := map[string]string{
		"TYPE after type":         `{"type":"TEXT","TYPE":"FOO","text":"` + long + `"}`,
		"Text after text":         `{"type":"TEXT","text":"` + long + `","Text":"ok"}`,
		"SenderAction":            `{"type":"SENDER_ACTION","senderAction":"DANCE","SenderAction":"MARK_SEEN"}`,
		"URL after url":           `{"type":"IMAGE","url":"javascript:alert(1)","URL":"https://ok.example/a.png"}`,
		"Buttons after buttons":   `{"type":"TEMPLATE","payload":{"type":"BUTTON","text":"x","buttons":[],"Buttons":[{"type":"POSTBACK","title":"t","payload":"p"}]}}`,
		"only Text":               `{"type":"TEXT","Text":"hi"}`,
		"lower-case type":         `{"type":"text","text":"` + strings.Repeat("a", 2001) + `"}`,
		"lower-case payload type": `{"type":"TEMPLATE","payload":{"type":"button"}}`,
	}
	for name, raw := range refused {
		var ve *omni.ValidationError
		if err := (omni.UnknownMessage{Raw: json.RawMessage(raw)}).Validate(); !errors.As(err, &ve) {
			t.Errorf("UnknownMessage %s: %v, want a *ValidationError", name, err)
		}
		req := omni.MessagesRequest{Messages: []omni.MessengerMessage{{Sender: "page",
			Destinations: []omni.Destination{{To: "user"}}, Content: omni.RawContent{Raw: json.RawMessage(raw)}}}}
		if err := req.Validate(); !errors.As(err, &ve) {
			t.Errorf("RawContent %s: %v, want a *ValidationError", name, err)
		}
	}
	if err := (omni.MessagesRequest{Messages: []omni.MessengerMessage{{Sender: "page",
		Destinations: []omni.Destination{{To: "user"}},
		Content:      omni.RawContent{Raw: json.RawMessage(`{"type":"TEXT","text":"` + strings.Repeat("a", 2001) + `"}`)}}}}).Validate(); err == nil {
		t.Error("RawContent TEXT of 2,001 characters: no error")
	}
	accepted := []string{
		`{"type":"TEXT","text":"hi"}`,
		`{"type":"TEMPLATE","payload":{"type":"BUTTON","text":"Pick","buttons":[{"type":"URL","title":"Go","url":"www.infobip.com"}]}}`,
		`{"type":"GENERIC_TEMPLATE","Elements":[{"Title":"x"}]}`, // a type the SDK does not model: its keys are the service's
	}
	for _, raw := range accepted {
		if err := (omni.UnknownMessage{Raw: json.RawMessage(raw)}).Validate(); err != nil {
			t.Errorf("UnknownMessage %s: %v", raw, err)
		}
	}
}

// A known type, or a template payload type, spelt in another case is
// refused by name even when its fields would pass that type's rules: the
// service's types are constants (seed 001: "Constant value - TEXT") and it
// answers 400 to "image" (outside review of stop 28: UnknownMessage and
// RawContent of such types were validated and sent). Nothing is sent.
func TestKnownTypeInAnotherCaseIsRefusedBeforeSending(t *testing.T) {
	srv, c := simClient(t)
	ctx := context.Background()
	cases := map[string]struct{ raw, field string }{
		"image":         {`{"type":"image","url":"https://example.com/a.png"}`, "message.type"},
		"Text":          {`{"type":"Text","text":"hi"}`, "message.type"},
		"sender_action": {`{"type":"sender_action","senderAction":"MARK_SEEN"}`, "message.type"},
		"button payload": {`{"type":"TEMPLATE","payload":{"type":"button","text":"Pick",` +
			`"buttons":[{"type":"POSTBACK","title":"Yes","payload":"Y"}]}}`, "message.payload.type"},
	}
	for name, tc := range cases {
		m, err := omni.UnmarshalMessage([]byte(tc.raw))
		if err != nil {
			t.Fatalf("%s: UnmarshalMessage: %v", name, err)
		}
		_, err = c.Messenger.SendSingle(ctx, omni.SingleMessage{From: "page", To: "user", Message: m})
		var ve *omni.ValidationError
		if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != tc.field ||
			!strings.Contains(ve.Fields[0].Rule, "must be spelt") {
			t.Errorf("%s: SendSingle = %v, want a *ValidationError on %s", name, err, tc.field)
		}
	}
	_, err := c.Messenger.SendMessages(ctx, omni.MessagesRequest{Messages: []omni.MessengerMessage{{Sender: "page",
		Destinations: []omni.Destination{{To: "user"}}, Content: omni.RawContent{Raw: json.RawMessage(`{"type":"text","text":"hi"}`)}}}})
	var ve *omni.ValidationError
	if !errors.As(err, &ve) || !strings.Contains(err.Error(), `must be spelt "TEXT"`) {
		t.Errorf(`SendMessages of RawContent type "text" = %v, want a *ValidationError naming the type`, err)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests reached the simulator, want none", n)
	}
}
