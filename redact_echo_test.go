package omni_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/omnisdk/omni"
)

// A server that echoes the request's credentials in its error answer does
// not put them in the SDK's error (outside review: Infobip text quoting the
// Authorization header showed the API key in err.Error()).
func TestErrorsDoNotRepeatEchoedCredentials(t *testing.T) {
	const key, password = "ib-key-3f9a7c21d4", "gws-pw-s3cr3t"
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/json")
		if strings.HasPrefix(r.URL.Path, "/facebook/") {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"requestError":{"serviceException":{"messageId":"BAD_REQUEST","text":"bad header %s",`+
				`"validationErrors":{"auth %s":["was %s"]}}}}`, auth, key, auth)
			return
		}
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"statusCode":1,"statusMessage":"user agent1 with password %s sent %s"}`, password, auth)
	}))
	defer echo.Close()
	c, err := omni.NewClient(echo.URL+"/api/v2", omni.WithBasicAuth("agent1", password),
		omni.WithMessenger(echo.URL, omni.AppKey(key)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	_, merr := c.Messenger.SendSingle(ctx, single(omni.TextMessage("hi")))
	_, gerr := c.Facebook.Send(ctx, "id1", omni.FacebookSend{QueuePath: "/q", From: "p", Message: "m"})
	for name, err := range map[string]error{"Messenger": merr, "GWS": gerr} {
		if err == nil {
			t.Fatalf("%s: no error", name)
		}
		var ae *omni.APIError
		for _, s := range []string{fmt.Sprint(err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
			for i, secret := range []string{key, password, "YWdlbnQx"} { // YWdlbnQx: base64 of "agent1", the start of the Basic token
				if strings.Contains(s, secret) {
					t.Errorf("%s error shows credential %d (not printed)", name, i)
				}
			}
		}
		if errors.As(err, &ae) && !strings.Contains(string(ae.Body), "[redacted]") {
			t.Errorf("%s: the body holds no [redacted] where the server echoed the credentials", name)
		}
	}
}

// The same holds for the other places the server's words reach an error:
// Infobip's messageId and a REJECTED status's description (second outside
// review).
func TestRejectedAndMessageIDDoNotRepeatEchoedCredentials(t *testing.T) {
	const key = "ib-key-77aa0c5e19"
	for name, answer := range map[string]func(w http.ResponseWriter){
		"messageId": func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"requestError":{"serviceException":{"messageId":"App %s","text":"x"}}}`, key)
		},
		"rejected": func(w http.ResponseWriter) {
			fmt.Fprintf(w, `{"to":"u","messageCount":1,"messageId":"m-%s","status":{"groupId":5,"groupName":"REJECTED","id":12,`+
				`"name":"REJECTED_SOURCE","description":"key %s not allowed"}}`, key, key)
		},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			answer(w)
		}))
		c, err := omni.NewClient("", omni.WithMessenger(srv.URL, omni.AppKey(key)))
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Messenger.SendSingle(context.Background(), single(omni.TextMessage("hi")))
		if err == nil {
			t.Fatalf("%s: no error", name)
		}
		for _, s := range []string{fmt.Sprint(err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
			if strings.Contains(s, key) {
				t.Errorf("%s: the error shows the key (not printed)", name)
			}
		}
		c.Close()
		srv.Close()
	}
}

// An echo in the forms JSON encoders give a secret ("\/" for "/", Go's
// \u0026 for "&"), in the current Messages API's errors and in the answers
// a send returns, is redacted too (third outside review: the escaped form
// passed, and SendMessages' statuses and SendSingle's answer kept the key).
func TestEscapedAndResultEchoesAreRedacted(t *testing.T) {
	const token, password = "abc/DEF+ghi==", "Pa&ss<w>rd"
	for name, tc := range map[string]struct {
		creds  omni.MessengerCredentials
		secret string
		answer func(w http.ResponseWriter, r *http.Request)
		call   func(c *omni.Client) (any, error)
	}{
		"escaped slash in a Messages API error": {omni.BearerToken(token), token,
			func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusUnauthorized)
				fmt.Fprint(w, `{"errorCode":"E401","description":"Invalid token abc\/DEF+ghi==","violations":[],"resources":[]}`)
			},
			func(c *omni.Client) (any, error) {
				return c.Messenger.SendMessages(context.Background(), omni.MessagesRequest{Messages: []omni.MessengerMessage{{
					Sender: "p", Destinations: []omni.Destination{{To: "u"}}, Content: omni.TextContent{Text: "hi"}}}})
			}},
		"Go-escaped password in a Basic echo": {omni.MessengerBasicAuth("user", password), password,
			func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusBadRequest)
				b, _ := json.Marshal("password " + password + " refused")
				fmt.Fprintf(w, `{"requestError":{"serviceException":{"messageId":"BAD_REQUEST","text":%s}}}`, b)
			},
			func(c *omni.Client) (any, error) {
				return c.Messenger.SendSingle(context.Background(), single(omni.TextMessage("hi")))
			}},
		"REJECTED status in SendMessages' answer": {omni.AppKey("key-5e5e5e5e"), "key-5e5e5e5e",
			func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, `{"bulkId":"b","messages":[{"messageId":"m","status":{"groupId":5,"groupName":"REJECTED","id":12,"name":"REJECTED_SOURCE","description":"key key-5e5e5e5e not allowed"},"destination":"u"}]}`)
			},
			func(c *omni.Client) (any, error) {
				return c.Messenger.SendMessages(context.Background(), omni.MessagesRequest{Messages: []omni.MessengerMessage{{
					Sender: "p", Destinations: []omni.Destination{{To: "u", MessageID: "m"}}, Content: omni.TextContent{Text: "hi"}}}})
			}},
		// Sixth outside review: the status's name and group name were taken
		// for the service's vocabulary and kept, so an echo there showed in
		// a *RejectedError's string and in the answers.
		"REJECTED status name in SendSingle's answer": {omni.AppKey("key-7a7a7a7a"), "key-7a7a7a7a",
			func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprintf(w, `{"to":"u","messageCount":1,"messageId":"m1","status":{"groupId":5,"groupName":"REJECTED %[1]s","id":12,"name":"REJECTED %[1]s","description":"REJECTED %[1]s","action":"check %[1]s"}}`, r.Header.Get("Authorization"))
			},
			func(c *omni.Client) (any, error) {
				return c.Messenger.SendSingle(context.Background(), single(omni.TextMessage("hi")))
			}},
		"status name in SendSingle's success": {omni.AppKey("key-7b7b7b7b"), "key-7b7b7b7b",
			func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprintf(w, `{"to":"u","messageCount":1,"messageId":"m1","status":{"groupId":1,"groupName":"PENDING","id":7,"name":"PENDING %[1]s","action":"%[1]s"}}`, r.Header.Get("Authorization"))
			},
			func(c *omni.Client) (any, error) {
				return c.Messenger.SendSingle(context.Background(), single(omni.TextMessage("hi")))
			}},
		"status name in SendMessages' answer": {omni.AppKey("key-7c7c7c7c"), "key-7c7c7c7c",
			func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprintf(w, `{"bulkId":"b","messages":[{"messageId":"m","status":{"groupId":1,"groupName":"PENDING %[1]s","id":26,"name":"PENDING %[1]s"},"destination":"u"}]}`, r.Header.Get("Authorization"))
			},
			func(c *omni.Client) (any, error) {
				return c.Messenger.SendMessages(context.Background(), omni.MessagesRequest{Messages: []omni.MessengerMessage{{
					Sender: "p", Destinations: []omni.Destination{{To: "u", MessageID: "m"}}, Content: omni.TextContent{Text: "hi"}}}})
			}},
		"SendSingle's answer": {omni.AppKey("key-6f6f6f6f"), "key-6f6f6f6f",
			func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprint(w, `{"to":"u","messageCount":1,"messageId":"m","status":{"groupId":1,"groupName":"PENDING","id":7,"name":"PENDING_ENROUTE","description":"sent with key-6f6f6f6f"}}`)
			},
			func(c *omni.Client) (any, error) {
				return c.Messenger.SendSingle(context.Background(), single(omni.TextMessage("hi")))
			}},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			tc.answer(w, r)
		}))
		c, err := omni.NewClient("", omni.WithMessenger(srv.URL, tc.creds))
		if err != nil {
			t.Fatal(err)
		}
		res, err := tc.call(c)
		body := ""
		if ae := (*omni.APIError)(nil); errors.As(err, &ae) {
			body = string(ae.Body) // the raw answer, escapes and all
		}
		for _, s := range []string{fmt.Sprintf("%+v", res), fmt.Sprintf("%#v", res), fmt.Sprint(err), fmt.Sprintf("%#v", err), body} {
			if strings.Contains(s, tc.secret) || strings.Contains(s, strings.ReplaceAll(tc.secret, "/", `\/`)) ||
				strings.Contains(s, `Pa\u0026ss`) {
				t.Errorf("%s: the credential shows (not printed)", name)
			}
		}
		c.Close()
		srv.Close()
	}
}

// Redaction never rewrites a successful answer's ids, nor ordinary words
// with a short credential (fifth outside review: with the key "test" an
// accepted destination's messageId "test-order-1" came back as
// "[redacted]-order-1", so SendBulk could not find it and marked it
// unknown).
func TestRedactionLeavesSuccessIDsAlone(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"bulkId":"b-test","messages":[{"messageId":"test-order-1","status":{"groupId":1,"groupName":"PENDING","id":26,"name":"PENDING_ACCEPTED","description":"test message sent"},"destination":"user-test-1"}]}`)
	}))
	defer srv.Close()
	for _, key := range []string{"test", "key-0123456789-order"} {
		c, err := omni.NewClient("", omni.WithMessenger(srv.URL, omni.AppKey(key)))
		if err != nil {
			t.Fatal(err)
		}
		b, err := c.Messenger.SendBulk(context.Background(), omni.MessagesRequest{Messages: []omni.MessengerMessage{{Sender: "p",
			Destinations: []omni.Destination{{To: "user-test-1", MessageID: "test-order-1"}}, Content: omni.TextContent{Text: "hi"}}}}, nil)
		if err != nil || b.Entries[0].State != omni.BulkAccepted || b.Entries[0].Status.Description != "test message sent" {
			t.Errorf("key %q: %+v, %v", key, b.Entries, err)
		}
		c.Close()
	}
}

