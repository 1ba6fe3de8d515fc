package omnitest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/omnisdk/omni/omnitest"
)

// call sends one request to the simulator's Messenger side.
func call(t *testing.T, srv *omnitest.Server, method, path, auth, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.MessengerURL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func jsonEq(t *testing.T, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("answer is not JSON: %v\n%s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if !bytes.Equal(gb, wb) {
		t.Errorf("answer\n got %s\nwant %s", gb, wb)
	}
}

func TestMessagesAPIAcceptsTheDocumentsSample(t *testing.T) {
	srv := omnitest.NewServer(t)
	status, body := call(t, srv, "POST", "/messenger/1/messages", "App k",
		`{"messages":[{"sender":"OFFICIAL-ACCOUNT-ID-123","destinations":[{"to":"66855538125","messageId":"m-1"}],"content":{"text":"Hello!","type":"TEXT"}}],"options":{"schedule":{"bulkId":"B-1"}}}`)
	if status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	jsonEq(t, body, `{"bulkId":"B-1","messages":[{"messageId":"m-1","status":{"groupId":1,"groupName":"PENDING","id":26,"name":"PENDING_ACCEPTED","description":"Message sent to next instance"},"destination":"66855538125"}]}`)
	out := srv.OutboundMessages()
	if len(out) != 1 || out[0].MessageID != "m-1" || out[0].To != "66855538125" || out[0].Sender != "OFFICIAL-ACCOUNT-ID-123" || out[0].BulkID != "B-1" {
		t.Errorf("recorded %+v", out)
	}
}

func TestMessagesAPIViolationsAndAuth(t *testing.T) {
	srv := omnitest.NewServer(t, omnitest.WithMessengerAPIKey("good"))
	long := strings.Repeat("x", 2001)
	status, body := call(t, srv, "POST", "/messenger/1/messages", "App good",
		`{"messages":[{"sender":"p","destinations":[{"to":""}],"content":{"type":"TEXT","text":"`+long+`"}}]}`)
	if status != 400 {
		t.Fatalf("%d %s", status, body)
	}
	jsonEq(t, body, `{"errorCode":"E400","description":"Request cannot be processed.","action":"Check the syntax, violations and adjust the request.","violations":[{"property":"messages[0].destinations[0].to","violation":"must not be blank"},{"property":"messages[0].content.text","violation":"size must be between 1 and 2000"}],"resources":[]}`)
	status, body = call(t, srv, "POST", "/messenger/1/messages", "App bad", `{}`)
	if status != 401 {
		t.Fatalf("%d %s", status, body)
	}
	jsonEq(t, body, `{"errorCode":"E401","description":"The request lacks valid authentication credentials for the requested resource.","action":"Check the resources and adjust authentication credentials.","violations":[],"resources":[]}`)
	if n := len(srv.OutboundMessages()); n != 0 {
		t.Errorf("%d messages accepted", n)
	}
}

func TestMessagesAPILogsAndReports(t *testing.T) {
	srv := omnitest.NewServer(t)
	srv.RefuseDestination("blocked")
	status, body := call(t, srv, "POST", "/messenger/1/messages", "App k",
		`{"messages":[{"sender":"p","destinations":[{"to":"u1","messageId":"a"},{"to":"u2","messageId":"b"},{"to":"blocked","messageId":"c"}],"content":{"type":"TEXT","text":"hi"}}]}`)
	if status != 200 || !strings.Contains(body, `{"messageId":"c","status":{"groupId":5,"groupName":"REJECTED","id":14,"name":"REJECTED_DESTINATION","description":"Destination rejected"},"destination":"blocked"}`) {
		t.Fatalf("%d %s", status, body)
	}
	_, logs := call(t, srv, "GET", "/messenger/1/logs?messageId=a,c", "App k", "")
	var l struct {
		Results []struct {
			MessageID string `json:"messageId"`
			Status    struct {
				GroupName string `json:"groupName"`
			} `json:"status"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(logs), &l); err != nil || len(l.Results) != 2 ||
		l.Results[0].MessageID != "a" || l.Results[0].Status.GroupName != "DELIVERED" ||
		l.Results[1].MessageID != "c" || l.Results[1].Status.GroupName != "REJECTED" {
		t.Errorf("logs %s", logs)
	}
	// Reports are handed out once, rejected destinations have none here.
	_, first := call(t, srv, "GET", "/messenger/1/reports", "App k", "")
	_, second := call(t, srv, "GET", "/messenger/1/reports", "App k", "")
	if strings.Count(first, `"messageId"`) != 2 || second != `{"results":[]}`+"\n" && second != `{"results":[]}` {
		t.Errorf("reports %s then %s", first, second)
	}
	if n := len(srv.OutboundMessages()); n != 2 {
		t.Errorf("%d accepted, want 2", n)
	}
}

// notify:false asks for no delivery report; Close stops a push waiting to
// be retried (goleak in TestMain checks nothing is left).
func TestPushesNotifyFalseAndClose(t *testing.T) {
	srv, err := omnitest.Start("127.0.0.1:0", omnitest.WithPushMinute(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 4)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- string(b)
		http.Error(w, "down", http.StatusInternalServerError) // retried in an hour
	}))
	defer recv.Close()
	srv.SetWebhooks(omnitest.Webhooks{Delivery: recv.URL})
	call(t, srv, "POST", "/messenger/1/messages", "App k",
		`{"messages":[{"sender":"p","destinations":[{"to":"u1","messageId":"quiet"}],"content":{"type":"TEXT","text":"hi"},"webhooks":{"delivery":{"notify":false}}},`+
			`{"sender":"p","destinations":[{"to":"u2","messageId":"loud"}],"content":{"type":"TEXT","text":"hi"}}]}`)
	if b := <-got; !strings.Contains(b, `"messageId":"loud"`) {
		t.Errorf("pushed %s", b)
	}
	// The first attempt is recorded once its answer is read; its retry then
	// waits an hour.
	deadline := time.Now().Add(30 * time.Second)
	for len(srv.PushAttempts()) == 0 && time.Now().Before(deadline) {
		runtime.Gosched()
	}
	if err := srv.Close(); err != nil { // must not wait the hour
		t.Fatal(err)
	}
	a := srv.PushAttempts()
	if len(a) != 1 || a[0].Status != 500 || a[0].IDs[0] != "loud" || a[0].Kind != omnitest.PushDelivery {
		t.Errorf("attempts %+v", a)
	}
}

// The current API refuses the URLs, sender actions and button templates
// the SDK's MessagesRequest.Validate refuses, so a raw request cannot get
// past the simulator with what the SDK would not send (outside review:
// javascript: URLs and a template without buttons came back PENDING).
func TestMessagesAPIRefusesWhatTheSDKRefuses(t *testing.T) {
	srv := omnitest.NewServer(t, omnitest.WithMessengerAPIKey("good"))
	msg := func(content string) string {
		return `{"messages":[{"sender":"p","destinations":[{"to":"u"}],"content":` + content + `}]}`
	}
	for content, property := range map[string]string{
		`{"type":"IMAGE","url":"javascript:alert(1)"}`:                                                                               "messages[0].content.url",
		`{"type":"VIDEO","url":"ftp://x.test/v.mp4"}`:                                                                                "messages[0].content.url",
		`{"type":"DOCUMENT","url":"hello world"}`:                                                                                    "messages[0].content.url",
		`{"type":"SENDER_ACTION","senderAction":"DANCE"}`:                                                                            "messages[0].content.senderAction",
		`{"type":"TEMPLATE","payload":{"type":"BUTTON","text":"t","buttons":[]}}`:                                                    "messages[0].content.payload.buttons",
		`{"type":"TEMPLATE","payload":{"type":"BUTTON","text":"t","buttons":[{"type":"URL","title":"a","url":"https://h:99999/"}]}}`: "messages[0].content.payload.buttons[0].url",
	} {
		status, body := call(t, srv, "POST", "/messenger/1/messages", "App good", msg(content))
		if status != 400 || !strings.Contains(body, `"property":"`+property+`"`) {
			t.Errorf("%s: %d %s, want 400 naming %s", content, status, body, property)
		}
	}
	for _, content := range []string{
		`{"type":"IMAGE","url":"https://my_bucket.s3.amazonaws.com/a.png"}`,
		`{"type":"TEMPLATE","payload":{"type":"BUTTON","text":"t","buttons":[{"type":"URL","title":"a","url":"www.infobip.com"}]}}`,
		`{"type":"SENDER_ACTION","senderAction":"TYPING_ON"}`,
	} {
		if status, body := call(t, srv, "POST", "/messenger/1/messages", "App good", msg(content)); status != 200 {
			t.Errorf("%s: %d %s, want 200", content, status, body)
		}
	}
}
