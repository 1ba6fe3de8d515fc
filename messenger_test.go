package omni_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/omnisdk/omni"
)

func TestMessengerSendSingleWire(t *testing.T) {
	creds := []struct {
		name string
		c    omni.MessengerCredentials
		want string
	}{
		{"App", omni.AppKey("app-key-123"), "App app-key-123"},
		{"Basic", omni.MessengerBasicAuth("Aladdin", "open sesame"), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="},
		{"IBSSO", omni.IBSSOToken("tok-1"), "IBSSO tok-1"},
		{"Bearer", omni.BearerToken("tok-2"), "Bearer tok-2"},
	}
	for _, cr := range creds {
		t.Run(cr.name, func(t *testing.T) {
			fs := newFakeServer(t, reply(200, string(golden(t, "messenger_send_response.json"))))
			c, err := omni.NewClient("", omni.WithMessenger(fs.URL, cr.c))
			if err != nil {
				t.Fatal(err)
			}
			out, err := c.Messenger.SendSingle(context.Background(), omni.SingleMessage{
				From: seedFrom, To: seedTo, Message: omni.TextMessage("Hello, World!")})
			if err != nil {
				t.Fatal(err)
			}
			want := omni.SentMessage{To: seedTo, MessageCount: 1, MessageID: "ff4804ef-6ab6-4abd-984d-ab3b1387e852",
				Status: omni.DeliveryStatus{GroupID: omni.GroupPending, GroupName: "PENDING", ID: 7,
					Name: "PENDING_ENROUTE", Description: "Message sent to next instance"}}
			if *out != want {
				t.Errorf("got %+v\nwant %+v", *out, want)
			}
			r := fs.requests()[0]
			if r.Method != "POST" || r.RequestURI != "/facebook/1/single" {
				t.Errorf("request line %s %s", r.Method, r.RequestURI)
			}
			if got := r.Header.Get("Authorization"); got != cr.want {
				t.Errorf("Authorization = %q, want %q", got, cr.want)
			}
			if r.Header.Get("Content-Type") != "application/json" || r.Header.Get("Accept") != "application/json" {
				t.Errorf("content headers %v", r.Header)
			}
			assertJSONEqual(t, r.Body, golden(t, "messenger_text_request.json"))
		})
	}
}

func TestMessengerEverySeedOnTheWire(t *testing.T) {
	for file, msg := range seedMessages {
		fs := newFakeServer(t, reply(200, string(golden(t, "messenger_send_response.json"))))
		c := newMessenger(t, fs)
		if _, err := c.Messenger.SendSingle(context.Background(), omni.SingleMessage{From: seedFrom, To: seedTo, Message: msg}); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		assertJSONEqual(t, fs.requests()[0].Body, golden(t, file))
	}
}

// TestMessengerSeedTemplateIsSentAsIs: the vendor's own TEMPLATE example,
// whose URL button is "www.infobip.com" (no scheme), passes validation and
// goes out byte for byte; text that is not a URL, and other schemes, stay
// refused before sending.
func TestMessengerSeedTemplateIsSentAsIs(t *testing.T) {
	var m omni.SingleMessage
	if err := json.Unmarshal(golden(t, "messenger_template_request.json"), &m); err != nil {
		t.Fatal(err)
	}
	fs := newFakeServer(t, reply(200, string(golden(t, "messenger_send_response.json"))))
	if _, err := newMessenger(t, fs).Messenger.SendSingle(context.Background(), m); err != nil {
		t.Fatalf("the vendor's example was refused: %v", err)
	}
	assertJSONEqual(t, fs.requests()[0].Body, golden(t, "messenger_template_request.json"))
	for _, bad := range []string{"", "not a url", "/relative", "ftp://www.infobip.com", "javascript:alert(1)"} {
		err := single(omni.ButtonTemplate("t", omni.URLButton("title", bad))).Validate()
		if !errors.Is(err, omni.ErrValidation) {
			t.Errorf("URL button %q: err = %v, want a *ValidationError", bad, err)
		}
	}
}

func TestMessengerErrors(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		sentinel  error
		messageID string
	}{
		{"400", 400, string(golden(t, "messenger_400_response.json")), omni.ErrValidation, "BAD_REQUEST"},
		{"401", 401, string(golden(t, "messenger_401_response.json")), omni.ErrUnauthorized, "UNAUTHORIZED"},
		{"429", 429, `{"requestError":{"serviceException":{"messageId":"TOO_MANY_REQUESTS","text":"Too many requests"}}}`, omni.ErrRateLimited, "TOO_MANY_REQUESTS"},
		{"503 no body", 503, ``, omni.ErrServer, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFakeServer(t, reply(tt.status, tt.body))
			_, err := newMessenger(t, fs).Messenger.SendSingle(context.Background(), single(omni.TextMessage("hi")))
			var ae *omni.APIError
			if !errors.As(err, &ae) || !errors.Is(err, tt.sentinel) {
				t.Fatalf("err = %v", err)
			}
			if ae.MessageID != tt.messageID || ae.HTTPStatus != tt.status {
				t.Errorf("MessageID=%q HTTP=%d", ae.MessageID, ae.HTTPStatus)
			}
			if len(fs.requests()) != 1 {
				t.Errorf("a send was tried %d times", len(fs.requests()))
			}
		})
	}
	fs := newFakeServer(t, reply(400, string(golden(t, "messenger_400_response.json"))))
	_, err := newMessenger(t, fs).Messenger.SendSingle(context.Background(), single(omni.TextMessage("hi")))
	want := "omni: POST " + fs.URL + `/facebook/1/single: HTTP 400: BAD_REQUEST "Bad request"; message.text: size must be between 1 and 640`
	if err.Error() != want {
		t.Errorf("err =\n%s\nwant\n%s", err, want)
	}
}

