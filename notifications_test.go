package omni_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/omnisdk/omni"
)

func decodeFixture(t *testing.T, channel, file string) omni.Notification {
	t.Helper()
	n, err := omni.DecodeNotification(channel, golden(t, filepath.Join("notifications", file)))
	if err != nil {
		t.Fatal(err)
	}
	if n.Header().Channel != channel {
		t.Errorf("Channel = %q", n.Header().Channel)
	}
	return n
}

func TestDecodeFacebookStateChange(t *testing.T) {
	ev, ok := decodeFixture(t, omni.ChannelFacebook, "facebook_state_change.json").(*omni.FacebookStateChange)
	if !ok {
		t.Fatal("not a *FacebookStateChange")
	}
	if ev.MessageType != "FacebookStateChangeMessage" || ev.NotificationType != omni.NotificationStatusChange || ev.ReferenceID != 29 {
		t.Errorf("header %+v", ev.NotificationHeader)
	}
	f := ev.Facebook
	if f.ID != "01QQQG2MU214P06D" || f.State != omni.StateSent || f.FacebookType != "Outbound" ||
		f.ContactID != "00029aAGQP53000S" || f.Message != "Hello Facebook!" || f.Subject != "Hello Facebook!" ||
		f.URI != "http://192.168.83.25:8090/api/v2/facebooks/01QJV4TN9HUF4006" || len(f.Capabilities) != 0 {
		t.Errorf("facebook %+v", f)
	}
	if f.UserData["_facebookActorId"] != "1010528695643593" || f.UserData["_facebookSubmitType"] != "post" || len(f.UserData) != 10 {
		t.Errorf("userData %v", f.UserData)
	}
	if !strings.Contains(string(f.Raw), `"desktop_AgentEmployeeId"`) || !strings.Contains(string(ev.Raw), `"referenceId": 29`) {
		t.Error("raw JSON not kept")
	}
}

func TestDecodeTwitterBothShapes(t *testing.T) {
	ev := decodeFixture(t, omni.ChannelTwitter, "twitter_state_change.json").(*omni.TwitterStateChange)
	if ev.MessageType != "TwitterStateChangeMessage" || ev.ReferenceID != 57 || ev.Tweet.State != omni.StateSent ||
		ev.Tweet.TwitterType != "Outbound" || ev.Tweet.From != "vitaliy_onv" || ev.Tweet.ID != "010QQG2MU214P06D" ||
		ev.Tweet.UserData["_twitterMsgType"] != "Status" {
		t.Errorf("twitter shape: %+v", ev)
	}
	ev = decodeFixture(t, omni.ChannelTwitter, "tweet_state_change.json").(*omni.TwitterStateChange)
	tw := ev.Tweet
	if ev.MessageType != "TweetStateChangeMessage" || ev.NotificationType != omni.NotificationTweetSaved || ev.ReferenceID != 8 ||
		tw.TwitterType != "Inbound" || tw.State != omni.StateProcessing || tw.TwitterMsgID != "123456" ||
		tw.TwitterMsgPlainText != "hi @brand" || !tw.TwitterIsFavorited || tw.TwitterIsRetweet ||
		len(tw.SuggestedQueueURIs) != 1 || !strings.Contains(string(tw.Raw), "extraFieldFromANewerServer") {
		t.Errorf("tweet shape: %+v", ev)
	}
}

func TestDecodeTwitterOperationResponse(t *testing.T) {
	ev := decodeFixture(t, omni.ChannelTwitter, "twitter_operation_response.json").(*omni.TwitterOperationResponse)
	if !ev.Success || ev.ReferenceID != 1 || ev.ErrorMessage != "" {
		t.Errorf("%+v", ev)
	}
	n, err := omni.DecodeNotification("/v2/me/twitter", []byte(`{"messageType":"TwitterOperationResponse","referenceId":2,"success":"false","errorMessage":"duplicate status"}`))
	if err != nil {
		t.Fatal(err)
	}
	if ev := n.(*omni.TwitterOperationResponse); ev.Success || ev.ErrorMessage != "duplicate status" {
		t.Errorf("%+v", ev)
	}
}

func TestDecodeFacebookSession(t *testing.T) {
	ev := decodeFixture(t, omni.ChannelFacebookSession, "facebooksession_state_change.json").(*omni.FacebookSessionStateChange)
	s := ev.Session
	if ev.ReferenceID != 17 || ev.NotificationType != omni.NotificationStatusChange || s.State != omni.StateChatting ||
		s.ID != "0000Na9B26EF002X" || len(s.Capabilities) != 7 || s.Capabilities[4] != "SendMessage" ||
		s.URI != "http://localhost:8080/api/v2/facebooksessions/0000Na9B26EF002X" {
		t.Errorf("%+v", ev)
	}
}

