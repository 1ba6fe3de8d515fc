package omni_test

import (
	"context"
	"strings"
	"testing"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/omnitest"
)

// What the documents do not require is not required, and what a request
// leaves empty is not sent as "" (outside review): Accept without a
// nickname goes through and sends none; Save with a message only sends no
// "from", which would blank the draft's.
func TestOptionalFieldsStayOptional(t *testing.T) {
	srv, c := simClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), guardTimeout)
	defer cancel()
	if _, err := c.FacebookSessions.Accept(ctx, "S1", ""); err != nil {
		t.Fatalf("Accept without a nickname: %v", err)
	}
	n, err := c.Await(ctx, omni.Expect{Channel: omni.ChannelFacebook}, func(ctx context.Context) (omni.Accepted, error) {
		return c.Facebook.Create(ctx, omni.FacebookCreate{QueuePath: "/queues/out"})
	})
	if err != nil {
		t.Fatal(err)
	}
	draft := n.(*omni.FacebookStateChange).Facebook.ID
	if _, err := c.Facebook.Save(ctx, draft, omni.FacebookSave{Message: "draft text"}); err != nil {
		t.Fatalf("Save: %v", err)
	}
	bodies := map[omnitest.Route]string{}
	for _, r := range srv.Requests() {
		if r.Method == "POST" {
			bodies[r.Route] = string(r.Body) // the last of each route
		}
	}
	if b := bodies[omnitest.RouteFacebookSession]; b != `{"operationName":"Accept"}` {
		t.Errorf("Accept body %s", b)
	}
	if b := bodies[omnitest.RouteFacebookSend]; strings.Contains(b, `"from"`) || !strings.Contains(b, `"facebook":{"message":"draft text"}`) {
		t.Errorf("Save body %s", b)
	}
}
