package omni_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/cometd"
	"github.com/omnisdk/omni/omnitest"
)

// facebookErrorAfterWarmUp warms up the client's notification subscription,
// then publishes a notificationType Error for the next send's referenceId
// (GWS numbers operations per session; one session's messages arrive in
// order, so it comes before the simulator's own state change).
func facebookErrorAfterWarmUp(t *testing.T) (*omni.FacebookStateChange, error) {
	t.Helper()
	srv, c := simClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	first, err := c.Facebook.SendAndWait(ctx, "A", seedFacebook)
	if err != nil {
		t.Fatal(err)
	}
	srv.Publish(omni.ChannelFacebook, map[string]any{"messageType": "FacebookStateChangeMessage",
		"notificationType": "Error", "referenceId": first.ReferenceID + 1,
		"facebook": map[string]any{"id": "B", "state": "Composing", "capabilities": []string{}}})
	return c.Facebook.SendAndWait(ctx, "B", seedFacebook)
}

func TestSendAndWaitErrorNotificationIsAnError(t *testing.T) {
	ev, err := facebookErrorAfterWarmUp(t)
	var oe *omni.OperationError
	if !errors.As(err, &oe) {
		t.Fatalf("got event %+v, err %v; want an *OperationError", ev, err)
	}
	fb, ok := oe.Notification.(*omni.FacebookStateChange)
	if !ok || fb.NotificationType != omni.NotificationError || fb.Facebook.State != omni.StateComposing ||
		oe.ReferenceID != 2 || fb.ReferenceID != 2 {
		t.Errorf("error %v carries %#v, want the Error notification of referenceId 2", err, oe.Notification)
	}
}

func TestTwitterFailedOperationCarriesItsNotification(t *testing.T) {
	_, err := twitterAfterOperationResponse(t, "false")
	var oe *omni.OperationError
	if !errors.As(err, &oe) {
		t.Fatalf("err = %v", err)
	}
	if op, ok := oe.Notification.(*omni.TwitterOperationResponse); !ok || op.Success || op.ReferenceID != 2 {
		t.Errorf("notification %#v, want the failed TwitterOperationResponse", oe.Notification)
	}
}

// TestSendAndWaitValidatesBeforeAnyIO: invalid input is the
// *ValidationError at once, with nothing sent, not even the CometD
// handshake; against a GWS that is not even reachable too.
func TestSendAndWaitValidatesBeforeAnyIO(t *testing.T) {
	fs := newFakeServer(t, reply(200, `{"statusCode":0,"referenceId":1}`))
	dead := newFakeServer(t, reply(200, `{}`))
	deadURL := dead.URL
	dead.Close()
	for _, base := range []string{fs.URL + "/api/v2", deadURL + "/api/v2"} {
		c, err := omni.NewClient(base, omni.WithBasicAuth("u", "p"))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		_, err = c.Facebook.SendAndWait(ctx, "X", omni.FacebookSend{QueuePath: "/q", From: "me"})
		var ve *omni.ValidationError
		if !errors.As(err, &ve) || err.Error() != "omni: invalid request: facebook.message: must not be empty" {
			t.Errorf("%s: Facebook err = %v, want the *ValidationError", base, err)
		}
		_, err = c.Twitter.SendAndWait(ctx, "", omni.TwitterSend{QueuePath: "/q", From: "me", Message: "m"})
		if !errors.As(err, &ve) || err.Error() != "omni: invalid request: id: must not be empty" {
			t.Errorf("%s: Twitter err = %v, want the *ValidationError", base, err)
		}
		if ctx.Err() != nil {
			t.Errorf("%s: the wait ran out its context", base)
		}
		cancel()
		c.Close()
	}
	if reqs := fs.requests(); len(reqs) != 0 {
		t.Errorf("requests reached the server: %s %s ...", reqs[0].Method, reqs[0].RequestURI)
	}
}

