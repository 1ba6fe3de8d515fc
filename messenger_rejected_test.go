package omni_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"

	"github.com/omnisdk/omni"
)

// A send answered 200 with a status of group REJECTED was not sent: it is a
// *RejectedError matching ErrRejected, with the answer in it (outside review:
// it was returned as a success); a PENDING answer is a success.
func TestSendSingleRejectedIsAnError(t *testing.T) {
	hc := &http.Client{}
	httpmock.ActivateNonDefault(hc)
	t.Cleanup(httpmock.DeactivateAndReset)
	c, err := omni.NewClient("", omni.WithMessenger("https://xyz.api.infobip.com", omni.AppKey("key")), omni.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	httpmock.RegisterResponder(http.MethodPost, "https://xyz.api.infobip.com/facebook/1/single",
		httpmock.NewStringResponder(200, `{"to":"user","messageCount":1,"messageId":"m-1",`+
			`"status":{"groupId":5,"groupName":"REJECTED","id":12,"name":"REJECTED_NOT_ENOUGH_CREDITS","description":"Not enough credits"}}`))
	out, err := c.Messenger.SendSingle(context.Background(), single(omni.TextMessage("hi")))
	var re *omni.RejectedError
	if out != nil || !errors.Is(err, omni.ErrRejected) || !errors.As(err, &re) || re.Sent.MessageID != "m-1" ||
		re.Sent.Status.Name != "REJECTED_NOT_ENOUGH_CREDITS" {
		t.Fatalf("SendSingle = %+v, %v; want a *RejectedError", out, err)
	}
	if want := "omni: message m-1 rejected: REJECTED_NOT_ENOUGH_CREDITS (Not enough credits)"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	httpmock.RegisterResponder(http.MethodPost, "https://xyz.api.infobip.com/facebook/1/single",
		httpmock.NewStringResponder(200, `{"to":"user","messageCount":1,"messageId":"m-2",`+
			`"status":{"groupId":1,"groupName":"PENDING","id":7,"name":"PENDING_ENROUTE","description":"Message sent to next instance"}}`))
	if out, err := c.Messenger.SendSingle(context.Background(), single(omni.TextMessage("hi"))); err != nil || out.MessageID != "m-2" {
		t.Fatalf("PENDING answer: %+v, %v", out, err)
	}
}
