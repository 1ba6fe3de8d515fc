package omnitest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// reportsOf decodes a reports or logs answer.
func reportsOf(t *testing.T, r *response) []map[string]any {
	t.Helper()
	if r.Status != 200 {
		t.Fatalf("got %d %s", r.Status, r.Body)
	}
	var out struct {
		Results []map[string]any `json:"results"`
	}
	if err := json.Unmarshal([]byte(r.Body), &out); err != nil {
		t.Fatal(err)
	}
	return out.Results
}

func statusName(m map[string]any) string {
	st, _ := m["status"].(map[string]any)
	g, _ := st["groupName"].(string)
	n, _ := st["name"].(string)
	return g + "/" + n
}

func TestMessengerReportsMoveFromPendingToDelivered(t *testing.T) {
	s := NewServer(t, WithMessengerAPIKey("k"))
	auth := "App k"
	id1 := expectSent(t, messengerSend(t, s, auth, fixture(t, "messenger_text_request.json")))
	id2 := expectSent(t, messengerSend(t, s, auth, fixture(t, "messenger_image_request.json")))
	c := newClient(t)
	get := func(path string) *response {
		return c.do(http.MethodGet, s.MessengerURL()+path, "", "Authorization", auth)
	}

	first := reportsOf(t, get("/facebook/1/reports"))
	if len(first) != 2 || first[0]["messageId"] != id1 || first[1]["messageId"] != id2 {
		t.Fatalf("reports %v, want both messages in send order", first)
	}
	for _, r := range first {
		if statusName(r) != "PENDING/PENDING_ENROUTE" || r["doneAt"] != nil || r["to"] == "" || r["messageCount"] != 1.0 {
			t.Errorf("first read %v", r)
		}
	}
	second := reportsOf(t, get("/facebook/1/reports?messageId="+id1))
	if len(second) != 1 || second[0]["messageId"] != id1 || statusName(second[0]) != "DELIVERED/DELIVERED_TO_HANDSET" {
		t.Fatalf("second read %v", second)
	}
	done, err := time.Parse(timestampLayout, second[0]["doneAt"].(string))
	sent, err2 := time.Parse(timestampLayout, second[0]["sentAt"].(string))
	if err != nil || err2 != nil || done.Before(sent) {
		t.Errorf("sentAt %v doneAt %v (%v %v)", second[0]["sentAt"], second[0]["doneAt"], err, err2)
	}
	if e, _ := second[0]["error"].(map[string]any); e["name"] != "NO_ERROR" || e["permanent"] != false {
		t.Errorf("error %v", second[0]["error"])
	}
	// limit keeps the latest.
	last := reportsOf(t, get("/facebook/1/reports?limit=1"))
	if len(last) != 1 || last[0]["messageId"] != id2 {
		t.Errorf("limit=1 gave %v, want the latest message", last)
	}
	if got := reportsOf(t, get("/facebook/1/reports?bulkId=nope")); len(got) != 0 {
		t.Errorf("unknown bulk gave %v", got)
	}
}

func TestMessengerPendingReadsOption(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want []string
	}{
		{0, []string{"DELIVERED", "DELIVERED"}},
		{2, []string{"PENDING", "PENDING", "DELIVERED"}},
	} {
		s := NewServer(t, WithPendingReads(tt.n))
		id := expectSent(t, messengerSend(t, s, "App any", fixture(t, "messenger_text_request.json")))
		c := newClient(t)
		for i, want := range tt.want {
			got := reportsOf(t, c.do(http.MethodGet, s.MessengerURL()+"/facebook/1/reports?messageId="+id, "", "Authorization", "App any"))
			if len(got) != 1 || !strings.HasPrefix(statusName(got[0]), want+"/") {
				t.Errorf("WithPendingReads(%d) read %d: %v, want %s", tt.n, i+1, got, want)
			}
		}
	}
}

