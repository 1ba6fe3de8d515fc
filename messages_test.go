package omni_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/omnisdk/omni"
)

const (
	seedFrom = "8F0792F86035A9F4290821F1EE6BC06A"
	seedTo   = "9c29bd43-054b-4cfe-a1d4-0b37812b4ed3"
)

// seedMessages are the request examples of the Messenger seed document.
var seedMessages = map[string]omni.Message{
	"messenger_text_request.json":          omni.TextMessage("Hello, World!"),
	"messenger_image_request.json":         omni.ImageMessage("https://petersapparel.com/img/shirt.png"),
	"messenger_sender_action_request.json": omni.SenderActionMessage(omni.MarkSeen),
	"messenger_template_request.json": omni.ButtonTemplate("Test",
		omni.PostbackButton("title", "payload"), omni.URLButton("title", "www.infobip.com")),
}

func TestMessageJSONMatchesSeeds(t *testing.T) {
	for file, msg := range seedMessages {
		t.Run(file, func(t *testing.T) {
			got, err := json.Marshal(omni.SingleMessage{From: seedFrom, To: seedTo, Message: msg})
			if err != nil {
				t.Fatal(err)
			}
			assertJSONEqual(t, got, golden(t, file))

			var back omni.SingleMessage
			if err := json.Unmarshal(golden(t, file), &back); err != nil {
				t.Fatal(err)
			}
			want := omni.SingleMessage{From: seedFrom, To: seedTo, Message: msg}
			if !reflect.DeepEqual(back, want) {
				t.Errorf("decoded %#v, want %#v", back, want)
			}
		})
	}
}

func TestMessageJSONStartsWithType(t *testing.T) {
	got, _ := json.Marshal(omni.TextMessage("hi"))
	if string(got) != `{"type":"TEXT","text":"hi"}` {
		t.Errorf("got %s", got)
	}
}

func TestUnmarshalMessageRoundTrip(t *testing.T) {
	msgs := []omni.Message{
		omni.TextMessage("héllo"),
		omni.ImageMessage("https://x.test/a.png"), omni.VideoMessage("https://x.test/a.mp4"),
		omni.AudioMessage("http://x.test/a.mp3"), omni.FileMessage("https://x.test/a.pdf"),
		omni.ButtonTemplate("Pick", omni.PostbackButton("Yes", "YES"), omni.URLButton("Docs", "https://x.test")),
		omni.SenderActionMessage(omni.TypingOn), omni.SenderActionMessage(omni.TypingOff),
	}
	for _, m := range msgs {
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		back, err := omni.UnmarshalMessage(b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, m) {
			t.Errorf("round trip of %s gave %#v", b, back)
		}
	}
}

