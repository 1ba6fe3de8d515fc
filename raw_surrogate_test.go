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
