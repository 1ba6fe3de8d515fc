package omni_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/omnitest"
)

// The retry and CSRF behaviour of retry_test.go and csrf_test.go, checked
// again against the simulator, where the server really processes (or
// refuses) each request: what counts is what the server did.

// seedTwitter is the body of the Twitter seed's Send example.
var seedTwitter = omni.TwitterSend{
	QueuePath: "/contacts/60ebbb94-3cef-4b14-95f8-5c49dbeb355d",
	From:      "vitaliy_onv",
	Message:   "Hello Twitter!",
}

// routes returns the routes of the simulator's recorded requests, in order.
func routes(srv *omnitest.Server) []omnitest.Route {
	var out []omnitest.Route
	for _, r := range srv.Requests() {
		if r.Route != omnitest.RouteNotifications {
			out = append(out, r.Route)
		}
	}
	return out
}

func wantRoutes(t *testing.T, srv *omnitest.Server, want ...omnitest.Route) {
	t.Helper()
	got := routes(srv)
	if len(got) != len(want) {
		t.Fatalf("requests %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("requests %v, want %v", got, want)
		}
	}
}

func TestSimulatorSendRetriedAfterRetryAfter(t *testing.T) {
	srv, c := simClient(t)
	srv.Inject(omnitest.RouteFacebookSend, omnitest.Status(503).RetryAfter(time.Second))
	res, err := c.Facebook.Send(context.Background(), "X1", seedFacebook)
	if err != nil {
		t.Fatal(err)
	}
	// The refused attempt was not processed, so the retried one is the
	// session's first operation.
	if res.ReferenceID != 1 {
		t.Errorf("referenceId %d, want 1", res.ReferenceID)
	}
	wantRoutes(t, srv, omnitest.RouteFacebookSend, omnitest.RouteFacebookSend)
}

func TestSimulatorSendNotRetriedOn502(t *testing.T) {
	srv, c := simClient(t)
	srv.Inject(omnitest.RouteTwitterSend, omnitest.Status(502))
	_, err := c.Twitter.Send(context.Background(), "T1", seedTwitter)
	var apiErr *omni.APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatus != 502 || !errors.Is(err, omni.ErrServer) {
		t.Fatalf("err %v, want a 502 *APIError matching ErrServer", err)
	}
	wantRoutes(t, srv, omnitest.RouteTwitterSend)
}

func TestSimulatorSendNotRepeatedAfterProcessedReset(t *testing.T) {
	srv, c := simClient(t)
	srv.Inject(omnitest.RouteMessengerSend, omnitest.ResetAfterProcessing())
	_, err := c.Messenger.SendSingle(context.Background(), omni.SingleMessage{
		From: "app", To: "user", Message: omni.TextMessage("once"),
	})
	var te *omni.TransportError
	if !errors.As(err, &te) || te.Attempts != 1 {
		t.Fatalf("err %v, want a *TransportError after 1 attempt", err)
	}
	// The server took the message; the SDK did not send it a second time.
	if n := len(srv.MessengerMessages()); n != 1 {
		t.Errorf("server took %d messages, want 1", n)
	}
}

func TestSimulatorMessengerRetriedAfter429(t *testing.T) {
	srv, c := simClient(t)
	srv.Inject(omnitest.RouteMessengerSend, omnitest.Status(429).RetryAfter(time.Second))
	out, err := c.Messenger.SendSingle(context.Background(), omni.SingleMessage{
		From: "app", To: "user", Message: omni.TextMessage("after the wait"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.Status.GroupID != omni.GroupPending || out.MessageID == "" {
		t.Errorf("result %+v", out)
	}
	if n := len(srv.MessengerMessages()); n != 1 {
		t.Errorf("server took %d messages, want 1", n)
	}
}

func TestSimulatorReadRetriedOn502(t *testing.T) {
	srv, c := simClient(t)
	srv.Inject(omnitest.RouteVersion, omnitest.Status(502).Times(2))
	v, err := c.ServerVersion(context.Background())
	if err != nil || v == "" {
		t.Fatalf("version %q, err %v", v, err)
	}
	wantRoutes(t, srv, omnitest.RouteVersion, omnitest.RouteVersion, omnitest.RouteVersion)
}

func TestSimulatorCSRFExpiredIsRefreshedOnce(t *testing.T) {
	srv, c := simClient(t, omnitest.WithCSRF())
	ctx := context.Background()
	if _, err := c.ServerVersion(ctx); err != nil { // picks up the session and its token
		t.Fatal(err)
	}
	first, err := c.Facebook.Send(ctx, "X1", seedFacebook)
	if err != nil {
		t.Fatal(err)
	}
	srv.ExpireCSRF()
	second, err := c.Facebook.Send(ctx, "X1", seedFacebook)
	if err != nil {
		t.Fatal(err)
	}
	if second.ReferenceID != first.ReferenceID+1 {
		t.Errorf("referenceIds %d then %d: the refused send must not count", first.ReferenceID, second.ReferenceID)
	}
	wantRoutes(t, srv, omnitest.RouteVersion, omnitest.RouteFacebookSend,
		omnitest.RouteFacebookSend, omnitest.RouteMe, omnitest.RouteFacebookSend)
}

func TestSimulatorCSRFWithoutTokenIsFetchedFirstTime(t *testing.T) {
	srv, c := simClient(t, omnitest.WithCSRF())
	res, err := c.Twitter.Send(context.Background(), "T1", seedTwitter)
	if err != nil {
		t.Fatal(err)
	}
	if res.ReferenceID != 1 {
		t.Errorf("referenceId %d, want 1", res.ReferenceID)
	}
	wantRoutes(t, srv, omnitest.RouteTwitterSend, omnitest.RouteMe, omnitest.RouteTwitterSend)
}
