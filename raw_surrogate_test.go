package omni_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/omnisdk/omni"
)

// Raw JSON that escapes half of a surrogate pair alone stands for a string
// that is not valid UTF-8: refused as invalid raw bytes are, before sending;
// a whole pair, and every other escape, goes through (outside review:
// {"type":"TEXT","text":"a\udc00b"} was sent as it was).
func TestRawJSONWithALoneSurrogateEscapeIsRefused(t *testing.T) {
	for raw, bad := range map[string]bool{
		`{"type":"TEXT","text":"a\udc00b"}`:              true,
		`{"type":"TEXT","text":"\ud800"}`:                true,
		`{"type":"TEXT","text":"\ud800\u0041"}`:          true,
		`{"type":"TEXT","text":"\ud800\ud800\udc00"}`:    true,
		`{"type":"TEXT","text":"\ud800\n"}`:              true,
		`{"type":"TEXT","text":"x\\udc00"}`:              false, // an escaped backslash, then text
		`{"type":"TEXT","text":"\ud83d\ude00 \u00e9\n"}`: false,
		`{"type":"TEXT","text":"\uD83D\uDE00"}`:          false,
	} {
		err := omni.UnknownMessage{Raw: json.RawMessage(raw)}.Validate()
		var ve *omni.ValidationError
		if got := errors.As(err, &ve); got != bad {
			t.Errorf("UnknownMessage %s: Validate() = %v, want refused: %v", raw, err, bad)
		}
		if err = (omni.MessagesRequest{Messages: []omni.MessengerMessage{{Sender: "p", Destinations: []omni.Destination{{To: "u"}},
			Content: omni.RawContent{Raw: json.RawMessage(raw)}}}}).Validate(); (err != nil) != bad {
			t.Errorf("RawContent %s: Validate() = %v, want refused: %v", raw, err, bad)
		}
	}
	fs := newFakeServer(t, reply(200, string(golden(t, "messenger_send_response.json"))))
	c, err := omni.NewClient("", omni.WithMessenger(fs.URL, omni.AppKey("key")))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Messenger.SendSingle(context.Background(), single(omni.UnknownMessage{Raw: json.RawMessage(`{"type":"TEXT","text":"a\udc00b"}`)})); err == nil {
		t.Error("SendSingle of a lone surrogate escape: no error")
	}
	if n := len(fs.requests()); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}

// A PHONE_NUMBER or EMAIL quick reply's title and payload, which those types
// do not use, are still sent when set: they must be valid UTF-8 too
// (outside review: they went out with U+FFFD in place of the bad bytes).
func TestQuickReplyFieldsItsTypeDoesNotUseMustBeValidUTF8(t *testing.T) {
	for _, q := range []omni.QuickReply{
		{Type: omni.QuickReplyPhoneNumber, Title: "t\xff"}, {Type: omni.QuickReplyPhoneNumber, Payload: "\xff"},
		{Type: omni.QuickReplyEmail, Title: "\xff"}, {Type: omni.QuickReplyEmail, Payload: "p\xed\xa0\x80"},
	} {
		err := omni.MessagesRequest{Messages: []omni.MessengerMessage{{Sender: "s", Destinations: []omni.Destination{{To: "u"}},
			Content: omni.TextContent{Text: "hi"}, QuickReplies: []omni.QuickReply{q}}}}.Validate()
		var ve *omni.ValidationError
		if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Rule != "must be valid UTF-8" {
			t.Errorf("quick reply %+v: Validate() = %v, want its unused field refused as invalid UTF-8", q, err)
		}
	}
	if err := (omni.MessagesRequest{Messages: []omni.MessengerMessage{{Sender: "s", Destinations: []omni.Destination{{To: "u"}},
		Content: omni.TextContent{Text: "hi"}, QuickReplies: []omni.QuickReply{{Type: omni.QuickReplyEmail}}}}}).Validate(); err != nil {
		t.Errorf("an EMAIL quick reply: %v, want nil", err)
	}
}

// A message whose JSON is not valid UTF-8 (raw bytes or a lone surrogate
// escape) decodes as an UnknownMessage holding it, not as a typed message
// with U+FFFD in its text, which would then be sent (outside review); the
// raw message is refused when sent.
func TestDecodingInvalidTextKeepsItRaw(t *testing.T) {
	for _, raw := range []string{`{"type":"TEXT","text":"\ud800"}`, "{\"type\":\"TEXT\",\"text\":\"a\xffb\"}",
		`{"type":"TEMPLATE","payload":{"type":"BUTTON","text":"\udc00","buttons":[{"type":"POSTBACK","title":"t","payload":"p"}]}}`} {
		m, err := omni.UnmarshalMessage([]byte(raw))
		u, ok := m.(omni.UnknownMessage)
		if err != nil || !ok || string(u.Raw) != raw {
			t.Errorf("UnmarshalMessage(%q) = %#v, %v; want an UnknownMessage holding it", raw, m, err)
		}
		var sm omni.SingleMessage
		if err := json.Unmarshal([]byte(`{"from":"a","to":"b","message":`+raw+`}`), &sm); err != nil {
			t.Fatal(err)
		}
		if u, ok := sm.Message.(omni.UnknownMessage); !ok || string(u.Raw) != raw {
			t.Errorf("SingleMessage decoded from %q: message %#v, want an UnknownMessage holding it", raw, sm.Message)
		}
		if err := sm.Validate(); err == nil {
			t.Errorf("SingleMessage decoded from %q: Validate() = nil, want it refused", raw)
		}
	}
	if m, err := omni.UnmarshalMessage([]byte(`{"type":"TEXT","text":"\ud83d\ude00 \u00e9"}`)); err != nil || m != omni.TextMessage("😀 é") {
		t.Errorf("a valid escaped text: %#v, %v; want the Text", m, err)
	}
}

// A quick reply of an unknown type names its invalid UTF-8 fields beside
// its type (outside review: only the type was named).
func TestQuickReplyOfAnUnknownTypeNamesItsInvalidFields(t *testing.T) {
	err := omni.MessagesRequest{Messages: []omni.MessengerMessage{{Sender: "s", Destinations: []omni.Destination{{To: "u"}},
		Content: omni.TextContent{Text: "hi"}, QuickReplies: []omni.QuickReply{{Type: "LOCATION", Title: "\xff", Payload: "\xff"}}}}}.Validate()
	var ve *omni.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) != 3 || ve.Fields[1].Field != "messages[0].quickReplies[0].title" ||
		ve.Fields[2].Field != "messages[0].quickReplies[0].payload" {
		t.Errorf("Validate() = %v, want the type, the title and the payload named", err)
	}
}