func TestMessengerLogsFilters(t *testing.T) {
	s := NewServer(t)
	auth := "App any"
	text := expectSent(t, messengerSend(t, s, auth, fixture(t, "messenger_text_request.json")))
	image := expectSent(t, messengerSend(t, s, auth, fixture(t, "messenger_image_request.json")))
	c := newClient(t)
	logs := func(q url.Values) []map[string]any {
		u := s.MessengerURL() + "/facebook/1/logs"
		if len(q) > 0 {
			u += "?" + q.Encode()
		}
		return reportsOf(t, c.do(http.MethodGet, u, "", "Authorization", auth))
	}
	all := logs(nil)
	if len(all) != 2 || all[0]["text"] == nil || all[0]["text"] == "" || all[1]["text"] != nil || all[0]["from"] == nil {
		t.Fatalf("logs %v, want from on both and text on the TEXT message only", all)
	}
	// Both are now past their pending read.
	if got := logs(url.Values{"generalStatus": {"PENDING"}}); len(got) != 0 {
		t.Errorf("PENDING after a read: %v", got)
	}
	if got := logs(url.Values{"messageId": {image, text}, "generalStatus": {"DELIVERED"}}); len(got) != 2 {
		t.Errorf("repeated messageId gave %d entries, want 2", len(got))
	}
	if got := logs(url.Values{"messageId": {image}, "to": {"nobody"}}); len(got) != 0 {
		t.Errorf("to=nobody gave %v", got)
	}
	future := time.Now().Add(time.Hour).Format(timestampLayout)
	past := time.Now().Add(-time.Hour).Format(timestampLayout)
	if got := logs(url.Values{"sentSince": {future}}); len(got) != 0 {
		t.Errorf("sentSince in the future gave %v", got)
	}
	if got := logs(url.Values{"sentSince": {past}, "sentUntil": {future}, "limit": {"1"}}); len(got) != 1 || got[0]["messageId"] != image {
		t.Errorf("window with limit 1 gave %v", got)
	}
}

func TestMessengerReadRejects(t *testing.T) {
	s := NewServer(t, WithMessengerAPIKey("k"))
	c := newClient(t)
	get := func(path, auth string) *response {
		var hdr []string
		if auth != "" {
			hdr = []string{"Authorization", auth}
		}
		return c.do(http.MethodGet, s.MessengerURL()+path, "", hdr...)
	}
	unauthorized := `{"requestError":{"serviceException":{"messageId":"UNAUTHORIZED","text":"Invalid login details"}}}`
	expect(t, get("/facebook/1/reports", ""), 401, unauthorized)
	expect(t, get("/facebook/1/logs", "App wrong"), 401, unauthorized)
	for _, q := range []string{"limit=0", "limit=1001", "limit=ten"} {
		expect(t, get("/facebook/1/reports?"+q, "App k"), 400,
			`{"requestError":{"serviceException":{"messageId":"BAD_REQUEST","text":"Bad request","validationErrors":{"limit":["must be between 1 and 1000"]}}}}`)
	}
	r := get("/facebook/1/logs?generalStatus=LOST&sentSince=yesterday", "App k")
	if r.Status != 400 || !strings.Contains(r.Body, `"generalStatus"`) || !strings.Contains(r.Body, `"sentSince"`) {
		t.Errorf("bad logs query: %d %s", r.Status, r.Body)
	}
	r = c.do(http.MethodPost, s.MessengerURL()+"/facebook/1/reports", "{}", "Authorization", "App k")
	if r.Status != 405 {
		t.Errorf("POST reports: %d %s", r.Status, r.Body)
	}
	var routes []Route
	for _, req := range s.Requests() {
		routes = append(routes, req.Route)
	}
	if routes[0] != RouteMessengerReports || routes[1] != RouteMessengerLogs {
		t.Errorf("routes %v", routes)
	}
}

func TestMessengerReadFault(t *testing.T) {
	s := NewServer(t)
	s.Inject(RouteMessengerReports, Status(429))
	r := newClient(t).do(http.MethodGet, s.MessengerURL()+"/facebook/1/reports", "", "Authorization", "App k")
	if r.Status != 429 || !strings.Contains(r.Body, "requestError") {
		t.Errorf("fault answered %d %s, want an Infobip-shaped 429", r.Status, r.Body)
	}
}

