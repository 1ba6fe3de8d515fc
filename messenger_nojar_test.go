package omni_test

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"

	"github.com/omnisdk/omni"
)

// With the SDK's own HTTP client, GWS's session cookie never reaches the
// Messenger host, even on the same host name (cookies ignore ports; second
// outside review: JSESSIONID was sent to Messenger on another port of the
// same host), and httpmock activated on HTTPClient() after NewClient still
// serves Messenger's requests.
func TestMessengerGetsNoGWSCookie(t *testing.T) {
	gws := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "JSESSIONID", Value: "gws-session-1", Path: "/"})
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"statusCode":0,"referenceId":1}`))
	}))
	defer gws.Close()
	var cookie string
	ib := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cookie = r.Header.Get("Cookie")
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"to":"u","messageCount":1,"messageId":"m1","status":{"groupId":1,"groupName":"PENDING","id":7,"name":"PENDING_ENROUTE"}}`))
	}))
	defer ib.Close()
	c, err := omni.NewClient(gws.URL+"/api/v2", omni.WithBasicAuth("agent", "pw"), omni.WithMessenger(ib.URL, omni.AppKey("key-1234")))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if _, err := c.Facebook.Send(ctx, "id1", omni.FacebookSend{QueuePath: "/q", From: "p", Message: "m"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Messenger.SendSingle(ctx, single(omni.TextMessage("hi"))); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(cookie, "JSESSIONID") {
		t.Errorf("the Messenger request carried GWS's session cookie: %q", cookie)
	}
	// A caller's client with a jar, as WithHTTPClient advises: the same.
	jar, _ := cookiejar.New(nil)
	uc, err := omni.NewClient(gws.URL+"/api/v2", omni.WithBasicAuth("agent", "pw"), omni.WithMessenger(ib.URL, omni.AppKey("key-1234")),
		omni.WithHTTPClient(&http.Client{Jar: jar}))
	if err != nil {
		t.Fatal(err)
	}
	defer uc.Close()
	if _, err := uc.Facebook.Send(ctx, "id1", omni.FacebookSend{QueuePath: "/q", From: "p", Message: "m"}); err != nil {
		t.Fatal(err)
	}
	cookie = ""
	if _, err := uc.Messenger.SendSingle(ctx, single(omni.TextMessage("hi"))); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(cookie, "JSESSIONID") {
		t.Errorf("with the caller's client, the Messenger request carried GWS's session cookie: %q", cookie)
	}
	httpmock.ActivateNonDefault(c.HTTPClient())
	defer httpmock.DeactivateAndReset()
	httpmock.RegisterResponder(http.MethodPost, ib.URL+"/facebook/1/single", httpmock.NewStringResponder(401,
		`{"requestError":{"serviceException":{"messageId":"UNAUTHORIZED","text":"Invalid login details"}}}`))
	if _, err := c.Messenger.SendSingle(ctx, single(omni.TextMessage("hi"))); err == nil || httpmock.GetTotalCallCount() != 1 {
		t.Errorf("after httpmock.ActivateNonDefault(c.HTTPClient()): %v, %d mocked calls", err, httpmock.GetTotalCallCount())
	}
}
