package omnitest_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/omnisdk/omni/omnitest"
)

// stuckReceiver accepts connections and never reads or answers, until the
// test ends. accepted gets one value per connection.
func stuckReceiver(t *testing.T) (url string, accepted <-chan struct{}) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan struct{}, 100)
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			ch <- struct{}{}
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-done
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
	})
	return "http://" + ln.Addr().String() + "/mo", ch
}

// A receiver that never answers: each attempt ends at the push timeout,
// is recorded as failed (Status 0, Err saying so) and retried on the
// schedule until the attempts are used up. Before the fix the timeout was
// a fixed 30 s that no option could compress.
func TestPushTimeoutIsAFailedAttemptRetried(t *testing.T) {
	url, _ := stuckReceiver(t)
	srv := omnitest.NewServer(t, omnitest.WithPushMinute(time.Millisecond),
		omnitest.WithPushTimeout(20*time.Millisecond), omnitest.WithPushAttempts(3))
	srv.SetWebhooks(omnitest.Webhooks{Inbound: url})
	id := srv.Customer("user-1", "page-1").SendText("hello")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := srv.WaitPushes(ctx); err != nil {
		t.Fatal(err)
	}
	got := srv.PushAttempts()
	if len(got) != 3 {
		t.Fatalf("%d attempts, want 3: %+v", len(got), got)
	}
	for i, a := range got {
		if a.Attempt != i+1 || a.Status != 0 || a.Err != "no answer within the push timeout (20ms)" ||
			len(a.IDs) != 1 || a.IDs[0] != id {
			t.Errorf("attempt %d: %d %d %q %v", i, a.Attempt, a.Status, a.Err, a.IDs)
		}
	}
}

// A receiver that keeps the first attempt waiting past the timeout (and
// so never answers it) gets the push again, answers it, and the push is
// done: like Infobip, the simulator does not wait forever for a slow
// webhook.
func TestPushTimeoutThenAnsweredRetry(t *testing.T) {
	var mu sync.Mutex
	n := 0
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		first := n == 1
		mu.Unlock()
		if first {
			_, _ = io.ReadAll(r.Body) // so that net/http notices the client leaving
			<-r.Context().Done()      // held until the simulator gives up on it
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer recv.Close()
	srv := omnitest.NewServer(t, omnitest.WithPushMinute(time.Millisecond), omnitest.WithPushTimeout(50*time.Millisecond))
	srv.SetWebhooks(omnitest.Webhooks{Inbound: recv.URL})
	srv.Customer("user-1", "page-1").SendText("hello")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := srv.WaitPushes(ctx); err != nil {
		t.Fatal(err)
	}
	got := srv.PushAttempts()
	if len(got) != 2 || got[0].Status != 0 || got[0].Err != "no answer within the push timeout (50ms)" ||
		got[1].Status != http.StatusOK || got[1].Err != "" {
		t.Errorf("attempts %+v, want a timed-out one then a 200", got)
	}
}

// Close ends a push held by a receiver that never answers, long before
// the push timeout: nothing waits for a stuck receiver. (A guard: Close
// already cancelled pushes before the timeout became an option.)
func TestCloseDoesNotWaitForAStuckReceiver(t *testing.T) {
	url, accepted := stuckReceiver(t)
	srv, err := omnitest.Start("127.0.0.1:0", omnitest.WithPushTimeout(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	srv.SetWebhooks(omnitest.Webhooks{Inbound: url})
	srv.Customer("user-1", "page-1").SendText("hello")
	<-accepted // the attempt is in progress
	closed := make(chan error, 1)
	go func() { closed <- srv.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(60 * time.Second): // a failure bound, not a timing
		t.Fatal("Close waits for the stuck receiver")
	}
	if got := srv.PushAttempts(); len(got) != 1 || got[0].Status != 0 || got[0].Err == "" {
		t.Errorf("attempts %+v, want one failed attempt", got)
	}
}
