package examples_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestOutsideModule builds testdata/outside as a module of its own that
// requires omni through a replace directive to this checkout, the way a user
// starts, and runs it: three kinds of send with typed results, a validation
// error and an authentication error.
func TestOutsideModule(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("testdata", "outside", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	mod := "module example.com/outside\n\ngo 1.24\n\nrequire github.com/omnisdk/omni v0.0.0\n\n" +
		"replace github.com/omnisdk/omni => " + root + "\n"
	for name, data := range map[string][]byte{"go.mod": []byte(mod), "go.sum": sum, "main.go": src} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "run", ".")
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(), "GOFLAGS=-mod=mod", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go run: %v\n%s", err, out)
	}
	want := "facebook referenceId 1\ntwitter referenceId 2\nmessenger m-1 true\nvalidation true true\nunauthorized true true\n"
	if got := string(out); !strings.HasSuffix(got, want) {
		t.Errorf("output:\n%s\nwant it to end with:\n%s", got, want)
	}
}
