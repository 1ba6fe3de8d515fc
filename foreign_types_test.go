package omni_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/omnisdk/omni"
)

// Types of the caller's that embed one of the SDK's messages or contents.
type (
	embeddedText      struct{ omni.Text }
	embeddedUnknown   struct{ omni.UnknownMessage }
	embeddedTextPtr   struct{ *omni.Text }
	embeddedInterface struct{ omni.Message }
	lenientText       struct{ omni.Text }
	embeddedContent   struct{ omni.TextContent }
)

func (lenientText) Validate() error { return nil }

func (embeddedContent) MarshalJSON() ([]byte, error) { return []byte(`{"type":"TEXT"}`), nil }

// A type that embeds one of the SDK's messages satisfies omni.Message
// through the promoted methods. It is refused before sending, naming its
// type, never sent in the embedded message's form, and never a panic
// (outside review: an embedded UnknownMessage was sent as {"type":""}, a
// Validate of the caller's sent a TEXT without text, and a nil embedded
// pointer or interface panicked).
func TestMessagesOfForeignTypesAreRefusedBeforeSending(t *testing.T) {
	fs := newFakeServer(t, reply(200, string(golden(t, "messenger_send_response.json"))))
	c, err := omni.NewClient("", omni.WithMessenger(fs.URL, omni.AppKey("key")))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, m := range []omni.Message{
		embeddedText{omni.TextMessage("hi")}, embeddedUnknown{omni.UnknownMessage{Kind: "TEXT", Raw: []byte(`{"type":"TEXT","text":"hi"}`)}},
		embeddedTextPtr{nil}, embeddedInterface{nil}, embeddedInterface{(*omni.Text)(nil)}, lenientText{}, &embeddedText{},
		(*embeddedText)(nil),
	} {
		_, err := c.Messenger.SendSingle(context.Background(), single(m))
		var ve *omni.ValidationError
		if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != "message" ||
			!strings.Contains(ve.Fields[0].Rule, "one of the SDK's message types") {
			t.Errorf("SendSingle(%T) = %v, want a *ValidationError naming message and the SDK's types", m, err)
		}
	}
	if n := len(fs.requests()); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
	if _, err := c.Messenger.SendMessages(context.Background(), omni.MessagesRequest{Messages: []omni.MessengerMessage{{
		Sender: "p", Destinations: []omni.Destination{{To: "u"}}, Content: embeddedContent{omni.TextContent{Text: "hi"}}}}}); err == nil ||
		!strings.Contains(err.Error(), "messages[0].content") || !strings.Contains(err.Error(), "one of the SDK's content types") {
		t.Errorf("SendMessages(embeddedContent) = %v, want a *ValidationError naming messages[0].content", err)
	}
	if n := len(fs.requests()); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}

// A button's field that its type does not use is still sent when set, so
// it must be valid UTF-8 too (outside review: a URL button's payload and a
// POSTBACK button's url went out with U+FFFD in place of the bad bytes).
func TestButtonFieldsItsTypeDoesNotUseMustBeValidUTF8(t *testing.T) {
	for _, b := range []omni.Button{
		{Type: omni.ButtonURL, Title: "t", URL: "https://example.com", Payload: "\xff"},
		{Type: omni.ButtonPostback, Title: "t", Payload: "p", URL: "\xff"},
	} {
		err := b.Validate()
		var ve *omni.ValidationError
		if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Rule != "must be valid UTF-8" {
			t.Errorf("Validate(%+v) = %v, want the unused field refused as invalid UTF-8", b, err)
		}
	}
	ok := omni.Button{Type: omni.ButtonURL, Title: "t", URL: "https://example.com", Payload: "kept, as the service ignores it"}
	if err := ok.Validate(); err != nil {
		t.Errorf("a URL button with a valid payload: %v, want nil (the documents do not forbid it)", err)
	}
}
