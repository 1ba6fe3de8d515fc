package omni_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"

	"github.com/omnisdk/omni"
)

// TestSendMessagesNeedsAnAnswer: as for SendSingle, a 2xx answer to
// SendMessages that says nothing (an empty body, {} or null, or a 204 with
// whatever body) is a *DecodeError, not a success with no results.
func TestSendMessagesNeedsAnAnswer(t *testing.T) {
	for _, b := range []string{"", "{}", " { } ", "null"} {
		fs := newFakeServer(t, reply(200, b))
		out, err := newMessenger(t, fs).Messenger.SendMessages(context.Background(), sampleMessages)
		var de *omni.DecodeError
		if !errors.As(err, &de) || string(de.Body) != b {
			t.Errorf("200 %q: SendMessages = %+v, %v; want a *DecodeError", b, out, err)
		}
	}
	hc := &http.Client{}
	httpmock.ActivateNonDefault(hc)
	t.Cleanup(httpmock.DeactivateAndReset)
	body := `{"messages":[{"messageId":"m1","status":{"groupId":1,"groupName":"PENDING","id":26,"name":"PENDING_ACCEPTED"},"destination":"u"}]}`
	httpmock.RegisterResponder(http.MethodPost, "https://x.api.infobip.com/messenger/1/messages",
		func(*http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: 204, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body))}, nil
		})
	c, err := omni.NewClient("", omni.WithMessenger("https://x.api.infobip.com", omni.AppKey("k")), omni.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.Messenger.SendMessages(context.Background(), sampleMessages)
	var de *omni.DecodeError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "204") {
		t.Errorf("204 with a body: SendMessages = %+v, %v; want a *DecodeError", out, err)
	}
}
