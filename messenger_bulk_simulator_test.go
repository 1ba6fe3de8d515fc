package omni_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/omnitest"
)

// A 1,000-destination bulk against the simulator, with 5xx and resets
// injected: every destination ends accepted or rejected with its reason,
// and the server took each accepted messageId exactly once.
func TestSendBulkThousandDestinationsUnderFaults(t *testing.T) {
	srv, c := simClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	const n = 1000
	var dests []omni.Destination
	refused := make(map[string]bool)
	for i := range n {
		to := fmt.Sprintf("user-%04d", i)
		dests = append(dests, omni.Destination{To: to})
		if i%100 == 7 {
			srv.RefuseDestination(to)
			refused[to] = true
		}
	}
	// The first five requests fail five ways; the retry table retries none
	// of them (sends), so SendBulk sees each failure.
	srv.Inject(omnitest.RouteMessengerMessages, omnitest.Status(503))                   // refused, not processed
	srv.Inject(omnitest.RouteMessengerMessages, omnitest.ResetAfterProcessing())        // processed, answer lost
	srv.Inject(omnitest.RouteMessengerMessages, omnitest.ResetBeforeBody())             // dropped unread
	srv.Inject(omnitest.RouteMessengerMessages, omnitest.Status(http.StatusBadGateway)) // refused, not processed
	srv.Inject(omnitest.RouteMessengerMessages, omnitest.MalformedJSON())               // 200 cut short, not processed

	req := omni.MessagesRequest{Messages: []omni.MessengerMessage{{
		Sender: "page-1", Destinations: dests, Content: omni.TextContent{Text: "Our summer sale starts today"}}}}
	b, err := c.Messenger.SendBulk(ctx, req, &omni.BulkOptions{DestinationsPerRequest: 100})
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Count(omni.BulkUnknown); got != 500 {
		t.Errorf("after SendBulk: %d unknown, want the 500 of the five failed requests", got)
	}
	for _, e := range b.Entries[:500] {
		if e.State != omni.BulkUnknown || e.Err == nil {
			t.Fatalf("entry %+v of a failed request", e)
		}
	}
	for round := 0; !b.Done(); round++ {
		if round == 3 {
			t.Fatalf("not done after %d resumes: %d unknown, %d not sent", round, b.Count(omni.BulkUnknown), b.Count(omni.BulkNotSent))
		}
		if err := c.Messenger.ResumeBulk(ctx, b); err != nil {
			t.Fatal(err)
		}
	}

	// Every destination accounted for, in request order.
	if len(b.Entries) != n {
		t.Fatalf("%d entries", len(b.Entries))
	}
	accepted := make(map[string]bool)
	for i, e := range b.Entries {
		if e.To != dests[i].To || e.MessageID == "" {
			t.Fatalf("entry %d %+v", i, e)
		}
		switch {
		case refused[e.To]:
			if e.State != omni.BulkRejected || e.Violation != "Destination rejected" || e.Status.GroupID != omni.GroupRejected {
				t.Errorf("refused destination %+v", e)
			}
		case e.State != omni.BulkAccepted:
			t.Errorf("destination %+v not accepted", e)
		default:
			accepted[e.MessageID] = true
		}
	}
	if len(accepted) != n-len(refused) {
		t.Errorf("%d accepted, want %d", len(accepted), n-len(refused))
	}
	// The server's side: each accepted messageId taken exactly once, each
	// user reached once, nothing the client does not know about.
	taken := make(map[string]int)
	perUser := make(map[string]int)
	for _, m := range srv.OutboundMessages() {
		taken[m.MessageID]++
		perUser[m.To]++
	}
	for id, k := range taken {
		if k != 1 || !accepted[id] {
			t.Errorf("server took messageId %s %d times (known accepted: %v)", id, k, accepted[id])
		}
	}
	if len(taken) != len(accepted) {
		t.Errorf("server took %d messages, client accounts %d accepted", len(taken), len(accepted))
	}
	for to, k := range perUser {
		if k != 1 {
			t.Errorf("user %s got the message %d times", to, k)
		}
	}
	// The answer-lost request (entries 100..199) was found in the logs, not resent.
	for _, e := range b.Entries[100:200] {
		if e.Requests != 1 {
			t.Fatalf("entry %+v of the processed-then-reset request was sent %d times", e, e.Requests)
		}
	}
}

