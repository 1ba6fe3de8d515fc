package omni_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/cometd"
	"github.com/omnisdk/omni/omnitest"
)

// viewEvents records a LiveView's events as "new facebook/ID", "change
// tweet/ID Composing", "end facebooksession/ID"; resynced events (no
// notification) end in " (resync)".
type viewEvents struct{ ch chan string }

func (e *viewEvents) handlers() omni.InteractionHandlers {
	rec := func(what string) func(*omni.InteractionEvent) {
		return func(ev *omni.InteractionEvent) {
			s := fmt.Sprintf("%s %s/%s", what, ev.Kind, ev.ID)
			if what == "change" {
				s += " " + string(ev.State)
			}
			if ev.Notification == nil {
				s += " (resync)"
			}
			e.ch <- s
		}
	}
	return omni.InteractionHandlers{OnNew: rec("new"), OnChange: rec("change"), OnEnd: rec("end")}
}

// want reads events until every one of want has been seen (in any order),
// and returns everything read.
func (e *viewEvents) want(t *testing.T, want ...string) []string {
	t.Helper()
	missing := map[string]int{}
	for _, w := range want {
		missing[w]++
	}
	var got []string
	timer := time.NewTimer(guardTimeout)
	defer timer.Stop()
	for len(missing) > 0 {
		select {
		case s := <-e.ch:
			got = append(got, s)
			if missing[s] > 0 {
				if missing[s]--; missing[s] == 0 {
					delete(missing, s)
				}
			}
		case <-timer.C:
			t.Fatalf("missing events %v; got %q", missing, got)
		}
	}
	return got
}

