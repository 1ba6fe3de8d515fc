package omni_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/omnisdk/omni"
)

// TestUnknownMessageCannotBypassAKnownTypesRules: an UnknownMessage whose
// type the SDK knows is checked by that type's rules (or refused when its
// fields do not fit the type); a blank or non-UTF-8 type and repeated keys
// are refused. Nothing is sent.
func TestUnknownMessageCannotBypassAKnownTypesRules(t *testing.T) {
	fs := newFakeServer(t, reply(200, `{"messageId":"m"}`))
	c := newMessenger(t, fs)
	tests := []struct {
		raw  string
		want string
	}{
		{`{"type":"TEXT","text":""}`, "message.text: must not be empty"},
		{`{"type":"TEXT","text":5}`, "message.type: is the known type TEXT, but raw does not have its shape: use its typed message (such as TextMessage)"},
		{`{"type":"IMAGE","url":"ftp://x"}`, "message.url: "},
		{`{"type":"  "}`, "message.type: must be a non-blank string in raw"},
		{"{\"type\":\"X\xff\"}", "message.raw: must be valid UTF-8"},
		{`{"type":"X","type":"TEXT","text":""}`, `message.raw: must not repeat the key "type"`},
		{`{"type":"X","data":{"a":1,"a":2}}`, `message.raw: must not repeat the key "a"`},
	}
	for _, tt := range tests {
		m := omni.SingleMessage{From: "p", To: "u", Message: omni.UnknownMessage{Raw: json.RawMessage(tt.raw)}}
		_, err := c.Messenger.SendSingle(context.Background(), m)
		var ve *omni.ValidationError
		if !errors.As(err, &ve) || len(err.Error()) < len("omni: invalid request: ")+len(tt.want) ||
			err.Error()[len("omni: invalid request: "):][:len(tt.want)] != tt.want {
			t.Errorf("%s: err = %v, want %s…", tt.raw, err, tt.want)
		}
	}
	if n := len(fs.requests()); n != 0 {
		t.Errorf("%d requests reached the server", n)
	}
	// A valid known-type raw, and an unknown type, are still sent as is.
	for _, raw := range []string{`{"type":"TEXT","text":"hi"}`, `{"type":"CAROUSEL","items":[1]}`} {
		m := omni.SingleMessage{From: "p", To: "u", Message: omni.UnknownMessage{Raw: json.RawMessage(raw)}}
		if _, err := c.Messenger.SendSingle(context.Background(), m); err != nil {
			t.Errorf("%s: %v", raw, err)
		}
	}
	if reqs := fs.requests(); len(reqs) != 2 || string(reqs[0].Body) != `{"from":"p","to":"u","message":{"type":"TEXT","text":"hi"}}` {
		t.Errorf("requests: %+v", reqs)
	}
}
