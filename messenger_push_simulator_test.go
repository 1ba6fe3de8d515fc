package omni_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/omnitest"
)

// faultyReceiver wraps a webhook handler: request k is refused with 503
// before the handler when k%3 == 1, and handled but its answer lost (the
// connection dropped) when k%4 == 2. The rest are served normally.
func faultyReceiver(t *testing.T, h http.Handler) *httptest.Server {
	var mu sync.Mutex
	k := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		k++
		n := k
		mu.Unlock()
		switch {
		case n%3 == 1:
			http.Error(w, "busy", http.StatusServiceUnavailable)
		case n%4 == 2:
			h.ServeHTTP(httptest.NewRecorder(), r) // handled ...
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.Close() // ... but the answer never arrives
			}
		default:
			h.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// Every inbound message the simulator pushed reaches the user's function
// exactly once, although the receiver refuses, loses answers, and the
// function itself fails now and then.
func TestInboundPushesExactlyOnceUnderFaultyReceiver(t *testing.T) {
	srv := omnitest.NewServer(t, omnitest.WithPushMinute(time.Millisecond), omnitest.WithPushAttempts(20))
	var mu sync.Mutex
	seen := make(map[string]int)
	texts := make(map[string]string)
	failedOnce := make(map[string]bool)
	h := omni.InboundHandler(func(_ context.Context, m omni.InboundMessage) error {
		mu.Lock()
		defer mu.Unlock()
		if len(seen)%5 == 0 && !failedOnce[m.MessageID] { // the function's own failure
			failedOnce[m.MessageID] = true
			return errors.New("database busy")
		}
		seen[m.MessageID]++
		if txt, ok := m.Content.(omni.InboundText); ok {
			texts[m.MessageID] = txt.Text
		}
		return nil
	})
	recv := faultyReceiver(t, h)
	srv.SetWebhooks(omnitest.Webhooks{Inbound: recv.URL})

	want := make(map[string]string)
	for u := range 10 {
		cust := srv.Customer(fmt.Sprintf("user-%d", u), "page-1")
		for i := range 5 {
			text := fmt.Sprintf("message %d of user %d", i, u)
			want[cust.SendText(text)] = text
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := srv.WaitPushes(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for id, text := range want {
		if seen[id] != 1 || texts[id] != text {
			t.Errorf("message %s seen %d times, text %q", id, seen[id], texts[id])
		}
	}
	if len(seen) != len(want) {
		t.Errorf("function saw %d messages, %d were pushed", len(seen), len(want))
	}
	// The faults did happen: more attempts than messages, and a push
	// whose answer was lost was delivered again and skipped by the handler.
	attempts := srv.PushAttempts()
	if len(attempts) <= len(want)+len(want)/3 {
		t.Errorf("%d attempts for %d messages: the faults did not bite", len(attempts), len(want))
	}
	if len(failedOnce) == 0 {
		t.Error("the function never failed")
	}
}

// Delivery and seen reports are pushed for what the current API accepted:
// the delivery report to the message's own webhook, the seen report when
// the customer sees it; seen reports reach the function once.
func TestDeliveryAndSeenPushes(t *testing.T) {
	srv, c := simClient(t, omnitest.WithPushMinute(time.Millisecond), omnitest.WithPushAttempts(20))
	var mu sync.Mutex
	var reports []omni.DeliveryReport
	dlr := httptest.NewServer(omni.DeliveryReportHandler(func(_ context.Context, rs []omni.DeliveryReport) error {
		mu.Lock()
		reports = append(reports, rs...)
		mu.Unlock()
		return nil
	}))
	t.Cleanup(dlr.Close)
	seenBy := make(map[string]int)
	seen := faultyReceiver(t, omni.SeenReportHandler(func(_ context.Context, r omni.SeenReport) error {
		mu.Lock()
		seenBy[r.MessageID]++
		mu.Unlock()
		return nil
	}))
	srv.SetWebhooks(omnitest.Webhooks{Seen: seen.URL})

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	resp, err := c.Messenger.SendMessages(ctx, omni.MessagesRequest{Messages: []omni.MessengerMessage{{
		Sender:       "page-1",
		Destinations: []omni.Destination{{To: "user-1", MessageID: "m-1"}, {To: "user-2", MessageID: "m-2"}},
		Content:      omni.TextContent{Text: "Your order shipped"},
		Webhooks:     &omni.Webhooks{Delivery: &omni.DeliveryWebhook{URL: dlr.URL}, CallbackData: "order-42"},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Messages) != 2 || resp.Messages[0].Status.Name != "PENDING_ACCEPTED" {
		t.Fatalf("answer %+v", resp)
	}
	for _, u := range []string{"user-1", "user-2"} {
		if n := srv.Customer(u, "page-1").SeeAll(); n != 1 {
			t.Errorf("%s saw %d messages", u, n)
		}
	}
	if err := srv.WaitPushes(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reports) != 2 {
		t.Fatalf("delivery reports %+v", reports)
	}
	for _, r := range reports {
		if r.Status.GroupID != omni.GroupDelivered || (r.MessageID != "m-1" && r.MessageID != "m-2") {
			t.Errorf("report %+v", r)
		}
		if !strings.Contains(string(r.Raw), `"callbackData":"order-42"`) {
			t.Errorf("report lacks callbackData: %s", r.Raw)
		}
	}
	if seenBy["m-1"] != 1 || seenBy["m-2"] != 1 || len(seenBy) != 2 {
		t.Errorf("seen reports reached the function %v", seenBy)
	}
}

// A failed push is retried on Infobip's schedule, 1 + n² units before
// retry n, and every attempt is recorded.
func TestPushRetrySchedule(t *testing.T) {
	const unit = 5 * time.Millisecond
	srv := omnitest.NewServer(t, omnitest.WithPushMinute(unit), omnitest.WithPushAttempts(4))
	var mu sync.Mutex
	calls := 0
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n < 4 {
			http.Error(w, "down", http.StatusInternalServerError)
		}
	}))
	t.Cleanup(recv.Close)
	srv.SetWebhooks(omnitest.Webhooks{Inbound: recv.URL})
	id := srv.Customer("user-1", "page-1").SendPostback("Track order", "ORDER_STATUS")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.WaitPushes(ctx); err != nil {
		t.Fatal(err)
	}
	a := srv.PushAttempts()
	if len(a) != 4 {
		t.Fatalf("%d attempts, want 4", len(a))
	}
	for i, at := range a {
		wantStatus := http.StatusInternalServerError
		if i == 3 {
			wantStatus = http.StatusOK
		}
		if at.Attempt != i+1 || at.Status != wantStatus || at.Kind != omnitest.PushInbound || len(at.IDs) != 1 || at.IDs[0] != id {
			t.Errorf("attempt %d: %+v", i, at)
		}
		if i > 0 {
			// A lower bound only: the wait is at least the schedule's.
			if gap, min := at.Time.Sub(a[i-1].Time), unit+unit*time.Duration(i*i); gap < min {
				t.Errorf("retry %d came after %v, schedule says at least %v", i, gap, min)
			}
		}
	}
	p, err := omni.DecodeInbound(a[3].Body)
	if err != nil || len(p.Results) != 1 {
		t.Fatalf("pushed body: %v", err)
	}
	if pb, ok := p.Results[0].Content.(omni.InboundPostback); !ok || pb.Payload != "ORDER_STATUS" || p.Results[0].Sender != "user-1" {
		t.Errorf("pushed %+v", p.Results[0])
	}
}

// The legacy push shape ("from", no messageId) decodes the same way.
func TestLegacyInboundPush(t *testing.T) {
	srv := omnitest.NewServer(t, omnitest.WithPushMinute(time.Millisecond))
	got := make(chan omni.InboundMessage, 1)
	recv := httptest.NewServer(omni.InboundHandler(func(_ context.Context, m omni.InboundMessage) error {
		got <- m
		return nil
	}))
	t.Cleanup(recv.Close)
	srv.SetWebhooks(omnitest.Webhooks{Inbound: recv.URL})
	srv.Customer("user-9", "page-1").SendLegacyText("hello from 2017")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.WaitPushes(ctx); err != nil {
		t.Fatal(err)
	}
	m := <-got
	if m.Sender != "user-9" || m.MessageID != "" || m.Content != (omni.InboundText{Text: "hello from 2017"}) {
		t.Errorf("legacy message %+v", m)
	}
}
