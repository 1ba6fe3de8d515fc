package omni_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/omnisdk/omni"
)

var seedFacebook = omni.FacebookSend{
	QueuePath: "/contacts/60ebbb94-3cef-4b14-95f8-5c49dbeb355d",
	From:      "vitaliy_onv",
	Message:   "Hello Facebook!",
}

func TestFacebookSendWire(t *testing.T) {
	fs := newFakeServer(t, reply(200, string(golden(t, "gws_send_response.json"))))
	c := newGWS(t, fs)
	res, err := c.Facebook.Send(context.Background(), "01QQQG2MU214P06D", seedFacebook)
	if err != nil {
		t.Fatal(err)
	}
	if res.ReferenceID != 57 {
		t.Errorf("ReferenceID = %d, want 57", res.ReferenceID)
	}
	reqs := fs.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Method != "POST" || r.RequestURI != "/api/v2/me/facebook/01QQQG2MU214P06D" {
		t.Errorf("request line = %s %s", r.Method, r.RequestURI)
	}
	wantHeaders := map[string]string{
		"Authorization": "Basic YWdlbnQxOnMzY3JldC1wYXNz", // agent1:s3cret-pass
		"Content-Type":  "application/json",
		"Accept":        "application/json",
		"User-Agent":    "omni-go/" + omni.Version,
	}
	for k, v := range wantHeaders {
		if got := r.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	assertJSONEqual(t, r.Body, golden(t, "facebook_send_request.json"))
	if strings.Contains(string(r.Body), "saveLAR") {
		t.Errorf("saveLAR sent although unset: %s", r.Body)
	}
}

func TestFacebookSendSaveLAR(t *testing.T) {
	fs := newFakeServer(t, reply(200, `{"statusCode":0,"referenceId":3}`))
	c := newGWS(t, fs)
	req := seedFacebook
	req.SaveLAR = omni.Bool(false)
	if _, err := c.Facebook.Send(context.Background(), "X", req); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(fs.requests()[0].Body), `"saveLAR":false`) {
		t.Errorf("body %s lacks saveLAR:false", fs.requests()[0].Body)
	}
}

func TestTwitterSendWireAndPaths(t *testing.T) {
	tests := []struct {
		name    string
		base    string
		opts    []omni.Option
		id      string
		wantURI string
	}{
		{"default", "/api/v2", nil, "01QQQG2MU214P06D", "/api/v2/me/tweets/01QQQG2MU214P06D"},
		{"old servers", "/api/v2", []omni.Option{omni.WithTwitterPath("me/twitter")}, "A1", "/api/v2/me/twitter/A1"},
		{"context path", "/cloud-web/api/v2/", nil, "A1", "/cloud-web/api/v2/me/tweets/A1"},
		{"escaped id", "/api/v2", nil, "a/../b c?", "/api/v2/me/tweets/a%2F..%2Fb%20c%3F"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFakeServer(t, reply(200, `{"statusCode":0,"referenceId":57}`))
			opts := append([]omni.Option{omni.WithBasicAuth("u", "p")}, tt.opts...)
			c, err := omni.NewClient(fs.URL+tt.base, opts...)
			if err != nil {
				t.Fatal(err)
			}
			res, err := c.Twitter.Send(context.Background(), tt.id, omni.TwitterSend{
				QueuePath: "/contacts/60ebbb94-3cef-4b14-95f8-5c49dbeb355d", From: "vitaliy_onv", Message: "HelloTwitter!"})
			if err != nil {
				t.Fatal(err)
			}
			if res.ReferenceID != 57 {
				t.Errorf("ReferenceID = %d", res.ReferenceID)
			}
			r := fs.requests()[0]
			if r.RequestURI != tt.wantURI {
				t.Errorf("URI = %s, want %s", r.RequestURI, tt.wantURI)
			}
			assertJSONEqual(t, r.Body, golden(t, "twitter_send_request.json"))
		})
	}
}

func TestGWSValidationSendsNothing(t *testing.T) {
	fs := newFakeServer(t, reply(200, `{"statusCode":0}`))
	c := newGWS(t, fs)
	_, err := c.Facebook.Send(context.Background(), "..", omni.FacebookSend{})
	var ve *omni.ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, omni.ErrValidation) {
		t.Fatalf("err = %v, want *ValidationError", err)
	}
	want := `omni: invalid request: id: must not be ".."; queuePath: must not be empty; ` +
		`facebook.from: must not be empty; facebook.message: must not be empty`
	if err.Error() != want {
		t.Errorf("err =\n%s\nwant\n%s", err, want)
	}
	_, err = c.Twitter.Send(context.Background(), "", omni.TwitterSend{QueuePath: "q", From: "f"})
	if err == nil || err.Error() != "omni: invalid request: id: must not be empty; twitter.message: must not be empty" {
		t.Errorf("twitter err = %v", err)
	}
	if n := len(fs.requests()); n != 0 {
		t.Errorf("%d requests sent for invalid input", n)
	}
}

func TestGWSStatusCodeErrors(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     string
		code     omni.StatusCode
		sentinel error
	}{
		{"200 with statusCode 2 is an error", 200, `{"statusCode":2,"statusMessage":"Invalid state"}`, omni.StatusInvalidState, nil},
		{"missing parameter", 400, `{"statusCode":1,"statusMessage":"queuePath missing"}`, omni.StatusMissingParameter, omni.ErrValidation},
		{"unauthenticated", 401, `{"statusCode":20,"statusMessage":"User not authenticated"}`, omni.StatusNotAuthenticated, omni.ErrUnauthorized},
		{"not found", 200, `{"statusCode":6,"statusMessage":"no such interaction"}`, omni.StatusNotFound, omni.ErrNotFound},
		{"internal", 500, `{"statusCode":4,"statusMessage":"boom"}`, omni.StatusInternalError, omni.ErrServer},
		{"unknown code", 200, `{"statusCode":99,"statusMessage":"new"}`, 99, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFakeServer(t, reply(tt.status, tt.body))
			c := newGWS(t, fs)
			_, err := c.Facebook.Send(context.Background(), "X", seedFacebook)
			var ae *omni.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v, want *APIError", err)
			}
			if ae.GWSStatusCode != tt.code || ae.HTTPStatus != tt.status {
				t.Errorf("StatusCode=%d HTTP=%d, want %d %d", ae.GWSStatusCode, ae.HTTPStatus, tt.code, tt.status)
			}
			if tt.sentinel != nil && !errors.Is(err, tt.sentinel) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.sentinel)
			}
			if len(fs.requests()) != 1 {
				t.Errorf("%d requests, want 1 (no retry)", len(fs.requests()))
			}
		})
	}
}

func TestGWSMissingStatusCodeIsDecodeError(t *testing.T) {
	fs := newFakeServer(t, reply(200, `{"referenceId":1}`))
	_, err := newGWS(t, fs).Facebook.Send(context.Background(), "X", seedFacebook)
	var de *omni.DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("err = %v, want *DecodeError", err)
	}
}

func TestAPIErrorMessage(t *testing.T) {
	fs := newFakeServer(t, reply(http.StatusBadRequest, `{"statusCode":1,"statusMessage":"queuePath is missing"}`))
	_, err := newGWS(t, fs).Facebook.Send(context.Background(), "X", seedFacebook)
	want := "omni: POST " + fs.URL + "/api/v2/me/facebook/X: HTTP 400, statusCode 1 (required parameter missing): queuePath is missing"
	if err == nil || err.Error() != want {
		t.Errorf("err =\n%v\nwant\n%s", err, want)
	}
}
