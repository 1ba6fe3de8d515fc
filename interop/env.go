package interop

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// PeersDirEnv names the environment variable that overrides the location of
// the peers directory (default: "peers", relative to the package directory,
// which is the working directory of `go test`).
const PeersDirEnv = "OMNI_INTEROP_PEERS"

// InstallHint tells a developer how to install the Node.js peers.
const InstallHint = "install Node.js 20+ and run `npm ci --prefix interop/peers` from the repository root"

// requiredModules are the npm packages the peer scripts import.
var requiredModules = []string{"cometd", "cometd-nodejs-client", "cometd-nodejs-server", "faye", "ws"}

// Strict reports whether a missing Node.js peer must fail the run rather than
// skip it: true when CI=true or OMNI_INTEROP=1.
func Strict() bool {
	return os.Getenv("CI") == "true" || os.Getenv("OMNI_INTEROP") == "1"
}

// Node locates the node executable and the peers directory. When either is
// missing it skips the test with an installation hint, or fails it when
// [Strict] is true.
func Node(t testing.TB) (node, peersDir string) {
	t.Helper()
	node, dir, err := findNode()
	if err != nil {
		if Strict() {
			t.Fatalf("interop peers unavailable (required because CI=true or OMNI_INTEROP=1): %v; %s", err, InstallHint)
		}
		t.Skipf("interop peers unavailable: %v; %s", err, InstallHint)
	}
	return node, dir
}

func findNode() (node, peersDir string, err error) {
	node, err = exec.LookPath("node")
	if err != nil {
		return "", "", err
	}
	peersDir = os.Getenv(PeersDirEnv)
	if peersDir == "" {
		peersDir = "peers"
	}
	peersDir, err = filepath.Abs(peersDir)
	if err != nil {
		return "", "", err
	}
	for _, m := range requiredModules {
		if _, err := os.Stat(filepath.Join(peersDir, "node_modules", m, "package.json")); err != nil {
			return "", "", err
		}
	}
	return node, peersDir, nil
}
