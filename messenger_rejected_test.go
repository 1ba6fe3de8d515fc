package omni_test

import (
	"context"
	"encoding/json"
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

// Send answers decode with the leniency of reports when a number comes as a
// string (second outside review: a REJECTED status with "groupId":"5" was a
// *DecodeError, "may have been carried out", and a PENDING answer with
// "messageCount":"1" read as uncertain); a status REJECTED by name only is
// rejected too.
func TestSendAnswersDecodeLeniently(t *testing.T) {
	hc := &http.Client{}
	httpmock.ActivateNonDefault(hc)
	t.Cleanup(httpmock.DeactivateAndReset)
	c, err := omni.NewClient("", omni.WithMessenger("https://xyz.api.infobip.com", omni.AppKey("key")), omni.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	answer := func(body string) (*omni.SentMessage, error) {
		httpmock.RegisterResponder(http.MethodPost, "https://xyz.api.infobip.com/facebook/1/single", httpmock.NewStringResponder(200, body))
		return c.Messenger.SendSingle(context.Background(), single(omni.TextMessage("hi")))
	}
	if _, err := answer(`{"to":"u","messageCount":1,"messageId":"m1","status":{"groupId":"5","groupName":"REJECTED","id":"12","name":"REJECTED_SOURCE"}}`); !errors.Is(err, omni.ErrRejected) {
		t.Errorf("groupId \"5\": %v, want ErrRejected", err)
	}
	if _, err := answer(`{"to":"u","messageCount":1,"messageId":"m2","status":{"groupName":"REJECTED","name":"REJECTED_SOURCE"}}`); !errors.Is(err, omni.ErrRejected) {
		t.Errorf("groupName REJECTED without groupId: %v, want ErrRejected", err)
	}
	out, err := answer(`{"to":"u","messageCount":"1","messageId":"m3","status":{"groupId":1.0,"groupName":"PENDING","id":"7","name":"PENDING_ENROUTE"}}`)
	if err != nil || out.MessageCount != 1 || out.Status.GroupID != omni.GroupPending || out.Status.ID != 7 {
		t.Errorf("numbers as strings and floats: %+v, %v", out, err)
	}
	if _, err := answer(`{"to":"u","messageId":{"not":"a string"}}`); err == nil {
		t.Error("a messageId that is an object: no error")
	}
	httpmock.RegisterResponder(http.MethodPost, "https://xyz.api.infobip.com/messenger/1/messages", httpmock.NewStringResponder(200,
		`{"bulkId":"b","messages":[{"messageId":"d1","status":{"groupId":"1","groupName":"PENDING","id":"26","name":"PENDING_ACCEPTED"},"destination":"u"}]}`))
	resp, err := c.Messenger.SendMessages(context.Background(), omni.MessagesRequest{Messages: []omni.MessengerMessage{{Sender: "p",
		Destinations: []omni.Destination{{To: "u", MessageID: "d1"}}, Content: omni.TextContent{Text: "hi"}}}})
	if err != nil || len(resp.Messages) != 1 || resp.Messages[0].Status.ID != 26 {
		t.Errorf("SendMessages with numbers as strings: %+v, %v", resp, err)
	}
}

// SendMessages' statuses that name their group by groupName only read as
// that group (third outside review: REJECTED by name read as GroupID 0).
func TestSendMessagesNormalizesStatusGroups(t *testing.T) {
	hc := &http.Client{}
	httpmock.ActivateNonDefault(hc)
	t.Cleanup(httpmock.DeactivateAndReset)
	c, err := omni.NewClient("", omni.WithMessenger("https://xyz.api.infobip.com", omni.AppKey("key")), omni.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	httpmock.RegisterResponder(http.MethodPost, "https://xyz.api.infobip.com/messenger/1/messages", httpmock.NewStringResponder(200,
		`{"bulkId":"b","messages":[{"messageId":"d1","status":{"groupName":"REJECTED","name":"REJECTED_SOURCE"},"destination":"u"}]}`))
	resp, err := c.Messenger.SendMessages(context.Background(), omni.MessagesRequest{Messages: []omni.MessengerMessage{{Sender: "p",
		Destinations: []omni.Destination{{To: "u", MessageID: "d1"}}, Content: omni.TextContent{Text: "hi"}}}})
	if err != nil || resp.Messages[0].Status.GroupID != omni.GroupRejected {
		t.Errorf("SendMessages: %+v, %v; want GroupID REJECTED", resp, err)
	}
}

// A template button of a type the SDK does not model (the Messages API
// documents CALL) passes as RawContent, held to the service's rules (third
// outside review: it was refused, with no other way to send it).
func TestRawContentTakesUnmodelledButtons(t *testing.T) {
	raw := `{"type":"TEMPLATE","payload":{"type":"BUTTON","text":"Call us","buttons":[{"type":"CALL","title":"Call","payload":"+15105551234"}]}}`
	err := omni.MessagesRequest{Messages: []omni.MessengerMessage{{Sender: "p", Destinations: []omni.Destination{{To: "u"}},
		Content: omni.RawContent{Raw: json.RawMessage(raw)}}}}.Validate()
	if err != nil {
		t.Errorf("a CALL button: %v", err)
	}
}

// A send answer with a number where a string is expected is decoded, not a
// *DecodeError (third outside review).
func TestSendAnswersTakeNumbersForStrings(t *testing.T) {
	hc := &http.Client{}
	httpmock.ActivateNonDefault(hc)
	t.Cleanup(httpmock.DeactivateAndReset)
	c, err := omni.NewClient("", omni.WithMessenger("https://xyz.api.infobip.com", omni.AppKey("key")), omni.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	httpmock.RegisterResponder(http.MethodPost, "https://xyz.api.infobip.com/facebook/1/single", httpmock.NewStringResponder(200,
		`{"to":15105551234,"messageCount":1,"messageId":"m1","status":{"groupId":1,"groupName":"PENDING","id":7,"name":"PENDING_ENROUTE","description":7}}`))
	if out, err := c.Messenger.SendSingle(context.Background(), single(omni.TextMessage("hi"))); err != nil || out.To != "15105551234" {
		t.Errorf("SendSingle: %+v, %v", out, err)
	}
	httpmock.RegisterResponder(http.MethodPost, "https://xyz.api.infobip.com/messenger/1/messages", httpmock.NewStringResponder(200,
		`{"bulkId":2034072219640523072,"messages":[{"messageId":"d1","status":{"groupId":1,"groupName":"PENDING","id":26,"name":"PENDING_ACCEPTED"},"destination":15105551234}]}`))
	resp, err := c.Messenger.SendMessages(context.Background(), omni.MessagesRequest{Messages: []omni.MessengerMessage{{Sender: "p",
		Destinations: []omni.Destination{{To: "15105551234", MessageID: "d1"}}, Content: omni.TextContent{Text: "hi"}}}})
	if err != nil || resp.BulkID != "2034072219640523072" || resp.Messages[0].Destination != "15105551234" {
		t.Errorf("SendMessages: %+v, %v", resp, err)
	}
}
