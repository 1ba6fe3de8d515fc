package omni_test

import (
	"context"
	"testing"

	"github.com/omnisdk/omni"
)

func TestFacebookSessionOperationsWire(t *testing.T) {
	type opFunc func(c *omni.Client) (*omni.OperationResult, error)
	ctx := context.Background()
	id := "0000Na9B26EF002X"
	tests := []struct {
		name string
		op   opFunc
		body string
	}{
		{"Accept", func(c *omni.Client) (*omni.OperationResult, error) {
			return c.FacebookSessions.Accept(ctx, id, "Marat")
		},
			`{"operationName":"Accept","nickname":"Marat"}`},
		{"SendMessage", func(c *omni.Client) (*omni.OperationResult, error) {
			return c.FacebookSessions.SendMessage(ctx, id, "Hello")
		},
			`{"operationName":"SendMessage","text":"Hello"}`},
		{"SendToAgents", func(c *omni.Client) (*omni.OperationResult, error) {
			return c.FacebookSessions.SendToAgents(ctx, id, "psst")
		},
			`{"operationName":"SendToAgents","text":"psst"}`},
		{"Transfer", func(c *omni.Client) (*omni.OperationResult, error) {
			return c.FacebookSessions.Transfer(ctx, id, "/api/v2/queues/q1")
		}, `{"operationName":"Transfer","targetPath":"/api/v2/queues/q1"}`},
		{"Complete", func(c *omni.Client) (*omni.OperationResult, error) { return c.FacebookSessions.Complete(ctx, id) },
			`{"operationName":"Complete"}`},
		{"Leave", func(c *omni.Client) (*omni.OperationResult, error) { return c.FacebookSessions.Leave(ctx, id) },
			`{"operationName":"Leave"}`},
		{"SendStartTyping", func(c *omni.Client) (*omni.OperationResult, error) {
			return c.FacebookSessions.SendStartTyping(ctx, id)
		},
			`{"operationName":"SendStartTypingNotification"}`},
		{"SendStopTyping", func(c *omni.Client) (*omni.OperationResult, error) { return c.FacebookSessions.SendStopTyping(ctx, id) },
			`{"operationName":"SendStopTypingNotification"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFakeServer(t, reply(200, `{"statusCode":0,"referenceId":17}`))
			res, err := tt.op(newGWS(t, fs))
			if err != nil || res.ReferenceID != 17 {
				t.Fatalf("%+v, %v", res, err)
			}
			r := fs.requests()[0]
			if r.Method != "POST" || r.RequestURI != "/api/v2/me/facebooksessions/"+id {
				t.Errorf("request line %s %s", r.Method, r.RequestURI)
			}
			if string(r.Body) != tt.body {
				t.Errorf("body %s, want %s", r.Body, tt.body)
			}
		})
	}
}

func TestFacebookSessionValidationAndPath(t *testing.T) {
	fs := newFakeServer(t, reply(200, `{"statusCode":0,"referenceId":1}`))
	c := newGWS(t, fs, omni.WithFacebookSessionPath("me/facebooksession"))
	_, err := c.FacebookSessions.SendMessage(context.Background(), "", "")
	if err == nil || err.Error() != "omni: invalid request: id: must not be empty; text: must not be empty" {
		t.Errorf("err = %v", err)
	}
	if len(fs.requests()) != 0 {
		t.Fatal("invalid operation was sent")
	}
	if _, err := c.FacebookSessions.Complete(context.Background(), "S1"); err != nil {
		t.Fatal(err)
	}
	if got := fs.requests()[0].RequestURI; got != "/api/v2/me/facebooksession/S1" {
		t.Errorf("URI = %s", got)
	}
}
