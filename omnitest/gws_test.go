package omnitest

import (
	"net/http"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	s := NewServer(t)
	c := newClient(t)
	expect(t, c.do(http.MethodGet, s.URL()+"/diagnostics/version", ""), 200, `{"statusCode":0,"version":"8.5.200.50"}`)
}

func TestContextPath(t *testing.T) {
	s := NewServer(t, WithContextPath("cloud-web/"))
	if !strings.HasSuffix(s.URL(), "/cloud-web/api/v2") || s.NotificationsURL() != s.URL()+"/notifications" {
		t.Fatalf("URL %s NotificationsURL %s", s.URL(), s.NotificationsURL())
	}
	c := newClient(t)
	expect(t, c.do(http.MethodGet, s.URL()+"/diagnostics/version", ""), 200, `{"statusCode":0,"version":"8.5.200.50"}`)
	// Without the context path, /api/v2 is not GWS any more.
	r := c.do(http.MethodGet, s.MessengerURL()+"/api/v2/diagnostics/version", "")
	expect(t, r, 404, `{"requestError":{"serviceException":{"messageId":"NOT_FOUND","text":"Not found"}}}`)
}

func TestMe(t *testing.T) {
	s := NewServer(t, WithBasicAuth("agent1", "pw"))
	c := newClient(t)
	hdr := []string{"Authorization", basic("agent1", "pw")}
	r := c.do(http.MethodGet, s.URL()+"/me", "", hdr...)
	want := `{"statusCode":0,"user":{"id":"0000000000000001","userName":"agent1","firstName":"Test","lastName":"Agent",` +
		`"roles":["ROLE_AGENT"],"enabled":true,"uri":"` + s.URL() + `/users/0000000000000001","path":"/users/0000000000000001"}}`
	expect(t, r, 200, want)

	expect(t, c.do(http.MethodPost, s.URL()+"/me", `{"operationName":"StartContactCenterSession","channels":["voice"]}`, hdr...),
		200, `{"statusCode":0}`)
	if !s.SignedIn() {
		t.Fatal("not signed in after StartContactCenterSession")
	}
	expect(t, c.do(http.MethodPost, s.URL()+"/me", `{"operationName":"EndContactCenterSession"}`, hdr...), 200, `{"statusCode":0}`)
	if s.SignedIn() {
		t.Fatal("still signed in after EndContactCenterSession")
	}
	expect(t, c.do(http.MethodPost, s.URL()+"/me", `{"operationName":"Dance"}`, hdr...),
		400, `{"statusCode":2,"statusMessage":"Invalid operationName: Dance"}`)
	expect(t, c.do(http.MethodPost, s.URL()+"/me", `{}`, hdr...),
		400, `{"statusCode":1,"statusMessage":"Required parameter missing: operationName"}`)
	// channels is required (API-FACTS-LIFECYCLE §4: the optional
	// parameters carry "?", channels does not); outside review of stop 28.
	for _, body := range []string{`{"operationName":"StartContactCenterSession"}`,
		`{"operationName":"StartContactCenterSession","channels":[]}`} {
		expect(t, c.do(http.MethodPost, s.URL()+"/me", body, hdr...),
			400, `{"statusCode":1,"statusMessage":"Required parameter missing: channels"}`)
	}
	if s.SignedIn() {
		t.Error("signed in by a StartContactCenterSession without channels")
	}
}

func TestFacebookSend(t *testing.T) {
	s := NewServer(t)
	c := newClient(t)
	r := c.do(http.MethodPost, s.URL()+"/me/facebook/01QQQG2MU214P06D", fixture(t, "facebook_send_request.json"))
	expect(t, r, 200, `{"statusCode":0,"referenceId":1}`)
	if r.Header.Get("Content-Type") != "application/json;charset=UTF-8" {
		t.Fatalf("Content-Type %q", r.Header.Get("Content-Type"))
	}
}

func TestTwitterSendBothPaths(t *testing.T) {
	s := NewServer(t)
	c := newClient(t)
	body := fixture(t, "twitter_send_request.json")
	expect(t, c.do(http.MethodPost, s.URL()+"/me/tweets/010QQG2MU214P06D", body), 200, `{"statusCode":0,"referenceId":1}`)
	expect(t, c.do(http.MethodPost, s.URL()+"/me/twitter/010QQG2MU214P06D", body), 200, `{"statusCode":0,"referenceId":2}`)
	reqs := s.Requests()
	if reqs[0].Route != RouteTwitterSend || reqs[1].Route != RouteTwitterSend {
		t.Fatalf("routes %s %s", reqs[0].Route, reqs[1].Route)
	}
}

