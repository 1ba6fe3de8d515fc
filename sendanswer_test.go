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

// TestSendMessagesNeedsAMessageID: a 2xx answer that names no message, or a
// message without a messageId, does not say the request was sent; it is a
// *DecodeError naming what it lacked, not a success with nothing to track.
func TestSendMessagesNeedsAMessageID(t *testing.T) {
	for body, want := range map[string]string{
		`{"foo":1}`:                    "response names no message",
		`{"bulkId":"b","messages":[]}`: "response names no message",
		`{"errorCode":"E400","description":"Bad request","action":"Check","violations":[],"resources":[]}`:              "response names no message",
		`{"bulkId":"b","messages":[{"messageId":"m1","destination":"u1"},{"status":{"groupId":1},"destination":"u2"}]}`: "response's messages[1] has no messageId",
		`{"bulkId":"b","messages":[{"messageId":"  ","destination":"u1"}]}`:                                             "response's messages[0] has no messageId",
	} {
		fs := newFakeServer(t, reply(200, body))
		out, err := newMessenger(t, fs).Messenger.SendMessages(context.Background(), sampleMessages)
		var de *omni.DecodeError
		if !errors.As(err, &de) || de.Err == nil || de.Err.Error() != want || string(de.Body) != body {
			t.Errorf("200 %s: SendMessages = %+v, %v; want a *DecodeError %q", body, out, err, want)
		}
		if n := len(fs.requests()); n != 1 {
			t.Errorf("200 %s: %d requests, want 1 (not retried)", body, n)
		}
	}
}

// TestSendBulkAnswerWithoutMessageIDLeavesDestinationsUnknown: when the
// answer to a chunk lists a message without its messageId, SendBulk cannot
// tell which destination was taken; every destination of that chunk is
// BulkUnknown (for ResumeBulk to look up), none is marked accepted.
func TestSendBulkAnswerWithoutMessageIDLeavesDestinationsUnknown(t *testing.T) {
	body := `{"bulkId":"b","messages":[{"status":{"groupId":1,"name":"PENDING"},"destination":"u1"}]}`
	fs := newFakeServer(t, reply(200, body))
	b, err := newMessenger(t, fs).Messenger.SendBulk(context.Background(), sampleMessages, nil)
	if err != nil {
		t.Fatalf("SendBulk: %v", err)
	}
	var de *omni.DecodeError
	for i, e := range b.Entries {
		if e.State != omni.BulkUnknown || !errors.As(e.Err, &de) || e.Requests != 1 {
			t.Errorf("entry %d = %+v; want BulkUnknown with a *DecodeError after 1 request", i, e)
		}
	}
	if len(b.Entries) == 0 || b.Done() {
		t.Fatalf("bulk has %d entries, Done=%v", len(b.Entries), b.Done())
	}
}