func TestNotConfigured(t *testing.T) {
	fs := newFakeServer(t, reply(200, "{}"))
	c := newGWS(t, fs)
	if _, err := c.Messenger.SendSingle(context.Background(), single(omni.TextMessage("x"))); !errors.Is(err, omni.ErrNotConfigured) {
		t.Errorf("Messenger without WithMessenger: %v", err)
	}
	m := newMessenger(t, fs)
	if _, err := m.Facebook.Send(context.Background(), "X", seedFacebook); !errors.Is(err, omni.ErrNotConfigured) {
		t.Errorf("Facebook without base URL: %v", err)
	}
}

func TestNewClientErrors(t *testing.T) {
	tests := []struct {
		name string
		base string
		opts []omni.Option
		want string
	}{
		{"nothing", "", nil, "omni: NewClient: give a GWS base URL, WithMessenger, or both"},
		{"relative", "/api/v2", []omni.Option{omni.WithBasicAuth("u", "p")}, "omni: base URL must be an absolute http or https URL"},
		{"scheme", "ftp://h/api/v2", []omni.Option{omni.WithBasicAuth("u", "p")}, "omni: base URL must be an absolute http or https URL"},
		{"userinfo", "https://u:secret@h/api/v2", []omni.Option{omni.WithBasicAuth("u", "p")}, "omni: base URL must not carry credentials: use the auth options"},
		{"empty query", "http://0?", []omni.Option{omni.WithBasicAuth("u", "p")}, "omni: base URL must not have a query or fragment"},
		{"empty query after path", "https://h/api/v2?", []omni.Option{omni.WithBasicAuth("u", "p")}, "omni: base URL must not have a query or fragment"},
		{"empty fragment", "https://h/api/v2#", []omni.Option{omni.WithBasicAuth("u", "p")}, "omni: base URL must not have a query or fragment"},
		{"port without host", "https://:80", []omni.Option{omni.WithBasicAuth("u", "p")}, "omni: base URL must be an absolute http or https URL"},
		{"no creds", "https://h/api/v2", nil, "omni: NewClient: the GWS base URL needs credentials: add WithBasicAuth"},
		{"nil option", "https://h/api/v2", []omni.Option{omni.WithBasicAuth("u", "p"), nil}, "omni: NewClient: option 1 is nil"},
		{"empty key", "", []omni.Option{omni.WithMessenger("https://x.api.infobip.com", omni.AppKey(""))}, "omni: App credentials must not be empty or blank"},
		{"bad messenger URL", "", []omni.Option{omni.WithMessenger("x.api.infobip.com", omni.AppKey("k"))}, "omni: Messenger base URL must be an absolute http or https URL"},
		{"nil http client", "https://h", []omni.Option{omni.WithBasicAuth("u", "p"), omni.WithHTTPClient(nil)}, "omni: WithHTTPClient: client must not be nil"},
		{"bad twitter path", "https://h", []omni.Option{omni.WithBasicAuth("u", "p"), omni.WithTwitterPath("../x")}, `omni: WithTwitterPath: "../x" must be a relative path without . or .. segments (plain or %2e-encoded), query or fragment, such as "me/twitter"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := omni.NewClient(tt.base, tt.opts...)
			if err == nil || err.Error() != tt.want {
				t.Errorf("err = %v, want %s", err, tt.want)
			}
			if c != nil {
				t.Error("client returned with an error")
			}
		})
	}
	_ = http.MethodGet
}