func TestSendErrors(t *testing.T) {
	s := NewServer(t)
	c := newClient(t)
	fb := s.URL() + "/me/facebook/X1"
	tw := s.URL() + "/me/tweets/X1"
	cases := []struct {
		name, url, body string
		status          int
		want            string
	}{
		{"bad json", fb, `{"operationName":`, 400, `{"statusCode":10,"statusMessage":"Input validation error: request body is not valid JSON"}`},
		{"empty body", fb, ``, 400, `{"statusCode":10,"statusMessage":"Input validation error: request body is not valid JSON"}`},
		{"wrong type", fb, `{"operationName":"Send","queuePath":"/q","facebook":"x"}`, 400, `{"statusCode":10,"statusMessage":"Input validation error: facebook: must be an object, not a JSON string"}`},
		{"wrong field type", fb, `{"operationName":"Send","queuePath":"/q","saveLAR":"yes","facebook":{"from":"a","message":"b"}}`, 400, `{"statusCode":10,"statusMessage":"Input validation error: saveLAR: must be a boolean, not a JSON string"}`},
		{"wrong nested type", fb, `{"operationName":"Send","queuePath":"/q","facebook":{"from":5,"message":"b"}}`, 400, `{"statusCode":10,"statusMessage":"Input validation error: facebook.from: must be a string, not a JSON number"}`},
		{"no operation", fb, `{"queuePath":"/q"}`, 400, `{"statusCode":1,"statusMessage":"Required parameter missing: operationName"}`},
		{"unknown operation", fb, `{"operationName":"Fly"}`, 400, `{"statusCode":2,"statusMessage":"Invalid operationName: Fly"}`},
		{"no queuePath", fb, `{"operationName":"Send","facebook":{"from":"a","message":"b"}}`, 400, `{"statusCode":1,"statusMessage":"Required parameter missing: queuePath"}`},
		{"blank queuePath", fb, `{"operationName":"Send","queuePath":" ","facebook":{"from":"a","message":"b"}}`, 400, `{"statusCode":1,"statusMessage":"Required parameter missing: queuePath"}`},
		{"blank message", tw, `{"operationName":"Send","queuePath":"/q","twitter":{"from":"a","message":"\t"}}`, 400, `{"statusCode":1,"statusMessage":"Required parameter missing: twitter.message"}`},
		{"no facebook", fb, `{"operationName":"Send","queuePath":"/q"}`, 400, `{"statusCode":1,"statusMessage":"Required parameter missing: facebook"}`},
		{"no from", fb, `{"operationName":"Send","queuePath":"/q","facebook":{"message":"b"}}`, 400, `{"statusCode":1,"statusMessage":"Required parameter missing: facebook.from"}`},
		{"no message", fb, `{"operationName":"Send","queuePath":"/q","facebook":{"from":"a"}}`, 400, `{"statusCode":1,"statusMessage":"Required parameter missing: facebook.message"}`},
		{"no twitter", tw, `{"operationName":"Send","queuePath":"/q","facebook":{"from":"a","message":"b"}}`, 400, `{"statusCode":1,"statusMessage":"Required parameter missing: twitter"}`},
		{"no twitter from", tw, `{"operationName":"Send","queuePath":"/q","twitter":{"message":"b"}}`, 400, `{"statusCode":1,"statusMessage":"Required parameter missing: twitter.from"}`},
		{"no twitter message", tw, `{"operationName":"Send","queuePath":"/q","twitter":{"from":"a"}}`, 400, `{"statusCode":1,"statusMessage":"Required parameter missing: twitter.message"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			expect(t, c.do(http.MethodPost, tc.url, tc.body), tc.status, tc.want)
		})
	}
	// Failed sends use no referenceId.
	expect(t, c.do(http.MethodPost, fb, fixture(t, "facebook_send_request.json")), 200, `{"statusCode":0,"referenceId":1}`)
}

func TestUnknownPath(t *testing.T) {
	s := NewServer(t)
	c := newClient(t)
	notFound := `{"statusCode":6,"statusMessage":"Resource not found"}`
	for _, tc := range []struct{ method, path string }{
		{http.MethodGet, "/nope"},
		{http.MethodGet, "/me/facebook/X1"},        // wrong method
		{http.MethodPost, "/me/facebook/"},         // no id
		{http.MethodPost, "/me/facebook/%20"},      // a blank id
		{http.MethodPost, "/me/tweets/%09"},        // a blank id
		{http.MethodPost, "/me/facebook/X1/extra"}, // too deep
		{http.MethodPost, "/me/whatsapp/X1"},       // unknown media
		{http.MethodPost, "/diagnostics/version"},  // wrong method
		{http.MethodGet, ""},                       // the base itself
	} {
		r := c.do(tc.method, s.URL()+tc.path, `{}`)
		expect(t, r, 404, notFound)
	}
}

func TestFacebookSessionOperations(t *testing.T) {
	s := NewServer(t)
	c := newClient(t)
	u := s.URL() + "/me/facebooksessions/0000Na9B26EF002X"
	ops := []string{
		`{"operationName":"Accept","nickname":"Marat"}`,
		`{"operationName":"SendMessage","text":"Hi"}`,
		`{"operationName":"SendToAgents","text":"psst"}`,
		`{"operationName":"SendStartTypingNotification"}`,
		`{"operationName":"SendStopTypingNotification"}`,
		`{"operationName":"Leave"}`,
		`{"operationName":"Transfer","targetPath":"/agents/a2"}`, // ends it
	}
	for i, op := range ops {
		expect(t, c.do(http.MethodPost, u, op), 200, `{"statusCode":0,"referenceId":`+itoa(i+1)+`}`)
	}
	expect(t, c.do(http.MethodPost, u, `{"operationName":"Complete"}`),
		400, `{"statusCode":2,"statusMessage":"Operation Complete is not valid for the current state (Completed)"}`)
	// The older singular path works too.
	expect(t, c.do(http.MethodPost, s.URL()+"/me/facebooksession/0000Na9B26EF002Y", `{"operationName":"Complete"}`),
		200, `{"statusCode":0,"referenceId":8}`)

	for _, tc := range []struct{ body, want string }{
		{`{"operationName":"SendMessage"}`, `{"statusCode":1,"statusMessage":"Required parameter missing: text"}`},
		{`{"operationName":"SendToAgents"}`, `{"statusCode":1,"statusMessage":"Required parameter missing: text"}`},
		{`{"operationName":"Transfer"}`, `{"statusCode":1,"statusMessage":"Required parameter missing: targetPath"}`},
		{`{"operationName":"Transfer","targetPath":"  "}`, `{"statusCode":1,"statusMessage":"Required parameter missing: targetPath"}`},
		{`{"operationName":"SendMessage","text":"\t"}`, `{"statusCode":1,"statusMessage":"Required parameter missing: text"}`},
		{`{"text":"x"}`, `{"statusCode":1,"statusMessage":"Required parameter missing: operationName"}`},
		{`{"operationName":"Send"}`, `{"statusCode":2,"statusMessage":"Invalid operationName: Send"}`},
		{`[`, `{"statusCode":10,"statusMessage":"Input validation error: request body is not valid JSON"}`},
	} {
		expect(t, c.do(http.MethodPost, u, tc.body), 400, tc.want)
	}
}

// A required parameter of only white space is missing, on the collections'
// operations as on the others (sixth outside review of this session: a
// blank queuePath, from or twitterUserId was accepted).
func TestBlankParametersAreMissing(t *testing.T) {
	s := NewServer(t)
	c := newClient(t)
	for _, tc := range []struct{ path, body, missing string }{
		{"/me/facebook", `{"operationName":"Create","queuePath":"  "}`, "queuePath"},
		{"/me/tweets", `{"operationName":"Create","queuePath":"\t"}`, "queuePath"},
		{"/me/tweets", `{"operationName":"Unfollow","twitterUserId":" ","from":"acct"}`, "twitterUserId"},
		{"/me/tweets", `{"operationName":"Unfollow","twitterUserId":"1258948171","from":"  "}`, "from"},
	} {
		expect(t, c.do(http.MethodPost, s.URL()+tc.path, tc.body), 400,
			`{"statusCode":1,"statusMessage":"Required parameter missing: `+tc.missing+`"}`)
	}
}
