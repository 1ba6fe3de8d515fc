package omni_test

import (
	"context"
	"errors"
	"testing"

	"github.com/omnisdk/omni"
)

// TestTypedNilContentIsAValidationError: a nil pointer of each of the six
// content types is "content: must not be nil" from Validate, SendMessages
// and SendBulk (as SingleMessage does for a nil message), never a panic,
// and nothing is sent.
func TestTypedNilContentIsAValidationError(t *testing.T) {
	fs := newFakeServer(t, reply(200, `{}`))
	c := newMessenger(t, fs)
	for name, content := range map[string]omni.Content{
		"*TextContent": (*omni.TextContent)(nil), "*MediaContent": (*omni.MediaContent)(nil),
		"*TemplateContent": (*omni.TemplateContent)(nil), "*LocationContent": (*omni.LocationContent)(nil),
		"*SenderActionContent": (*omni.SenderActionContent)(nil), "*RawContent": (*omni.RawContent)(nil),
	} {
		req := omni.MessagesRequest{Messages: []omni.MessengerMessage{{Sender: "s", Destinations: []omni.Destination{{To: "u"}}, Content: content}}}
		calls := map[string]func() error{
			"Validate":     req.Validate,
			"SendMessages": func() error { _, err := c.Messenger.SendMessages(context.Background(), req); return err },
			"SendBulk":     func() error { _, err := c.Messenger.SendBulk(context.Background(), req, nil); return err },
		}
		for call, f := range calls {
			var err error
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Errorf("%s %s: panic %v", name, call, p)
					}
				}()
				err = f()
			}()
			var ve *omni.ValidationError
			if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0] != (omni.FieldError{Field: "messages[0].content", Rule: "must not be nil"}) {
				t.Errorf("%s %s: err = %v, want messages[0].content: must not be nil", name, call, err)
			}
		}
	}
	if n := len(fs.requests()); n != 0 {
		t.Errorf("%d requests reached the server", n)
	}
	// A non-nil pointer is its value.
	req := omni.MessagesRequest{Messages: []omni.MessengerMessage{{Sender: "s", Destinations: []omni.Destination{{To: "u"}}, Content: &omni.TextContent{Text: "hi"}}}}
	if err := req.Validate(); err != nil {
		t.Errorf("&TextContent{hi}: %v", err)
	}
}
