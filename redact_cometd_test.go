package omni_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/cometd"
)

// A Bayeux server that repeats the password or the Basic token in a reply's
// error text ("403::bad credentials ..."): the errors Subscribe returns and
// the log records (Debug included) show [redacted] in their place (fifth
// outside review of this session: the CometD path kept them verbatim, while
// REST errors from the same server were redacted).
func TestCometDErrorTextDoesNotRepeatEchoedCredentials(t *testing.T) {
	const pass = "LogPassw0rdSecretX"
	token := base64.StdEncoding.EncodeToString([]byte("agent1:" + pass))
	for name, refuse := range map[string]string{
		"handshake": cometd.ChannelHandshake,
		"subscribe": cometd.ChannelSubscribe,
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var in []map[string]any
				body, _ := io.ReadAll(r.Body)
				if json.Unmarshal(body, &in) != nil {
					w.WriteHeader(http.StatusBadRequest)
					return
				}
				var out []map[string]any
				for _, m := range in {
					ch, _ := m["channel"].(string)
					rep := map[string]any{"channel": ch, "id": m["id"], "clientId": "c1", "successful": true}
					switch {
					case ch == refuse:
						rep["successful"] = false
						rep["error"] = fmt.Sprintf("403:%s:bad credentials %s %s", ch, pass, r.Header.Get("Authorization"))
						rep["advice"] = map[string]any{"reconnect": "none"}
					case ch == cometd.ChannelHandshake:
						rep["version"], rep["supportedConnectionTypes"] = "1.0", []string{"long-polling"}
					case ch == cometd.ChannelSubscribe:
						rep["subscription"] = m["subscription"]
					case ch == cometd.ChannelConnect:
						time.Sleep(50 * time.Millisecond)
						rep["advice"] = map[string]any{"reconnect": "retry", "interval": 0, "timeout": 100}
					}
					out = append(out, rep)
				}
				w.Header().Set("Content-Type", "application/json")
				json.NewEncoder(w).Encode(out)
			}))
			defer srv.Close()
			var logs syncBuffer
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			c, err := omni.NewClient(srv.URL+"/api/v2", omni.WithBasicAuth("agent1", pass), omni.WithLogger(logger),
				omni.WithCometDOptions(cometd.WithTransports(cometd.LongPolling)))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_, err = c.Subscribe(ctx, omni.OnFacebook(func(*omni.FacebookStateChange) {}))
			hide := strings.NewReplacer(pass, "<the password>", token, "<the token>").Replace
			if err == nil || !strings.Contains(err.Error(), "bad credentials [redacted]") {
				t.Fatalf("Subscribe = %s; want the refusal with the credentials redacted", hide(fmt.Sprint(err)))
			}
			c.Close()
			shown := err.Error() + fmt.Sprintf("%+v %#v", err, err) + logs.String()
			for what, s := range map[string]string{"password": pass, "Basic token": token} {
				if strings.Contains(shown, s) {
					t.Errorf("the %s shows in the error or the logs", what)
				}
			}
		})
	}
}
