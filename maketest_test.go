package omni

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestMakeTestExploresNoFuzzInputs: make test is deterministic. It runs the
// fuzz seed corpora as ordinary tests and never explores (-fuzz), whose
// outcome depends on the fuzz cache in GOCACHE; .ci/run explores after it.
func TestMakeTestExploresNoFuzzInputs(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make not installed")
	}
	out, err := exec.Command("make", "-n", "test").CombinedOutput()
	if err != nil {
		t.Fatalf("make -n test: %v\n%s", err, out)
	}
	for _, bad := range []string{"-fuzz", "fuzz.sh"} {
		if strings.Contains(string(out), bad) {
			t.Errorf("make test runs %q:\n%s", bad, out)
		}
	}
	ci, err := os.ReadFile(".ci/run")
	if err != nil {
		t.Fatal(err)
	}
	var steps []string
	for _, line := range strings.Split(string(ci), "\n") {
		if strings.HasPrefix(line, "make ") {
			steps = append(steps, line)
		}
	}
	if want := []string{"make test", "make fuzz-short", "make vulncheck"}; strings.Join(steps, ";") != strings.Join(want, ";") {
		t.Errorf(".ci/run runs %q, want %q", steps, want)
	}
}
