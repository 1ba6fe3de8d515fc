package omni_test

import (
	"context"
	"net/http"
	"strings"
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

// As the README says: a read no responder matches fails as a network error
// does, retried by default; with MaxAttempts 1 it fails after one request.
func TestHTTPMockMissingResponderWithoutRetries(t *testing.T) {
	hc := &http.Client{}
	httpmock.ActivateNonDefault(hc)
	t.Cleanup(httpmock.DeactivateAndReset)
	c, err := omni.NewClient("https://gws.example.com/api/v2", omni.WithBasicAuth("agent1", "secret"),
		omni.WithHTTPClient(hc), omni.WithRetry(omni.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Agent.Snapshot(context.Background())
	if err == nil || !strings.Contains(err.Error(), "no responder found") || !strings.Contains(err.Error(), "(after 1 attempt(s))") {
		t.Fatalf("Snapshot = %v, want httpmock's no responder error after one request", err)
	}
}
