package examples_test

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestExamples builds every example and runs it against the in-process
// simulator (no OMNI_* variables), checking its output.
func TestExamples(t *testing.T) {
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", bin+string(os.PathSeparator), "./...")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./...: %v\n%s", err, out)
	}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"quickstart", nil, []string{
			"facebook post sent: referenceId=",
			"tweet sent: referenceId=",
			"<- notification FacebookStateChangeMessage StatusChange",
			"<- notification TwitterStateChangeMessage StatusChange",
			"messenger TEXT          sent: messageId=",
			"messenger SENDER_ACTION sent: messageId=",
			"delivery report: messageId=",
			" status=DELIVERED/DELIVERED_TO_HANDSET\n",
			"rejected before sending: omni: invalid request: message.payload.buttons: must hold 1 to 3 buttons, got 4",
			"customer comment arrived: id=",
			" can reply=true\n",
			"reply sent: state=Sent\n",
			"customer comment answered: state=Completed capabilities=0\n",
			"done",
		}},
		{"facebook-send", []string{"-message", "from the test"}, []string{"sent: referenceId=1 state=Sent"}},
		{"twitter-send", []string{"-path", "me/twitter"}, []string{"sent: referenceId=1 state=Sent"}},
		{"messenger-send", []string{"-type", "TEMPLATE", "-text", "Pick"}, []string{"sent TEMPLATE: messageId="}},
		{"listen", []string{"-count", "1", "-every", "100ms"}, []string{"/v2/me/facebook FacebookStateChangeMessage referenceId="}},
		{"messenger-bot", []string{"-customers", "2"}, []string{
			"conversation with user-1:\n",
			`  user: pressed "Track my order" (ORDER_STATUS)` + "\n" +
				`  bot:  "Your order #42 left our warehouse and arrives tomorrow."` + "\n",
			"summary: 2 customers, 6 messages received, 14 replies sent (14 accepted by the API), 8 seen reports\n",
		}},
		{"autoreply", []string{"-n", "20"}, []string{"ready on every channel",
			"summary: answered 100 (facebook post 20, facebook comment 20, tweet 20, direct message 20, private message 20), 0 failed",
			"EndContactCenterSession sent"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, filepath.Join(bin, tt.name), tt.args...)
			cmd.Env = cleanEnv()
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s: %v\n%s", tt.name, err, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if tt.name == "quickstart" {
				checkReadBack(t, string(out))
				checkReadmeOutput(t, string(out))
			}
		})
	}
}

// checkReadBack checks the quickstart read back the report of the message
// it sent first (the TEXT one).
func checkReadBack(t *testing.T, out string) {
	t.Helper()
	sent := regexp.MustCompile(`messenger TEXT +sent: messageId=(\S+) `).FindStringSubmatch(out)
	report := regexp.MustCompile(`delivery report: messageId=(\S+) `).FindStringSubmatch(out)
	if sent == nil || report == nil || sent[1] != report[1] {
		t.Errorf("the delivery report is not the TEXT message's:\n%s", out)
	}
}

// checkReadmeOutput holds the README's printed quickstart output to the real
// one: the same lines, ids, ports and the order of lines aside (as the
// README says they vary).
func checkReadmeOutput(t *testing.T, out string) {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(readme), "What `go run ./examples/quickstart` prints")
	if ok {
		_, block, ok = strings.Cut(block, "```\n")
	}
	if ok {
		block, _, ok = strings.Cut(block, "```")
	}
	if !ok {
		t.Fatal("README.md shows no quickstart output block")
	}
	norm := func(text string) []string {
		ids := regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|127\.0\.0\.1:(\d+|PORT)`)
		var lines []string
		for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
			lines = append(lines, ids.ReplaceAllString(l, "ID"))
		}
		slices.Sort(lines)
		return lines
	}
	if got, want := norm(out), norm(block); !slices.Equal(got, want) {
		t.Errorf("README.md's quickstart output is not what it prints (ids and order aside):\nREADME:\n%s\nprinted:\n%s",
			strings.Join(want, "\n"), strings.Join(got, "\n"))
	}
}

// cleanEnv drops OMNI_* so the examples use the simulator.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OMNI_") {
			env = append(env, kv)
		}
	}
	return env
}

// TestExamplesExitOnlyFromMain: no example exits past deferred cleanup:
// os.Exit is called only in main, and main defers nothing (the work is in
// run, which returns its error).
func TestExamplesExitOnlyFromMain(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("*", "main.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples found: %v", err)
	}
	for _, file := range files {
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok {
				continue
			}
			ast.Inspect(fn, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.DeferStmt:
					if fn.Name.Name == "main" {
						t.Errorf("%s: main defers, and its os.Exit would skip that", file)
					}
				case *ast.CallExpr:
					if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Exit" && fn.Name.Name != "main" {
						if id, ok := sel.X.(*ast.Ident); ok && id.Name == "os" {
							t.Errorf("%s: %s calls os.Exit, skipping deferred cleanup", file, fn.Name.Name)
						}
					}
				}
				return true
			})
		}
	}
}
