package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/examples/internal/setup"
	"github.com/omnisdk/omni/omnitest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

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
