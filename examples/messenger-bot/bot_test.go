package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/omnitest"
)

// Customers driven through the bot get, in order: seen + greeting +
// template, seen + follow-up with quick replies, seen + thanks.
func TestBotConversation(t *testing.T) {
	srv := omnitest.NewServer(t, omnitest.WithPushMinute(time.Millisecond))
	c, err := omni.NewClient("", omni.WithMessenger(srv.MessengerURL(), omni.AppKey("key")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	b := newBot(c, "page-1")
	hooks := httptest.NewServer(b.mux())
	t.Cleanup(hooks.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := converse(ctx, srv, hooks.URL, "page-1", 2); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`{"type":"SENDER_ACTION","senderAction":"MARK_SEEN"}`,
		`{"type":"TEXT","text":"Hello! I am the shop's assistant."}`,
		`{"type":"TEMPLATE","payload":{"type":"BUTTON","text":"What can I do for you?","buttons":[{"type":"POSTBACK","title":"Track my order","payload":"ORDER_STATUS"},{"type":"POSTBACK","title":"Talk to a human","payload":"AGENT"},{"type":"URL","title":"Opening hours","url":"https://shop.example.com/hours"}]}}`,
		`{"type":"SENDER_ACTION","senderAction":"MARK_SEEN"}`,
		`{"type":"TEXT","text":"Your order #42 left our warehouse and arrives tomorrow."}`,
		`{"type":"SENDER_ACTION","senderAction":"MARK_SEEN"}`,
		`{"type":"TEXT","text":"You're welcome! Have a nice day."}`,
	}
	for _, user := range []string{"user-1", "user-2"} {
		got := srv.Customer(user, "page-1").Received()
		if len(got) != len(want) {
			t.Fatalf("%s received %d messages, want %d", user, len(got), len(want))
		}
		for i, m := range got {
			if !sameJSON(t, m.Content, want[i]) || m.Sender != "page-1" {
				t.Errorf("%s message %d: %s from %s, want %s", user, i, m.Content, m.Sender, want[i])
			}
		}
	}
	// The follow-up carried the quick replies.
	var body struct {
		Messages []struct {
			QuickReplies []omni.QuickReply `json:"quickReplies"`
		} `json:"messages"`
	}
	found := false
	for _, r := range srv.Requests() {
		if r.Route == omnitest.RouteMessengerMessages && json.Unmarshal(r.Body, &body) == nil &&
			len(body.Messages) == 1 && len(body.Messages[0].QuickReplies) == 2 {
			found = body.Messages[0].QuickReplies[0] == omni.TextQuickReply("Thanks!", payloadThanks)
		}
	}
	if !found {
		t.Error("no request carried the quick replies")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.inbound != 6 || b.seen != 8 {
		t.Errorf("bot handled %d messages and %d seen reports, want 6 and 8", b.inbound, b.seen)
	}
}

func sameJSON(t *testing.T, got json.RawMessage, want string) bool {
	t.Helper()
	var g, w any
	if json.Unmarshal(got, &g) != nil || json.Unmarshal([]byte(want), &w) != nil {
		return false
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	return string(gb) == string(wb)
}
