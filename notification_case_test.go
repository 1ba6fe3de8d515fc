package omni_test

import (
	"context"
	"errors"
	"testing"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/omnitest"
)

// A notificationType in another case than the documents' ("error") is read
// as the listed type: SendAndWait reports the failure (outside review: it
// returned the notification as a success), and the header compares equal
// to the constant.
func TestNotificationTypeIsReadWhateverItsCase(t *testing.T) {
	srv, c := simClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), guardTimeout)
	defer cancel()
	err := srv.Script(omnitest.RouteFacebookSend, omnitest.Notify("lower-case error", func(s omnitest.Send) []omnitest.Notice {
		return []omnitest.Notice{{Channel: omni.ChannelFacebook, Data: map[string]any{
			"messageType": "FacebookStateChangeMessage", "notificationType": "error", "referenceId": s.ReferenceID,
			"errorMessage": "page gone", "facebook": map[string]any{"id": s.ID, "state": "Composing"}}}}
	}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Facebook.SendAndWait(ctx, "item", omni.FacebookSend{QueuePath: "/q", From: "page", Message: "hi"})
	var oe *omni.OperationError
	if !errors.As(err, &oe) || oe.Message != "page gone" {
		t.Fatalf("SendAndWait: %v, want the *OperationError of the lower-case Error notification", err)
	}
	if h := oe.Notification.Header(); h.NotificationType != omni.NotificationError {
		t.Errorf("NotificationType = %q, want %q", h.NotificationType, omni.NotificationError)
	}
}
