package omni_test

import (
	"encoding/json"
	"testing"

	"github.com/omnisdk/omni"
)

// The Messenger message JSON benchmarks: the SDK's union type against plain
// structs of the same shape with encoding/json (the baseline). A button
// template is the richest message the service documents.

var benchTemplate = omni.SingleMessage{
	From: "8F0792F86035A9F4290821F1EE6BC06A",
	To:   "9c29bd43-054b-4cfe-a1d4-0b37812b4ed3",
	Message: omni.ButtonTemplate("Pick one",
		omni.PostbackButton("Yes", "YES"), omni.URLButton("Docs", "https://example.com/docs")),
}

const benchTemplateJSON = `{"from":"8F0792F86035A9F4290821F1EE6BC06A","to":"9c29bd43-054b-4cfe-a1d4-0b37812b4ed3",` +
	`"message":{"type":"TEMPLATE","payload":{"type":"BUTTON","text":"Pick one","buttons":[` +
	`{"type":"POSTBACK","title":"Yes","payload":"YES"},{"type":"URL","title":"Docs","url":"https://example.com/docs"}]}}}`

// plainSingle is the baseline: the same JSON as plain structs.
type plainSingle struct {
	From    string       `json:"from"`
	To      string       `json:"to"`
	Message plainMessage `json:"message"`
}

type plainMessage struct {
	Type    string        `json:"type"`
	Payload *plainPayload `json:"payload,omitempty"`
}

type plainPayload struct {
	Type    string        `json:"type"`
	Text    string        `json:"text"`
	Buttons []plainButton `json:"buttons"`
}

type plainButton struct {
	Type    string `json:"type"`
	Title   string `json:"title"`
	Payload string `json:"payload,omitempty"`
	URL     string `json:"url,omitempty"`
}

var benchPlain = plainSingle{From: benchTemplate.From, To: benchTemplate.To, Message: plainMessage{Type: "TEMPLATE",
	Payload: &plainPayload{Type: "BUTTON", Text: "Pick one", Buttons: []plainButton{
		{Type: "POSTBACK", Title: "Yes", Payload: "YES"}, {Type: "URL", Title: "Docs", URL: "https://example.com/docs"}}}}}

// BenchmarkMessengerJSONEncode encodes a button template with json.Marshal.
func BenchmarkMessengerJSONEncode(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(benchTemplate); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlainJSONEncode is the baseline of BenchmarkMessengerJSONEncode.
func BenchmarkPlainJSONEncode(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(benchPlain); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMessengerJSONDecode decodes a button template with json.Unmarshal.
func BenchmarkMessengerJSONDecode(b *testing.B) {
	data := []byte(benchTemplateJSON)
	b.ReportAllocs()
	for b.Loop() {
		var m omni.SingleMessage
		if err := json.Unmarshal(data, &m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlainJSONDecode is the baseline of BenchmarkMessengerJSONDecode.
func BenchmarkPlainJSONDecode(b *testing.B) {
	data := []byte(benchTemplateJSON)
	b.ReportAllocs()
	for b.Loop() {
		var m plainSingle
		if err := json.Unmarshal(data, &m); err != nil {
			b.Fatal(err)
		}
	}
}

// TestBenchJSONSame checks that the two sides of the JSON benchmarks encode
// and decode the same document, so the comparison is fair.
func TestBenchJSONSame(t *testing.T) {
	a, err := json.Marshal(benchTemplate)
	if err != nil {
		t.Fatal(err)
	}
	p, err := json.Marshal(benchPlain)
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != benchTemplateJSON || string(p) != benchTemplateJSON {
		t.Fatalf("encodings differ:\n sdk   %s\n plain %s\n want  %s", a, p, benchTemplateJSON)
	}
	var m omni.SingleMessage
	if err := json.Unmarshal([]byte(benchTemplateJSON), &m); err != nil {
		t.Fatal(err)
	}
	if tpl, ok := m.Message.(omni.Template); !ok || len(tpl.Buttons) != 2 {
		t.Fatalf("decoded %#v", m.Message)
	}
}
