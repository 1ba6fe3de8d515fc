package omni_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"

	"github.com/omnisdk/omni"
)

// A responder registered with a read's URL as the documents and the doc
// comments write it (subresources=*, fields=*, fields=id,state) matches the
// SDK's request: '*' and ',' go out as they are, not percent-encoded
// (outside review: Snapshot, Channels and List found no responder, and
// Watch could not start, against mocks of the documented URLs).
func TestHTTPMockMatchesTheDocumentedReadURLs(t *testing.T) {
	hc := &http.Client{}
	httpmock.ActivateNonDefault(hc)
	t.Cleanup(httpmock.DeactivateAndReset)
	base := "https://gws.example.com/api/v2"
	httpmock.RegisterResponder(http.MethodGet, base+"/me?subresources=*",
		httpmock.NewStringResponder(200, `{"statusCode":0,"user":{"userName":"agent1","channels":[]}}`))
	httpmock.RegisterResponder(http.MethodGet, base+"/me/channels?fields=*",
		httpmock.NewStringResponder(200, `{"statusCode":0,"channels":[]}`))
	httpmock.RegisterResponder(http.MethodGet, base+"/me/facebooksessions?fields=id,state&limit=5",
		httpmock.NewStringResponder(200, `{"statusCode":0,"facebooksessions":[{"id":"S1","state":"Chatting"}]}`))

	c, err := omni.NewClient(base, omni.WithBasicAuth("agent1", "secret"), omni.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.Agent.Snapshot(ctx); err != nil {
		t.Errorf("Snapshot: %v", err)
	}
	if _, err := c.Agent.Channels(ctx); err != nil {
		t.Errorf("Channels: %v", err)
	}
	if page, err := c.FacebookSessions.List(ctx, &omni.ListOptions{Fields: []string{"id", "state"}, Limit: 5}); err != nil || len(page.Items) != 1 {
		t.Errorf("List = %+v, %v", page, err)
	}
}
