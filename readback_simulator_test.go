package omni_test

import (
	"context"
	"errors"
	"testing"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/omnitest"
)

func TestReadBackAgainstSimulator(t *testing.T) {
	srv, c := simClient(t)
	ctx := context.Background()

	out, err := c.Messenger.SendSingle(ctx, single(omni.TextMessage("Hello, World!")))
	if err != nil {
		t.Fatal(err)
	}
	first, err := c.Messenger.DeliveryReports(ctx, &omni.ReportsOptions{MessageID: out.MessageID})
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != 1 || first[0].MessageID != out.MessageID || first[0].Status.GroupID != omni.GroupPending ||
		first[0].SentAt.IsZero() {
		t.Fatalf("first read %+v, want the message pending with a parsed sentAt", first)
	}
	second, err := c.Messenger.DeliveryReports(ctx, &omni.ReportsOptions{MessageID: out.MessageID, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(second) != 1 || second[0].Status.GroupID != omni.GroupDelivered || second[0].Status.Name != "DELIVERED_TO_HANDSET" ||
		second[0].DoneAt.IsZero() || second[0].Error == nil || second[0].Error.Name != "NO_ERROR" {
		t.Fatalf("second read %+v, want it delivered", second)
	}
	logs, err := c.Messenger.Logs(ctx, &omni.LogsOptions{MessageIDs: []string{out.MessageID, "other"},
		GeneralStatus: omni.GroupDelivered, SentUntil: second[0].DoneAt})
	if err != nil {
		t.Fatal(err)
	}
	if len(logs) != 1 || logs[0].Text != "Hello, World!" || logs[0].From != single(nil).From {
		t.Fatalf("logs %+v", logs)
	}
	// The simulator refuses what the SDK would have refused: the SDK's
	// check came first, so nothing was sent for it.
	before := len(srv.Requests())
	if _, err := c.Messenger.DeliveryReports(ctx, &omni.ReportsOptions{Limit: 1001}); !errors.Is(err, omni.ErrValidation) {
		t.Errorf("limit 1001: %v", err)
	}
	if after := len(srv.Requests()); after != before {
		t.Errorf("%d requests sent for a bad limit", after-before)
	}

	if _, err := c.Facebook.Send(ctx, "01QQQG2MU214P06D", seedFacebook); err != nil {
		t.Fatal(err)
	}
	fb, err := c.Facebook.Get(ctx, "01QQQG2MU214P06D", nil)
	if err != nil {
		t.Fatal(err)
	}
	if fb.ID != "01QQQG2MU214P06D" || fb.State != omni.StateSent || fb.Message != seedFacebook.Message || len(fb.Raw) == 0 {
		t.Errorf("facebook %+v", fb)
	}
	page, err := c.Facebook.List(ctx, &omni.ListOptions{Fields: []string{"id", "state"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].ID != fb.ID || page.Items[0].Message != "" {
		t.Errorf("list %+v, want one item with id and state only", page)
	}
	uris, err := c.Facebook.List(ctx, nil)
	if err != nil || len(uris.URIs) != 1 || len(uris.Items) != 0 {
		t.Errorf("list without fields %+v, %v", uris, err)
	}

	if _, err := c.Twitter.Send(ctx, "010QQG2MU214P06D", seedTwitter); err != nil {
		t.Fatal(err)
	}
	tw, err := c.Twitter.Get(ctx, "010QQG2MU214P06D", &omni.GetOptions{Fields: []string{omni.FieldsAll}})
	if err != nil || tw.TwitterType != "Outbound" || tw.Message != seedTwitter.Message {
		t.Errorf("tweet %+v, %v", tw, err)
	}

	if _, err := c.FacebookSessions.Accept(ctx, "S1", "Kristi"); err != nil {
		t.Fatal(err)
	}
	sess, err := c.FacebookSessions.Get(ctx, "S1", nil)
	if err != nil || sess.State != omni.StateChatting || len(sess.Participants) != 1 || sess.Participants[0].Nickname != "Kristi" {
		t.Errorf("session %+v, %v", sess, err)
	}
	if _, err := c.FacebookSessions.Get(ctx, "unknown", nil); !errors.Is(err, omni.ErrNotFound) {
		t.Errorf("unknown session: %v, want ErrNotFound", err)
	}
	wantRead := map[omnitest.Route]bool{omnitest.RouteFacebookRead: true, omnitest.RouteTwitterRead: true,
		omnitest.RouteFacebookSessionRead: true, omnitest.RouteMessengerReports: true, omnitest.RouteMessengerLogs: true}
	for _, r := range srv.Requests() {
		if r.Method == "GET" && r.Route != omnitest.RouteNotifications && !wantRead[r.Route] {
			t.Errorf("GET %s routed as %s", r.Path, r.Route)
		}
	}
}
