package omni_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/cometd"
	"github.com/omnisdk/omni/omnitest"
)

// syncBuffer is a log sink shared by the REST and CometD goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestNoSecretsAnywhere drives the whole SDK (sends, reads, Subscribe,
// SendAndWait, Messenger) against the simulator with authentication, CSRF
// and faults on every route, logging at Debug level, then scans every error
// string, every %v/%+v/%#v of the values the SDK returned or built, the
// logs and any panic for the password, the Basic token, the API key and the
// session cookies and CSRF tokens the simulator actually handed out.
func TestNoSecretsAnywhere(t *testing.T) {
	const user, pass, key = "agent-scan", "pw-Scan-7f3a91", "key-Scan-c02e5d"
	srv := omnitest.NewServer(t, omnitest.WithBasicAuth(user, pass), omnitest.WithCSRF(),
		omnitest.WithMessengerAPIKey(key), omnitest.WithCometDTimeout(300*time.Millisecond))
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	newClient := func(password string) *omni.Client {
		c, err := omni.NewClient(srv.URL(), omni.WithBasicAuth(user, password), omni.WithLogger(logger),
			omni.WithMessenger(srv.MessengerURL(), omni.AppKey(key)), fastRetry,
			omni.WithCometDOptions(cometd.WithBackoff(5*time.Millisecond, 20*time.Millisecond)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	var texts []string
	add := func(vs ...any) {
		for _, v := range vs {
			texts = append(texts, fmt.Sprintf("%v\n%+v\n%#v", v, v, v))
			if err, ok := v.(error); ok && err != nil {
				texts = append(texts, err.Error())
			}
		}
	}
	guarded := func(f func()) {
		defer func() {
			if r := recover(); r != nil {
				texts = append(texts, fmt.Sprint("panic: ", r))
				t.Errorf("panic: %v", r)
			}
		}()
		f()
	}
	// Each call gets its own bounded context (a SendAndWait whose send was
	// refused waits for nothing), so one slow call cannot starve the rest.
	var ctx context.Context
	fresh := func() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.Background(), 3*time.Second)
		t.Cleanup(cancel)
	}
	fresh()

	c := newClient(pass)
	guarded(func() {
		var got []omni.Notification
		var mu sync.Mutex
		sub, err := c.Subscribe(ctx, omni.OnNotification(func(n omni.Notification) { mu.Lock(); got = append(got, n); mu.Unlock() }))
		add(sub, err)
		if err != nil {
			t.Fatalf("Subscribe: %v", err)
		}
		faults := []omnitest.Fault{omnitest.Status(500), omnitest.Status(429), omnitest.Status(503).RetryAfter(time.Second),
			omnitest.ResetBeforeBody(), omnitest.ResetAfterProcessing(), omnitest.MalformedJSON(), omnitest.Status(401), omnitest.Status(403)}
		for _, f := range faults {
			srv.Inject(omnitest.RouteAny, f)
			fresh()
			r, err := c.Facebook.Send(ctx, "ID", seedFacebook)
			add(r, err)
			fresh()
			tw, err := c.Twitter.Send(ctx, "ID", omni.TwitterSend{QueuePath: "/q", From: "f", Message: "m"})
			add(tw, err)
			fresh()
			m, err := c.Messenger.SendSingle(ctx, single(omni.TextMessage("hi")))
			add(m, err)
			fresh()
			v, err := c.ServerVersion(ctx)
			add(v, err)
		}
		srv.Inject(omnitest.RouteFacebookSend, omnitest.Status(500))
		fresh()
		ev, err := c.Facebook.SendAndWait(ctx, "ID", seedFacebook)
		add(ev, err)
		fresh()
		srv.ExpireCSRF()
		r, err := c.Facebook.Send(ctx, "ID", seedFacebook)
		add(r, err)
		srv.ExpireSessions()
		fresh()
		r, err = c.Facebook.Send(ctx, "ID", seedFacebook)
		add(r, err)
		srv.DropSessions()
		srv.Inject(omnitest.RouteNotifications, omnitest.Status(500).Times(3))
		fresh()
		ev, err = c.Facebook.SendAndWait(ctx, "ID", seedFacebook)
		add(ev, err)
		fresh()
		_, err = c.FacebookSessions.Accept(ctx, "S", "nick")
		add(err)
		mu.Lock()
		for _, n := range got {
			add(n)
		}
		mu.Unlock()
		add(sub.Close())
	})
	// Wrong password: REST and CometD are refused.
	bad := newClient("wrong-" + pass)
	guarded(func() {
		fresh()
		_, err := bad.Subscribe(ctx, omni.OnFacebook(func(*omni.FacebookStateChange) {}))
		add(err)
		fresh()
		r, err := bad.Facebook.Send(ctx, "ID", seedFacebook)
		add(r, err)
	})
	add(c, bad, c.Facebook, c.Twitter, c.Messenger, c.FacebookSessions, omni.AppKey(key),
		omni.MessengerBasicAuth(user, pass), omni.BearerToken(key), omni.IBSSOToken(key))
	texts = append(texts, logs.String())
	if !strings.Contains(logs.String(), "level=DEBUG") {
		t.Fatal("no Debug records were logged: the scan would prove little")
	}

	secrets := map[string]bool{pass: true, key: true,
		base64.StdEncoding.EncodeToString([]byte(user + ":" + pass)):       true,
		base64.StdEncoding.EncodeToString([]byte(user + ":wrong-" + pass)): true}
	for _, r := range srv.Requests() { // what the server handed out and got back
		if v := r.Header.Get("X-CSRF-TOKEN"); v != "" {
			secrets[v] = true
		}
		for _, ck := range (&http.Request{Header: r.Header}).Cookies() {
			secrets[ck.Value] = true
		}
	}
	if len(secrets) < 6 {
		t.Fatalf("only %d secrets collected: CSRF tokens or cookies missing", len(secrets))
	}
	all := strings.Join(texts, "\n")
	for s := range secrets {
		if len(s) >= 8 && strings.Contains(all, s) {
			t.Errorf("secret %q leaked", s)
		}
	}
}