// A GWS server that repeats the request's CSRF token and session cookie in
// its error text gets them replaced by [redacted] too: they are credentials
// the SDK holds only for a while, so they are redacted per call, with the
// token and cookies that call's requests carried (fourth outside review of
// stop 28: both were shown in plain text).
func TestErrorsDoNotRepeatEchoedCSRFTokenOrSessionCookie(t *testing.T) {
	const token, session = "7f3c2a10-9b1e-4c55-a0d2-5e8f6b7c9d01", "A1B2C3D4E5F60718293A4B5C6D7E8F90"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodGet {
			w.Header().Set("X-CSRF-HEADER", "X-CSRF-TOKEN")
			w.Header().Set("X-CSRF-TOKEN", token)
			http.SetCookie(w, &http.Cookie{Name: "JSESSIONID", Value: session, Path: "/"})
			io.WriteString(w, `{"statusCode":0}`)
			return
		}
		if r.Header.Get("X-CSRF-TOKEN") == "" {
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"statusCode":3,"statusMessage":"Missing or invalid Csrf token"}`)
			return
		}
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"statusCode":10,"statusMessage":"rejected request with X-CSRF-TOKEN=%s Cookie: %s"}`,
			r.Header.Get("X-CSRF-TOKEN"), r.Header.Get("Cookie"))
	}))
	defer srv.Close()
	c, err := omni.NewClient(srv.URL+"/api/v2", omni.WithBasicAuth("agent1", "s3cretPW"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Facebook.Send(context.Background(), "01QQQG2MU214P06D", omni.FacebookSend{
		QueuePath: "/contacts/60ebbb94-3cef-4b14-95f8-5c49dbeb355d", From: "vitaliy_onv", Message: "Hello Facebook!"})
	var ae *omni.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("Send: %v, want an *APIError", err)
	}
	shown := fmt.Sprint(err) + fmt.Sprintf("%+v %#v", err, ae) + string(ae.Body) + ae.GWSStatusMessage
	for name, secret := range map[string]string{"the CSRF token": token, "the JSESSIONID": session} {
		if strings.Contains(shown, secret) {
			t.Errorf("the error shows %s", name)
		}
	}
	if want := "X-CSRF-TOKEN=[redacted] Cookie: JSESSIONID=[redacted]"; !strings.Contains(ae.GWSStatusMessage, want) {
		t.Errorf("GWSStatusMessage = %q, want it to contain %q", ae.GWSStatusMessage, want)
	}
}

