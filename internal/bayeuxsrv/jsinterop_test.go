package bayeuxsrv

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestOfficialJSClient runs the CometD JavaScript client (interop/peers,
// installed by `make peers`) against the server over both transports. It is
// skipped when node or the peers are not installed, unless CI=true or
// OMNI_INTEROP=1, where that is a failure.
func TestOfficialJSClient(t *testing.T) {
	missing := t.Skipf
	if os.Getenv("CI") == "true" || os.Getenv("OMNI_INTEROP") == "1" {
		missing = t.Fatalf
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node not installed (required when CI=true or OMNI_INTEROP=1): %v", err)
	}
	peers, _ := filepath.Abs("../../interop/peers")
	if _, err := os.Stat(filepath.Join(peers, "node_modules", "cometd")); err != nil {
		missing("interop peers not installed, run `make peers`: %v", err)
	}
	for _, transport := range []string{LongPolling, WebSocket, ""} {
		name := transport
		if name == "" {
			name = "auto"
		}
		t.Run(name, func(t *testing.T) {
			env := newEnv(t, Options{Timeout: 2 * time.Second})
			const count = 50
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, node, filepath.Join(peers, "js-client.js"),
				"--url", env.hs.URL+"/cometd", "--channel", "/js/*", "--count", strconv.Itoa(count),
				"--unsubscribe", "--disconnect", "--timeout", "30000")
			if transport != "" {
				cmd.Args = append(cmd.Args, "--transport", transport)
			}
			cmd.Dir = peers
			cmd.Stderr = os.Stderr
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			events := map[string]map[string]any{}
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				var ev map[string]any
				if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
					t.Fatalf("line %q: %v", sc.Text(), err)
				}
				name, _ := ev["event"].(string)
				events[name] = ev
				if name == "subscribed" {
					for i := range count {
						env.srv.Publish("/js/"+strconv.Itoa(i%3), map[string]any{"seq": i})
					}
				}
			}
			if err := cmd.Wait(); err != nil {
				t.Fatalf("js client: %v; events %v", err, events)
			}
			want := transport
			if want == "" {
				want = WebSocket // the JS client prefers websocket
			}
			if tr := events["handshake"]["transport"]; tr != want {
				t.Errorf("transport %v", tr)
			}
			done := events["done"]
			if done["received"] != float64(count) || done["inOrder"] != true || done["duplicates"] != 0.0 || done["missing"] != 0.0 {
				t.Errorf("done %v", done)
			}
			if events["unsubscribed"]["successful"] != true || events["disconnected"]["successful"] != true {
				t.Errorf("events %v", events)
			}
			waitFor(t, "sessions to end", func() bool { return env.srv.SessionCount() == 0 })
		})
	}
}