func TestDecodeMessageLogUpdated(t *testing.T) {
	ev := decodeFixture(t, omni.ChannelFacebookSession, "message_log_updated.json").(*omni.MessageLogUpdated)
	if ev.NotificationType != omni.NotificationNewMessages || len(ev.Messages) != 6 ||
		ev.FacebookSessionURI != "http://localhost:8080/api/v2/facebooksessions/0000Na9B26EF002X" {
		t.Fatalf("%+v", ev)
	}
	m := ev.Messages[4]
	want := time.Date(2014, 1, 2, 14, 23, 20, 126e6, time.FixedZone("", -8*3600))
	if m.Index != 5 || m.Type != omni.LogText || m.Text != "Hello World" || m.Visibility != "All" ||
		m.From != (omni.Participant{Type: omni.ParticipantCustomer, Nickname: "PersonP", ParticipantID: "009052C5E6D6004A"}) ||
		!m.Timestamp.Equal(want) || m.RawTimestamp != "2014-01-02T14:23:20.126-0800" {
		t.Errorf("message 5: %+v", m)
	}
	types := []omni.LogMessageType{omni.LogParticipantJoined, omni.LogParticipantJoined, omni.LogParticipantLeft,
		omni.LogTypingStarted, omni.LogText, omni.LogParticipantJoined}
	for i, m := range ev.Messages {
		if m.Type != types[i] || m.Timestamp.IsZero() {
			t.Errorf("message %d: %+v", i, m)
		}
	}

	ev = decodeFixture(t, omni.ChannelFacebookSession, "message_log_other_layout.json").(*omni.MessageLogUpdated)
	want = time.Date(2014, 1, 9, 11, 58, 12, 35e6, time.FixedZone("", 2*3600))
	if m := ev.Messages[0]; !m.Timestamp.Equal(want) || m.TimestampSeconds != 1389261492 || ev.ReferenceID != 5 {
		t.Errorf("second layout: %+v", m)
	}
	if m := ev.Messages[1]; m.Type != "PushUrl" || m.From.Type != "Supervisor" || !m.Timestamp.IsZero() || m.RawTimestamp != "yesterday" {
		t.Errorf("unknown values must pass through: %+v", m)
	}
}

func TestDecodeUnknownNotificationKeepsRaw(t *testing.T) {
	raw := `{"messageType":"DeviceStateChangeMessage","notificationType":"StatusChange","devices":[{"id":"d1"}]}`
	n, err := omni.DecodeNotification("/v2/me/devices", []byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	u, ok := n.(*omni.UnknownNotification)
	if !ok || u.MessageType != "DeviceStateChangeMessage" || string(u.Raw) != raw || u.Channel != "/v2/me/devices" {
		t.Errorf("%T %+v", n, n)
	}
	for _, bad := range []string{``, `[]`, `"x"`, `{"messageType":`} {
		if _, err := omni.DecodeNotification("/x", []byte(bad)); err == nil {
			t.Errorf("DecodeNotification(%q) = nil error", bad)
		}
	}
}

// TestDecodeIsLenientPerField: one field of an unexpected JSON type never
// turns a notification into an UnknownNotification; it arrives typed, the
// other fields decoded, the odd field's raw value kept.
func TestDecodeIsLenientPerField(t *testing.T) {
	raw := `{"messageType":"MessageLogUpdated","notificationType":"NewMessages","referenceId":"7",` +
		`"facebooksessionUri":"http://h/api/v2/facebooksessions/S1","messages":[` +
		`{"index":"3","type":"Text","text":"hi","timestampSeconds":"1389261492","from":{"nickname":"Bob","type":"Customer"}},` +
		`{"index":{"odd":1},"type":"Text","text":"again","timestampSeconds":true,"visibility":["x"]}]}`
	n, err := omni.DecodeNotification(omni.ChannelFacebookSession, []byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	ev, ok := n.(*omni.MessageLogUpdated)
	if !ok || ev.ReferenceID != 7 || ev.FacebookSessionURI != "http://h/api/v2/facebooksessions/S1" || len(ev.Messages) != 2 {
		t.Fatalf("%T %+v", n, n)
	}
	if m := ev.Messages[0]; m.Index != 3 || m.TimestampSeconds != 1389261492 || m.Text != "hi" || m.From.Nickname != "Bob" {
		t.Errorf("numeric strings: %+v", m)
	}
	if m := ev.Messages[1]; m.Index != 0 || m.Text != "again" || m.Visibility != "" || !strings.Contains(string(m.Raw), `"index":{"odd":1}`) {
		t.Errorf("odd fields: %+v (raw %s)", m, m.Raw)
	}
	tw := `{"messageType":"TwitterStateChangeMessage","notificationType":"StatusChange","referenceId":3,` +
		`"twitter":{"id":"T1","state":"Sent","capabilities":"none","twitterIsFavorited":"true","twitterIsRetweet":7,"message":"m"}}`
	n, err = omni.DecodeNotification(omni.ChannelTwitter, []byte(tw))
	if err != nil {
		t.Fatal(err)
	}
	ts, ok := n.(*omni.TwitterStateChange)
	if !ok || ts.Tweet.ID != "T1" || ts.Tweet.State != omni.StateSent || ts.Tweet.Message != "m" ||
		!ts.Tweet.TwitterIsFavorited || ts.Tweet.TwitterIsRetweet || !strings.Contains(string(ts.Tweet.Raw), `"capabilities":"none"`) {
		t.Errorf("%T %+v", n, n)
	}
	var isFavorited bool = ts.Tweet.TwitterIsFavorited // a plain bool (item 16)
	_ = isFavorited
}

func FuzzDecodeNotification(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "notifications", "*.json"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"messageType":"MessageLogUpdated","messages":[{"index":1e99}]}`))
	f.Add([]byte(`{"data":{"data":{"data":{}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := omni.DecodeNotification("/v2/me/facebook", data)
		if err != nil {
			return
		}
		if n == nil || n.Header() == nil || n.Header().Raw == nil {
			t.Fatalf("decoded %q into %#v", data, n)
		}
	})
}
