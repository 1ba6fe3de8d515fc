package omni_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/omnitest"
)

// A failure notification whose errorMessage repeats the GWS password, the
// session cookie or the CSRF token the send carried: the *OperationError
// (and its string) shows [redacted] in their place, as an *APIError does
// (sixth outside review: all three were shown verbatim).
func TestOperationErrorDoesNotRepeatEchoedCredentials(t *testing.T) {
	const pw = "Sup3rSecretPassw0rd"
	var mu sync.Mutex
	var cookie, token string
	capture := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost {
				mu.Lock()
				if c, err := r.Cookie("JSESSIONID"); err == nil {
					cookie = c.Value
				}
				token = r.Header.Get("X-CSRF-TOKEN")
				mu.Unlock()
			}
			next.ServeHTTP(w, r)
		})
	}
	srv := omnitest.NewServer(t, omnitest.WithBasicAuth("agent1", pw), omnitest.WithCSRF(), omnitest.WithMiddleware(capture))
	c, err := omni.NewClient(srv.URL(), omni.WithBasicAuth("agent1", pw))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// A first send gets the session and the token; the second's failure
	// repeats them.
	if _, err := c.Facebook.SendAndWait(ctx, "01QQQG2MU214P06D", seedFacebook); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	echo := fmt.Sprintf("failed for agent1/%s cookie %s token %s", pw, cookie, token)
	secrets := map[string]string{"the password": pw, "the JSESSIONID": cookie, "the CSRF token": token}
	mu.Unlock()
	for name, s := range secrets {
		if len(s) < 8 {
			t.Fatalf("%s %q is too short for the test", name, s)
		}
	}
	// Twitter's failed TwitterOperationResponse carries errorMessage as a
	// typed field.
	if err := srv.Script(omnitest.RouteTwitterSend, omnitest.Notify("op failed", func(s omnitest.Send) []omnitest.Notice {
		return []omnitest.Notice{omnitest.TwitterOperationResponse(s.ReferenceID, false, echo)}
	})); err != nil {
		t.Fatal(err)
	}
	_, err = c.Twitter.SendAndWait(ctx, "010QQG2MU214P06D", omni.TwitterSend{QueuePath: "/q", From: "vitaliy_onv", Message: "Hello Twitter!"})
	var toe *omni.OperationError
	if !errors.As(err, &toe) {
		t.Fatalf("SendAndWait = a %T; want an *OperationError", err)
	}
	if r, ok := toe.Notification.(*omni.TwitterOperationResponse); !ok || !strings.Contains(r.ErrorMessage, "[redacted]") {
		t.Errorf("the notification is a %T whose errorMessage is not redacted", toe.Notification)
	}
	for name, s := range secrets {
		if strings.Contains(fmt.Sprintf("%+v %s", toe.Notification, toe.Notification.Header().Raw), s) {
			t.Errorf("the TwitterOperationResponse shows %s", name)
		}
	}
	for _, send := range []func() error{
		func() error { _, err := c.Facebook.SendAndWait(ctx, "01QQQG2MU214P06D", seedFacebook); return err },
		func() error {
			_, err := c.Twitter.SendAndWait(ctx, "010QQG2MU214P06D", omni.TwitterSend{QueuePath: "/q", From: "vitaliy_onv", Message: "Hello Twitter!"})
			return err
		},
	} {
		for _, route := range []omnitest.Route{omnitest.RouteFacebookSend, omnitest.RouteTwitterSend} {
			if err := srv.Script(route, omnitest.Failed(echo)); err != nil {
				t.Fatal(err)
			}
		}
		err := send()
		var oe *omni.OperationError
		if !errors.As(err, &oe) || !strings.Contains(oe.Message, "failed for agent1/[redacted]") {
			t.Fatalf("SendAndWait = a %T (message redacted: %v); want an *OperationError with the message redacted",
				err, oe != nil && strings.Contains(oe.Message, "[redacted]"))
		}
		// The notification it carries is scrubbed too (fifth outside
		// review of this session: its raw data and typed errorMessage
		// kept the credentials).
		shown := fmt.Sprint(err) + fmt.Sprintf("%+v %#v %+v", err, oe, oe.Notification) + oe.Message + string(oe.Notification.Header().Raw)
		for name, s := range secrets {
			if strings.Contains(shown, s) {
				t.Errorf("the *OperationError shows %s", name)
			}
		}
	}
}
