package omni_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"

	"github.com/omnisdk/omni"
)

// TestMockingWithHTTPMock shows how users mock the SDK at the transport
// level: give NewClient an *http.Client and activate httpmock on it.
func TestMockingWithHTTPMock(t *testing.T) {
	hc := &http.Client{}
	httpmock.ActivateNonDefault(hc)
	t.Cleanup(httpmock.DeactivateAndReset)

	httpmock.RegisterResponder(http.MethodPost, "https://gws.example.com/api/v2/me/facebook/01QQQG2MU214P06D",
		httpmock.NewStringResponder(200, `{"statusCode":0,"referenceId":57}`))
	httpmock.RegisterResponder(http.MethodPost, "https://xyz.api.infobip.com/facebook/1/single",
		httpmock.NewStringResponder(401, `{"requestError":{"serviceException":{"messageId":"UNAUTHORIZED","text":"Invalid login details"}}}`))

	c, err := omni.NewClient("https://gws.example.com/api/v2",
		omni.WithBasicAuth("agent1", "secret"),
		omni.WithMessenger("https://xyz.api.infobip.com", omni.AppKey("key")),
		omni.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Facebook.Send(context.Background(), "01QQQG2MU214P06D", seedFacebook)
	if err != nil || res.ReferenceID != 57 {
		t.Fatalf("Send = %+v, %v", res, err)
	}
	_, err = c.Messenger.SendSingle(context.Background(), single(omni.TextMessage("hi")))
	if !errors.Is(err, omni.ErrUnauthorized) {
		t.Fatalf("SendSingle err = %v, want ErrUnauthorized", err)
	}
	if n := httpmock.GetTotalCallCount(); n != 2 {
		t.Errorf("%d calls, want 2", n)
	}
}