// A 400 blaming one destination rejects it; the others of its request are
// sent again on resume, each once.
func TestSendBulkViolationRejectsOnlyTheBlamedDestination(t *testing.T) {
	calls := 0
	fs := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls == 1 {
			reply(400, `{"errorCode":"E400","description":"Request cannot be processed.","action":"Check the syntax, violations and adjust the request.","violations":[{"property":"messages[0].destinations[1].to","violation":"Invalid destination address."}],"resources":[]}`)(w, r)
			return
		}
		reply(200, `{"bulkId":"b2","messages":[{"messageId":"m1","status":{"groupId":1,"groupName":"PENDING","id":26,"name":"PENDING_ACCEPTED","description":"Message sent to next instance"},"destination":"u1"},{"messageId":"m3","status":{"groupId":1,"groupName":"PENDING","id":26,"name":"PENDING_ACCEPTED","description":"Message sent to next instance"},"destination":"u3"}]}`)(w, r)
	})
	c := newMessenger(t, fs)
	req := omni.MessagesRequest{Messages: []omni.MessengerMessage{{Sender: "p",
		Destinations: []omni.Destination{{To: "u1", MessageID: "m1"}, {To: "bad", MessageID: "m2"}, {To: "u3", MessageID: "m3"}},
		Content:      omni.TextContent{Text: "hi"}}}}
	b, err := c.Messenger.SendBulk(context.Background(), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if e := b.Entries[1]; e.State != omni.BulkRejected || e.Violation != "to: Invalid destination address." {
		t.Errorf("blamed entry %+v", e)
	}
	var me *omni.MessagesError
	if !errors.As(b.Entries[1].Err, &me) {
		t.Errorf("blamed entry Err %v", b.Entries[1].Err)
	}
	if b.Entries[0].State != omni.BulkNotSent || b.Entries[2].State != omni.BulkNotSent {
		t.Errorf("others %v %v, want not sent", b.Entries[0].State, b.Entries[2].State)
	}
	if err := c.Messenger.ResumeBulk(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	if !b.Done() || b.Entries[0].State != omni.BulkAccepted || b.Entries[2].State != omni.BulkAccepted || b.Entries[0].BulkID != "b2" {
		t.Errorf("after resume %+v", b.Entries)
	}
	reqs := fs.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	assertJSONEqual(t, reqs[1].Body, []byte(`{"messages":[{"sender":"p","destinations":[{"to":"u1","messageId":"m1"},{"to":"u3","messageId":"m3"}],"content":{"type":"TEXT","text":"hi"}}]}`))
}

// Without options a bulk goes out DefaultDestinationsPerRequest at a time.
func TestSendBulkDefaultRequestSize(t *testing.T) {
	srv, c := simClient(t)
	var dests []omni.Destination
	for i := range 2*omni.DefaultDestinationsPerRequest + 1 {
		dests = append(dests, omni.Destination{To: fmt.Sprintf("u%d", i)})
	}
	b, err := c.Messenger.SendBulk(context.Background(), omni.MessagesRequest{Messages: []omni.MessengerMessage{{
		Sender: "p", Destinations: dests, Content: omni.TextContent{Text: "hi"}}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !b.Done() || b.Count(omni.BulkAccepted) != len(dests) {
		t.Errorf("%d accepted of %d", b.Count(omni.BulkAccepted), len(dests))
	}
	n := 0
	for _, r := range srv.Requests() {
		if r.Route == omnitest.RouteMessengerMessages {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}

// Two ResumeBulk calls on one Bulk at once run one after the other: the
// second waits while the first sends (it sends nothing meanwhile), then
// finds everything accepted; every destination is taken once. A waiting
// call whose context ends returns the context's error. Before the fix the
// two calls raced on Entries (race detector) and sent destinations twice.
func TestConcurrentResumeBulkSendsNothingTwice(t *testing.T) {
	var mu sync.Mutex
	posts, inFlight, concurrent := 0, 0, false
	taken := map[string]int{}
	firstIn, release := make(chan struct{}), make(chan struct{})
	fs := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet { // the logs: nothing was taken
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"results":[]}`))
			return
		}
		var body struct {
			Messages []struct {
				Destinations []omni.Destination `json:"destinations"`
			} `json:"messages"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		posts++
		n := posts
		inFlight++
		if inFlight > 1 {
			concurrent = true
		}
		mu.Unlock()
		if n == 1 { // SendBulk's request: the connection drops, the answer is lost
			// Out of flight before the client can see the drop: the resume's
			// request may arrive before this handler has returned.
			mu.Lock()
			inFlight--
			mu.Unlock()
			hj, _ := w.(http.Hijacker)
			conn, _, _ := hj.Hijack()
			_ = conn.Close()
			return
		}
		defer func() { mu.Lock(); inFlight--; mu.Unlock() }()
		if n == 2 {
			close(firstIn)
			<-release
		}
		var ms []string
		mu.Lock()
		for _, m := range body.Messages {
			for _, d := range m.Destinations {
				taken[d.MessageID]++
				ms = append(ms, fmt.Sprintf(`{"messageId":%q,"status":{"groupId":1,"groupName":"PENDING","id":26,"name":"PENDING_ACCEPTED"},"destination":%q}`, d.MessageID, d.To))
			}
		}
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"bulkId":"b%d","messages":[%s]}`, n, strings.Join(ms, ","))
	})
	c := newMessenger(t, fs)
	var dests []omni.Destination
	for i := range 5 {
		dests = append(dests, omni.Destination{To: fmt.Sprintf("user-%d", i)})
	}
	b, err := c.Messenger.SendBulk(context.Background(), omni.MessagesRequest{Messages: []omni.MessengerMessage{{
		Sender: "PAGE", Destinations: dests, Content: omni.TextContent{Text: "hello"}}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if b.Count(omni.BulkUnknown) != 5 {
		t.Fatalf("after a dropped connection: %d unknown, want 5", b.Count(omni.BulkUnknown))
	}

	errs := make(chan error, 2)
	go func() { errs <- c.Messenger.ResumeBulk(context.Background(), b) }()
	<-firstIn // the first resume is sending
	go func() { errs <- c.Messenger.ResumeBulk(context.Background(), b) }()
	// Wait until the second call either sends (the bug) or waits for the
	// Bulk; the 60 s bound only fails a hung test.
	deadline := time.Now().Add(60 * time.Second)
	for !goroutineWaitsIn("omni.(*Bulk).lock") {
		mu.Lock()
		sent := posts > 2
		mu.Unlock()
		if sent || time.Now().After(deadline) {
			close(release)
			<-errs
			<-errs
			t.Fatalf("the second ResumeBulk did not wait for the first (it sent: %v)", sent)
		}
		runtime.Gosched()
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Messenger.ResumeBulk(ctx, b); !errors.Is(err, context.Canceled) {
		t.Errorf("a waiting ResumeBulk whose context ended: %v, want context.Canceled", err)
	}
	close(release)
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("ResumeBulk: %v", err)
		}
	}
	if !b.Done() || b.Count(omni.BulkAccepted) != 5 {
		t.Errorf("after both resumes: %d accepted, done %v", b.Count(omni.BulkAccepted), b.Done())
	}
	mu.Lock()
	defer mu.Unlock()
	if posts != 2 || concurrent {
		t.Errorf("%d requests (concurrent %v), want SendBulk's and one resume's", posts, concurrent)
	}
	for _, e := range b.Entries {
		if taken[e.MessageID] != 1 || e.Requests != 2 {
			t.Errorf("%s taken %d times, carried by %d requests", e.To, taken[e.MessageID], e.Requests)
		}
	}
}

// goroutineWaitsIn reports whether some goroutine's stack holds fn.
func goroutineWaitsIn(fn string) bool {
	buf := make([]byte, 1<<20)
	return strings.Contains(string(buf[:runtime.Stack(buf, true)]), fn)
}

// A 400 blaming a message's own field (its content, its sender) rejects
// that message's destinations only; the other message's destinations of the
// same request are safe to send again (outside review: all were rejected
// for good).
func TestSendBulkMessageViolationRejectsOnlyThatMessage(t *testing.T) {
	fs := newFakeServer(t, reply(400, `{"errorCode":"E400","description":"Request cannot be processed.","violations":[{"property":"messages[1].content.text","violation":"size must be between 1 and 2000"}],"resources":[]}`))
	c := newMessenger(t, fs)
	req := omni.MessagesRequest{Messages: []omni.MessengerMessage{
		{Sender: "p", Destinations: []omni.Destination{{To: "u1", MessageID: "a1"}, {To: "u2", MessageID: "a2"}}, Content: omni.TextContent{Text: "ok"}},
		{Sender: "p", Destinations: []omni.Destination{{To: "u3", MessageID: "b1"}, {To: "u4", MessageID: "b2"}}, Content: omni.TextContent{Text: "server says no"}},
	}}
	b, err := c.Messenger.SendBulk(context.Background(), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []omni.BulkState{omni.BulkNotSent, omni.BulkNotSent, omni.BulkRejected, omni.BulkRejected} {
		if e := b.Entries[i]; e.State != want {
			t.Errorf("entry %d (%s): %v, want %v", i, e.To, e.State, want)
		}
	}
	if v := b.Entries[2].Violation; v != "content.text: size must be between 1 and 2000" {
		t.Errorf("violation %q", v)
	}
}

// A messageId with a comma cannot be looked up in the logs (their messageId
// parameter is comma-separated): SendBulk refuses it before sending, and the
// log reads refuse it too (outside review: a destination "order-42,line-1"
// whose answer was lost was not found by ResumeBulk and sent again).
func TestBulkRefusesMessageIDsWithAComma(t *testing.T) {
	srv, c := simClient(t)
	before := len(srv.Requests())
	_, err := c.Messenger.SendBulk(context.Background(), omni.MessagesRequest{Messages: []omni.MessengerMessage{{
		Sender: "p", Destinations: []omni.Destination{{To: "u1", MessageID: "order-42,line-1"}}, Content: omni.TextContent{Text: "hi"}}}}, nil)
	var ve *omni.ValidationError
	if !errors.As(err, &ve) || ve.Fields[0].Field != "messages[0].destinations[0].messageId" {
		t.Fatalf("SendBulk: %v, want a *ValidationError on the messageId", err)
	}
	if _, err := c.Messenger.MessageLogs(context.Background(), &omni.MessageLogsOptions{MessageIDs: []string{"a,b"}}); !errors.As(err, &ve) {
		t.Errorf("MessageLogs: %v, want a *ValidationError", err)
	}
	if n := len(srv.Requests()) - before; n != 0 {
		t.Errorf("%d requests sent", n)
	}
	// SendMessages itself takes what the service takes.
	if err := (omni.MessagesRequest{Messages: []omni.MessengerMessage{{Sender: "p",
		Destinations: []omni.Destination{{To: "u1", MessageID: "order-42,line-1"}}, Content: omni.TextContent{Text: "hi"}}}}).Validate(); err != nil {
		t.Errorf("MessagesRequest.Validate: %v", err)
	}
}

// A messageId the caller chose and used before, for another destination:
// ResumeBulk does not take that old log entry for this destination's
// (fourth outside review of this session: bob's entry was marked accepted
// from alice's log, and bob never got the message).
func TestResumeBulkIgnoresAnotherDestinationsLogWithTheSameMessageID(t *testing.T) {
	srv, c := simClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	msg := func(to, text string) omni.MessagesRequest {
		return omni.MessagesRequest{Messages: []omni.MessengerMessage{{Sender: "PAGE",
			Destinations: []omni.Destination{{To: to, MessageID: "order-42"}}, Content: omni.TextContent{Text: text}}}}
	}
	if _, err := c.Messenger.SendMessages(ctx, msg("alice", "hi alice")); err != nil {
		t.Fatal(err)
	}
	if err := srv.Inject(omnitest.RouteMessengerMessages, omnitest.Status(500)); err != nil {
		t.Fatal(err)
	}
	b, err := c.Messenger.SendBulk(ctx, msg("bob", "hi bob"), nil)
	if err != nil || b.Entries[0].State != omni.BulkUnknown {
		t.Fatalf("SendBulk after a 500: %+v, %v; want bob unknown", b, err)
	}
	for round := 0; !b.Done(); round++ {
		if round == 3 {
			t.Fatalf("not done after 3 resumes: %+v", b.Entries)
		}
		if err := c.Messenger.ResumeBulk(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	var toBob int
	for _, m := range srv.OutboundMessages() {
		if m.To == "bob" {
			toBob++
		}
	}
	if b.Entries[0].State != omni.BulkAccepted || toBob != 1 {
		t.Fatalf("bob's entry %+v, %d messages to bob; want accepted and exactly 1", b.Entries[0], toBob)
	}
}

// The service may write a destination or sender back in another form
// (without the "+", in lower case, padded): a log of the messageId sent is
// still this destination's, so ResumeBulk does not send it again (seventh
// outside review of this session: after the exact comparison every such
// destination was sent twice).
func TestResumeBulkTakesALogThatRewritesTheDestination(t *testing.T) {
	for _, callerIDs := range []bool{false, true} {
		var mu sync.Mutex
		posts := 0
		sent := map[string]string{} // messageId → destination
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			switch r.URL.Path {
			case "/messenger/1/messages":
				posts++
				var req struct {
					Messages []struct {
						Destinations []omni.Destination `json:"destinations"`
					} `json:"messages"`
				}
				if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
					t.Errorf("decoding the request: %v", err)
				}
				for _, m := range req.Messages {
					for _, d := range m.Destinations {
						sent[d.MessageID] = d.To
					}
				}
				w.WriteHeader(http.StatusInternalServerError) // taken, but the answer says otherwise
				io.WriteString(w, `{"requestError":{"serviceException":{"messageId":"GENERAL_ERROR","text":"oops"}}}`)
			case "/messenger/1/logs":
				var results []string
				for _, id := range r.URL.Query()["messageId"] {
					for _, one := range strings.Split(id, ",") {
						if to, ok := sent[one]; ok {
							results = append(results, fmt.Sprintf(`{"messageId":%q,"destination":%q,"sender":"page-1",`+
								`"status":{"groupId":3,"groupName":"DELIVERED","id":5,"name":"DELIVERED_TO_HANDSET"}}`,
								one, " "+strings.ToLower(strings.NewReplacer(" ", "", "+", "").Replace(to))))
						}
					}
				}
				fmt.Fprintf(w, `{"results":[%s]}`, strings.Join(results, ","))
			default:
				w.WriteHeader(http.StatusNotFound)
			}
		}))
		c, err := omni.NewClient("", omni.WithMessenger(srv.URL, omni.AppKey("key-0123456789")), fastRetry)
		if err != nil {
			t.Fatal(err)
		}
		dests := []omni.Destination{{To: "+385 91 000 001"}, {To: "User-2"}}
		if callerIDs {
			dests[0].MessageID, dests[1].MessageID = "order-1", "order-2"
		}
		ctx := context.Background()
		b, err := c.Messenger.SendBulk(ctx, omni.MessagesRequest{Messages: []omni.MessengerMessage{{Sender: "PAGE-1",
			Destinations: dests, Content: omni.TextContent{Text: "hi"}}}}, nil)
		if err != nil || b.Count(omni.BulkUnknown) != 2 {
			t.Fatalf("SendBulk: %+v, %v; want both unknown", b, err)
		}
		if err := c.Messenger.ResumeBulk(ctx, b); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		n := posts
		mu.Unlock()
		if !b.Done() || b.Count(omni.BulkAccepted) != 2 || n != 1 {
			t.Errorf("caller ids %v: after ResumeBulk %+v and %d sends; want both accepted from the logs, 1 send", callerIDs, b.Entries, n)
		}
		c.Close()
		srv.Close()
	}
}

// A caller's messageId logged long before SendBulk began (yesterday's
// reminder under the same id, destination and sender) is not today's
// message: ResumeBulk sends it (ninth outside review of this session: it
// was marked accepted from yesterday's log and never sent).
func TestResumeBulkIgnoresAnOldLogOfAReusedMessageID(t *testing.T) {
	var mu sync.Mutex
	posts := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/messenger/1/messages":
			posts++
			if posts == 1 {
				w.WriteHeader(http.StatusInternalServerError)
				io.WriteString(w, `{"requestError":{"serviceException":{"messageId":"GENERAL_ERROR","text":"oops"}}}`)
				return
			}
			io.WriteString(w, `{"bulkId":"today","messages":[{"messageId":"daily-reminder-u1","destination":"u1",`+
				`"status":{"groupId":1,"groupName":"PENDING","id":26,"name":"PENDING_ACCEPTED"}}]}`)
		case "/messenger/1/logs":
			io.WriteString(w, `{"results":[{"messageId":"daily-reminder-u1","destination":"u1","sender":"page1","bulkId":"yesterday",`+
				`"sentAt":"2020-01-01T09:00:00.000+0000","status":{"groupId":3,"groupName":"DELIVERED","id":5,"name":"DELIVERED_TO_HANDSET"}}]}`)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()
	c, err := omni.NewClient("", omni.WithMessenger(srv.URL, omni.AppKey("key-0123456789")), fastRetry)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	b, err := c.Messenger.SendBulk(ctx, omni.MessagesRequest{Messages: []omni.MessengerMessage{{Sender: "page1",
		Destinations: []omni.Destination{{To: "u1", MessageID: "daily-reminder-u1"}}, Content: omni.TextContent{Text: "take your pill"}}}}, nil)
	if err != nil || b.Entries[0].State != omni.BulkUnknown {
		t.Fatalf("SendBulk: %+v, %v; want unknown", b, err)
	}
	if err := c.Messenger.ResumeBulk(ctx, b); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	n := posts
	mu.Unlock()
	if e := b.Entries[0]; e.State != omni.BulkAccepted || e.BulkID != "today" || n != 2 {
		t.Fatalf("after ResumeBulk %+v after %d sends; want accepted by today's send (2 sends)", e, n)
	}
}
