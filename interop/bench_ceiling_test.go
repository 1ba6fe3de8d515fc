package interop

import (
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Simulator names the simulator's Bayeux server (internal/bayeuxsrv) run as
// its own process by bench/bayeuxserve: the server of the benchmark's
// ceiling rows, where the server is not the bottleneck and each reader's
// throughput and CPU per message are its own.
const Simulator = "simulator"

// startSimulator builds bench/bayeuxserve and runs it as a separate process
// on a free port; it is stopped when the test ends.
func startSimulator(t *testing.T, timeout time.Duration) *Peer {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bayeuxserve")
	build := exec.Command("go", "build", "-o", bin, "./bench/bayeuxserve")
	build.Dir = ".." // the module root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build bench/bayeuxserve: %v\n%s", err, out)
	}
	p := &Peer{t: t, spec: PeerSpec{Name: Simulator, Path: "/cometd", Transports: []string{WebSocket, LongPolling}}}
	ready := make(chan int, 1)
	w := &lineWriter{fn: func(line []byte) {
		var msg struct {
			Port int `json:"port"`
		}
		if json.Unmarshal(line, &msg) == nil && msg.Port > 0 {
			select {
			case ready <- msg.Port:
			default:
			}
		}
	}}
	pr, err := startProc(bin, t.TempDir(), []string{"-timeout", timeout.String()}, w)
	if err != nil {
		t.Fatalf("start bayeuxserve: %v", err)
	}
	p.proc = pr
	t.Cleanup(p.stop)
	select {
	case port := <-ready:
		p.mu.Lock()
		p.port = port
		p.mu.Unlock()
	case <-pr.done:
		t.Fatalf("bayeuxserve exited: %v", pr.errExited())
	case <-time.After(startGuard):
		t.Fatal(errors.New("bayeuxserve: no ready line within " + startGuard.String()))
	}
	t.Logf("interop: simulator started on port %s (%s)", strconv.Itoa(p.Port()), p.URL())
	return p
}
