package omni

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestCSRFGateWaitIsBounded: a GWS request whose answer never comes (a
// server that hangs, a caller without a deadline) must not hold the token
// fetch, and with it every GWS request of the client, for as long as it
// hangs: after quiesceMax the token is fetched anyway. Without the bound
// the send below waited for the hung read until its own deadline.
func TestCSRFGateWaitIsBounded(t *testing.T) {
	defer func(d time.Duration) { quiesceMax = d }(quiesceMax)
	quiesceMax = 50 * time.Millisecond
	hung := make(chan struct{})
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/me"):
			w.Header().Set("X-CSRF-HEADER", "X-CSRF-TOKEN")
			w.Header().Set("X-CSRF-TOKEN", "fresh")
			io.WriteString(w, `{"statusCode":0}`)
		case r.Method == http.MethodGet:
			close(hung)
			select {
			case <-release:
			case <-r.Context().Done():
			}
		case r.Header.Get("X-CSRF-TOKEN") != "fresh":
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"statusCode":3,"statusMessage":"Missing or invalid Csrf token"}`)
		default:
			io.WriteString(w, `{"statusCode":0,"referenceId":1}`)
		}
	}))
	defer srv.Close()
	defer close(release)
	c, err := NewClient(srv.URL+"/api/v2", WithBasicAuth("u", "p"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	readCtx, stopRead := context.WithCancel(context.Background())
	defer stopRead()
	go func() { _, _ = c.ServerVersion(readCtx) }() // hangs until the test ends
	<-hung
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.Facebook.Send(ctx, "X", FacebookSend{QueuePath: "/q", From: "me", Message: "m"}); err != nil {
		t.Errorf("send while another request hangs: %v", err)
	}
}
