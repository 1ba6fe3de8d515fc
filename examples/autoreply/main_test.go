package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/examples/internal/setup"
	"github.com/omnisdk/omni/omnitest"
)

// runMainEnv set to 1 makes the test binary run the program's main instead
// of the tests (TestAutoreplyUsageError).
const runMainEnv = "AUTOREPLY_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}

// syncBuffer is an io.Writer the test can read while run writes; it signals
// each written line.
type syncBuffer struct {
	mu    sync.Mutex
	b     bytes.Buffer
	lines chan string
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lines != nil {
		select {
		case s.lines <- string(p):
		default:
		}
	}
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func simEnv(t *testing.T) (*setup.Env, *omnitest.Server) {
	t.Helper()
	srv := omnitest.NewServer(t)
	c, err := omni.NewClient(srv.URL(), omni.WithBasicAuth("agent1", "pw"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &setup.Env{Client: c, Simulator: srv, QueuePath: "/contacts/60ebbb94-3cef-4b14-95f8-5c49dbeb355d"}, srv
}

// TestAutoreplyAnswersEveryCustomer drives 20 customers of each kind through
// the bot and checks every answer in the simulator: each post, comment,
// Tweet and direct message has a sent reply draft with the kind's text and
// is completed; each private session got the answer in its log and is
// completed; the session ended.
func TestAutoreplyAnswersEveryCustomer(t *testing.T) {
	env, srv := simEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var out syncBuffer
	if err := run(ctx, env, 20, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "summary: answered 100 (facebook post 20, facebook comment 20, tweet 20, direct message 20, private message 20), 0 failed") {
		t.Errorf("output:\n%s", out.String())
	}
	all := srv.Interactions()
	drafts := map[string]omnitest.Interaction{}
	for _, it := range all {
		if !it.Inbound {
			drafts[it.ParentID] = it
		}
	}
	counts := map[string]int{}
	for _, it := range all {
		if !it.Inbound {
			continue
		}
		if it.State != "Completed" {
			t.Errorf("%s %s left in %s", it.Kind, it.ID, it.State)
		}
		kind := map[string]string{"facebook": kindPost, "tweet": kindTweet, "facebooksession": kindPrivate}[it.Kind]
		if it.Kind == "facebook" && it.UserData["_facebookSubmitType"] == "comment" {
			kind = kindComment
		}
		if it.Kind == "tweet" && it.MsgType == "DirectMessage" {
			kind = kindDM
		}
		counts[kind]++
		if it.Kind == "facebooksession" {
			if len(it.Log) != 2 || it.Log[1] != "Agent: "+answer(kindPrivate, it.From) {
				t.Errorf("session %s log %q", it.ID, it.Log)
			}
			continue
		}
		d, ok := drafts[it.ID]
		from := "there"
		if it.Kind == "tweet" {
			from = it.From
		}
		if !ok || d.State != "Sent" || d.Message != answer(kind, from) {
			t.Errorf("%s %s: reply %+v", kind, it.ID, d)
		}
	}
	for _, k := range kinds {
		if counts[k] != 20 {
			t.Errorf("%d %s items, want 20", counts[k], k)
		}
	}
	if srv.SignedIn() {
		t.Error("still signed in")
	}
}

// TestAutoreplyInterruptEndsTheSession: cancelling (what Ctrl-C does) makes
// the bot send EndContactCenterSession before it returns.
func TestAutoreplyInterruptEndsTheSession(t *testing.T) {
	env, srv := simEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{lines: make(chan string, 1024)}
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, env, 1000, out) }()
	deadline := time.After(30 * time.Second)
	for answered := false; !answered; {
		select {
		case l := <-out.lines:
			answered = strings.HasPrefix(l, "answered ")
		case <-deadline:
			t.Fatalf("nothing answered:\n%s", out.String())
		}
	}
	cancel()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if srv.SignedIn() {
		t.Error("still signed in after the interrupt")
	}
	ended := false
	for _, r := range srv.Requests() {
		if r.Route == omnitest.RouteMe && bytes.Contains(r.Body, []byte(`"EndContactCenterSession"`)) {
			ended = true
		}
	}
	if !ended || !strings.Contains(out.String(), "EndContactCenterSession sent") {
		t.Errorf("no EndContactCenterSession:\n%s", out.String())
	}
}

// TestAutoreplyRefusesNoCustomers: with the simulator, run refuses to wait
// for fewer than one customer of each kind (it would never be done), before
// it signs in.
func TestAutoreplyRefusesNoCustomers(t *testing.T) {
	for _, n := range []int{0, -1} {
		env, srv := simEnv(t)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		var out syncBuffer
		err := run(ctx, env, n, &out)
		cancel()
		if err == nil || err.Error() != fmt.Sprintf("customers of each kind to answer: %d, want at least 1", n) {
			t.Errorf("run(n=%d) = %v", n, err)
		}
		if len(srv.Requests()) != 0 {
			t.Errorf("run(n=%d) sent %d requests", n, len(srv.Requests()))
		}
	}
}

// TestAutoreplyUsageError: the program refuses -n 0 and -n -1 with a usage
// message and exit status 2, at once.
func TestAutoreplyUsageError(t *testing.T) {
	for _, n := range []string{"0", "-1"} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		cmd := exec.CommandContext(ctx, os.Args[0], "-n", n)
		cmd.Env = append(os.Environ(), runMainEnv+"=1")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		cancel()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 {
			t.Errorf("-n %s: %v, want exit status 2", n, err)
		}
		if !strings.Contains(stderr.String(), "autoreply: -n must be at least 1 (got "+n+")") {
			t.Errorf("-n %s: stderr %q", n, stderr.String())
		}
	}
}
