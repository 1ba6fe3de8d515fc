package omnitest

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func TestFacebookNotification(t *testing.T) {
	s := NewServer(t, WithCometDTimeout(100*time.Millisecond))
	c := newClient(t)
	bc := newCometD(c, s.NotificationsURL())
	bc.start("/v2/me/facebook")

	expect(t, c.do(http.MethodPost, s.URL()+"/me/facebook/01QQQG2MU214P06D", fixture(t, "facebook_send_request.json")),
		200, `{"statusCode":0,"referenceId":1}`)
	ch, data := bc.nextData()
	want := `{"messageType":"FacebookStateChangeMessage","notificationType":"StatusChange","referenceId":1,` +
		`"facebook":{"capabilities":[],"contactId":"0002000000000001","facebookType":"Outbound","from":"vitaliy_onv",` +
		`"id":"01QQQG2MU214P06D","message":"Hello Facebook!","state":"Sent","subject":"Hello Facebook!",` +
		`"uri":"` + s.URL() + `/facebooks/01QQQG2MU214P06D","userData":{"_facebookSubmitType":"post","desktop_AgentEmployeeId":"agent"}}}`
	if ch != ChannelFacebook || data != want {
		t.Fatalf("got %s %s\nwant %s", ch, data, want)
	}

	// The CometD traffic is recorded both ways.
	var in, out bool
	for _, m := range s.Messages() {
		if m.Direction == Inbound && m.Channel == "/meta/handshake" {
			in = true
		}
		if m.Direction == Outbound && m.Channel == ChannelFacebook && string(m.Data) == want {
			out = true
		}
	}
	if !in || !out {
		t.Fatalf("Messages(): inbound handshake %v, outbound notification %v", in, out)
	}
}

func TestTwitterNotification(t *testing.T) {
	s := NewServer(t, WithCometDTimeout(100*time.Millisecond))
	c := newClient(t)
	bc := newCometD(c, s.NotificationsURL())
	bc.start("/v2/me/*")

	// The REST session and the CometD session share the JSESSIONID: the
	// first referenceId of this session is 1.
	expect(t, c.do(http.MethodPost, s.URL()+"/me/tweets/010QQG2MU214P06D", fixture(t, "twitter_send_request.json")),
		200, `{"statusCode":0,"referenceId":1}`)
	ch, data := bc.nextData()
	want := `{"messageType":"TwitterStateChangeMessage","notificationType":"StatusChange","referenceId":1,` +
		`"twitter":{"capabilities":[],"contactId":"0002000000000001","from":"vitaliy_onv","id":"010QQG2MU214P06D",` +
		`"message":"HelloTwitter!","state":"Sent","subject":"HelloTwitter!","twitterType":"Outbound",` +
		`"uri":"` + s.URL() + `/tweet/010QQG2MU214P06D","userData":{"FromAddress":"vitaliy_onv","_twitterMsgType":"Status","_umsChannel":"channel-twitter"}}}`
	if ch != ChannelTwitter || data != want {
		t.Fatalf("got %s %s\nwant %s", ch, data, want)
	}
}

var timestampRE = regexp.MustCompile(`"timestamp":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}"`)

func TestFacebookSessionNotifications(t *testing.T) {
	s := NewServer(t, WithCometDTimeout(100*time.Millisecond))
	c := newClient(t)
	bc := newCometD(c, s.NotificationsURL())
	bc.start(ChannelFacebookSession)
	u := s.URL() + "/me/facebooksessions/0000Na9B26EF002X"
	uri := s.URL() + "/facebooksessions/0000Na9B26EF002X"
	caps := `["Transfer","Complete","Leave","InFocus","SendMessage","SendStartTypingNotification","SendStopTypingNotification"]`

	expect(t, c.do(http.MethodPost, u, `{"operationName":"Accept","nickname":"Marat"}`), 200, `{"statusCode":0,"referenceId":1}`)
	_, data := bc.nextData()
	agent := `{"nickname":"Marat","type":"Agent","participantId":"0090000000000001"}`
	want := `{"messageType":"FacebooksessionStateChangeMessage","referenceId":1,"notificationType":"StatusChange",` +
		`"facebooksession":{"state":"Chatting","capabilities":` + caps + `,"id":"0000Na9B26EF002X","uri":"` + uri + `","participants":[` + agent + `]}}`
	if data != want {
		t.Fatalf("got  %s\nwant %s", data, want)
	}

	expect(t, c.do(http.MethodPost, u, `{"operationName":"SendMessage","text":"Hello World"}`), 200, `{"statusCode":0,"referenceId":2}`)
	_, data = bc.nextData()
	if want := strings.Replace(want, `"referenceId":1`, `"referenceId":2`, 1); data != want {
		t.Fatalf("got  %s\nwant %s", data, want)
	}
	_, data = bc.nextData()
	if !timestampRE.MatchString(data) {
		t.Fatalf("timestamp layout in %s", data)
	}
	data = timestampRE.ReplaceAllString(data, `"timestamp":"T"`)
	wantLog := `{"messageType":"MessageLogUpdated","notificationType":"NewMessages","messages":[{"index":1,"type":"Text",` +
		`"from":` + agent + `,"text":"Hello World","visibility":"All","timestamp":"T"}],"facebooksessionUri":"` + uri + `","referenceId":2}`
	if data != wantLog {
		t.Fatalf("got  %s\nwant %s", data, wantLog)
	}

	// Leave removes the agent from the participants.
	expect(t, c.do(http.MethodPost, u, `{"operationName":"Leave"}`), 200, `{"statusCode":0,"referenceId":3}`)
	_, data = bc.nextData()
	if !strings.HasSuffix(data, `"participants":[]}}`) {
		t.Fatalf("after Leave: %s", data)
	}
}