// TestLiveViewRecoversAcrossACometDGap drops the CometD session and keeps the
// client out (the next CometD request hangs until the server restarts) while
// interactions change: a post completes, a new post, a direct message and a
// reply draft appear. Their notifications are lost. After the re-handshake
// the snapshot brings the view back: the completed post ends, the new ones
// are new exactly once, and a further re-sync reports nothing.
func TestLiveViewRecoversAcrossACometDGap(t *testing.T) {
	// Long-polling, so that the re-handshake after the drop is a new HTTP
	// request the Hang fault can hold (a websocket re-handshakes on its open
	// connection).
	srv := omnitest.NewServer(t)
	c, err := omni.NewClient(srv.URL(), omni.WithBasicAuth("agent1", "pw"), fastRetry,
		omni.WithCometDOptions(cometd.WithTransports(cometd.LongPolling), cometd.WithBackoff(10*time.Millisecond, 100*time.Millisecond)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ctx := context.Background()
	ev := &viewEvents{ch: make(chan string, 256)}
	v, err := c.Watch(ctx, ev.handlers())
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	// The view's subscription is the client's only CometD session, so the
	// Hang below holds it and nothing else.
	startAgent(t, c, nil, omnitest.AgentChannelFacebook, omnitest.AgentChannelTwitter, omnitest.AgentChannelFacebookSession)

	postA := srv.CustomerPost("Labuprofen", "first")
	tweetB := srv.CustomerTweet("vitaliy_onv", "second")
	sessS := srv.CustomerPrivateMessage("FirstL", "third")
	seen := ev.want(t, "new facebook/"+postA, "new tweet/"+tweetB, "new facebooksession/"+sessS)

	// The gap: the session is gone and the re-handshake hangs until the restart.
	before := cometdRequests(srv)
	srv.Inject(omnitest.RouteNotifications, omnitest.Hang())
	srv.DropSessions()
	// The first CometD request after the Inject (the re-handshake, or a
	// connect already on its way) hangs; once it is in, the client cannot
	// get a new session until the restart.
	waitUntil(t, "a hung CometD request", func() bool { return cometdRequests(srv) > before })
	if _, err := c.Facebook.Complete(ctx, postA, omni.Complete{}); err != nil {
		t.Fatal(err)
	}
	postC := srv.CustomerPost("PersonP", "arrived during the gap")
	dmD := srv.CustomerDirectMessage("vitaliy_onv", "also during the gap")
	r, err := c.Twitter.Reply(ctx, tweetB, omni.TwitterReply{QueuePath: qContacts})
	if err != nil {
		t.Fatal(err)
	}
	var draftE string
	for _, it := range srv.Interactions() {
		if it.ParentID == tweetB {
			draftE = it.ID
		}
	}
	if draftE == "" || r.ReferenceID == 0 {
		t.Fatal("no reply draft in the simulator")
	}
	// Let the client in again (the restart releases the hung requests; the
	// simulator's interactions survive it, like a contact center's).
	if err := srv.Restart(); err != nil {
		t.Fatal(err)
	}
	after := ev.want(t, "end facebook/"+postA+" (resync)", "new facebook/"+postC+" (resync)",
		"new tweet/"+dmD+" (resync)", "new tweet/"+draftE+" (resync)")

	// Live again: completing C arrives by notification.
	if _, err := c.Facebook.Complete(ctx, postC, omni.Complete{}); err != nil {
		t.Fatal(err)
	}
	after = append(after, ev.want(t, "end facebook/"+postC)...)

	// A further re-sync finds nothing to report: what it found would be
	// delivered before the post that arrives after it (one queue, in order).
	if err := v.Resync(ctx); err != nil {
		t.Fatal(err)
	}
	postF := srv.CustomerPost("PersonP", "after the re-sync")
	if got := ev.want(t, "new facebook/"+postF); len(got) != 1 {
		t.Errorf("re-sync without changes reported %q", got[:len(got)-1])
	}
	if _, err := c.Facebook.Complete(ctx, postF, omni.Complete{}); err != nil {
		t.Fatal(err)
	}
	after = append(after, ev.want(t, "end facebook/"+postF)...)

	news := map[string]int{}
	for _, s := range append(seen, after...) {
		var kind string
		if _, err := fmt.Sscanf(s, "new %s", &kind); err == nil {
			news[kind]++
		}
	}
	for id, n := range news {
		if n != 1 {
			t.Errorf("%s reported new %d times", id, n)
		}
	}
	live := map[string]omni.State{}
	for _, it := range v.Interactions() {
		live[string(it.Kind)+"/"+it.ID] = it.State
	}
	want := map[string]omni.State{"tweet/" + tweetB: omni.StateProcessing, "facebooksession/" + sessS: omni.StateInvited,
		"tweet/" + dmD: omni.StateProcessing, "tweet/" + draftE: omni.StateComposing}
	if fmt.Sprint(live) != fmt.Sprint(want) {
		t.Errorf("view = %v\nwant %v", live, want)
	}
}

// TestLiveViewStartsFromTheSnapshot: interactions the agent already holds
// when Watch starts are reported new (from the snapshot), and later
// notifications are changes.
func TestLiveViewStartsFromTheSnapshot(t *testing.T) {
	srv, c := simClient(t)
	ctx := context.Background()
	in := listen(t, c)
	startAgent(t, c, in, omnitest.AgentChannelFacebookSession)
	sess := srv.CustomerPrivateMessage("FirstL", "hello")
	in.next(t, "offer", sessionWith(sess, omni.StateInvited))

	ev := &viewEvents{ch: make(chan string, 64)}
	h := ev.handlers()
	h.OnMessages = func(ml *omni.MessageLogUpdated) {
		last := ml.Messages[len(ml.Messages)-1]
		ev.ch <- fmt.Sprintf("messages %d, last %s %s", len(ml.Messages), last.From.Type, last.Type)
	}
	v, err := c.Watch(ctx, h)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	ev.want(t, "new facebooksession/"+sess+" (resync)")
	if _, err := c.FacebookSessions.Accept(ctx, sess, "TestName"); err != nil {
		t.Fatal(err)
	}
	// In order: the state change, then (after ParticipantsUpdated) the history.
	got := ev.want(t, "change facebooksession/"+sess+" Chatting", "messages 3, last Agent ParticipantJoined")
	if got[0] != "change facebooksession/"+sess+" Chatting" {
		t.Errorf("events out of order: %q", got)
	}
	// Capabilities are replaced whole: the offer's Accept and Reject are gone.
	if live := v.Interactions(); len(live) != 1 || live[0].Can(omni.OpAccept) || live[0].Can(omni.OpReject) ||
		!live[0].Can(omni.OpSendMessage) || len(live[0].Capabilities) != 7 {
		t.Errorf("view after Accept = %+v", live)
	}
	if _, err := c.FacebookSessions.Complete(ctx, sess); err != nil {
		t.Fatal(err)
	}
	ev.want(t, "end facebooksession/"+sess)
	if n := len(v.Interactions()); n != 0 {
		t.Errorf("%d interactions left in the view", n)
	}
}

// cometdRequests counts the CometD requests the simulator received.
func cometdRequests(srv *omnitest.Server) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Route == omnitest.RouteNotifications {
			n++
		}
	}
	return n
}