// A GWS answer that repeats the Messenger key, or a Messenger answer that
// repeats the GWS password, is redacted too (seventh outside review of this
// session: only the credentials of the request's own endpoint were).
func TestEachEndpointRedactsTheOthersCredentials(t *testing.T) {
	const pw, key = "GwsPassw0rdCross", "MsgKeyCross12345"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		if strings.HasPrefix(r.URL.Path, "/api/v2/") {
			fmt.Fprintf(w, `{"statusCode":1,"statusMessage":"bad key %s"}`, key)
			return
		}
		fmt.Fprintf(w, `{"requestError":{"serviceException":{"messageId":"BAD_REQUEST","text":"bad password %s"}}}`, pw)
	}))
	defer srv.Close()
	c, err := omni.NewClient(srv.URL+"/api/v2", omni.WithBasicAuth("agent1", pw), omni.WithMessenger(srv.URL, omni.AppKey(key)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, gerr := c.Facebook.Send(context.Background(), "01QQQG2MU214P06D", seedFacebook)
	_, merr := c.Messenger.SendSingle(context.Background(), single(omni.TextMessage("hi")))
	for name, err := range map[string]error{"GWS": gerr, "Messenger": merr} {
		var ae *omni.APIError
		if !errors.As(err, &ae) {
			t.Fatalf("%s: a %T, want an *APIError", name, err)
		}
		shown := fmt.Sprintf("%v %+v %#v", err, err, ae) + string(ae.Body)
		if strings.Contains(shown, pw) || strings.Contains(shown, key) || !strings.Contains(shown, "[redacted]") {
			t.Errorf("%s: the other endpoint's credential shows", name)
		}
	}
}
