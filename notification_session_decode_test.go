package omni_test

import (
	"context"
	"testing"

	"github.com/omnisdk/omni"
)

// TestDecodeFacebookSessionAcceptSample2019: the FacebookPMAccept page [S26]
// as edited in January 2019 writes the messageType with a lower-case f and
// the resource under "facebooksessions" (facebooksession_accept_2019.json is
// facebooksession_state_change.json with exactly those two edits, as
// API-FACTS-LIFECYCLE.md §3 describes the page). Both spellings of either
// part decode to the same typed event; the header keeps the type as sent.
func TestDecodeFacebookSessionAcceptSample2019(t *testing.T) {
	ev, ok := decodeFixture(t, omni.ChannelFacebookSession, "facebooksession_accept_2019.json").(*omni.FacebookSessionStateChange)
	if !ok {
		t.Fatal("the 2019 Accept sample is not a *FacebookSessionStateChange")
	}
	s := ev.Session
	if ev.MessageType != "facebooksessionStateChangeMessage" || ev.ReferenceID != 17 ||
		ev.NotificationType != omni.NotificationStatusChange || s.ID != "0000Na9B26EF002X" ||
		s.State != omni.StateChatting || len(s.Capabilities) != 7 || !s.Can(omni.OpSendMessage) {
		t.Errorf("%+v", ev)
	}
	for _, data := range []string{
		`{"messageType":"facebooksessionStateChangeMessage","notificationType":"StatusChange","facebooksessions":{"id":"FS1","state":"Chatting","capabilities":["Complete"]}}`,
		`{"messageType":"FacebooksessionStateChangeMessage","notificationType":"StatusChange","facebooksessions":{"id":"FS1","state":"Chatting","capabilities":["Complete"]}}`,
		`{"messageType":"facebooksessionStateChangeMessage","notificationType":"StatusChange","facebooksession":{"id":"FS1","state":"Chatting","capabilities":["Complete"]}}`,
		`{"messageType":"FACEBOOKSESSIONSTATECHANGEMESSAGE","notificationType":"StatusChange","facebooksession":{"id":"FS1","state":"Chatting","capabilities":["Complete"]}}`,
	} {
		n, err := omni.DecodeNotification(omni.ChannelFacebookSession, []byte(data))
		if err != nil {
			t.Fatal(err)
		}
		ev, ok := n.(*omni.FacebookSessionStateChange)
		if !ok || ev.Session.ID != "FS1" || ev.Session.State != omni.StateChatting || !ev.Session.Can(omni.OpComplete) {
			t.Errorf("%s: decoded as %T %+v", data, n, n)
		}
	}
	for _, data := range []string{
		`{"messageType":"facebookStateChangeMessage","facebook":{"id":"F1","state":"Processing"}}`,
		`{"messageType":"tweetStateChangeMessage","tweet":{"id":"T1","state":"Processing"}}`,
		`{"messageType":"messageLogUpdated","messages":[]}`,
		`{"messageType":"channelStateChangeMessageV2","channels":[{"channel":"chat","userState":{"state":"Ready"}}]}`,
	} {
		if n, err := omni.DecodeNotification(omni.ChannelAll, []byte(data)); err != nil {
			t.Fatal(err)
		} else if _, unknown := n.(*omni.UnknownNotification); unknown {
			t.Errorf("%s: UnknownNotification", data)
		}
	}
}

// TestLiveViewSeesTheAcceptSample2019: a session announced in the 2019
// Accept sample's shape reaches a LiveView as a new private-messaging
// session, and its completion in the usual shape as its end.
func TestLiveViewSeesTheAcceptSample2019(t *testing.T) {
	srv, c := simClient(t)
	ctx := context.Background()
	ev := &viewEvents{ch: make(chan string, 64)}
	unknown := make(chan string, 16)
	v, err := c.Watch(ctx, ev.handlers(), omni.OnUnknown(func(u *omni.UnknownNotification) { unknown <- string(u.Raw) }))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	sent := srv.Publish(omni.ChannelFacebookSession, map[string]any{"messageType": "facebooksessionStateChangeMessage",
		"notificationType": "StatusChange", "referenceId": 17,
		"facebooksessions": map[string]any{"id": "FS1", "state": "Chatting", "capabilities": []string{"Complete"}, "participants": []any{}}})
	sent += srv.Publish(omni.ChannelFacebookSession, map[string]any{"messageType": "FacebooksessionStateChangeMessage",
		"notificationType": "StatusChange", "referenceId": 5,
		"facebooksession": map[string]any{"id": "FS1", "state": "Completed", "participants": []any{}}})
	if sent != 2 {
		t.Fatalf("published to %d sessions, want 2 (1 each)", sent)
	}
	got := ev.want(t, "new facebooksession/FS1", "end facebooksession/FS1")
	if len(got) != 2 {
		t.Errorf("events %q", got)
	}
	select {
	case raw := <-unknown:
		t.Errorf("unknown notification: %s", raw)
	default:
	}
}
