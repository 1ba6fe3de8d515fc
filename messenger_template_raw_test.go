package omni_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/omnisdk/omni"
)

// A raw TEMPLATE without a payload naming its kind (none, null, not an
// object, no or a blank type) is refused before sending, as UnknownMessage
// and RawContent, which promise a known type's rules cannot be bypassed
// (sixth outside review: all went on the wire and the service refused
// them, or, for SendMessages, the simulator took two). A payload of a kind
// the SDK does not model still passes: it is the service's to judge.
func TestRawTemplateNeedsAPayloadNamingItsType(t *testing.T) {
	srv, c := simClient(t)
	ctx := context.Background()
	for raw, field := range map[string]string{
		`{"type":"TEMPLATE"}`:                        "payload",
		`{"type":"TEMPLATE","payload":null}`:         "payload",
		`{"type":"TEMPLATE","payload":"x"}`:          "payload",
		`{"type":"TEMPLATE","payload":5}`:            "payload",
		`{"type":"TEMPLATE","payload":[]}`:           "payload",
		`{"type":"TEMPLATE","payload":{}}`:           "payload.type",
		`{"type":"TEMPLATE","payload":{"type":""}}`:  "payload.type",
		`{"type":"TEMPLATE","payload":{"type":" "}}`: "payload.type",
		`{"type":"TEMPLATE","payload":{"type":5}}`:   "payload.type",
	} {
		_, err := c.Messenger.SendSingle(ctx, omni.SingleMessage{From: "page", To: "user", Message: omni.UnknownMessage{Raw: json.RawMessage(raw)}})
		var ve *omni.ValidationError
		if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != "message."+field {
			t.Errorf("SendSingle(%s) = %v; want a *ValidationError on message.%s", raw, err, field)
		}
		_, err = c.Messenger.SendMessages(ctx, omni.MessagesRequest{Messages: []omni.MessengerMessage{{Sender: "page",
			Destinations: []omni.Destination{{To: "user"}}, Content: omni.RawContent{Raw: json.RawMessage(raw)}}}})
		if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != "messages[0].content."+field {
			t.Errorf("SendMessages(%s) = %v; want a *ValidationError on messages[0].content.%s", raw, err, field)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests reached the simulator, want none", n)
	}
	other := `{"type":"TEMPLATE","payload":{"type":"GENERIC","elements":[]}}`
	if err := (omni.UnknownMessage{Raw: json.RawMessage(other)}).Validate(); err != nil {
		t.Errorf("a template of another kind: %v, want it left to the service", err)
	}
}

// A template of a kind the SDK does not model is still the known type
// TEMPLATE: its type and its "type"/"payload" keys must be spelt as the
// service reads them (sixth outside review of this session: "template",
// "Payload" and a payload "Type" went on the wire with a GENERIC payload).
func TestRawTemplateOfAnotherKindIsSpeltAsDocumented(t *testing.T) {
	srv, c := simClient(t)
	ctx := context.Background()
	for raw, want := range map[string]struct{ single, messages string }{
		`{"type":"template","payload":{"type":"GENERIC"}}`: {"message.type", "messages[0].content.type"},
		`{"type":"TEMPLATE","Payload":{"type":"GENERIC"}}`: {"message.raw", "messages[0].content"},
		`{"type":"TEMPLATE","payload":{"Type":"GENERIC"}}`: {"message.raw", "messages[0].content"},
		`{"TYPE":"TEMPLATE","payload":{"type":"GENERIC"}}`: {"message.raw", "messages[0].content"},
	} {
		_, err := c.Messenger.SendSingle(ctx, omni.SingleMessage{From: "page", To: "user", Message: omni.UnknownMessage{Raw: json.RawMessage(raw)}})
		var ve *omni.ValidationError
		if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != want.single {
			t.Errorf("SendSingle(%s) = %v; want a *ValidationError on %s", raw, err, want.single)
		}
		_, err = c.Messenger.SendMessages(ctx, omni.MessagesRequest{Messages: []omni.MessengerMessage{{Sender: "page",
			Destinations: []omni.Destination{{To: "user"}}, Content: omni.RawContent{Raw: json.RawMessage(raw)}}}})
		if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != want.messages {
			t.Errorf("SendMessages(%s) = %v; want a *ValidationError on %s", raw, err, want.messages)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests reached the simulator, want none", n)
	}
}
