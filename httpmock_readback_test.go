package omni_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"

	"github.com/omnisdk/omni"
)

// TestReadBackWithHTTPMock mocks the read calls at the transport level and
// checks the raw query the SDK put on the wire.
func TestReadBackWithHTTPMock(t *testing.T) {
	hc := &http.Client{}
	httpmock.ActivateNonDefault(hc)
	t.Cleanup(httpmock.DeactivateAndReset)

	var queries []string
	record := func(body string) httpmock.Responder {
		return func(req *http.Request) (*http.Response, error) {
			queries = append(queries, req.URL.RawQuery)
			return httpmock.NewStringResponse(200, body), nil
		}
	}
	httpmock.RegisterResponder(http.MethodGet, "https://xyz.api.infobip.com/facebook/1/logs",
		record(`{"results":[{"messageId":"m1","status":{"groupId":3,"groupName":"DELIVERED","id":5,"name":"DELIVERED_TO_HANDSET"}}]}`))
	httpmock.RegisterResponder(http.MethodGet, "https://gws.example.com/api/v2/me/facebooksessions",
		record(`{"statusCode":0,"facebooksessions":[{"id":"S1","state":"Chatting"}]}`))

	c, err := omni.NewClient("https://gws.example.com/api/v2", omni.WithBasicAuth("agent1", "secret"),
		omni.WithMessenger("https://xyz.api.infobip.com", omni.AppKey("key")), omni.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	logs, err := c.Messenger.Logs(ctx, &omni.LogsOptions{MessageIDs: []string{"m1", "m2"}, GeneralStatus: omni.GroupDelivered})
	if err != nil || len(logs) != 1 || logs[0].Status.GroupID != omni.GroupDelivered {
		t.Fatalf("Logs = %+v, %v", logs, err)
	}
	page, err := c.FacebookSessions.List(ctx, &omni.ListOptions{Fields: []string{"id", "state"}, Limit: 2})
	if err != nil || len(page.Items) != 1 || page.Items[0].State != omni.StateChatting {
		t.Fatalf("List = %+v, %v", page, err)
	}
	want := []string{"generalStatus=DELIVERED&messageId=m1&messageId=m2", "fields=id,state&limit=2"}
	if len(queries) != 2 || queries[0] != want[0] || queries[1] != want[1] {
		t.Errorf("queries %q, want %q", queries, want)
	}
}
