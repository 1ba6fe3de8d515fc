package omni_test

import (
	"errors"
	"testing"

	"github.com/omnisdk/omni"
)

// Pushes decode leniently per field, as notifications do, and a null in a
// results array is no entry (outside review: a numeric string groupId, id or
// permanent made the whole push of delivery reports a 400, good reports
// included, and a null reached the handler as an empty report or message).
func TestPushesDecodeLenientlyAndSkipNulls(t *testing.T) {
	reports, err := omni.DecodeDeliveryReports([]byte(`{"results":[null,
		{"messageId":"m1","to":"u","status":{"groupId":"3","groupName":"DELIVERED","id":"5","name":"DELIVERED_TO_HANDSET"},
		 "error":{"groupId":"0","groupName":"OK","id":"0","name":"NO_ERROR","permanent":"false"}},
		{"messageId":"m2","to":"u","status":{"groupId":2,"groupName":"UNDELIVERABLE","id":9,"name":"UNDELIVERABLE_NOT_DELIVERED"},
		 "error":{"groupId":1,"id":"25","name":"EC_ABSENT_SUBSCRIBER","permanent":"true"}}]}`))
	if err != nil {
		t.Fatalf("DecodeDeliveryReports: %v", err)
	}
	if len(reports) != 2 {
		t.Fatalf("%d reports, want the 2 that are not null: %+v", len(reports), reports)
	}
	if r := reports[0]; r.Status.GroupID != omni.GroupDelivered || r.Status.ID != 5 || r.Error == nil || r.Error.Permanent {
		t.Errorf("report 1: %+v / %+v", r.Status, r.Error)
	}
	if r := reports[1]; r.Status.GroupID != omni.StatusGroup(2) || r.Error == nil || r.Error.ID != 25 || !r.Error.Permanent {
		t.Errorf("report 2: %+v / %+v", r.Status, r.Error)
	}
	seen, err := omni.DecodeSeenReports([]byte(`{"results":[null,{"messageId":"m1","from":"u","to":"p"}]}`))
	if err != nil || len(seen) != 1 || seen[0].MessageID != "m1" {
		t.Errorf("DecodeSeenReports: %+v, %v", seen, err)
	}
	in, err := omni.DecodeInbound([]byte(`{"results":[null,{"from":"u","to":"p","messageId":"i1","message":{"type":"TEXT","text":"hi"}}],"messageCount":1}`))
	if err != nil || len(in.Results) != 1 || in.Results[0].MessageID != "i1" {
		t.Errorf("DecodeInbound: %+v, %v", in, err)
	}
}

// A number where a string is expected (a phone number or an id sent
// unquoted) is read as its literal, in pushes and in send answers (third
// outside review: a numeric sender made the whole inbound push a 400, which
// Infobip would redeliver for ever, and a numeric "to" made an accepted
// send a *DecodeError).
func TestNumbersWhereStringsAreExpected(t *testing.T) {
	in, err := omni.DecodeInbound([]byte(`{"results":[{"sender":15105551234,"to":"page","messageId":"i1","message":{"type":"TEXT","text":"hi"}}]}`))
	if err != nil || len(in.Results) != 1 || in.Results[0].Sender != "15105551234" {
		t.Errorf("DecodeInbound: %+v, %v", in, err)
	}
	reports, err := omni.DecodeDeliveryReports([]byte(`{"results":[{"messageId":"m1","to":15105551234,"bulkId":2034072219640523072,"status":{"groupId":3,"groupName":"DELIVERED","id":5,"name":"DELIVERED_TO_HANDSET","description":42}}]}`))
	if err != nil || len(reports) != 1 || reports[0].To != "15105551234" || reports[0].BulkID != "2034072219640523072" || reports[0].Status.Description != "42" {
		t.Errorf("DecodeDeliveryReports: %+v, %v", reports, err)
	}
}

// A push body without a "results" array is not a push of its kind: a 400,
// so the service delivers it again, not a 200 for nothing (fifth outside
// review: {"result":[...]} was zero reports and no error). An empty array is
// an empty push.
func TestPushWithoutResultsIsRefused(t *testing.T) {
	var we *omni.WebhookError
	if _, err := omni.DecodeDeliveryReports([]byte(`{"result":[{"messageId":"m1"}]}`)); !errors.As(err, &we) || we.Status != 400 {
		t.Errorf("DecodeDeliveryReports without results: %v", err)
	}
	if _, err := omni.DecodeSeenReports([]byte(`{}`)); !errors.As(err, &we) {
		t.Errorf("DecodeSeenReports without results: %v", err)
	}
	if _, err := omni.DecodeInbound([]byte(`{"messageCount":1}`)); !errors.As(err, &we) {
		t.Errorf("DecodeInbound without results: %v", err)
	}
	if r, err := omni.DecodeDeliveryReports([]byte(`{"results":[]}`)); err != nil || len(r) != 0 {
		t.Errorf("an empty push: %v, %v", r, err)
	}
}
