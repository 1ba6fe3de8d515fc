package omni_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/omnisdk/omni"
)

// The documents' own example of POST /messenger/1/messages.
var sampleMessages = omni.MessagesRequest{Messages: []omni.MessengerMessage{{
	Sender:       "OFFICIAL-ACCOUNT-ID-123",
	Destinations: []omni.Destination{{To: "66855538125"}},
	Content:      omni.TextContent{Text: "Hello!"},
}}}

func TestSendMessagesWire(t *testing.T) {
	fs := newFakeServer(t, reply(200, string(golden(t, "messenger_messages_response.json"))))
	c := newMessenger(t, fs)
	out, err := c.Messenger.SendMessages(context.Background(), sampleMessages)
	if err != nil {
		t.Fatal(err)
	}
	want := &omni.MessagesResponse{BulkID: "2034072219640523072", Messages: []omni.MessageResult{{
		MessageID: "2250be2d4219-3af1-78856-aabe-1362af1edfd2", Destination: "66855538125",
		Status: omni.DeliveryStatus{GroupID: omni.GroupPending, GroupName: "PENDING", ID: 26,
			Name: "PENDING_ACCEPTED", Description: "Message sent to next instance"}}}}
	same(t, "answer", want, out)
	reqs := fs.requests()
	if len(reqs) != 1 || reqs[0].Method != "POST" || reqs[0].RequestURI != "/messenger/1/messages" ||
		reqs[0].Header.Get("Authorization") != "App app-key-123" || reqs[0].Header.Get("Content-Type") != "application/json" {
		t.Fatalf("requests %+v", reqs)
	}
	assertJSONEqual(t, reqs[0].Body, golden(t, "messenger_messages_request.json"))
}