func TestUnmarshalMessageKeepsUnknownRaw(t *testing.T) {
	for _, raw := range []string{
		`{"type":"LOCATION","lat":1.5,"lng":2}`,
		`{"type":"TEMPLATE","payload":{"type":"GENERIC","elements":[]}}`,
		// Types this package does not model may use the known field names
		// with other shapes: still kept, not an error.
		`{"type":"CAROUSEL","payload":[{"title":"a"}]}`,
		`{"type":"LOCATION","text":{"lat":1.5}}`,
		`{"type":"TEMPLATE","payload":{"type":"GENERIC","buttons":{"x":1}}}`,
	} {
		var single omni.SingleMessage
		if err := json.Unmarshal([]byte(`{"from":"a","to":"b","message":`+raw+`}`), &single); err != nil {
			t.Fatalf("SingleMessage with %s: %v", raw, err)
		}
		if u, ok := single.Message.(omni.UnknownMessage); !ok || string(u.Raw) != raw || single.From != "a" {
			t.Errorf("SingleMessage with %s decoded to %#v", raw, single)
		}
		m, err := omni.UnmarshalMessage([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		u, ok := m.(omni.UnknownMessage)
		if !ok {
			t.Fatalf("%s decoded to %T, want UnknownMessage", raw, m)
		}
		if string(u.Raw) != raw {
			t.Errorf("Raw = %s, want %s", u.Raw, raw)
		}
		out, _ := json.Marshal(omni.SingleMessage{From: "a", To: "b", Message: m})
		if !strings.Contains(string(out), raw) {
			t.Errorf("re-encoded %s lost the raw message", out)
		}
	}
	for _, bad := range []string{`{}`, `[]`, `{"type":`, `null`, `{"type":7}`} {
		if _, err := omni.UnmarshalMessage([]byte(bad)); err == nil {
			t.Errorf("UnmarshalMessage(%s) = nil error", bad)
		}
	}
	// A known type whose fields have the wrong shape is an error naming it.
	for _, bad := range []struct{ json, typ string }{
		{`{"type":"TEXT","text":5}`, "TEXT"},
		{`{"type":"TEMPLATE","payload":{"type":"BUTTON","buttons":{}}}`, "TEMPLATE"},
	} {
		_, err := omni.UnmarshalMessage([]byte(bad.json))
		if err == nil || !strings.Contains(err.Error(), "decoding "+bad.typ+" message") {
			t.Errorf("UnmarshalMessage(%s) = %v, want an error naming %s", bad.json, err, bad.typ)
		}
		var single omni.SingleMessage
		if err := json.Unmarshal([]byte(`{"from":"a","to":"b","message":`+bad.json+`}`), &single); err == nil {
			t.Errorf("SingleMessage with %s = nil error", bad.json)
		}
	}
}

func TestValidateRules(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) } // 2 bytes a rune: counts runes
	tests := []struct {
		name string
		msg  omni.SingleMessage
		want string // "" = valid
	}{
		{"text ok at 640 runes", single(omni.TextMessage(long(640))), ""},
		{"text too long", single(omni.TextMessage(long(641))), "message.text: must be 1 to 640 characters, got 641"},
		{"text empty", single(omni.TextMessage("")), "message.text: must not be empty"},
		{"text invalid utf8", single(omni.TextMessage("\xff")), "message.text: must be valid UTF-8"},
		{"from and to", omni.SingleMessage{Message: omni.TextMessage("x")}, "from: must not be empty; to: must not be empty"},
		{"nil message", omni.SingleMessage{From: "a", To: "b"}, "message: must not be nil"},
		{"media relative", single(omni.ImageMessage("/img.png")), "message.url: must be an http or https URL, or a host name such as www.example.com"},
		{"media ftp", single(omni.FileMessage("ftp://x.test/a")), "message.url: must be an http or https URL, or a host name such as www.example.com"},
		{"media kind", single(omni.Media{Kind: "GIF", URL: "https://x.test"}), `message.type: must be IMAGE, VIDEO, AUDIO or FILE, got "GIF"`},
		{"template ok", single(omni.ButtonTemplate(long(320), omni.PostbackButton(long(20), long(1000)))), ""},
		{"template text", single(omni.ButtonTemplate(long(321), omni.PostbackButton("a", "b"))), "message.payload.text: must be 1 to 320 characters, got 321"},
		{"no buttons", single(omni.ButtonTemplate("t")), "message.payload.buttons: must hold 1 to 3 buttons, got 0"},
		{"four buttons", single(omni.ButtonTemplate("t", omni.PostbackButton("a", "b"), omni.PostbackButton("a", "b"),
			omni.PostbackButton("a", "b"), omni.PostbackButton("a", "b"))), "message.payload.buttons: must hold 1 to 3 buttons, got 4"},
		{"button fields", single(omni.ButtonTemplate("t", omni.PostbackButton(long(21), long(1001)), omni.URLButton("", "not a url"),
			omni.Button{Type: "CALL", Title: "x"})),
			"message.payload.buttons[0].title: must be 1 to 20 characters, got 21; " +
				"message.payload.buttons[0].payload: must be 1 to 1000 characters, got 1001; " +
				"message.payload.buttons[1].title: must not be empty; " +
				"message.payload.buttons[1].url: must be an http or https URL, or a host name such as www.example.com; " +
				`message.payload.buttons[2].type: must be POSTBACK or URL, got "CALL"`},
		{"sender action", single(omni.SenderActionMessage("WAVE")), `message.senderAction: must be MARK_SEEN, TYPING_ON or TYPING_OFF, got "WAVE"`},
		{"unknown raw not object", single(omni.UnknownMessage{Kind: "X", Raw: []byte(`[1]`)}), "message.raw: must be a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.msg.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil || err.Error() != "omni: invalid request: "+tt.want {
				t.Errorf("err =\n%v\nwant\nomni: invalid request: %s", err, tt.want)
			}
		})
	}
}

func single(m omni.Message) omni.SingleMessage {
	return omni.SingleMessage{From: "app", To: "user", Message: m}
}

func TestTruncateText(t *testing.T) {
	if got := omni.TruncateText("héllo", 2); got != "hé" {
		t.Errorf("got %q", got)
	}
	if got := omni.TruncateText("abc", 10); got != "abc" {
		t.Errorf("got %q", got)
	}
	if got := omni.TruncateText("abc", 0); got != "" {
		t.Errorf("got %q", got)
	}
}

func FuzzUnmarshalMessage(f *testing.F) {
	for file := range seedMessages {
		var w struct{ Message json.RawMessage }
		b, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil || json.Unmarshal(b, &w) != nil {
			f.Fatalf("fixture %s: %v", file, err)
		}
		f.Add([]byte(w.Message))
	}
	f.Add([]byte(`{"type":"TEMPLATE","payload":null}`))
	f.Add([]byte(`{"type":1e999}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := omni.UnmarshalMessage(data)
		// SingleMessage's one-pass decoding must agree with UnmarshalMessage.
		var single omni.SingleMessage
		serr := json.Unmarshal([]byte(`{"from":"a","to":"b","message":`+string(data)+`}`), &single)
		if json.Valid(data) && string(bytes.TrimSpace(data)) != "null" {
			if (err == nil) != (serr == nil) || (err == nil && !reflect.DeepEqual(single.Message, m)) {
				t.Fatalf("SingleMessage decoded %s to %#v (%v), UnmarshalMessage to %#v (%v)", data, single.Message, serr, m, err)
			}
		}
		if err != nil {
			return
		}
		_ = m.Validate()
		b, err := json.Marshal(m)
		if err != nil {
			if _, unknown := m.(omni.UnknownMessage); unknown {
				return
			}
			t.Fatalf("re-encoding %#v: %v", m, err)
		}
		back, err := omni.UnmarshalMessage(b)
		if err != nil {
			t.Fatalf("re-decoding %s: %v", b, err)
		}
		if _, unknown := m.(omni.UnknownMessage); !unknown && !reflect.DeepEqual(back, m) {
			t.Fatalf("round trip changed %#v into %#v", m, back)
		}
	})
}
