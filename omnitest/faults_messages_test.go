package omnitest

import (
	"net/http"
	"testing"
	"time"
)

// A Status fault on a route of the current Messages API answers in that
// API's error shape ({errorCode:"E<status>",description,action,violations,
// resources}), as its own refusals do, not in the older API's requestError
// (outside review).
func TestStatusFaultOnTheCurrentMessagesAPI(t *testing.T) {
	s := NewServer(t)
	c := newClient(t)
	s.Inject(RouteMessengerMessages, Status(429).RetryAfter(3*time.Second))
	s.Inject(RouteMessengerMessages, Status(500))
	s.Inject(RouteMessengerMessageReports, Status(401))
	s.Inject(RouteMessengerMessageLogs, Status(503))
	send := func() *response {
		return c.do(http.MethodPost, s.MessengerURL()+"/messenger/1/messages",
			`{"messages":[{"sender":"S","destinations":[{"to":"T"}],"content":{"type":"TEXT","text":"hi"}}]}`, "Authorization", "App k")
	}
	r := send()
	expect(t, r, 429, `{"action":"Try again later.","description":"Too many requests.","errorCode":"E429","resources":[],"violations":[]}`)
	if r.Header.Get("Retry-After") != "3" {
		t.Errorf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	expect(t, send(), 500, `{"action":"Try again later.","description":"Internal server error.","errorCode":"E500","resources":[],"violations":[]}`)
	expect(t, c.do(http.MethodGet, s.MessengerURL()+"/messenger/1/reports", "", "Authorization", "App k"), 401,
		`{"action":"Check the resources and adjust authentication credentials.","description":"The request lacks valid authentication credentials for the requested resource.","errorCode":"E401","resources":[],"violations":[]}`)
	expect(t, c.do(http.MethodGet, s.MessengerURL()+"/messenger/1/logs", "", "Authorization", "App k"), 503,
		`{"action":"Try again later.","description":"Service unavailable.","errorCode":"E503","resources":[],"violations":[]}`)
	if n := len(s.MessengerMessages()); n != 0 {
		t.Errorf("%d faulted sends recorded as sent", n)
	}
}
