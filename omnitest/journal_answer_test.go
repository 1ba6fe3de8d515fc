package omnitest

import (
	"context"
	"testing"
)

// TestResetAfterProcessingJournal: the journal describes the answer the
// client got, none, and says apart what the server did with the request.
func TestResetAfterProcessingJournal(t *testing.T) {
	srv := NewServer(t)
	c := srv.NewClient(t)
	n := subscribeFacebook(t, c)
	srv.Inject(RouteFacebookSend, ResetAfterProcessing())
	_, err := c.Facebook.Send(context.Background(), "01QQQG2MU214P06D", testPost)
	if err == nil {
		t.Fatal("the client got an answer")
	}
	ref := n.next(t) // the send was processed: its notification came
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	r, err := srv.WaitRequest(ctx, Faulted())
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != 0 || r.GWSCode != -1 || r.ReferenceID != 0 {
		t.Fatalf("journal: Status %d GWSCode %d ReferenceID %d, want 0 -1 0 (no answer)", r.Status, r.GWSCode, r.ReferenceID)
	}
	if r.ProcessedReferenceID != ref {
		t.Fatalf("ProcessedReferenceID %d, want %d (the notification's)", r.ProcessedReferenceID, ref)
	}
	if got := srv.Requests(ByGWSCode(0), ByRoute(RouteFacebookSend)); len(got) != 0 {
		t.Fatalf("ByGWSCode(0) selects the unanswered send: %+v", got)
	}
	if got := srv.Requests(ByReferenceID(ref)); len(got) != 0 {
		t.Fatalf("ByReferenceID selects an answer the client never got: %+v", got)
	}
}

// TestWebsocketUpgradeJournal: an open websocket reads Status 101, Done
// false, as soon as the upgrade is written.
func TestWebsocketUpgradeJournal(t *testing.T) {
	srv := NewServer(t)
	c := clientFor(t, srv, "websocket")
	subscribeFacebook(t, c) // the subscribe went over the open socket
	open := srv.Requests(ByRoute(RouteNotifications), ByStatus(101))
	if len(open) != 1 || open[0].Done {
		t.Fatalf("open websocket: %+v, want one with Status 101, Done false", open)
	}
}
