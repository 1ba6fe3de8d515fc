package omnitest

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

var messageIDRE = regexp.MustCompile(`"messageId":"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"`)

const sendOK = `{"to":"9c29bd43-054b-4cfe-a1d4-0b37812b4ed3","messageCount":1,"messageId":"ID",` +
	`"status":{"groupId":1,"groupName":"PENDING","id":7,"name":"PENDING_ENROUTE","description":"Message sent to next instance"}}`

// messengerSend posts body with the given Authorization header.
func messengerSend(t *testing.T, s *Server, auth, body string) *response {
	t.Helper()
	var hdr []string
	if auth != "" {
		hdr = []string{"Authorization", auth}
	}
	return newClient(t).do(http.MethodPost, s.MessengerURL()+"/facebook/1/single", body, hdr...)
}

// expectSent checks a success answer, the message id masked.
func expectSent(t *testing.T, r *response) string {
	t.Helper()
	id := messageIDRE.FindString(r.Body)
	if r.Status != 200 || id == "" || messageIDRE.ReplaceAllString(r.Body, `"messageId":"ID"`) != sendOK {
		t.Fatalf("got %d %s", r.Status, r.Body)
	}
	return strings.TrimSuffix(strings.TrimPrefix(id, `"messageId":"`), `"`)
}