// TestAwaitFallsBackToResourceAndState: an operation whose reply carries no
// referenceId is matched by the resource id and the expected state. The
// notification carries none either: one with the referenceId of the Send
// (which the client knows) would report that other operation.
func TestAwaitFallsBackToResourceAndState(t *testing.T) {
	srv, c := simClient(t)
	srv.Script(omnitest.RouteFacebookSend, omnitest.Notify("without referenceId", func(s omnitest.Send) []omnitest.Notice {
		return []omnitest.Notice{omnitest.FacebookStateChange(0, "StatusChange", map[string]string{"id": s.ID, "state": "Sent"})}
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	n, err := c.Await(ctx, omni.Expect{Channel: omni.ChannelFacebook, ResourceID: "R1", State: omni.StateSent},
		func(ctx context.Context) (omni.Accepted, error) {
			if _, err := c.Facebook.Send(ctx, "R1", seedFacebook); err != nil {
				return nil, err
			}
			return &omni.SendResult{}, nil // as a reply without referenceId
		})
	if err != nil {
		t.Fatal(err)
	}
	if fb, ok := n.(*omni.FacebookStateChange); !ok || fb.Facebook.ID != "R1" || fb.Facebook.State != omni.StateSent {
		t.Errorf("got %#v", n)
	}
	_, err = c.Await(ctx, omni.Expect{Channel: omni.ChannelFacebook}, func(ctx context.Context) (omni.Accepted, error) {
		return &omni.SendResult{}, nil
	})
	var we *omni.WaitError
	if !errors.As(err, &we) || !strings.Contains(err.Error(), "no referenceId") {
		t.Errorf("err = %v, want a *WaitError: nothing to wait for", err)
	}
}

// TestAwaitOfAnOpWithNoResult: an operation that returns (nil, nil) and
// sends nothing is ErrNoResult, not a *WaitError (which says the operation
// was accepted), and costs no I/O: not even the CometD subscription.
func TestAwaitOfAnOpWithNoResult(t *testing.T) {
	srv, c := simClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // a failure bound only
	defer cancel()
	for _, want := range []omni.Expect{{Channel: omni.ChannelFacebook}, {Channel: omni.ChannelFacebook, ResourceID: "R1"}} {
		_, err := c.Await(ctx, want, func(context.Context) (omni.Accepted, error) {
			return nil, nil
		})
		var we *omni.WaitError
		if !errors.Is(err, omni.ErrNoResult) || errors.As(err, &we) ||
			err.Error() != "omni: the operation returned no result and sent nothing: nothing to wait for" {
			t.Errorf("%+v: err = %v, want ErrNoResult", want, err)
		}
	}
	if reqs := srv.Requests(); len(reqs) != 0 {
		t.Errorf("%d requests reached the server, the first %s", len(reqs), reqs[0].Route)
	}
}

func TestAwaitRefusesAMissingChannel(t *testing.T) {
	_, c := simClient(t)
	_, err := c.Await(context.Background(), omni.Expect{}, func(context.Context) (omni.Accepted, error) {
		t.Error("op ran")
		return nil, nil
	})
	if err == nil || err.Error() != "omni: invalid request: Expect.Channel: must not be empty" {
		t.Errorf("err = %v", err)
	}
}

// notificationRequests counts the requests the simulator got on its
// notifications route.
func notificationRequests(srv *omnitest.Server) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Route == omnitest.RouteNotifications {
			n++
		}
	}
	return n
}

// TestSendAndWaitAfterRestartWaitsForResubscription: right after the
// server lost the CometD session (a restart, or sessions dropped), a wait
// does not send until its subscription is live again, so the notification
// is not lost.
func TestSendAndWaitAfterRestartWaitsForResubscription(t *testing.T) {
	t.Run("Restart", func(t *testing.T) {
		srv, c := simClient(t)
		waitAfterSessionLoss(t, srv, c, func() error { return srv.Restart() })
	})
	t.Run("DropSessions", func(t *testing.T) {
		// Long-polling, so the re-handshake is an HTTP request the faults reach.
		srv := omnitest.NewServer(t)
		c, err := omni.NewClient(srv.URL(), omni.WithBasicAuth("agent1", "pw"), fastRetry,
			omni.WithCometDOptions(cometd.WithTransports(cometd.LongPolling),
				cometd.WithBackoff(10*time.Millisecond, 100*time.Millisecond)))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		waitAfterSessionLoss(t, srv, c, func() error { srv.DropSessions(); return nil })
	})
}

// waitAfterSessionLoss warms up c's waits, loses the CometD session with
// lose while the server refuses the next notification requests (so the
// client is without a session for a while, and knows it), then sends and
// waits.
func waitAfterSessionLoss(t *testing.T, srv *omnitest.Server, c *omni.Client, lose func() error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.Facebook.SendAndWait(ctx, "A", seedFacebook); err != nil {
		t.Fatal(err)
	}
	srv.Inject(omnitest.RouteNotifications, omnitest.Status(http.StatusInternalServerError).Times(6))
	before := notificationRequests(srv)
	if err := lose(); err != nil {
		t.Fatal(err)
	}
	for notificationRequests(srv) < before+2 { // the client saw its session fail twice
		if ctx.Err() != nil {
			t.Fatal("the client never reconnected")
		}
		time.Sleep(5 * time.Millisecond) // polling a condition, bounded by ctx
	}
	wait, cancelWait := context.WithTimeout(ctx, 10*time.Second)
	defer cancelWait()
	ev, err := c.Facebook.SendAndWait(wait, "B", seedFacebook)
	if err != nil {
		t.Fatalf("SendAndWait after the session loss: %v", err)
	}
	if ev.Facebook.ID != "B" || ev.Facebook.State != omni.StateSent {
		t.Errorf("event %+v", ev)
	}
}

// TestWrongPasswordReadsTheSameOnEveryPath: Send and SendAndWait both
// return an error matching ErrUnauthorized.
func TestWrongPasswordReadsTheSameOnEveryPath(t *testing.T) {
	srv := omnitest.NewServer(t, omnitest.WithBasicAuth("agent1", "right"))
	c, err := omni.NewClient(srv.URL(), omni.WithBasicAuth("agent1", "wrong"), fastRetry,
		omni.WithCometDOptions(cometd.WithBackoff(10*time.Millisecond, 100*time.Millisecond)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, sendErr := c.Facebook.Send(ctx, "A", seedFacebook)
	_, waitErr := c.Facebook.SendAndWait(ctx, "A", seedFacebook)
	_, subErr := c.Subscribe(ctx, omni.OnFacebook(func(*omni.FacebookStateChange) {}))
	for name, err := range map[string]error{"Send": sendErr, "SendAndWait": waitErr, "Subscribe": subErr} {
		if !errors.Is(err, omni.ErrUnauthorized) {
			t.Errorf("%s: err = %v, want errors.Is ErrUnauthorized", name, err)
		}
		if strings.Contains(err.Error(), "wrong") {
			t.Errorf("%s: the error shows the password: %v", name, err)
		}
	}
}
