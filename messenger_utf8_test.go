package omni_test

import (
	"errors"
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
