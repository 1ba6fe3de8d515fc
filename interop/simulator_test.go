package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/omnisdk/omni/omnitest"
)

// facebookSendBody is the request sample of the GWS Facebook Send operation
// (seed 000).
const facebookSendBody = `{
  "queuePath": "/contacts/60ebbb94-3cef-4b14-95f8-5c49dbeb355d",
  "facebook": {"message": "Hello Facebook!", "from": "vitaliy_onv"},
  "operationName": "Send"
}`

// TestJSClientAgainstSimulator holds the simulator's CometD endpoint against
// the official CometD JavaScript client: the client handshakes and subscribes
// to /v2/me/facebook, a Facebook Send made over plain HTTP produces a
// FacebookStateChangeMessage with the same referenceId, and the client then
// unsubscribes and disconnects cleanly. Both transports.
func TestJSClientAgainstSimulator(t *testing.T) {
	Node(t) // skip early, before starting the simulator, if Node.js is missing
	for _, tr := range []string{LongPolling, WebSocket} {
		t.Run(tr, func(t *testing.T) {
			t.Parallel()
			s := omnitest.NewServer(t, omnitest.WithCometDTimeout(2*time.Second))
			t.Logf("interop: simulator started at %s", s.URL())
			js := StartJSClient(t, JSClientOptions{URL: s.NotificationsURL(), Channel: "/v2/me/facebook", Count: 1,
				Transport: tr, Unsubscribe: true, Disconnect: true, Messages: true})
			if hs := js.WaitEvent("handshake", guard); hs.Transport != tr {
				t.Fatalf("js-client negotiated %q, want %q", hs.Transport, tr)
			}
			js.WaitEvent("subscribed", guard)

			refID := sendFacebook(t, s.URL()+"/me/facebook/01QQQG2MU214P06D")

			msg := js.WaitEvent("message", guard)
			if msg.Channel != "/v2/me/facebook" {
				t.Fatalf("message on %q, want /v2/me/facebook", msg.Channel)
			}
			var n struct {
				MessageType      string `json:"messageType"`
				NotificationType string `json:"notificationType"`
				ReferenceID      int64  `json:"referenceId"`
				Facebook         struct {
					State        string `json:"state"`
					FacebookType string `json:"facebookType"`
					Message      string `json:"message"`
				} `json:"facebook"`
			}
			if err := json.Unmarshal(msg.Data, &n); err != nil {
				t.Fatalf("notification data %s: %v", msg.Data, err)
			}
			if n.MessageType != "FacebookStateChangeMessage" || n.NotificationType != "StatusChange" ||
				n.ReferenceID != refID || n.Facebook.State != "Sent" || n.Facebook.FacebookType != "Outbound" {
				t.Fatalf("notification = %s, want a Sent/Outbound FacebookStateChangeMessage with referenceId %d", msg.Data, refID)
			}
			if done := js.WaitEvent("done", guard); done.Received != 1 {
				t.Fatalf("js-client received %d messages, want 1", done.Received)
			}
			if e := js.WaitEvent("unsubscribed", guard); e.Successful == nil || !*e.Successful {
				t.Fatalf("unsubscribe not successful: %+v", e)
			}
			if e := js.WaitEvent("disconnected", guard); e.Successful == nil || !*e.Successful {
				t.Fatalf("disconnect not successful: %+v", e)
			}
			js.Wait(guard)
			t.Logf("interop: js-client/%s received FacebookStateChangeMessage referenceId %d from the simulator", tr, refID)
		})
	}
}

// sendFacebook posts the seed's Facebook Send and returns its referenceId.
func sendFacebook(t testing.TB, url string) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader([]byte(facebookSendBody)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := controlClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	var r struct {
		StatusCode  *int  `json:"statusCode"`
		ReferenceID int64 `json:"referenceId"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &r) != nil || r.StatusCode == nil || *r.StatusCode != 0 {
		t.Fatalf("POST %s = %d %s, want 200 with statusCode 0", url, resp.StatusCode, body)
	}
	return r.ReferenceID
}