// waitUntil polls cond until it holds; the guard is a failure bound only.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(guardTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestLiveViewResyncFromAHandler: a handler may call Resync. It returns once
// the snapshot is read, without waiting for the handler it runs on, and the
// differences are delivered after that handler returns: a post whose
// notification was lost is reported new (resync) right after the event
// whose handler asked for the re-sync.
func TestLiveViewResyncFromAHandler(t *testing.T) {
	srv, c := simClient(t)
	ctx := context.Background()
	ev := &viewEvents{ch: make(chan string, 64)}
	h := ev.handlers()
	var v *omni.LiveView
	started := make(chan struct{})
	resynced := make(chan error, 1)
	record := h.OnNew
	h.OnNew = func(e *omni.InteractionEvent) {
		record(e)
		if e.Notification == nil {
			return
		}
		<-started
		rctx, cancel := context.WithTimeout(ctx, guardTimeout)
		defer cancel()
		resynced <- v.Resync(rctx)
	}
	v, err := c.Watch(ctx, h)
	if err != nil {
		t.Fatal(err)
	}
	close(started)
	defer v.Close()
	startAgent(t, c, nil, omnitest.AgentChannelFacebook)
	if err := srv.InjectMessage(omni.ChannelFacebook, omnitest.DropMessage()); err != nil {
		t.Fatal(err)
	}
	lost := srv.CustomerPost("Labuprofen", "its notification is dropped")
	seen := srv.CustomerPost("PersonP", "its handler re-syncs")
	got := ev.want(t, "new facebook/"+seen, "new facebook/"+lost+" (resync)")
	if err := <-resynced; err != nil {
		t.Fatalf("Resync from a handler: %v", err)
	}
	if len(got) != 2 || got[0] != "new facebook/"+seen {
		t.Errorf("events %q", got)
	}
}

// TestClientCloseEndsLiveViews: Client.Close ends a view that was never
// closed: its subscription, and its goroutines (the test never calls
// LiveView.Close; goleak in TestMain fails the run if one is left). Watch on
// a closed client is refused; ending Watch's ctx after it returned ends
// nothing.
func TestClientCloseEndsLiveViews(t *testing.T) {
	srv, c := simClient(t)
	ctx, cancel := context.WithCancel(context.Background())
	ev := &viewEvents{ch: make(chan string, 64)}
	v, err := c.Watch(ctx, ev.handlers())
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	startAgent(t, c, nil, omnitest.AgentChannelFacebook)
	post := srv.CustomerPost("Labuprofen", "after ctx ended")
	ev.want(t, "new facebook/"+post)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-v.Subscription().Done():
	default:
		t.Error("the view's subscription runs on after Client.Close")
	}
	if err := v.Resync(context.Background()); !errors.Is(err, omni.ErrClientClosed) {
		t.Errorf("Resync after Client.Close: %v, want ErrClientClosed", err)
	}
	if _, err := c.Watch(context.Background(), ev.handlers()); !errors.Is(err, omni.ErrClientClosed) {
		t.Errorf("Watch after Client.Close: %v, want ErrClientClosed", err)
	}
}

// TestLiveViewIgnoresADuplicateNotification: a notification delivered twice
// (byte-identical, nothing changed) is one OnNew, no OnChange. The next
// post's notification follows the duplicate on the same channel, so by its
// OnNew the duplicate has been handled.
func TestLiveViewIgnoresADuplicateNotification(t *testing.T) {
	for _, tr := range []string{"websocket", "long-polling"} {
		t.Run(tr, func(t *testing.T) {
			srv, c := simClient(t, omnitest.WithTransports(tr))
			ctx := context.Background()
			ev := &viewEvents{ch: make(chan string, 64)}
			v, err := c.Watch(ctx, ev.handlers())
			if err != nil {
				t.Fatal(err)
			}
			defer v.Close()
			startAgent(t, c, nil, omnitest.AgentChannelFacebook)
			srv.InjectMessage(omnitest.ChannelFacebook, omnitest.DuplicateMessage())
			x := srv.CustomerPost("FirstL", "twice")
			y := srv.CustomerPost("FirstL", "once")
			got := ev.want(t, "new facebook/"+x, "new facebook/"+y)
			if want := []string{"new facebook/" + x, "new facebook/" + y}; !slices.Equal(got, want) {
				t.Fatalf("events %q, want %q", got, want)
			}
		})
	}
}
