package examples_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestUserServiceModule runs the tests of testdata/userservice, a user's
// service in a module of its own (replace to this checkout), under goleak:
// omnitest as a user meets it, from NewClient to the FakeClock.
func TestUserServiceModule(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	mod := "module example.com/userservice\n\ngo 1.24\n\n" +
		"require (\n\tgithub.com/omnisdk/omni v0.0.0\n\tgo.uber.org/goleak v1.3.0\n)\n\n" +
		"replace github.com/omnisdk/omni => " + root + "\n"
	files := map[string][]byte{"go.mod": []byte(mod), "go.sum": sum}
	for _, name := range []string{"poster.go", "poster_test.go"} {
		b, err := os.ReadFile(filepath.Join("testdata", "userservice", name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = b
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "test", "-race", "-count=1", "-v", ".")
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(), "GOFLAGS=-mod=mod", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go test in the user's module: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
