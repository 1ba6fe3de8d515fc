package omnitest

import (
	"context"
	"errors"
	"testing"

	"github.com/omnisdk/omni"
)

// A send scripted to fail changes nothing: the Error notification and a read
// of the resource show it unsent (outside review: both said Sent, so a test
// following the README's "read the resource rather than sending again"
// would conclude the post had gone out).
func TestFailedSendLeavesTheResourceUnsent(t *testing.T) {
	srv := NewServer(t)
	c := srv.NewClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()

	// Facebook, to an id the simulator holds nothing for: not found after.
	if err := srv.Script(RouteFacebookSend, Failed("Page not found")); err != nil {
		t.Fatal(err)
	}
	_, err := c.Facebook.SendAndWait(ctx, "FB-FAILS", testPost)
	var oe *omni.OperationError
	if !errors.As(err, &oe) {
		t.Fatalf("SendAndWait: %v, want an *OperationError", err)
	}
	if fb, ok := oe.Notification.(*omni.FacebookStateChange); !ok || fb.Facebook.State == omni.StateSent {
		t.Errorf("the Error notification says the post is %+v", oe.Notification)
	}
	if got, err := c.Facebook.Get(ctx, "FB-FAILS", nil); !errors.Is(err, omni.ErrNotFound) {
		t.Errorf("Get after a failed send: %+v, %v; want ErrNotFound", got, err)
	}

	// Facebook, after a send that went out: the earlier state stays.
	if _, err := c.Facebook.SendAndWait(ctx, "FB-SENT", testPost); err != nil {
		t.Fatal(err)
	}
	if err := srv.Script(RouteFacebookSend, Failed("Page not found")); err != nil {
		t.Fatal(err)
	}
	again := testPost
	again.Message = "second"
	if _, err := c.Facebook.SendAndWait(ctx, "FB-SENT", again); !errors.As(err, &oe) {
		t.Fatalf("second SendAndWait: %v", err)
	}
	if got, err := c.Facebook.Get(ctx, "FB-SENT", nil); err != nil || got.Message != testPost.Message {
		t.Errorf("Get after the failed second send: %+v, %v; want the first message", got, err)
	}

	// Twitter.
	if err := srv.Script(RouteTwitterSend, Failed("Status is a duplicate")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Twitter.SendAndWait(ctx, "TW-FAILS", omni.TwitterSend{QueuePath: "/q", From: "acct", Message: "hi"}); !errors.As(err, &oe) {
		t.Fatalf("Twitter SendAndWait: %v", err)
	}
	if got, err := c.Twitter.Get(ctx, "TW-FAILS", nil); !errors.Is(err, omni.ErrNotFound) {
		t.Errorf("Twitter Get after a failed send: %+v, %v; want ErrNotFound", got, err)
	}

	// A failure followed by a success (Then) ends sent: the read says so.
	if err := srv.Script(RouteFacebookSend, Failed("transient").Then(Sent())); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Facebook.Send(ctx, "FB-FLIP", testPost); err != nil {
		t.Fatal(err)
	}
	if got, err := c.Facebook.Get(ctx, "FB-FLIP", nil); err != nil || got.State != omni.StateSent {
		t.Errorf("Get after Failed().Then(Sent()): %+v, %v", got, err)
	}
}
