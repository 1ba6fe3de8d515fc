package omni

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzWireEncodeDifferential holds SendSingle's hand-written body encoder
// to json.Marshal of the same value, byte for byte: any strings, each
// optional field present or not, buttons nil, empty or several.
func FuzzWireEncodeDifferential(f *testing.F) {
	f.Add("8F0792F86035A9F4290821F1EE6BC06A", "9c29bd43-054b-4cfe-a1d4-0b37812b4ed3", "TEXT", "Hello, World!", "", "", "", uint8(0), "", "")
	f.Add("a", "b", "TEMPLATE", "", "", "BUTTON", "Pick one", uint8(2), "Yes", "https://example.com/docs?a=1&b=<2>")
	f.Add("a", "b", "IMAGE", "", "https://petersapparel.com/img/shirt.png", "", "", uint8(1), "", "")
	f.Add("a", "b", "SENDER_ACTION", "", "", "", "", uint8(0), "", "MARK_SEEN")
	f.Add("é\u2028\u2029", "\xff\xfe", "TEXT", "line\nbreak\t\"quoted\" \\ \b\f\x00\x1f\x7f <&> 😀", "", "", "", uint8(0), "", "")
	f.Add("a", "b", "TEMPLATE", "", "", "", "", uint8(3), "\u00e9\u2028", "\xed\xa0\x80")
	f.Fuzz(func(t *testing.T, from, to, typ, text, url, ptype, ptext string, buttons uint8, s1, s2 string) {
		w := wireSingle{From: from, To: to, Message: wireMessage{Type: MessageType(typ), Text: text, URL: url}}
		if buttons&4 != 0 {
			w.Message.SenderAction = Action(s2)
		}
		if ptype != "" || ptext != "" || buttons&3 != 0 {
			w.Message.Payload = wirePayload{Type: ptype, Text: ptext}
			switch buttons & 3 {
			case 1:
				w.Message.Payload.Buttons = []Button{}
			case 2:
				w.Message.Payload.Buttons = []Button{{Type: ButtonPostback, Title: s1, Payload: s2}, {Type: ButtonURL, Title: s2, URL: s1}}
			case 3:
				w.Message.Payload.Buttons = []Button{{Type: ButtonType(s1), Title: ""}, {Payload: s1, URL: s2}, {}}
			}
		}
		got, err := encodeBody(w)
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(w)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("encodeBody(%#v) =\n%s\njson.Marshal =\n%s", w, got, want)
		}
	})
}

// The documents' request bodies, which the request fixtures hold, are
// written byte for byte as json.Marshal writes them, and without falling
// back to it for plain strings.
func TestWireEncodeWritesTheDocumentedBodies(t *testing.T) {
	for _, m := range []Message{TextMessage("Hello, World!"), ImageMessage("https://petersapparel.com/img/shirt.png"),
		SenderActionMessage(MarkSeen), ButtonTemplate("Test", PostbackButton("title", "payload"), URLButton("title", "www.infobip.com")),
		TextMessage("Привет, мир! 😀")} {
		w := SingleMessage{From: "8F0792F86035A9F4290821F1EE6BC06A", To: "9c29bd43-054b-4cfe-a1d4-0b37812b4ed3", Message: m}.body()
		got, _ := encodeBody(w)
		want, _ := json.Marshal(w)
		if !bytes.Equal(got, want) {
			t.Errorf("encodeBody(%T) = %s, json.Marshal = %s", m, got, want)
		}
		if n := testing.AllocsPerRun(20, func() { encodeBody(w) }); n != 1 {
			t.Errorf("encodeBody(%T): %v allocations, want 1 (the body; no fallback to encoding/json)", m, n)
		}
	}
}