func TestGWSReadBack(t *testing.T) {
	s := NewServer(t, WithBasicAuth("agent1", "pw"), WithCSRF())
	c := newClient(t)
	hdr := []string{"Authorization", basic("agent1", "pw")}
	get := func(path string) *response { return c.do(http.MethodGet, s.URL()+path, "", hdr...) }

	// A GET first: it hands out the CSRF token the sends need.
	expect(t, get("/me/facebook"), 200, `{"statusCode":0,"uris":[]}`)
	token := get("/me").Header.Get("X-CSRF-TOKEN")
	post := func(path, body string) {
		r := c.do(http.MethodPost, s.URL()+path, body, append(hdr, "X-CSRF-TOKEN", token)...)
		if r.Status != 200 {
			t.Fatalf("POST %s: %d %s", path, r.Status, r.Body)
		}
	}
	post("/me/facebook/FB1", fixture(t, "facebook_send_request.json"))
	post("/me/facebook/FB2", fixture(t, "facebook_send_request.json"))
	post("/me/tweets/TW1", fixture(t, "twitter_send_request.json"))
	post("/me/facebooksessions/S1", `{"operationName":"Accept","nickname":"Kristi"}`)

	r := get("/me/facebook/FB1")
	if r.Status != 200 || !strings.HasPrefix(r.Body, `{"statusCode":0,"facebook":{`) ||
		!strings.Contains(r.Body, `"id":"FB1"`) || !strings.Contains(r.Body, `"state":"Sent"`) {
		t.Errorf("GET facebook: %d %s", r.Status, r.Body)
	}
	expect(t, get("/me/facebook/FB1?fields=id,state"), 200, `{"statusCode":0,"facebook":{"id":"FB1","state":"Sent"}}`)
	expect(t, get("/me/facebook?fields=id&offset=1"), 200, `{"statusCode":0,"facebook":[{"id":"FB2"}]}`)
	expect(t, get("/me/facebook?fields=id&limit=1"), 200, `{"statusCode":0,"facebook":[{"id":"FB1"}]}`)
	expect(t, get("/me/facebook?limit=1"), 200, `{"statusCode":0,"uris":["`+s.URL()+`/facebooks/FB1"]}`)
	if r := get("/me/facebook?fields=%2A"); !strings.Contains(r.Body, `"message":"Hello Facebook!"`) {
		t.Errorf("fields=* lacks the message: %s", r.Body)
	}
	expect(t, get("/me/tweets/TW1?fields=id,twitterType"), 200, `{"statusCode":0,"tweet":{"id":"TW1","twitterType":"Outbound"}}`)
	expect(t, get("/me/twitter?fields=id"), 200, `{"statusCode":0,"tweets":[{"id":"TW1"}]}`)
	r = get("/me/facebooksessions/S1")
	if !strings.Contains(r.Body, `"facebooksession":{`) || !strings.Contains(r.Body, `"nickname":"Kristi"`) {
		t.Errorf("GET session: %s", r.Body)
	}
	expect(t, get("/me/facebooksession?fields=id,state"), 200, `{"statusCode":0,"facebooksessions":[{"id":"S1","state":"Chatting"}]}`)

	expect(t, get("/me/facebook/NOPE"), 404, `{"statusCode":6,"statusMessage":"Resource not found"}`)
	expect(t, get("/me/tweets?offset=-1"), 400, `{"statusCode":2,"statusMessage":"Invalid parameter: offset and limit must be non-negative integers"}`)
	expect(t, c.do(http.MethodGet, s.URL()+"/me/facebook/FB1", ""), 401, `{"statusCode":20,"statusMessage":"User not authenticated"}`)

	var reads []Route
	for _, req := range s.Requests() {
		if req.Method == http.MethodGet && strings.Contains(req.Path, "/me/") {
			reads = append(reads, req.Route)
		}
	}
	for _, rt := range reads {
		if rt != RouteFacebookRead && rt != RouteTwitterRead && rt != RouteFacebookSessionRead {
			t.Errorf("a read was routed as %s", rt)
		}
	}
}
