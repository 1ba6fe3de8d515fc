package omni_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/omnitest"
)

// The documents' Twitter Send sample (seed 003) posts to
// /me/tweets/01QQQG2MU214P06D and is answered by a StatusChange with the
// same referenceId about Tweet 010QQG2MU214P06D: a send's state change may
// name another id than the request's. SendAndWait takes it (it used to skip
// it as "about another interaction" and fail with a *WaitError), yet an
// Error about another interaction still does not end the wait.
func TestSendAndWaitTakesTheStateChangeOfTheSentItemUnderANewID(t *testing.T) {
	seedTweet := map[string]any{"capabilities": []string{}, "contactId": "00025aA4V4DR01M6", "from": "vitaliy_onv",
		"id": "010QQG2MU214P06D", "message": "Hello Twitter!", "state": "Sent", "subject": "Hello Twitter!",
		"twitterType": "Outbound", "uri": "http://192.168.83.25:8080/api/v2/tweet/010QQG2MU214P06D"}
	newPost := map[string]any{"capabilities": []string{}, "contactId": "00029aAGQP53000S", "facebookType": "Outbound",
		"id": "01QJV4TN9HUF4006", "message": "Hello Facebook!", "state": "Sent", "subject": "Hello Facebook!",
		"uri": "http://192.168.83.25:8090/api/v2/facebooks/01QJV4TN9HUF4006"}
	srv, c := simClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	if err := srv.Script(omnitest.RouteTwitterSend, omnitest.Notify("seed 003", func(s omnitest.Send) []omnitest.Notice {
		return []omnitest.Notice{
			omnitest.TwitterStateChange(s.ReferenceID, "Error", map[string]any{"id": "someone-elses", "state": "Sent"}),
			omnitest.TwitterStateChange(s.ReferenceID, "StatusChange", seedTweet),
		}
	})); err != nil {
		t.Fatal(err)
	}
	tw, err := c.Twitter.SendAndWait(ctx, "01QQQG2MU214P06D", omni.TwitterSend{QueuePath: "/contacts/60ebbb94-3cef-4b14-95f8-5c49dbeb355d",
		From: "vitaliy_onv", Message: "HelloTwitter!"})
	if err != nil {
		t.Fatalf("Twitter.SendAndWait: %v", err)
	}
	if tw.Tweet.ID != "010QQG2MU214P06D" || tw.Tweet.State != omni.StateSent || tw.NotificationType != "StatusChange" {
		t.Errorf("Twitter.SendAndWait = %+v; want seed 003's StatusChange", tw)
	}

	if err := srv.Script(omnitest.RouteFacebookSend, omnitest.Notify("new post id", func(s omnitest.Send) []omnitest.Notice {
		return []omnitest.Notice{omnitest.FacebookStateChange(s.ReferenceID, "StatusChange", newPost)}
	})); err != nil {
		t.Fatal(err)
	}
	fb, err := c.Facebook.SendAndWait(ctx, "01QQQG2MU214P06D", seedFacebook)
	if err != nil {
		t.Fatalf("Facebook.SendAndWait: %v", err)
	}
	if fb.Facebook.ID != "01QJV4TN9HUF4006" || fb.Facebook.State != omni.StateSent {
		raw, _ := json.Marshal(fb)
		t.Errorf("Facebook.SendAndWait = %s; want the new post's StatusChange", raw)
	}
}
