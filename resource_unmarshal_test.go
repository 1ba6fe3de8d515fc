package omni_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/omnisdk/omni"
)

// json.Unmarshal into a resource gives what the SDK's own decoding gives:
// Raw holds the object as received, with every field (outside review: a
// Tweet, a Facebook or a FacebookSession decoded that way had no Raw, so a
// field the lenient decode left zero was lost), and a Tweet of the other
// shape takes its type from tweetType.
func TestResourcesUnmarshalledDirectlyKeepRaw(t *testing.T) {
	tweet := `{"id":"T","twitterMsgId":397685838734438400,"extra":"x"}`
	var tw omni.Tweet
	if err := json.Unmarshal([]byte(tweet), &tw); err != nil || tw.ID != "T" || string(tw.Raw) != tweet {
		t.Errorf("Tweet: %+v, %v; want Raw %s", tw, err, tweet)
	}
	var tws []omni.Tweet
	if err := json.Unmarshal([]byte(`[`+tweet+`,{"id":"U","tweetType":"Inbound"}]`), &tws); err != nil || len(tws) != 2 ||
		string(tws[0].Raw) != tweet || tws[1].TwitterType != "Inbound" || string(tws[1].Raw) != `{"id":"U","tweetType":"Inbound"}` {
		t.Errorf("[]Tweet: %+v, %v", tws, err)
	}
	fb := `{"id":"F","state":"Processing","fqlObject":{"a":1}}`
	var f omni.Facebook
	if err := json.Unmarshal([]byte(fb), &f); err != nil || f.State != omni.StateProcessing || string(f.Raw) != fb {
		t.Errorf("Facebook: %+v, %v; want Raw %s", f, err, fb)
	}
	fs := `{"id":"S","state":"Chatting","participants":[{"nickname":"Kristi","type":"Agent"}],"extra":true}`
	var s omni.FacebookSession
	if err := json.Unmarshal([]byte(fs), &s); err != nil || len(s.Participants) != 1 || string(s.Raw) != fs {
		t.Errorf("FacebookSession: %+v, %v; want Raw %s", s, err, fs)
	}
}

// json.Unmarshal into a LogMessage (or a MessageLogUpdated) parses its
// timestamp, in both layouts of the documents' samples, as DecodeNotification
// does (outside review: Timestamp stayed zero).
func TestLogMessageUnmarshalParsesTheTimestamp(t *testing.T) {
	for raw, want := range map[string]time.Time{
		"2014-01-02T14:23:18.000-0800": time.Date(2014, 1, 2, 22, 23, 18, 0, time.UTC),
		"2014-01-09 11:58:12.035+0200": time.Date(2014, 1, 9, 9, 58, 12, 35e6, time.UTC),
	} {
		var m omni.LogMessage
		if err := json.Unmarshal([]byte(`{"index":1,"type":"Text","text":"hi","timestamp":"`+raw+`"}`), &m); err != nil || !m.Timestamp.Equal(want) {
			t.Errorf("LogMessage with %s: Timestamp %v, %v; want %v", raw, m.Timestamp, err, want)
		}
		var u omni.MessageLogUpdated
		if err := json.Unmarshal([]byte(`{"messages":[{"index":1,"timestamp":"`+raw+`"}]}`), &u); err != nil || len(u.Messages) != 1 || !u.Messages[0].Timestamp.Equal(want) {
			t.Errorf("MessageLogUpdated with %s: %+v, %v", raw, u.Messages, err)
		}
	}
	var m omni.LogMessage
	if err := json.Unmarshal([]byte(`{"timestamp":"yesterday"}`), &m); err != nil || !m.Timestamp.IsZero() || m.RawTimestamp != "yesterday" {
		t.Errorf("unknown layout: %+v, %v; want a zero Timestamp and the raw one kept", m, err)
	}
}

// The resources' UnmarshalJSON methods behave as encoding/json does for a
// struct (outside review): null leaves the value as it was, Raw included;
// a JSON value other than an object is an error (a Tweet and a LogMessage,
// decoded leniently, returned a zero value and no error); and an error
// names the resource's own type, not the unexported twin it decodes into
// ("Go value of type omni.plain").
func TestResourcesUnmarshalLikeStructs(t *testing.T) {
	targets := map[string]func() any{
		"Tweet":           func() any { return &omni.Tweet{ID: "keep", Raw: json.RawMessage(`{"id":"keep"}`)} },
		"Facebook":        func() any { return &omni.Facebook{ID: "keep", Raw: json.RawMessage(`{"id":"keep"}`)} },
		"FacebookSession": func() any { return &omni.FacebookSession{ID: "keep", Raw: json.RawMessage(`{"id":"keep"}`)} },
		"ChannelState":    func() any { return &omni.ChannelState{Channel: "keep", Raw: json.RawMessage(`{"id":"keep"}`)} },
		"LogMessage":      func() any { return &omni.LogMessage{Text: "keep", Raw: json.RawMessage(`{"id":"keep"}`)} },
	}
	for name, fresh := range targets {
		v := fresh()
		if err := json.Unmarshal([]byte(" null "), v); err != nil || !reflect.DeepEqual(v, fresh()) {
			t.Errorf("%s: null gave %+v, %v; want it unchanged", name, v, err)
		}
		for in, kind := range map[string]string{`[1,2]`: "array", `"x"`: "string", `5`: "number", `true`: "bool"} {
			err := json.Unmarshal([]byte(in), fresh())
			want := "json: cannot unmarshal " + kind + " into Go value of type omni." + name
			if err == nil || err.Error() != want {
				t.Errorf("%s from %s: %v; want %q", name, in, err, want)
			}
		}
	}
	var f omni.Facebook
	err := json.Unmarshal([]byte(`{"id":"F1","state":7}`), &f)
	if want := "json: cannot unmarshal number into Go struct field Facebook.state of type omni.State"; err == nil || err.Error() != want {
		t.Errorf("Facebook with a numeric state: %v; want %q", err, want)
	}
	var s omni.FacebookSession
	err = json.Unmarshal([]byte(`{"participants":{"a":1}}`), &s)
	if want := "json: cannot unmarshal object into Go struct field FacebookSession.participants of type []omni.Participant"; err == nil || err.Error() != want {
		t.Errorf("FacebookSession with an object for participants: %v; want %q", err, want)
	}
	// Inside a notification a resource that is not an object is left zero,
	// for a Tweet as for a Facebook: the notification still decodes.
	for ch, body := range map[string]string{
		"/v2/me/twitter":  `{"messageType":"TweetStateChangeMessage","notificationType":"StatusChange","referenceId":1,"tweet":[1,2]}`,
		"/v2/me/facebook": `{"messageType":"FacebookStateChangeMessage","notificationType":"StatusChange","referenceId":1,"facebook":[1,2]}`,
	} {
		if n, err := omni.DecodeNotification(ch, []byte(body)); err != nil || n == nil {
			t.Errorf("%s: %v, %v", ch, n, err)
		}
	}
}