func TestSendMessagesEveryFieldWire(t *testing.T) {
	fs := newFakeServer(t, reply(200, `{"bulkId":"b1","messages":[{"messageId":"m-1","destination":"u1"}]}`))
	c := newMessenger(t, fs)
	no := false
	req := omni.MessagesRequest{
		Messages: []omni.MessengerMessage{
			{
				Sender:       "page-1",
				Destinations: []omni.Destination{{To: "u1", MessageID: "m-1"}, {To: "u2"}},
				Content:      omni.Document("https://example.com/terms.pdf"),
				Options: &omni.MessageOptions{
					Platform:            &omni.Platform{EntityID: "e", ApplicationID: "a"},
					ValidityPeriod:      &omni.ValidityPeriod{Amount: 2, TimeUnit: omni.Hours},
					CampaignReferenceID: "summersale",
				},
				Webhooks: &omni.Webhooks{
					Delivery:     &omni.DeliveryWebhook{URL: "https://hooks.example.com/dlr", Notify: &no},
					ContentType:  "application/json",
					CallbackData: "order 42",
					Seen:         &omni.SeenWebhook{URL: "https://hooks.example.com/seen"},
				},
				QuickReplies: []omni.QuickReply{omni.TextQuickReply("Yes", "YES"), {Type: omni.QuickReplyEmail}},
			},
			{Sender: "page-1", Destinations: []omni.Destination{{To: "u3"}},
				Content: omni.LocationContent{Latitude: 0, Longitude: 15.98, Name: "Office"}},
			{Sender: "page-1", Destinations: []omni.Destination{{To: "u3"}},
				Content: omni.TemplateContent{Text: "Pick", Buttons: []omni.Button{omni.PostbackButton("Status", "ORDER_STATUS")}}},
			{Sender: "page-1", Destinations: []omni.Destination{{To: "u3"}},
				Content: omni.SenderActionContent{Action: omni.MarkSeen}},
		},
		Options: &omni.RequestOptions{Schedule: &omni.Schedule{BulkID: "bulk-7",
			SendAt:            time.Date(2026, 12, 24, 18, 0, 0, 0, time.UTC),
			SendingSpeedLimit: &omni.SpeedLimit{Amount: 10, TimeUnit: omni.PerMinute}}},
	}
	if _, err := c.Messenger.SendMessages(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	assertJSONEqual(t, fs.requests()[0].Body, []byte(`{"messages":[
	 {"sender":"page-1","destinations":[{"to":"u1","messageId":"m-1"},{"to":"u2"}],
	  "content":{"type":"DOCUMENT","url":"https://example.com/terms.pdf"},
	  "options":{"platform":{"entityId":"e","applicationId":"a"},"validityPeriod":{"amount":2,"timeUnit":"HOURS"},"campaignReferenceId":"summersale"},
	  "webhooks":{"delivery":{"url":"https://hooks.example.com/dlr","notify":false},"contentType":"application/json","callbackData":"order 42","seen":{"url":"https://hooks.example.com/seen"}},
	  "quickReplies":[{"type":"TEXT","title":"Yes","payload":"YES"},{"type":"EMAIL"}]},
	 {"sender":"page-1","destinations":[{"to":"u3"}],"content":{"type":"LOCATION","latitude":0,"longitude":15.98,"name":"Office"}},
	 {"sender":"page-1","destinations":[{"to":"u3"}],"content":{"type":"TEMPLATE","payload":{"type":"BUTTON","text":"Pick","buttons":[{"type":"POSTBACK","title":"Status","payload":"ORDER_STATUS"}]}}},
	 {"sender":"page-1","destinations":[{"to":"u3"}],"content":{"type":"SENDER_ACTION","senderAction":"MARK_SEEN"}}],
	 "options":{"schedule":{"bulkId":"bulk-7","sendAt":"2026-12-24T18:00:00.000+0000","sendingSpeedLimit":{"amount":10,"timeUnit":"MINUTE"}}}}`))
}

func TestSendMessages400IsMessagesError(t *testing.T) {
	fs := newFakeServer(t, reply(400, string(golden(t, "messenger_messages_400.json"))))
	c := newMessenger(t, fs)
	_, err := c.Messenger.SendMessages(context.Background(), sampleMessages)
	var me *omni.MessagesError
	if !errors.As(err, &me) {
		t.Fatalf("err = %T %v", err, err)
	}
	if me.ErrorCode != "E400" || me.Description != "Request cannot be processed." ||
		me.Action != "Check the syntax, violations and adjust the request." ||
		len(me.Violations) != 1 || me.Violations[0] != (omni.Violation{Property: "property.path", Violation: "Violation message."}) {
		t.Errorf("error %+v", me)
	}
	var api *omni.APIError
	if !errors.As(err, &api) || api.HTTPStatus != 400 || !errors.Is(err, omni.ErrValidation) {
		t.Errorf("not an APIError matching ErrValidation: %v", err)
	}
	want := "omni: POST " + fs.URL + "/messenger/1/messages: HTTP 400 E400: Request cannot be processed.; property.path: Violation message."
	if err.Error() != want {
		t.Errorf("Error() = %q\nwant      %q", err.Error(), want)
	}
	if len(fs.requests()) != 1 {
		t.Errorf("%d requests", len(fs.requests()))
	}
}

func TestSendMessages401(t *testing.T) {
	fs := newFakeServer(t, reply(401, string(golden(t, "messenger_messages_401.json"))))
	c := newMessenger(t, fs)
	_, err := c.Messenger.SendMessages(context.Background(), sampleMessages)
	var me *omni.MessagesError
	if !errors.As(err, &me) || me.ErrorCode != "E401" || !errors.Is(err, omni.ErrUnauthorized) ||
		len(me.Resources) != 1 || me.Resources[0].Name != "API Authentication" {
		t.Errorf("err = %v (%+v)", err, me)
	}
	if strings.Contains(err.Error(), "app-key-123") {
		t.Errorf("error carries the key: %v", err)
	}
}

// A send that fails after the request may have arrived is not retried.
func TestSendMessagesNotRetriedOn503(t *testing.T) {
	fs := newFakeServer(t, reply(503, `{"errorCode":"E500","description":"Something went wrong.","action":"Contact the support.","violations":[],"resources":[]}`))
	c := newMessenger(t, fs)
	_, err := c.Messenger.SendMessages(context.Background(), sampleMessages)
	if !errors.Is(err, omni.ErrServer) || len(fs.requests()) != 1 {
		t.Errorf("err %v after %d requests", err, len(fs.requests()))
	}
}

func TestMessagesRequestValidation(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) }
	ok := func() omni.MessengerMessage {
		return omni.MessengerMessage{Sender: "p", Destinations: []omni.Destination{{To: "u"}}, Content: omni.TextContent{Text: "hi"}}
	}
	with := func(f func(m *omni.MessengerMessage)) omni.MessagesRequest {
		m := ok()
		f(&m)
		return omni.MessagesRequest{Messages: []omni.MessengerMessage{m}}
	}
	tests := []struct {
		name string
		req  omni.MessagesRequest
		want []omni.FieldError
	}{
		{"no messages", omni.MessagesRequest{}, []omni.FieldError{{Field: "messages", Rule: "must hold at least one message"}}},
		{"empty message", with(func(m *omni.MessengerMessage) { *m = omni.MessengerMessage{} }), []omni.FieldError{
			{Field: "messages[0].sender", Rule: "must not be empty"},
			{Field: "messages[0].destinations", Rule: "must hold at least one destination"},
			{Field: "messages[0].content", Rule: "must not be nil"}}},
		{"text 2001", with(func(m *omni.MessengerMessage) { m.Content = omni.TextContent{Text: long(2001)} }),
			[]omni.FieldError{{Field: "messages[0].content.text", Rule: "must be 1 to 2000 characters, got 2001"}}},
		{"image url 1001", with(func(m *omni.MessengerMessage) { m.Content = omni.Image("https://e.com/" + long(987)) }),
			[]omni.FieldError{{Field: "messages[0].content.url", Rule: "must be at most 1000 characters, got 1001"}}},
		{"document url 801", with(func(m *omni.MessengerMessage) { m.Content = omni.Document("https://e.com/" + long(787)) }),
			[]omni.FieldError{{Field: "messages[0].content.url", Rule: "must be at most 800 characters, got 801"}}},
		{"messageId 201 and to", with(func(m *omni.MessengerMessage) {
			m.Destinations = []omni.Destination{{To: "u"}, {MessageID: long(201)}}
		}), []omni.FieldError{
			{Field: "messages[0].destinations[1].to", Rule: "must not be empty"},
			{Field: "messages[0].destinations[1].messageId", Rule: "must be 0 to 200 characters, got 201"}}},
		{"duplicate messageId", with(func(m *omni.MessengerMessage) {
			m.Destinations = []omni.Destination{{To: "u", MessageID: "x"}, {To: "v", MessageID: "x"}}
		}), []omni.FieldError{{Field: "messages[0].destinations[1].messageId",
			Rule: "must be unique in the request, also used by messages[0].destinations[0]"}}},
		{"callbackData 4001", with(func(m *omni.MessengerMessage) { m.Webhooks = &omni.Webhooks{CallbackData: long(4001)} }),
			[]omni.FieldError{{Field: "messages[0].webhooks.callbackData", Rule: "must be 0 to 4000 characters, got 4001"}}},
		{"webhook url", with(func(m *omni.MessengerMessage) {
			m.Webhooks = &omni.Webhooks{Delivery: &omni.DeliveryWebhook{URL: "ftp://x"}, ContentType: "text/plain"}
		}), []omni.FieldError{
			{Field: "messages[0].webhooks.contentType", Rule: `must be application/json or application/xml, got "text/plain"`},
			{Field: "messages[0].webhooks.delivery.url", Rule: "must be an http or https URL, or a host name such as www.example.com"}}},
		{"validity", with(func(m *omni.MessengerMessage) {
			m.Options = &omni.MessageOptions{ValidityPeriod: &omni.ValidityPeriod{Amount: 0, TimeUnit: "DAYS"}}
		}), []omni.FieldError{
			{Field: "messages[0].options.validityPeriod.amount", Rule: "must be at least 1, got 0"},
			{Field: "messages[0].options.validityPeriod.timeUnit", Rule: `must be SECONDS, MINUTES or HOURS, got "DAYS"`}}},
		{"location", with(func(m *omni.MessengerMessage) { m.Content = omni.LocationContent{Latitude: 91, Longitude: -181} }),
			[]omni.FieldError{{Field: "messages[0].content.latitude", Rule: "must be -90 to 90, got 91"},
				{Field: "messages[0].content.longitude", Rule: "must be -180 to 180, got -181"}}},
		{"quick reply", with(func(m *omni.MessengerMessage) {
			m.QuickReplies = []omni.QuickReply{omni.TextQuickReply(long(21), ""), {Type: "CALL"}}
		}), []omni.FieldError{
			{Field: "messages[0].quickReplies[0].title", Rule: "must be 1 to 20 characters, got 21"},
			{Field: "messages[0].quickReplies[0].payload", Rule: "must not be empty"},
			{Field: "messages[0].quickReplies[1].type", Rule: `must be TEXT, PHONE_NUMBER or EMAIL, got "CALL"`}}},
		{"sender action", with(func(m *omni.MessengerMessage) { m.Content = omni.SenderActionContent{Action: "WAVE"} }),
			[]omni.FieldError{{Field: "messages[0].content.senderAction", Rule: `must be MARK_SEEN, TYPING_ON or TYPING_OFF, got "WAVE"`}}},
		{"template", with(func(m *omni.MessengerMessage) { m.Content = omni.TemplateContent{} }),
			[]omni.FieldError{{Field: "messages[0].content.payload.text", Rule: "must not be empty"},
				{Field: "messages[0].content.payload.buttons", Rule: "must hold 1 to 3 buttons, got 0"}}},
		{"raw", with(func(m *omni.MessengerMessage) { m.Content = omni.RawContent{Raw: []byte(`{"x":1}`)} }),
			[]omni.FieldError{{Field: "messages[0].content.type", Rule: "must not be empty"}}},
		{"bulkId 101", omni.MessagesRequest{Messages: []omni.MessengerMessage{ok()},
			Options: &omni.RequestOptions{Schedule: &omni.Schedule{BulkID: long(101)}}},
			[]omni.FieldError{{Field: "options.schedule.bulkId", Rule: "must be 0 to 100 characters, got 101"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFakeServer(t, reply(200, `{}`))
			c := newMessenger(t, fs)
			_, err := c.Messenger.SendMessages(context.Background(), tt.req)
			var ve *omni.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, omni.ErrValidation) {
				t.Fatalf("err = %v", err)
			}
			same(t, "fields", tt.want, ve.Fields)
			if n := len(fs.requests()); n != 0 {
				t.Errorf("%d requests sent", n)
			}
		})
	}
}

