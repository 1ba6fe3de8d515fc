package omni_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/omnisdk/omni"
)

// TestMessagePointersBehaveAsValues: a pointer to a message type is the
// same message as its value, on the wire too; a typed nil pointer is a
// *ValidationError, never a panic; no message goes out without a type.
func TestMessagePointersBehaveAsValues(t *testing.T) {
	text := omni.TextMessage("Hello, World!")
	unknown := omni.UnknownMessage{Kind: "STICKER", Raw: json.RawMessage(`{"type":"STICKER","sticker":7}`)}
	for name, tc := range map[string]struct {
		msg  omni.Message
		want string // the body sent
	}{
		"*Text":           {&text, string(golden(t, "messenger_text_request.json"))},
		"*UnknownMessage": {&unknown, `{"from":"` + seedFrom + `","to":"` + seedTo + `","message":{"type":"STICKER","sticker":7}}`},
	} {
		fs := newFakeServer(t, reply(200, string(golden(t, "messenger_send_response.json"))))
		if _, err := newMessenger(t, fs).Messenger.SendSingle(context.Background(),
			omni.SingleMessage{From: seedFrom, To: seedTo, Message: tc.msg}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		assertJSONEqual(t, fs.requests()[0].Body, []byte(tc.want))
	}

	for name, tc := range map[string]struct {
		msg  omni.Message
		want string
	}{
		"nil *Text":           {(*omni.Text)(nil), "omni: invalid request: message: must not be nil"},
		"nil *Media":          {(*omni.Media)(nil), "omni: invalid request: message: must not be nil"},
		"nil *Template":       {(*omni.Template)(nil), "omni: invalid request: message: must not be nil"},
		"nil *SenderAction":   {(*omni.SenderAction)(nil), "omni: invalid request: message: must not be nil"},
		"nil *UnknownMessage": {(*omni.UnknownMessage)(nil), "omni: invalid request: message: must not be nil"},
		"*UnknownMessage{}":   {&omni.UnknownMessage{}, "omni: invalid request: message.raw: must be a JSON object"},
		"untyped raw":         {omni.UnknownMessage{Raw: json.RawMessage(`{"text":"x"}`)}, "omni: invalid request: message.type: must be a non-blank string in raw"},
		"empty type":          {&omni.UnknownMessage{Raw: json.RawMessage(`{"type":""}`)}, "omni: invalid request: message.type: must be a non-blank string in raw"},
		"type mismatch": {omni.UnknownMessage{Kind: "STICKER", Raw: json.RawMessage(`{"type":"TEXT","text":"x"}`)},
			`omni: invalid request: message.type: must match Kind "STICKER", got "TEXT"`},
	} {
		fs := newFakeServer(t, reply(200, string(golden(t, "messenger_send_response.json"))))
		m := omni.SingleMessage{From: seedFrom, To: seedTo, Message: tc.msg}
		_, err := newMessenger(t, fs).Messenger.SendSingle(context.Background(), m)
		var ve *omni.ValidationError
		if !errors.As(err, &ve) || err.Error() != tc.want {
			t.Errorf("%s: err = %v, want %s", name, err, tc.want)
		}
		if n := len(fs.requests()); n != 0 {
			t.Errorf("%s: %d requests sent", name, n)
		}
		if _, err := json.Marshal(m); err != nil && name[:3] == "nil" {
			t.Errorf("%s: json.Marshal: %v", name, err)
		}
	}
}
