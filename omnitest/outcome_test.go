package omnitest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/omnisdk/omni"
)

// notifications collects the Facebook notifications of one subscription.
type notifications struct {
	ch chan *omni.FacebookStateChange
}

func subscribeFacebook(t *testing.T, c *omni.Client) *notifications {
	t.Helper()
	n := &notifications{ch: make(chan *omni.FacebookStateChange, 64)}
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	sub, err := c.Subscribe(ctx, omni.OnChannel(omni.ChannelFacebook, func(ev omni.Notification) {
		if fb, ok := ev.(*omni.FacebookStateChange); ok {
			n.ch <- fb
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Close() })
	return n
}

// next returns the next notification's referenceId.
func (n *notifications) next(t *testing.T) int64 {
	t.Helper()
	select {
	case ev := <-n.ch:
		return ev.ReferenceID
	case <-time.After(guard):
		t.Fatal("no notification")
		return 0
	}
}

func send(t *testing.T, c *omni.Client) int64 {
	t.Helper()
	res, err := c.Facebook.Send(context.Background(), "01QQQG2MU214P06D", testPost)
	if err != nil {
		t.Fatal(err)
	}
	return res.ReferenceID
}

// waitSend waits for the Facebook send that handed out ref to be done.
func waitSend(t *testing.T, srv *Server, ref int64) Request {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	r, err := srv.WaitRequest(ctx, ByRoute(RouteFacebookSend), ByReferenceID(ref))
	if err != nil {
		t.Fatalf("send %d: %v", ref, err)
	}
	return r
}

func TestScriptFailed(t *testing.T) {
	srv := NewServer(t)
	c := srv.NewClient(t)
	srv.Script(RouteFacebookSend, Failed("Page not found"))
	srv.Script(RouteTwitterSend, Failed("Unable to perform twitter operation"))
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	// A notification of type Error is the send's failure: an *omni.OperationError carrying it.
	_, err := c.Facebook.SendAndWait(ctx, "01QQQG2MU214P06D", testPost)
	var fbErr *omni.OperationError
	if !errors.As(err, &fbErr) || fbErr.Message != "Page not found" || fbErr.ReferenceID != 1 {
		t.Fatalf("Facebook: %v", err)
	}
	ev, ok := fbErr.Notification.(*omni.FacebookStateChange)
	if !ok || ev.NotificationType != omni.NotificationError || ev.Facebook.ID != "01QQQG2MU214P06D" {
		t.Fatalf("got %#v", fbErr.Notification)
	}
	_, err = c.Twitter.SendAndWait(ctx, "T1", omni.TwitterSend{QueuePath: "/q", From: "acct", Message: "hi"})
	var op *omni.OperationError
	if !errors.As(err, &op) || op.Message != "Unable to perform twitter operation" || op.ReferenceID != 2 {
		t.Fatalf("Twitter: %v", err)
	}
	// Scripts are used up: the next send is the default.
	sent, err := c.Facebook.SendAndWait(ctx, "01QQQG2MU214P06D", testPost)
	if err != nil || sent.NotificationType != omni.NotificationStatusChange || sent.Facebook.State != omni.StateSent {
		t.Fatalf("default after the script: %v %v", sent, err)
	}
}

func TestScriptNoneSeveralAndTimes(t *testing.T) {
	srv := NewServer(t)
	c := srv.NewClient(t)
	n := subscribeFacebook(t, c)
	srv.Script(RouteFacebookSend, NoNotification().Times(2))
	srv.Script(RouteFacebookSend, Sent().Then(Sent()))
	for range 4 {
		sendDone(t, srv, c)
	}
	for _, want := range []int64{3, 3, 4} { // 1 and 2 published nothing; 3 twice
		if got := n.next(t); got != want {
			t.Fatalf("notification for %d, want %d", got, want)
		}
	}
	var counts [4]int
	for i := range counts {
		counts[i] = len(waitSend(t, srv, int64(i+1)).Notifications)
	}
	if counts != [4]int{0, 0, 2, 1} {
		t.Fatalf("journal notifications per send %v", counts)
	}
}

func TestScriptAfterOnFakeClock(t *testing.T) {
	clock := NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := NewServer(t, WithClock(clock))
	c := srv.NewClient(t)
	srv.Script(RouteFacebookSend, Sent().After(time.Minute))
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := c.Facebook.SendAndWait(ctx, "01QQQG2MU214P06D", testPost)
		done <- err
	}()
	if err := clock.WaitPending(ctx, 1); err != nil { // answered, notification scheduled
		t.Fatal(err)
	}
	if got := waitSend(t, srv, 1).Notifications; len(got) != 0 {
		t.Fatalf("published before the minute passed: %v", got)
	}
	clock.Advance(time.Minute)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	p := waitSend(t, srv, 1).Notifications
	if len(p) != 1 || p[0].Delivered != 1 || !p[0].Time.Equal(time.Date(2026, 1, 1, 0, 1, 0, 0, time.UTC)) {
		t.Fatalf("journal %+v", p)
	}
}

func TestScriptNotify(t *testing.T) {
	srv := NewServer(t)
	c := srv.NewClient(t)
	srv.Script(RouteFacebookSend, Notify("saved", func(s Send) []Notice {
		return []Notice{FacebookStateChange(s.ReferenceID, "FacebookSaved", map[string]any{"id": s.ID, "state": "Processing"})}
	}))
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	ev, err := c.Facebook.SendAndWait(ctx, "F9", testPost)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"messageType":"FacebookStateChangeMessage","notificationType":"FacebookSaved","referenceId":1,"facebook":{"id":"F9","state":"Processing"}}`
	if string(ev.Raw) != want {
		t.Fatalf("got  %s\nwant %s", ev.Raw, want)
	}
}

func TestScriptRefuses(t *testing.T) {
	s, err := Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, tc := range []struct {
		route Route
		o     Outcome
	}{
		{RouteVersion, Sent()},
		{"gws.facebok.send", Sent()},
		{RouteFacebookSend, Outcome{}},
		{RouteFacebookSend, Sent().Times(0)},
		{RouteFacebookSend, Sent().After(-time.Second)},
	} {
		if err := s.Script(tc.route, tc.o); !errors.Is(err, ErrInvalidFault) {
			t.Errorf("Script(%q, %s) = %v", tc.route, tc.o, err)
		}
	}
	if p := s.PendingScripts(); len(p) != 0 {
		t.Fatalf("queued %v", p)
	}
}

func TestJournalOutcomes(t *testing.T) {
	srv := NewServer(t)
	c := srv.NewClient(t)
	subscribeFacebook(t, c)
	srv.Inject(RouteFacebookSend, Status(503))
	srv.Inject(RouteFacebookSend, ResetAfterProcessing())
	for range 2 { // a send is not retried after a 503 without Retry-After, nor after a reset
		if _, err := c.Facebook.Send(context.Background(), "X1", testPost); err == nil {
			t.Fatal("a faulted send succeeded")
		}
	}
	waitSend(t, srv, send(t, c))
	fb := srv.Requests(ByRoute(RouteFacebookSend))
	if len(fb) < 2 {
		t.Fatalf("%d sends recorded", len(fb))
	}
	if r := srv.Requests(ByRoute(RouteFacebookSend), ByStatus(503)); len(r) != 1 || r[0].GWSCode != 4 || r[0].Fault != "Status(503)" || len(r[0].Notifications) != 0 {
		t.Fatalf("503: %+v", r)
	}
	ok := srv.Requests(ByRoute(RouteFacebookSend), ByStatus(200))
	if len(ok) != 1 || ok[0].GWSCode != 0 || ok[0].ReferenceID == 0 || len(ok[0].Notifications) != 1 || ok[0].Notifications[0].Delivered != 1 {
		t.Fatalf("200: %+v", ok)
	}
	// The client saw the reset before the server finished the request: wait for its record.
	reset, err := srv.WaitRequest(context.Background(), ByFault(ResetAfterProcessing()))
	if err != nil || reset.Status != 0 || reset.GWSCode != -1 || reset.ReferenceID != 0 || reset.ProcessedReferenceID != 1 || len(reset.Notifications) != 1 {
		t.Fatalf("reset after processing: %+v %v", reset, err)
	}
	if r := srv.Requests(Faulted()); len(r) != 2 {
		t.Fatalf("faulted %d", len(r))
	}
	if r := srv.Requests(ByMethod(http.MethodGet), ByRoute(RouteFacebookSend)); len(r) != 0 {
		t.Fatalf("GET sends %d", len(r))
	}
}

// TestThenAfterOrder: each part's After counts from the part before it, so
// a Then part never overtakes a delayed receiver.
func TestThenAfterOrder(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	states := func(p []Publication) []string {
		var out []string
		for _, n := range p {
			var d struct {
				NotificationType string `json:"notificationType"`
			}
			_ = json.Unmarshal(n.Data, &d)
			out = append(out, d.NotificationType+"@"+n.Time.Sub(t0).String())
		}
		return out
	}
	for _, tc := range []struct {
		o       Outcome
		advance []time.Duration
		want    []string
	}{
		{Failed("first").After(time.Second).Then(Sent()), []time.Duration{time.Second},
			[]string{"Error@1s", "StatusChange@1s"}},
		{Sent().Then(Failed("second").After(time.Second)), []time.Duration{time.Second},
			[]string{"StatusChange@0s", "Error@1s"}},
		{Failed("a").After(time.Second).Then(Sent().After(time.Second)), []time.Duration{time.Second, time.Second},
			[]string{"Error@1s", "StatusChange@2s"}},
		{Sent().Then(Failed("b")).After(time.Second), []time.Duration{time.Second},
			[]string{"StatusChange@1s", "Error@1s"}},
	} {
		t.Run(tc.o.String(), func(t *testing.T) {
			clock := NewFakeClock(t0)
			srv := NewServer(t, WithClock(clock))
			c := srv.NewClient(t)
			srv.Script(RouteFacebookSend, tc.o)
			ref := sendDone(t, srv, c)
			for _, d := range tc.advance {
				clock.Advance(d)
			}
			if got := states(waitSend(t, srv, ref).Notifications); !slices.Equal(got, tc.want) {
				t.Fatalf("published %v, want %v", got, tc.want)
			}
		})
	}
}
