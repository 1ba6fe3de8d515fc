package omni_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/omnitest"
	"go.uber.org/goleak"
)

// README:begin
func TestPostOutcomes(t *testing.T) {
	srv := omnitest.NewServer(t)
	c := srv.NewClient(t) // test-speed retries; closed before the server when the test ends
	ctx := context.Background()
	post := omni.FacebookSend{QueuePath: "/contacts/c1", From: "page", Message: "Hello"}

	// A scripted outcome: GWS accepts the post, then reports that it failed.
	srv.Script(omnitest.RouteFacebookSend, omnitest.Failed("Page not found"))
	_, err := c.Facebook.SendAndWait(ctx, "01QQQG2MU214P06D", post)
	var failed *omni.OperationError // carries the Error notification
	if !errors.As(err, &failed) || failed.Message != "Page not found" {
		t.Fatalf("got %v", err)
	}

	// A message-level fault: the next notification is lost (websocket or long-polling).
	srv.InjectMessage(omnitest.ChannelFacebook, omnitest.DropMessage())
	wctx, cancel := context.WithTimeout(ctx, 250*time.Millisecond)
	defer cancel()
	_, err = c.Facebook.SendAndWait(wctx, "01QQQG2MU214P06D", post)
	var lost *omni.WaitError // the post was sent; its outcome never came
	if !errors.As(err, &lost) {
		t.Fatalf("got %v", err)
	}

	// The journal: each request with its answer and the notifications it caused.
	r, err := srv.WaitRequest(ctx, omnitest.ByReferenceID(lost.ReferenceID))
	if err != nil || r.Status != 200 || r.Notifications[0].Delivered != 0 {
		t.Fatalf("journal: %+v, %v", r, err)
	}
	if sent := srv.Requests(omnitest.ByRoute(omnitest.RouteFacebookSend)); len(sent) != 2 {
		t.Fatalf("%d sends", len(sent))
	}
}

// README:end

// The README shows TestPostOutcomes as it is above, and it leaves nothing
// running: the client NewClient made is closed before the server.
func TestReadmeTestingSnippet(t *testing.T) {
	src, err := os.ReadFile("readme_testing_test.go")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, _ := strings.Cut(string(src), "// README:begin\n")
	snippet, _, _ := strings.Cut(after, "\n// README:end")
	if !strings.Contains(string(readme), "```go\n"+strings.TrimSpace(snippet)+"\n```") {
		t.Fatalf("README.md's \"Testing your code\" does not show TestPostOutcomes as readme_testing_test.go has it:\n%s", snippet)
	}
	before := goleak.IgnoreCurrent() // what other tests left closing, not this one's
	t.Run("TestPostOutcomes", TestPostOutcomes)
	goleak.VerifyNone(t, before)
}
