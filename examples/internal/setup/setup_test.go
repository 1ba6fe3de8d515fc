package setup_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/examples/internal/setup"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestMessengerURLIsKeptWithoutBaseURL: OMNI_MESSENGER_URL set and
// OMNI_BASE_URL unset: GWS is the simulator, Messenger the named server,
// as the examples' docs say.
func TestMessengerURLIsKeptWithoutBaseURL(t *testing.T) {
	var hits atomic.Int32
	real := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"messages":[{"to":"u","messageCount":1,"messageId":"real-1","status":{"groupId":1}}]}`)
	}))
	defer real.Close()
	t.Setenv("OMNI_BASE_URL", "")
	t.Setenv("OMNI_MESSENGER_URL", real.URL)
	env, err := setup.New()
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	if env.Simulator == nil {
		t.Fatal("no simulator for GWS")
	}
	_, _ = env.Client.Messenger.SendSingle(context.Background(),
		omni.SingleMessage{From: env.AppKey, To: env.UserKey, Message: omni.TextMessage("hi")})
	if hits.Load() != 1 {
		t.Errorf("the OMNI_MESSENGER_URL server got %d requests, want 1 (replaced by the simulator's)", hits.Load())
	}
}
