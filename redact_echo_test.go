package omni_test

import (
	"context"
	"errors"
	"fmt"
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