// The documents' samples pass validation.
func TestMessagesSamplesValidate(t *testing.T) {
	if err := sampleMessages.Validate(); err != nil {
		t.Error(err)
	}
}

func TestMessageLogsWire(t *testing.T) {
	fs := newFakeServer(t, reply(200, string(golden(t, "messenger_message_logs_response.json"))))
	c := newMessenger(t, fs)
	logs, err := c.Messenger.MessageLogs(context.Background(), &omni.MessageLogsOptions{
		Sender: "44113496000", MessageIDs: []string{"a", "b"}, GeneralStatus: omni.GroupDelivered, Limit: 1000,
		SentSince: time.Date(2023, 2, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if got := fs.requests()[0].RequestURI; got != "/messenger/1/logs?generalStatus=DELIVERED&limit=1000&messageId=a,b&sender=44113496000&sentSince=2023-02-01T00%3A00%3A00.000%2B0000" {
		t.Errorf("request %s", got)
	}
	if len(logs.Results) != 1 {
		t.Fatalf("logs %+v", logs)
	}
	l := logs.Results[0]
	if l.Sender != "44113496000" || l.Destination != "66855538125" || l.MessageID != "1688025180464000014" ||
		l.Status.Name != "DELIVERED_TO_HANDSET" || l.Platform.EntityID != "promotional-traffic-entity" ||
		l.SentAt.IsZero() || l.Error == nil || l.Error.Name != "NO_ERROR" {
		t.Errorf("log %+v", l)
	}
	assertJSONEqual(t, l.Content, []byte(`{"text":"Sent text","type":"TEXT"}`))
}

func TestMessageReportsWire(t *testing.T) {
	fs := newFakeServer(t, reply(200, `{"results":[{"bulkId":"1688025180464000013","messageId":"1688025180464000014","to":"66855538125","sender":"44113496000","sentAt":"2023-09-26T10:52:15.457+0000","doneAt":"2023-09-26T10:52:15.799+0000","messageCount":1,"status":{"groupId":3,"groupName":"DELIVERED","id":5,"name":"DELIVERED_TO_HANDSET","description":"Message delivered to handset"}}]}`))
	c := newMessenger(t, fs)
	got, err := c.Messenger.MessageReports(context.Background(), &omni.MessageReportsOptions{BulkID: "1688025180464000013", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if uri := fs.requests()[0].RequestURI; uri != "/messenger/1/reports?bulkId=1688025180464000013&limit=10" {
		t.Errorf("request %s", uri)
	}
	if len(got) != 1 || got[0].MessageID != "1688025180464000014" || got[0].Status.GroupID != omni.GroupDelivered {
		t.Errorf("reports %+v", got)
	}
	if _, err := c.Messenger.MessageLogs(context.Background(), &omni.MessageLogsOptions{Limit: 1001}); !errors.Is(err, omni.ErrValidation) {
		t.Errorf("limit 1001: %v", err)
	}
}

func TestMessagesNotConfigured(t *testing.T) {
	c, err := omni.NewClient("http://127.0.0.1:1/api/v2", omni.WithBasicAuth("a", "b"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Messenger.SendMessages(context.Background(), sampleMessages); !errors.Is(err, omni.ErrNotConfigured) {
		t.Errorf("SendMessages: %v", err)
	}
	if _, err := c.Messenger.SendBulk(context.Background(), sampleMessages, nil); !errors.Is(err, omni.ErrNotConfigured) {
		t.Errorf("SendBulk: %v", err)
	}
	_ = http.StatusOK
}

// Schedule.SendAt more than 180 days ahead is refused before anything is
// sent, naming the field; 179 days ahead goes on the wire. Before the fix
// a year ahead was sent.
func TestScheduleSendAtAtMost180DaysAhead(t *testing.T) {
	request := func(at time.Time) omni.MessagesRequest {
		return omni.MessagesRequest{
			Messages: []omni.MessengerMessage{{Sender: "PAGE", Destinations: []omni.Destination{{To: "user"}},
				Content: omni.TextContent{Text: "later"}}},
			Options: &omni.RequestOptions{Schedule: &omni.Schedule{SendAt: at}},
		}
	}
	fs := newFakeServer(t, reply(200, `{"bulkId":"b","messages":[{"messageId":"m","destination":"u"}]}`))
	c := newMessenger(t, fs)
	late := time.Now().Add(181 * 24 * time.Hour).Truncate(time.Millisecond).UTC()
	_, err := c.Messenger.SendMessages(context.Background(), request(late))
	var ve *omni.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("sendAt 181 days ahead: err = %v, want *ValidationError", err)
	}
	same(t, "fields", []omni.FieldError{{Field: "options.schedule.sendAt",
		Rule: "must be at most 180 days ahead, got " + late.Format(omni.MessengerTimeLayout)}}, ve.Fields)
	if _, err := c.Messenger.SendBulk(context.Background(), request(late), nil); !errors.As(err, &ve) {
		t.Errorf("SendBulk with sendAt 181 days ahead: %v", err)
	}
	if n := len(fs.requests()); n != 0 {
		t.Fatalf("%d requests sent", n)
	}
	if _, err := c.Messenger.SendMessages(context.Background(), request(time.Now().Add(179*24*time.Hour))); err != nil {
		t.Fatalf("sendAt 179 days ahead: %v", err)
	}
	if n := len(fs.requests()); n != 1 {
		t.Errorf("%d requests sent, want 1", n)
	}
}