func TestMessengerSeedExamples(t *testing.T) {
	s := NewServer(t)
	var ids []string
	for _, name := range []string{"messenger_text_request.json", "messenger_image_request.json", "messenger_sender_action_request.json"} {
		ids = append(ids, expectSent(t, messengerSend(t, s, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", fixture(t, name))))
	}
	if ids[0] == ids[1] || ids[1] == ids[2] || ids[0] == ids[2] {
		t.Fatalf("message ids not unique: %v", ids)
	}
	// The seed's template example has a URL button without a scheme
	// ("www.infobip.com"): accepted, as the vendor and the SDK accept it.
	ids = append(ids, expectSent(t, messengerSend(t, s, "App key", fixture(t, "messenger_template_request.json"))))
	// Text that is not a URL is refused.
	bad := strings.Replace(fixture(t, "messenger_template_request.json"), `"www.infobip.com"`, `"not a url"`, 1)
	r := messengerSend(t, s, "App key", bad)
	expect(t, r, 400, `{"requestError":{"serviceException":{"messageId":"BAD_REQUEST","text":"Bad request",`+
		`"validationErrors":{"message.payload.buttons[1].url":["must be an http or https URL, or a host name such as www.example.com"]}}}}`)

	sent := s.MessengerMessages()
	if len(sent) != 4 {
		t.Fatalf("%d sent messages recorded", len(sent))
	}
	for i, m := range sent {
		if m.MessageID != ids[i] || m.From != "8F0792F86035A9F4290821F1EE6BC06A" || m.To != "9c29bd43-054b-4cfe-a1d4-0b37812b4ed3" {
			t.Fatalf("record %d: %+v", i, m)
		}
	}
	if compact(t, string(sent[0].Message)) != `{"type":"TEXT","text":"Hello, World!"}` {
		t.Fatalf("recorded message %s", sent[0].Message)
	}
}

func TestMessengerAuth(t *testing.T) {
	unauthorized := strings.TrimSpace(fixture(t, "messenger_401_response.json"))
	text := fixture(t, "messenger_text_request.json")

	// Default: any non-empty Authorization.
	s := NewServer(t)
	expect(t, messengerSend(t, s, "", text), 401, unauthorized)
	expectSent(t, messengerSend(t, s, "Whatever x", text))

	s = NewServer(t, WithMessengerAPIKey("k1"), WithMessengerBasic("u", "p"), WithMessengerToken("tok"))
	for _, tc := range []struct {
		auth string
		ok   bool
	}{
		{"App k1", true},
		{"app k1", true},
		{basic("u", "p"), true},
		{"IBSSO tok", true},
		{"Bearer tok", true},
		{"", false},
		{"App k2", false},
		{"k1", false},
		{basic("u", "x"), false},
		{"Basic !!!", false},
		{"IBSSO other", false},
		{"Bearer k1", false},
		{"Digest tok", false},
	} {
		r := messengerSend(t, s, tc.auth, text)
		if tc.ok {
			expectSent(t, r)
		} else {
			expect(t, r, 401, unauthorized)
		}
	}
}

func TestMessengerValidation(t *testing.T) {
	s := NewServer(t)
	long := func(n int) string { return strings.Repeat("é", n) } // runes, not bytes
	msg := func(m string) string {
		return `{"from":"F","to":"9c29bd43-054b-4cfe-a1d4-0b37812b4ed3","message":` + m + `}`
	}
	button := func(b string) string {
		return msg(`{"type":"TEMPLATE","payload":{"type":"BUTTON","text":"T","buttons":[` + b + `]}}`)
	}
	cases := []struct {
		name, body string
		errs       map[string][]string // nil = accepted
	}{
		{"text 640 runes", msg(`{"type":"TEXT","text":"` + long(640) + `"}`), nil},
		// The service truncates a longer text rather than refusing it (outside review).
		{"text 641 runes", msg(`{"type":"TEXT","text":"` + long(641) + `"}`), nil},
		{"text 5000 runes", msg(`{"type":"TEXT","text":"` + long(5000) + `"}`), nil},
		{"text empty", msg(`{"type":"TEXT","text":""}`), map[string][]string{"message.text": {"may not be empty"}}},
		{"text missing", msg(`{"type":"TEXT"}`), map[string][]string{"message.text": {"may not be null"}}},
		{"no from/to", `{"message":{"type":"TEXT","text":"x"}}`, map[string][]string{"from": {"may not be empty"}, "to": {"may not be empty"}}},
		{"no message", `{"from":"F","to":"T"}`, map[string][]string{"message": {"may not be null"}}},
		{"message not object", `{"from":"F","to":"T","message":"x"}`, map[string][]string{"message": {"must be an object"}}},
		{"text of the wrong type", `{"from":"F","to":"T","message":{"type":"TEXT","text":5}}`, map[string][]string{"message.text": {"must be a string, not a JSON number"}}},
		{"no type", msg(`{"text":"x"}`), map[string][]string{"message.type": {"may not be empty"}}},
		{"bad type", msg(`{"type":"STICKER"}`), map[string][]string{"message.type": {"must be one of TEXT, IMAGE, VIDEO, AUDIO, FILE, TEMPLATE, SENDER_ACTION"}}},
		{"video", msg(`{"type":"VIDEO","url":"http://x.example/v.mp4"}`), nil},
		{"audio", msg(`{"type":"AUDIO","url":"https://x.example/a.mp3"}`), nil},
		{"file", msg(`{"type":"FILE","url":"https://x.example/f.pdf"}`), nil},
		{"media no scheme", msg(`{"type":"IMAGE","url":"x.example/i.png"}`), nil},
		{"media not a URL", msg(`{"type":"IMAGE","url":"i.png please"}`), map[string][]string{"message.url": {"must be an http or https URL, or a host name such as www.example.com"}}},
		{"media ftp", msg(`{"type":"FILE","url":"ftp://x.example/f"}`), map[string][]string{"message.url": {"must be an http or https URL, or a host name such as www.example.com"}}},
		{"media no url", msg(`{"type":"IMAGE"}`), map[string][]string{"message.url": {"may not be null"}}},
		{"typing on", msg(`{"type":"SENDER_ACTION","senderAction":"TYPING_ON"}`), nil},
		{"typing off", msg(`{"type":"SENDER_ACTION","senderAction":"TYPING_OFF"}`), nil},
		{"bad action", msg(`{"type":"SENDER_ACTION","senderAction":"WAVE"}`), map[string][]string{"message.senderAction": {"must be one of MARK_SEEN, TYPING_ON, TYPING_OFF"}}},
		{"no action", msg(`{"type":"SENDER_ACTION"}`), map[string][]string{"message.senderAction": {"may not be null"}}},
		{"template no payload", msg(`{"type":"TEMPLATE"}`), map[string][]string{"message.payload": {"may not be null"}}},
		{"template generic", msg(`{"type":"TEMPLATE","payload":{"type":"GENERIC","text":"T","buttons":[{"type":"POSTBACK","title":"t","payload":"p"}]}}`),
			map[string][]string{"message.payload.type": {"must be BUTTON"}}},
		{"template text 320", msg(`{"type":"TEMPLATE","payload":{"type":"BUTTON","text":"` + long(320) + `","buttons":[{"type":"POSTBACK","title":"t","payload":"p"}]}}`), nil},
		{"template text 321", msg(`{"type":"TEMPLATE","payload":{"type":"BUTTON","text":"` + long(321) + `","buttons":[{"type":"POSTBACK","title":"t","payload":"p"}]}}`),
			map[string][]string{"message.payload.text": {"size must be between 1 and 320"}}},
		{"no buttons", button(``), map[string][]string{"message.payload.buttons": {"size must be between 1 and 3"}}},
		{"four buttons", button(strings.Repeat(`{"type":"POSTBACK","title":"t","payload":"p"},`, 3) + `{"type":"POSTBACK","title":"t","payload":"p"}`),
			map[string][]string{"message.payload.buttons": {"size must be between 1 and 3"}}},
		{"title 20", button(`{"type":"POSTBACK","title":"` + long(20) + `","payload":"p"}`), nil},
		{"title 21", button(`{"type":"POSTBACK","title":"` + long(21) + `","payload":"p"}`),
			map[string][]string{"message.payload.buttons[0].title": {"size must be between 1 and 20"}}},
		{"payload 1000", button(`{"type":"POSTBACK","title":"t","payload":"` + long(1000) + `"}`), nil},
		{"payload 1001", button(`{"type":"POSTBACK","title":"t","payload":"` + long(1001) + `"}`),
			map[string][]string{"message.payload.buttons[0].payload": {"size must be between 1 and 1000"}}},
		{"bad button", button(`{"type":"POSTBACK","title":"t","payload":"p"},{"type":"CALL","title":"t"}`),
			map[string][]string{"message.payload.buttons[1].type": {"must be POSTBACK or URL"}}},
		{"url button", button(`{"type":"URL","title":"t","url":"https://www.infobip.com"}`), nil},
		{"several errors", msg(`{"type":"TEMPLATE","payload":{"type":"BUTTON","buttons":[{"type":"URL","url":"javascript:x"}]}}`),
			map[string][]string{
				"message.payload.text":             {"may not be null"},
				"message.payload.buttons[0].title": {"may not be null"},
				"message.payload.buttons[0].url":   {"must be an http or https URL, or a host name such as www.example.com"},
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := messengerSend(t, s, "App k", tc.body)
			if tc.errs == nil {
				if r.Status != 200 {
					t.Fatalf("got %d %s", r.Status, r.Body)
				}
				return
			}
			fields, _ := json.Marshal(tc.errs)
			expect(t, r, 400, `{"requestError":{"serviceException":{"messageId":"BAD_REQUEST","text":"Bad request","validationErrors":`+string(fields)+`}}}`)
		})
	}
	expect(t, messengerSend(t, s, "App k", `{"from":`), 400,
		`{"requestError":{"serviceException":{"messageId":"BAD_REQUEST","text":"Bad request","validationErrors":{"body":["malformed JSON"]}}}}`)
}

func TestMessengerNotFound(t *testing.T) {
	s := NewServer(t)
	c := newClient(t)
	nf := `{"requestError":{"serviceException":{"messageId":"NOT_FOUND","text":"Not found"}}}`
	expect(t, c.do(http.MethodGet, s.MessengerURL()+"/facebook/1/single", "", "Authorization", "App k"), 404, nf)
	expect(t, c.do(http.MethodPost, s.MessengerURL()+"/sms/1/text/single", "{}", "Authorization", "App k"), 404, nf)
}