func TestPublishAndDropSessions(t *testing.T) {
	s := NewServer(t, WithCometDTimeout(100*time.Millisecond))
	c := newClient(t)
	bc := newCometD(c, s.NotificationsURL())
	bc.start("/v2/me/devices")
	s.Publish("/v2/me/devices", map[string]any{"messageType": "DeviceStateChangeMessage"})
	if ch, data := bc.nextData(); ch != "/v2/me/devices" || data != `{"messageType":"DeviceStateChangeMessage"}` {
		t.Fatalf("got %s %s", ch, data)
	}
	if n := s.CometDSessions(); n != 1 {
		t.Fatalf("CometDSessions %d", n)
	}
	s.DropSessions()
	rep := bc.connect()
	if rep["error"] != "402::Unknown client" {
		t.Fatalf("connect after DropSessions: %v", rep)
	}
}

func TestNotificationOverWebSocket(t *testing.T) {
	s := NewServer(t, WithCometDTimeout(time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.NotificationsURL(), "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	write := func(v any) {
		b, _ := json.Marshal(v)
		if err := ws.Write(ctx, websocket.MessageText, b); err != nil {
			t.Fatal(err)
		}
	}
	read := func() []map[string]any {
		_, b, err := ws.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []map[string]any
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	write([]map[string]any{{"channel": "/meta/handshake", "id": "1", "version": "1.0", "supportedConnectionTypes": []string{"websocket"}}})
	hs := read()[0]
	id, _ := hs["clientId"].(string)
	if hs["successful"] != true || id == "" {
		t.Fatalf("handshake %v", hs)
	}
	write([]map[string]any{{"channel": "/meta/subscribe", "id": "2", "clientId": id, "subscription": ChannelFacebook}})
	if rep := read()[0]; rep["successful"] != true {
		t.Fatalf("subscribe %v", rep)
	}
	write([]map[string]any{{"channel": "/meta/connect", "id": "3", "clientId": id, "connectionType": "websocket", "advice": map[string]any{"timeout": 0}}})
	read()
	write([]map[string]any{{"channel": "/meta/connect", "id": "4", "clientId": id, "connectionType": "websocket"}})

	expect(t, newClient(t).do(http.MethodPost, s.URL()+"/me/facebook/X1", fixture(t, "facebook_send_request.json")),
		200, `{"statusCode":0,"referenceId":1}`)
	for {
		for _, m := range read() {
			if m["channel"] == ChannelFacebook {
				data := m["data"].(map[string]any)
				if data["referenceId"] != float64(1) || data["messageType"] != "FacebookStateChangeMessage" {
					t.Fatalf("notification %v", data)
				}
				ws.Close(websocket.StatusNormalClosure, "")
				return
			}
		}
	}
}

func TestTransportsOption(t *testing.T) {
	s := NewServer(t, WithTransports("long-polling"))
	bc := newCometD(newClient(t), s.NotificationsURL())
	rep := bc.handshake()
	types, _ := rep["supportedConnectionTypes"].([]any)
	if rep["successful"] != true || len(types) != 1 || types[0] != "long-polling" {
		t.Fatalf("handshake %v", rep)
	}
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	if ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(s.NotificationsURL(), "http"), nil); err == nil {
		ws.CloseNow()
		t.Fatal("websocket upgrade accepted without the websocket transport")
	}
}
