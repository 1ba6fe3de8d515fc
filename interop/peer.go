package interop

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Names of the third-party Bayeux servers [StartPeer] can run.
const (
	// CometDNodeServer is the CometD project's Node server (long-polling only).
	CometDNodeServer = "cometd-nodejs-server"
	// Faye is the Faye Node server (long-polling and websocket).
	Faye = "faye"
)

// Bayeux transport names, as in the handshake's supportedConnectionTypes.
const (
	LongPolling = "long-polling"
	WebSocket   = "websocket"
)

// PeerSpec describes one third-party Bayeux server.
type PeerSpec struct {
	Name       string   // CometDNodeServer or Faye
	Script     string   // file in the peers directory
	Path       string   // Bayeux endpoint path
	Transports []string // transports the server supports
}

// Peers lists every server StartPeer can run.
var Peers = []PeerSpec{
	{Name: CometDNodeServer, Script: "cometd-server.js", Path: "/cometd", Transports: []string{LongPolling}},
	{Name: Faye, Script: "faye-server.js", Path: "/faye", Transports: []string{LongPolling, WebSocket}},
}

// DefaultBayeuxTimeout is the advice.timeout the peers run with unless
// [WithBayeuxTimeout] says otherwise: short, so that held connects cycle fast.
const DefaultBayeuxTimeout = 2 * time.Second

const startGuard = 30 * time.Second // failure guard for a peer to come up

// PeerOption configures StartPeer.
type PeerOption func(*peerConfig)

type peerConfig struct {
	timeout     time.Duration
	maxInterval time.Duration
}

// WithBayeuxTimeout sets how long the server holds a /meta/connect.
func WithBayeuxTimeout(d time.Duration) PeerOption {
	return func(c *peerConfig) { c.timeout = d }
}

// WithMaxInterval sets how long the server keeps a session without a connect
// (cometd-nodejs-server only; Faye uses twice the timeout).
func WithMaxInterval(d time.Duration) PeerOption {
	return func(c *peerConfig) { c.maxInterval = d }
}

// Peer is a running third-party Bayeux server.
type Peer struct {
	t    testing.TB
	spec PeerSpec
	node string
	dir  string
	cfg  peerConfig

	mu   sync.Mutex
	proc *proc
	port int
}

// Spec returns the spec of the named peer, or false.
func Spec(name string) (PeerSpec, bool) {
	for _, s := range Peers {
		if s.Name == name {
			return s, true
		}
	}
	return PeerSpec{}, false
}

// StartPeer starts the named server on 127.0.0.1 with a free port and stops it
// (its whole process group) when the test ends. It skips or fails the test as
// [Node] does when Node.js or the npm peers are missing.
func StartPeer(t testing.TB, name string, opts ...PeerOption) *Peer {
	t.Helper()
	spec, ok := Spec(name)
	if !ok {
		t.Fatalf("interop: unknown peer %q", name)
	}
	node, dir := Node(t)
	p := &Peer{t: t, spec: spec, node: node, dir: dir,
		cfg: peerConfig{timeout: DefaultBayeuxTimeout, maxInterval: 10 * time.Second}}
	for _, o := range opts {
		o(&p.cfg)
	}
	t.Cleanup(p.stop)
	if err := p.start(0); err != nil {
		t.Fatalf("interop: start %s: %v", name, err)
	}
	t.Logf("interop: peer %s started on port %d (%s)", name, p.Port(), p.URL())
	return p
}

// Name returns the peer's name.
func (p *Peer) Name() string { return p.spec.Name }

// Transports returns the transports the peer supports.
func (p *Peer) Transports() []string { return p.spec.Transports }

// Port returns the TCP port the peer listens on.
func (p *Peer) Port() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.port
}

// BaseURL returns http://127.0.0.1:PORT.
func (p *Peer) BaseURL() string { return "http://127.0.0.1:" + strconv.Itoa(p.Port()) }

// URL returns the Bayeux endpoint, e.g. http://127.0.0.1:PORT/faye.
func (p *Peer) URL() string { return p.BaseURL() + p.spec.Path }

// Restart kills the server process (SIGKILL, like a crash) and starts a fresh
// one on the same port. All server state (sessions, subscriptions) is lost.
func (p *Peer) Restart() {
	p.t.Helper()
	p.mu.Lock()
	old, port := p.proc, p.port
	p.mu.Unlock()
	old.stop(0)
	// The port is free again once the process is reaped; retry a few times in
	// case the kernel is slow to release it.
	deadline := time.Now().Add(startGuard)
	for {
		err := p.start(port)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("interop: restart %s on port %d: %v", p.spec.Name, port, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	p.t.Logf("interop: peer %s restarted on port %d", p.spec.Name, port)
}

// Kill stops the server process (SIGKILL) without restarting it.
func (p *Peer) Kill() {
	p.mu.Lock()
	pr := p.proc
	p.mu.Unlock()
	pr.stop(0)
}

func (p *Peer) stop() {
	p.mu.Lock()
	pr := p.proc
	p.mu.Unlock()
	if pr == nil {
		return
	}
	pr.stop(3 * time.Second)
	if p.t.Failed() {
		if tail := pr.stderr.String(); tail != "" {
			p.t.Logf("interop: peer %s stderr:\n%s", p.spec.Name, tail)
		}
	}
}

// start runs the script on port (0 = any) and waits for its ready line.
func (p *Peer) start(port int) error {
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
	args := []string{p.spec.Script,
		"--port", strconv.Itoa(port),
		"--timeout", strconv.FormatInt(p.cfg.timeout.Milliseconds(), 10),
		"--max-interval", strconv.FormatInt(p.cfg.maxInterval.Milliseconds(), 10),
	}
	pr, err := startProc(p.node, p.dir, args, w)
	if err != nil {
		return err
	}
	guard := time.NewTimer(startGuard)
	defer guard.Stop()
	select {
	case got := <-ready:
		if port != 0 && got != port {
			pr.stop(0)
			return fmt.Errorf("listening on %d, want %d", got, port)
		}
		p.mu.Lock()
		p.proc, p.port = pr, got
		p.mu.Unlock()
		return nil
	case <-pr.done:
		return pr.errExited()
	case <-guard.C:
		pr.stop(0)
		return errors.New("no ready line within " + startGuard.String())
	}
}
