package omnitest

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/omnisdk/omni"
	"go.uber.org/goleak"
)

var testPost = omni.FacebookSend{QueuePath: "/contacts/c1", From: "page", Message: "Hello Facebook!"}

// The README's client (omni.NewClient, never closed) left its CometD
// goroutines retrying after the test; NewClient's is closed at cleanup,
// before the server.
func TestNewClientLeavesNothingBehind(t *testing.T) {
	t.Run("test", func(t *testing.T) {
		srv := NewServer(t, WithBasicAuth("u", "p"), WithCSRF(), WithMessengerAPIKey("k"))
		c := srv.NewClient(t)
		ctx, cancel := context.WithTimeout(context.Background(), guard)
		defer cancel()
		ev, err := c.Facebook.SendAndWait(ctx, "01QQQG2MU214P06D", testPost)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Facebook.State != omni.StateSent || ev.ReferenceID != 1 {
			t.Fatalf("got %+v", ev)
		}
		if _, err := c.Messenger.SendSingle(ctx, omni.SingleMessage{From: "app", To: "user", Message: omni.TextMessage("hi")}); err != nil {
			t.Fatal(err)
		}
	})
	goleak.VerifyNone(t) // the subtest's cleanups have run
}

func TestNewClientFastRetries(t *testing.T) {
	srv := NewServer(t)
	c := srv.NewClient(t)
	srv.Inject(RouteVersion, Status(503).RetryAfter(0).Times(3))
	if _, err := c.ServerVersion(context.Background()); err != nil {
		t.Fatalf("Version after three 503s: %v", err)
	}
	srv.AssertFaultsConsumed(t)
	if n := len(srv.Requests()); n != 4 {
		t.Fatalf("%d requests, want 4", n)
	}
}

func TestNewClientOptionsOverride(t *testing.T) {
	srv := NewServer(t, WithBasicAuth("u", "p"))
	c := srv.NewClient(t, omni.WithBasicAuth("u", "wrong"), omni.WithRetry(omni.RetryPolicy{MaxAttempts: 1}))
	_, err := c.ServerVersion(context.Background())
	if !errors.Is(err, omni.ErrUnauthorized) {
		t.Fatalf("got %v, want ErrUnauthorized", err)
	}
	if r := srv.Requests(); len(r) != 1 || r[0].Header.Get("Authorization") == "" {
		t.Fatalf("requests %+v", r)
	}
	_ = http.MethodGet
}
