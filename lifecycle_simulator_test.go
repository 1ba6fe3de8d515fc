package omni_test

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/omnitest"
)

// guardTimeout bounds waits for notifications; it is a failure bound, never
// a timing assertion.
const guardTimeout = 10 * time.Second

// inbox collects every notification of one subscription, in order.
type inbox struct {
	ch chan omni.Notification
}

// listen subscribes to everything under /v2/me/ before the test acts, as the
// documents ask (subscribe before the session and the snapshot).
func listen(t *testing.T, c *omni.Client) *inbox {
	t.Helper()
	in := &inbox{ch: make(chan omni.Notification, 4096)}
	sub, err := c.Subscribe(context.Background(), omni.OnNotification(func(n omni.Notification) { in.ch <- n }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sub.Close() })
	return in
}

// next returns the first notification that matches, skipping others.
func (in *inbox) next(t *testing.T, what string, match func(omni.Notification) bool) omni.Notification {
	t.Helper()
	timer := time.NewTimer(guardTimeout)
	defer timer.Stop()
	for {
		select {
		case n := <-in.ch:
			if match(n) {
				return n
			}
		case <-timer.C:
			t.Fatalf("no %s notification", what)
		}
	}
}

// byRef matches the notification on channel with the referenceId.
func byRef(channel string, ref int64) func(omni.Notification) bool {
	return func(n omni.Notification) bool {
		h := n.Header()
		return h.Channel == channel && h.ReferenceID == ref
	}
}

// facebookWith matches a Facebook state change of id in state.
func facebookWith(id string, state omni.State) func(omni.Notification) bool {
	return func(n omni.Notification) bool {
		ev, ok := n.(*omni.FacebookStateChange)
		return ok && ev.Facebook.ID == id && ev.Facebook.State == state
	}
}

func tweetWith(id string, state omni.State) func(omni.Notification) bool {
	return func(n omni.Notification) bool {
		ev, ok := n.(*omni.TwitterStateChange)
		return ok && ev.Tweet.ID == id && ev.Tweet.State == state
	}
}

func sessionWith(id string, state omni.State) func(omni.Notification) bool {
	return func(n omni.Notification) bool {
		ev, ok := n.(*omni.FacebookSessionStateChange)
		return ok && ev.Session.ID == id && ev.Session.State == state
	}
}

// rawKeys returns the keys of the notification's resource object.
func rawKeys(t *testing.T, raw json.RawMessage) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sameOps(got omni.Capabilities, want ...omni.Operation) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range want {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

// startAgent starts a session on the three social channels and makes the
// agent Ready on those given; with an inbox it also waits for each channel's
// Ready notification.
func startAgent(t *testing.T, c *omni.Client, in *inbox, ready ...string) {
	t.Helper()
	ctx := context.Background()
	err := c.Agent.StartContactCenterSession(ctx, omni.SessionStart{Channels: []string{
		omnitest.AgentChannelFacebook, omnitest.AgentChannelTwitter, omnitest.AgentChannelFacebookSession}})
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range ready {
		if err := c.Agent.Ready(ctx, ch); err != nil {
			t.Fatal(err)
		}
		if in == nil {
			continue
		}
		in.next(t, "channel Ready", func(n omni.Notification) bool {
			ev, ok := n.(*omni.ChannelStateChange)
			return ok && len(ev.Channels) == 1 && ev.Channels[0].Channel == ch && ev.Channels[0].Ready()
		})
	}
}

// TestSimulatorOffersOnlyToAReadyAgent: an inbound post waits until the agent
// has a session and is Ready on its channel; NotReady on another channel
// does not release it.
func TestSimulatorOffersOnlyToAReadyAgent(t *testing.T) {
	srv, c := simClient(t)
	in := listen(t, c)
	ctx := context.Background()
	post := srv.CustomerPost("Labuprofen", "On 12:15:1 11/5/2013, P created a facebook post saying hello world!.")
	if it, _ := srv.Interaction(post); it.Offered {
		t.Fatal("offered before any session")
	}
	startAgent(t, c, in, omnitest.AgentChannelTwitter)
	if it, _ := srv.Interaction(post); it.Offered {
		t.Fatal("offered to an agent Ready on twitter only")
	}
	// Not offered means not visible: an operation on it is refused as not found.
	if _, err := c.Facebook.Complete(ctx, post, omni.Complete{}); !errors.Is(err, omni.ErrNotFound) {
		t.Fatalf("Complete before the offer: %v, want ErrNotFound", err)
	}
	if err := c.Agent.Ready(ctx, omnitest.AgentChannelFacebook); err != nil {
		t.Fatal(err)
	}
	n := in.next(t, "inbound post", facebookWith(post, omni.StateProcessing))
	ev := n.(*omni.FacebookStateChange)
	if ev.Channel != omni.ChannelFacebook || ev.MessageType != "FacebookStateChangeMessage" ||
		ev.NotificationType != omni.NotificationStatusChange || ev.ReferenceID != 0 {
		t.Errorf("header = %+v", ev.NotificationHeader)
	}
	f := ev.Facebook
	if f.FacebookType != "Inbound" || f.From != "Labuprofen" || !sameOps(f.Capabilities, "Reply", "Transfer", "AddComment",
		"AttachUserData", "UpdateUserData", "DeleteUserData", "SetDisposition", "SetInFocus", "Complete") {
		t.Errorf("inbound post = %+v", f)
	}
	if _, err := omni.ParseTimestamp(f.ReceivedDate); err != nil {
		t.Errorf("receivedDate %q: %v", f.ReceivedDate, err)
	}
}

// TestSimulatorFacebookLifecycle: Reply creates the draft (new id,
// parentId), Send sends it, Complete ends the post; operations outside
// capabilities are refused with statusCode 2 (ErrInvalidState).
func TestSimulatorFacebookLifecycle(t *testing.T) {
	srv, c := simClient(t)
	in := listen(t, c)
	ctx := context.Background()
	startAgent(t, c, in, omnitest.AgentChannelFacebook)
	post := srv.CustomerComment("Labuprofen", "Can you help me?")
	in.next(t, "inbound comment", facebookWith(post, omni.StateProcessing))

	_, err := c.Facebook.Send(ctx, post, omni.FacebookSend{QueuePath: qContacts, From: "page", Message: "x"})
	var ae *omni.APIError
	if !errors.Is(err, omni.ErrInvalidState) || !errors.As(err, &ae) ||
		ae.GWSStatusMessage != "Operation Send is not valid for the current state (Processing)" {
		t.Fatalf("Send on the inbound post: %v, want ErrInvalidState", err)
	}

	r, err := c.Facebook.Reply(ctx, post, omni.FacebookReply{QueuePath: qContacts})
	if err != nil {
		t.Fatal(err)
	}
	draft := in.next(t, "reply draft", byRef(omni.ChannelFacebook, r.ReferenceID)).(*omni.FacebookStateChange).Facebook
	if draft.ID == post || draft.ParentID != post || draft.State != omni.StateComposing || draft.FacebookType != "Outbound" ||
		!sameOps(draft.Capabilities, "Cancel", "Send", "AddComment", "AttachUserData", "UpdateUserData", "DeleteUserData",
			"SetDisposition", "SetInFocus", "Transfer") {
		t.Fatalf("draft = %+v", draft)
	}
	sent, err := c.Facebook.SendAndWait(ctx, draft.ID, omni.FacebookSend{QueuePath: qContacts, From: "Cloud App Community", Message: "We can."})
	if err != nil {
		t.Fatal(err)
	}
	if sent.Facebook.State != omni.StateSent || len(sent.Facebook.Capabilities) != 0 || sent.Facebook.Message != "We can." {
		t.Errorf("sent = %+v", sent.Facebook)
	}
	if _, err := c.Facebook.Cancel(ctx, draft.ID); !errors.Is(err, omni.ErrInvalidState) {
		t.Errorf("Cancel after Send: %v, want ErrInvalidState", err)
	}
	done, err := c.Facebook.Complete(ctx, post, omni.Complete{})
	if err != nil {
		t.Fatal(err)
	}
	end := in.next(t, "completed", byRef(omni.ChannelFacebook, done.ReferenceID)).(*omni.FacebookStateChange)
	if end.Facebook.State != "Completed" || end.Facebook.Capabilities == nil || len(end.Facebook.Capabilities) != 0 {
		t.Errorf("completed = %+v", end.Facebook)
	}
	if !containsAll(rawKeys(t, end.Facebook.Raw), "capabilities", "contactId", "facebookType", "from", "id", "message",
		"receivedDate", "state", "subject", "uri", "userData") {
		t.Errorf("resource keys %v", rawKeys(t, end.Facebook.Raw))
	}
	if it, _ := srv.Interaction(draft.ID); it.State != "Sent" || it.ParentID != post || it.Message != "We can." {
		t.Errorf("simulator draft = %+v", it)
	}
}

func containsAll(have []string, want ...string) bool {
	set := map[string]bool{}
	for _, h := range have {
		set[h] = true
	}
	for _, w := range want {
		if !set[w] {
			return false
		}
	}
	return true
}

// TestSimulatorPropertyOperations: each property operation answers with a
// referenceId and a PropertiesUpdated notification showing the change, on
// posts, Tweets and sessions alike.
func TestSimulatorPropertyOperations(t *testing.T) {
	srv, c := simClient(t)
	in := listen(t, c)
	ctx := context.Background()
	startAgent(t, c, in, omnitest.AgentChannelFacebook, omnitest.AgentChannelTwitter, omnitest.AgentChannelFacebookSession)
	post := srv.CustomerPost("Labuprofen", "hello")
	in.next(t, "post", facebookWith(post, omni.StateProcessing))
	tweet := srv.CustomerTweet("vitaliy_onv", "hello")
	in.next(t, "tweet", tweetWith(tweet, omni.StateProcessing))
	sess := srv.CustomerPrivateMessage("FirstL", "hello")
	in.next(t, "session", sessionWith(sess, "Invited"))
	if _, err := c.FacebookSessions.Accept(ctx, sess, "TestName"); err != nil {
		t.Fatal(err)
	}
	in.next(t, "accepted", sessionWith(sess, omni.StateChatting))

	type props struct {
		comment  string
		userData map[string]any
	}
	read := func(n omni.Notification) props {
		switch ev := n.(type) {
		case *omni.FacebookStateChange:
			return props{ev.Facebook.Comment, ev.Facebook.UserData}
		case *omni.TwitterStateChange:
			return props{ev.Tweet.Comment, ev.Tweet.UserData}
		case *omni.FacebookSessionStateChange:
			return props{ev.Session.Comment, ev.Session.UserData}
		}
		t.Fatalf("unexpected %T", n)
		return props{}
	}
	type service interface {
		AddComment(context.Context, string, string) (*omni.OperationResult, error)
		AttachUserData(context.Context, string, map[string]any) (*omni.OperationResult, error)
		UpdateUserData(context.Context, string, map[string]any) (*omni.OperationResult, error)
		DeleteUserData(context.Context, string, ...string) (*omni.OperationResult, error)
		SetDisposition(context.Context, string, omni.Disposition) (*omni.OperationResult, error)
	}
	targets := []struct {
		name string
		svc  service
		id   string
	}{{"facebook", c.Facebook, post}, {"twitter", c.Twitter, tweet}, {"facebooksession", c.FacebookSessions, sess}}
	for _, tg := range targets {
		steps := []struct {
			name  string
			run   func() (*omni.OperationResult, error)
			check func(props) bool
		}{
			{"AddComment", func() (*omni.OperationResult, error) {
				return tg.svc.AddComment(ctx, tg.id, "I am crazy about my test")
			},
				func(p props) bool { return p.comment == "I am crazy about my test" }},
			{"AttachUserData", func() (*omni.OperationResult, error) {
				return tg.svc.AttachUserData(ctx, tg.id, map[string]any{"UserData1": "a", "UserData2": "b"})
			}, func(p props) bool { return p.userData["UserData1"] == "a" && p.userData["UserData2"] == "b" }},
			{"UpdateUserData", func() (*omni.OperationResult, error) {
				return tg.svc.UpdateUserData(ctx, tg.id, map[string]any{"UserData2": "DATAUPDATE-@123"})
			}, func(p props) bool {
				return p.userData["UserData1"] == "a" && p.userData["UserData2"] == "DATAUPDATE-@123"
			}},
			{"DeleteUserData", func() (*omni.OperationResult, error) { return tg.svc.DeleteUserData(ctx, tg.id, "UserData1") },
				func(p props) bool { _, had := p.userData["UserData1"]; return !had && p.userData["UserData2"] != nil }},
			{"SetDisposition", func() (*omni.OperationResult, error) {
				return tg.svc.SetDisposition(ctx, tg.id, omni.Disposition{Disposition: "resolved", Key: "DISP_KEY"})
			}, func(p props) bool { return p.userData["DISP_KEY"] == "resolved" }},
			{"SetDisposition default key", func() (*omni.OperationResult, error) {
				return tg.svc.SetDisposition(ctx, tg.id, omni.Disposition{Disposition: "IssueResolved"})
			}, func(p props) bool { return p.userData["DispositionCode"] == "IssueResolved" }},
		}
		for _, st := range steps {
			res, err := st.run()
			if err != nil {
				t.Fatalf("%s %s: %v", tg.name, st.name, err)
			}
			if res.ReferenceID == 0 || res.ID != tg.id {
				t.Fatalf("%s %s: result %+v", tg.name, st.name, res)
			}
			n := in.next(t, tg.name+" "+st.name, byRef(res.Channel, res.ReferenceID))
			if n.Header().NotificationType != omni.NotificationPropertiesUpdated || !st.check(read(n)) {
				t.Errorf("%s %s: notification %s %s", tg.name, st.name, n.Header().NotificationType, n.Header().Raw)
			}
		}
	}
}

// TestSimulatorTwitterLifecycle: a status and a direct message arrive in the
// documented inbound shape; Reply makes the draft with parentId and the
// reply userData; Send and Complete end them; Retweet and favorites answer
// with a TwitterOperationResponse.
func TestSimulatorTwitterLifecycle(t *testing.T) {
	srv, c := simClient(t)
	in := listen(t, c)
	ctx := context.Background()
	startAgent(t, c, in, omnitest.AgentChannelTwitter)
	for _, kind := range []string{"Status", "DirectMessage"} {
		var id string
		if kind == "Status" {
			id = srv.CustomerTweet("vitaliy_onv", "@support help")
		} else {
			id = srv.CustomerDirectMessage("vitaliy_onv", "help, privately")
		}
		ev := in.next(t, "inbound "+kind, tweetWith(id, omni.StateProcessing)).(*omni.TwitterStateChange)
		if ev.MessageType != "TweetStateChangeMessage" || ev.Tweet.TwitterType != "Inbound" ||
			ev.Tweet.MsgType() != kind || ev.Tweet.IsDirectMessage() != (kind == "DirectMessage") || !ev.Tweet.Can(omni.OpRetweet) || !ev.Tweet.Can(omni.OpMarkFavorite) ||
			ev.Tweet.TwitterMsgPlainText == "" || ev.Tweet.TwitterMsgID == "" || bool(ev.Tweet.TwitterIsRetweet) {
			t.Errorf("inbound %s = %+v", kind, ev.Tweet)
		}
		if !containsAll(rawKeys(t, ev.Tweet.Raw), "tweetType", "twitterCreatedAt", "twitterFromAddr", "twitterFromUserId",
			"twitterIsFavorited", "twitterIsRetweet", "twitterMsgId", "twitterMsgPlainText", "suggestedQueueUris", "receivedDate") {
			t.Errorf("inbound keys %v", rawKeys(t, ev.Tweet.Raw))
		}
		r, err := c.Twitter.Reply(ctx, id, omni.TwitterReply{QueuePath: qContacts})
		if err != nil {
			t.Fatal(err)
		}
		draft := in.next(t, "draft", byRef(omni.ChannelTwitter, r.ReferenceID)).(*omni.TwitterStateChange)
		wantType := map[string]string{"Status": "status", "DirectMessage": "DirectMessage"}[kind]
		if draft.MessageType != "TwitterStateChangeMessage" || draft.Tweet.ParentID != id || draft.Tweet.State != omni.StateComposing ||
			draft.Tweet.UserData["To"] != "vitaliy_onv" || draft.Tweet.UserData["_twitterMsgType"] != wantType ||
			draft.Tweet.UserData["_twitterInReplyToStatusId"] != ev.Tweet.TwitterMsgID {
			t.Errorf("draft = %+v", draft.Tweet)
		}
		sent, err := c.Twitter.SendAndWait(ctx, draft.Tweet.ID, omni.TwitterSend{QueuePath: qContacts, From: "support", Message: "On it."})
		if err != nil {
			t.Fatal(err)
		}
		if sent.Tweet.State != omni.StateSent || len(sent.Tweet.Capabilities) != 0 {
			t.Errorf("sent = %+v", sent.Tweet)
		}
		for _, op := range []func(context.Context, string) (*omni.OperationResult, error){c.Twitter.Retweet, c.Twitter.MarkFavorite, c.Twitter.RemoveFavorite} {
			res, err := op(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			resp := in.next(t, "operation response", byRef(omni.ChannelTwitter, res.ReferenceID))
			if r, ok := resp.(*omni.TwitterOperationResponse); !ok || !r.Success {
				t.Errorf("%s: %T %+v", res.Operation, resp, resp)
			}
		}
		done, err := c.Twitter.Complete(ctx, id, omni.Complete{})
		if err != nil {
			t.Fatal(err)
		}
		end := in.next(t, "completed", byRef(omni.ChannelTwitter, done.ReferenceID)).(*omni.TwitterStateChange)
		if end.Tweet.State != "Completed" || len(end.Tweet.Capabilities) != 0 {
			t.Errorf("completed = %+v", end.Tweet)
		}
		if _, err := c.Twitter.Reply(ctx, id, omni.TwitterReply{QueuePath: qContacts}); !errors.Is(err, omni.ErrInvalidState) {
			t.Errorf("Reply after Complete: %v, want ErrInvalidState", err)
		}
	}
	for _, op := range []func(context.Context, omni.TwitterFollow) (*omni.OperationResult, error){c.Twitter.Follow, c.Twitter.Unfollow} {
		res, err := op(ctx, omni.TwitterFollow{TwitterUserID: "1234567890", From: "customer_support"})
		if err != nil {
			t.Fatal(err)
		}
		if r, ok := in.next(t, "follow response", byRef(omni.ChannelTwitter, res.ReferenceID)).(*omni.TwitterOperationResponse); !ok || !r.Success {
			t.Errorf("%s: %+v", res.Operation, r)
		}
	}
}

// TestSimulatorCreateSaveCancel: Create makes an empty draft, Save fills it
// (FacebookSaved / TwitterSaved), Cancel drops it.
func TestSimulatorCreateSaveCancel(t *testing.T) {
	_, c := simClient(t)
	in := listen(t, c)
	ctx := context.Background()
	fr, err := c.Facebook.Create(ctx, omni.FacebookCreate{QueuePath: qQueues})
	if err != nil {
		t.Fatal(err)
	}
	fd := in.next(t, "created", byRef(omni.ChannelFacebook, fr.ReferenceID)).(*omni.FacebookStateChange).Facebook
	if fd.State != omni.StateComposing || fd.FacebookType != "Outbound" || !fd.Can(omni.OpCancel) {
		t.Fatalf("created = %+v", fd)
	}
	sr, err := c.Facebook.Save(ctx, fd.ID, omni.FacebookSave{From: "vitaliy_onv", Message: "Hi saved facebook!"})
	if err != nil {
		t.Fatal(err)
	}
	saved := in.next(t, "saved", byRef(omni.ChannelFacebook, sr.ReferenceID)).(*omni.FacebookStateChange)
	if saved.NotificationType != omni.NotificationFacebookSaved || saved.Facebook.Message != "Hi saved facebook!" {
		t.Errorf("saved = %+v", saved)
	}
	cr, err := c.Facebook.Cancel(ctx, fd.ID)
	if err != nil {
		t.Fatal(err)
	}
	canceled := in.next(t, "canceled", byRef(omni.ChannelFacebook, cr.ReferenceID)).(*omni.FacebookStateChange).Facebook
	if canceled.State != "Canceled" || len(canceled.Capabilities) != 0 {
		t.Errorf("canceled = %+v", canceled)
	}

	tr, err := c.Twitter.Create(ctx, omni.TwitterCreate{QueuePath: qQueues})
	if err != nil {
		t.Fatal(err)
	}
	td := in.next(t, "created tweet", byRef(omni.ChannelTwitter, tr.ReferenceID)).(*omni.TwitterStateChange).Tweet
	sr, err = c.Twitter.Save(ctx, td.ID, omni.TwitterSave{})
	if err != nil {
		t.Fatal(err)
	}
	if n := in.next(t, "saved tweet", byRef(omni.ChannelTwitter, sr.ReferenceID)); n.Header().NotificationType != omni.NotificationTwitterSaved {
		t.Errorf("saved tweet = %s", n.Header().Raw)
	}
	xr, err := c.Twitter.Transfer(ctx, td.ID, "/users/10f8abb20c154fb28c82c68102625233")
	if err != nil {
		t.Fatal(err)
	}
	if tw := in.next(t, "transferred", byRef(omni.ChannelTwitter, xr.ReferenceID)).(*omni.TwitterStateChange).Tweet; tw.State != "Completed" {
		t.Errorf("transferred = %+v", tw)
	}
	tr, err = c.Twitter.Create(ctx, omni.TwitterCreate{QueuePath: qQueues, UserData: map[string]any{"UserData2": 123456789}})
	if err != nil {
		t.Fatal(err)
	}
	td = in.next(t, "second tweet draft", byRef(omni.ChannelTwitter, tr.ReferenceID)).(*omni.TwitterStateChange).Tweet
	if td.UserData["UserData2"] != float64(123456789) {
		t.Errorf("Create userData = %v", td.UserData)
	}
	cr, err = c.Twitter.Cancel(ctx, td.ID)
	if err != nil {
		t.Fatal(err)
	}
	if tw := in.next(t, "canceled tweet", byRef(omni.ChannelTwitter, cr.ReferenceID)).(*omni.TwitterStateChange).Tweet; tw.State != "Canceled" || len(tw.Capabilities) != 0 {
		t.Errorf("canceled tweet = %+v", tw)
	}
}

// TestSimulatorPrivateSessionLifecycle: a session is offered Invited
// (Accept, Reject); Accept makes it Chatting with the documented
// notifications; messages both ways reach the log; Complete ends it; Reject
// ends another without a capabilities key.
func TestSimulatorPrivateSessionLifecycle(t *testing.T) {
	srv, c := simClient(t)
	in := listen(t, c)
	ctx := context.Background()
	startAgent(t, c, in)
	if err := c.Agent.ReadyAll(ctx); err != nil {
		t.Fatal(err)
	}
	sess := srv.CustomerPrivateMessage("FirstL", "Hello World")
	offer := in.next(t, "offer", sessionWith(sess, "Invited")).(*omni.FacebookSessionStateChange)
	if offer.Channel != omni.ChannelFacebookSession || !sameOps(offer.Session.Capabilities, omni.OpAccept, omni.OpReject) {
		t.Fatalf("offer = %+v", offer.Session)
	}
	if _, err := c.FacebookSessions.SendMessage(ctx, sess, "too early"); !errors.Is(err, omni.ErrInvalidState) {
		t.Fatalf("SendMessage before Accept: %v, want ErrInvalidState", err)
	}
	if err := srv.CustomerSays(sess, "Anyone there?"); err != nil {
		t.Fatal(err)
	}
	acc, err := c.FacebookSessions.Accept(ctx, sess, "TestName")
	if err != nil {
		t.Fatal(err)
	}
	chatting := in.next(t, "chatting", byRef(omni.ChannelFacebookSession, acc.ReferenceID)).(*omni.FacebookSessionStateChange)
	if chatting.NotificationType != omni.NotificationStatusChange || chatting.Session.State != omni.StateChatting ||
		!sameOps(chatting.Session.Capabilities, "Transfer", "Complete", "Leave", "InFocus", "SendMessage",
			"SendStartTypingNotification", "SendStopTypingNotification") {
		t.Fatalf("chatting = %+v", chatting.Session)
	}
	parts := in.next(t, "participants", func(n omni.Notification) bool {
		return byRef(omni.ChannelFacebookSession, acc.ReferenceID)(n) && n.Header().NotificationType == omni.NotificationParticipantsUpdated
	}).(*omni.FacebookSessionStateChange)
	if len(parts.Session.Participants) != 2 || parts.Session.Participants[0].Nickname != "TestName" ||
		parts.Session.Participants[1].Type != omni.ParticipantCustomer {
		t.Errorf("participants = %+v", parts.Session.Participants)
	}
	history := in.next(t, "history", func(n omni.Notification) bool {
		_, ok := n.(*omni.MessageLogUpdated)
		return ok && n.Header().ReferenceID == acc.ReferenceID
	}).(*omni.MessageLogUpdated)
	var texts []string
	for _, m := range history.Messages {
		if m.Type == omni.LogText {
			texts = append(texts, m.Text)
		}
		if m.Timestamp.IsZero() {
			t.Errorf("message %d timestamp %q did not parse", m.Index, m.RawTimestamp)
		}
	}
	if len(texts) != 2 || texts[0] != "Hello World" || texts[1] != "Anyone there?" ||
		history.FacebookSessionURI != srv.URL()+"/facebooksessions/"+sess {
		t.Errorf("history = %+v", history)
	}
	sm, err := c.FacebookSessions.SendMessage(ctx, sess, "How can I help?")
	if err != nil {
		t.Fatal(err)
	}
	said := in.next(t, "agent message", byRef(omni.ChannelFacebookSession, sm.ReferenceID)).(*omni.MessageLogUpdated)
	if len(said.Messages) != 1 || said.Messages[0].From.Type != omni.ParticipantAgent || said.Messages[0].Text != "How can I help?" ||
		said.Messages[0].Visibility != "All" {
		t.Errorf("agent message = %+v", said.Messages)
	}
	if err := srv.CustomerSays(sess, "My order is late"); err != nil {
		t.Fatal(err)
	}
	customer := in.next(t, "customer message", func(n omni.Notification) bool {
		ml, ok := n.(*omni.MessageLogUpdated)
		return ok && len(ml.Messages) == 1 && ml.Messages[0].From.Type == omni.ParticipantCustomer
	}).(*omni.MessageLogUpdated)
	if customer.Messages[0].Text != "My order is late" {
		t.Errorf("customer message = %+v", customer.Messages)
	}
	done, err := c.FacebookSessions.Complete(ctx, sess)
	if err != nil {
		t.Fatal(err)
	}
	if s := in.next(t, "completed", byRef(omni.ChannelFacebookSession, done.ReferenceID)).(*omni.FacebookSessionStateChange).Session; s.State != "Completed" || len(s.Capabilities) != 0 {
		t.Errorf("completed = %+v", s)
	}
	if it, _ := srv.Interaction(sess); len(it.Log) != 4 || it.Log[2] != "Agent: How can I help?" {
		t.Errorf("simulator log = %q", it.Log)
	}

	other := srv.CustomerPrivateMessage("PersonP", "hi")
	in.next(t, "second offer", sessionWith(other, "Invited"))
	rj, err := c.FacebookSessions.Reject(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	rejected := in.next(t, "rejected", byRef(omni.ChannelFacebookSession, rj.ReferenceID)).(*omni.FacebookSessionStateChange).Session
	if rejected.State != "Completed" || rejected.Capabilities != nil || containsAll(rawKeys(t, rejected.Raw), "capabilities") {
		t.Errorf("rejected = %+v keys %v", rejected, rawKeys(t, rejected.Raw))
	}
}

// TestSimulatorChannelNotificationsAndSnapshot: channel states arrive as
// ChannelStateChangeMessageV2 on /v2/me/channels; the snapshot lists the
// channels and the interactions the agent holds.
func TestSimulatorChannelNotificationsAndSnapshot(t *testing.T) {
	srv, c := simClient(t)
	in := listen(t, c)
	ctx := context.Background()
	startAgent(t, c, in, omnitest.AgentChannelFacebook)
	post := srv.CustomerPost("Labuprofen", "hello")
	in.next(t, "post", facebookWith(post, omni.StateProcessing))
	srv.CustomerTweet("vitaliy_onv", "not offered: twitter is NotReady")
	if err := c.Agent.SetAgentState(ctx, omnitest.AgentChannelTwitter, "OutToLunch"); err != nil {
		t.Fatal(err)
	}
	ev := in.next(t, "custom state", func(n omni.Notification) bool {
		ev, ok := n.(*omni.ChannelStateChange)
		return ok && ev.Channels[0].Channel == omnitest.AgentChannelTwitter
	}).(*omni.ChannelStateChange)
	if ev.MessageType != "ChannelStateChangeMessageV2" || ev.Channel != omni.ChannelChannels || ev.Channels[0].UserState.State != "OutToLunch" {
		t.Errorf("channel notification = %+v", ev)
	}
	if err := c.Agent.NotReady(ctx, omnitest.AgentChannelFacebook); err != nil {
		t.Fatal(err)
	}
	in.next(t, "facebook NotReady", func(n omni.Notification) bool {
		ev, ok := n.(*omni.ChannelStateChange)
		return ok && ev.Channels[0].Channel == omnitest.AgentChannelFacebook && ev.Channels[0].UserState.State == "NotReady" &&
			ev.Channels[0].UserState.DisplayName == "Not Ready"
	})
	if late := srv.CustomerPost("PersonP", "not offered: facebook is NotReady"); func() bool { it, _ := srv.Interaction(late); return it.Offered }() {
		t.Error("offered to an agent NotReady on facebook")
	}
	if err := c.Agent.SetAgentState(ctx, omnitest.AgentChannelTwitter, "Dance"); err == nil {
		t.Error("an unknown agent state was accepted")
	}
	snap, err := c.Agent.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]string{}
	for _, ch := range snap.Channels {
		states[ch.Channel] = ch.UserState.State
	}
	if states["facebook"] != "NotReady" || states["twitter"] != "OutToLunch" || states["facebooksession"] != "NotReady" {
		t.Errorf("snapshot channels = %v", states)
	}
	if len(snap.Facebook) != 1 || snap.Facebook[0].ID != post || len(snap.Tweets) != 0 || snap.UserName != "agent1" {
		t.Errorf("snapshot = %+v", snap)
	}
	chs, err := c.Agent.Channels(ctx)
	if err != nil || len(chs) != 3 || chs[1].Channel != "twitter" || chs[1].UserState.State != "OutToLunch" {
		t.Errorf("Channels() = %+v, %v", chs, err)
	}
	if err := c.Agent.EndContactCenterSession(ctx); err != nil {
		t.Fatal(err)
	}
	if srv.SignedIn() || srv.AgentChannelState("facebook") != "" {
		t.Error("still signed in after EndContactCenterSession")
	}
	if err := c.Agent.Ready(ctx, "facebook"); !errors.Is(err, omni.ErrInvalidState) {
		t.Errorf("Ready without a session: %v, want ErrInvalidState", err)
	}
}

// TestOnInteractionsWithSubscribe: the notification-only handlers report a
// Tweet as new, its reply draft as new (not inbound), the draft's end on
// Send and the Tweet's end on Complete; a read of the list shows both.
func TestOnInteractionsWithSubscribe(t *testing.T) {
	srv, c := simClient(t)
	ctx := context.Background()
	ev := subscribeInteractions(t, c)
	startAgent(t, c, nil, omnitest.AgentChannelTwitter)
	tw := srv.CustomerTweet("vitaliy_onv", "hello")
	ev.want(t, "new tweet/"+tw)
	if _, err := c.Twitter.Reply(ctx, tw, omni.TwitterReply{QueuePath: qContacts}); err != nil {
		t.Fatal(err)
	}
	var draft string
	for _, it := range srv.Interactions() {
		if it.ParentID == tw {
			draft = it.ID
		}
	}
	ev.want(t, "new tweet/"+draft)
	if _, err := c.Twitter.Send(ctx, draft, omni.TwitterSend{QueuePath: qContacts, From: "support", Message: "hi"}); err != nil {
		t.Fatal(err)
	}
	ev.want(t, "end tweet/"+draft)
	if _, err := c.Twitter.Complete(ctx, tw, omni.Complete{}); err != nil {
		t.Fatal(err)
	}
	ev.want(t, "end tweet/"+tw)
	page, err := c.Twitter.List(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.URIs) != 2 || page.URIs[0] != srv.URL()+"/tweet/"+tw {
		t.Errorf("uris = %v", page.URIs)
	}
}

// TestSimulatorSessionOperations runs the remaining private-messaging
// operations against the simulator and checks each one's notification.
func TestSimulatorSessionOperations(t *testing.T) {
	srv, c := simClient(t)
	in := listen(t, c)
	ctx := context.Background()
	startAgent(t, c, in, omnitest.AgentChannelFacebookSession)
	accept := func() string {
		id := srv.CustomerPrivateMessage("FirstL", "hi")
		in.next(t, "offer", sessionWith(id, omni.StateInvited))
		r, err := c.FacebookSessions.Accept(ctx, id, "TestName")
		if err != nil {
			t.Fatal(err)
		}
		in.next(t, "history", func(n omni.Notification) bool {
			_, ok := n.(*omni.MessageLogUpdated)
			return ok && n.Header().ReferenceID == r.ReferenceID
		})
		return id
	}
	logOf := func(n omni.Notification) omni.LogMessage {
		ml, ok := n.(*omni.MessageLogUpdated)
		if !ok || len(ml.Messages) != 1 {
			t.Fatalf("want one log message, got %T %s", n, n.Header().Raw)
		}
		return ml.Messages[0]
	}
	sess := accept()
	steps := []struct {
		name  string
		run   func() (*omni.OperationResult, error)
		match func(omni.Notification) bool // the notification to check, among those with the referenceId
		check func(omni.Notification) bool
	}{
		{"SendToAgents", func() (*omni.OperationResult, error) {
			return c.FacebookSessions.SendToAgents(ctx, sess, "VIP customer")
		}, nil,
			func(n omni.Notification) bool {
				m := logOf(n)
				return m.Visibility == "Agents" && m.Text == "VIP customer"
			}},
		{"SendStartTyping", func() (*omni.OperationResult, error) { return c.FacebookSessions.SendStartTyping(ctx, sess) }, nil,
			func(n omni.Notification) bool { return logOf(n).Type == omni.LogTypingStarted }},
		{"SendStopTyping", func() (*omni.OperationResult, error) { return c.FacebookSessions.SendStopTyping(ctx, sess) }, nil,
			func(n omni.Notification) bool { return logOf(n).Type == omni.LogTypingStopped }},
		{"Consult", func() (*omni.OperationResult, error) {
			return c.FacebookSessions.Consult(ctx, sess, omni.FacebookConsult{TargetPath: "/users/c30d06daa1ea43b8be79f9b071f30d70"})
		}, nil, func(n omni.Notification) bool {
			ev, ok := n.(*omni.FacebookSessionStateChange)
			return ok && ev.NotificationType == omni.NotificationParticipantsUpdated && len(ev.Session.Participants) == 3
		}},
		{"RemoveParticipantFromConference", func() (*omni.OperationResult, error) {
			return c.FacebookSessions.RemoveParticipantFromConference(ctx, sess, "http://10.10.15.212:9090/api/v2/users/c30d06daa1ea43b8be79f9b071f30d70")
		}, nil, func(n omni.Notification) bool {
			ev, ok := n.(*omni.FacebookSessionStateChange)
			return ok && ev.NotificationType == omni.NotificationParticipantsUpdated && len(ev.Session.Participants) == 2
		}},
		{"ReportResponseTemplateUsage then SendMessage", func() (*omni.OperationResult, error) {
			// No notification for the report: the next one with a referenceId is SendMessage's.
			if _, err := c.FacebookSessions.ReportResponseTemplateUsage(ctx, sess,
				omni.TemplateUsage{ResponseTemplateID: "9a379217-8c06-4fae-b33b-36c94a54b58c"}); err != nil {
				return nil, err
			}
			return c.FacebookSessions.SendMessage(ctx, sess, "done")
		}, nil, func(n omni.Notification) bool { return logOf(n).Text == "done" }},
		{"CompleteInQueue", func() (*omni.OperationResult, error) {
			return c.FacebookSessions.CompleteInQueue(ctx, sess, "PostProcessingQueue")
		}, nil, func(n omni.Notification) bool {
			return n.(*omni.FacebookSessionStateChange).Session.State == omni.StateCompleted
		}},
	}
	for _, st := range steps {
		res, err := st.run()
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if n := in.next(t, st.name, byRef(omni.ChannelFacebookSession, res.ReferenceID)); !st.check(n) {
			t.Errorf("%s: notification %s", st.name, n.Header().Raw)
		}
	}

	// Leave: the agent's ParticipantLeft, then Completed.
	left := accept()
	r, err := c.FacebookSessions.Leave(ctx, left)
	if err != nil {
		t.Fatal(err)
	}
	if m := logOf(in.next(t, "left", byRef(omni.ChannelFacebookSession, r.ReferenceID))); m.Type != omni.LogParticipantLeft {
		t.Errorf("Leave log = %+v", m)
	}
	in.next(t, "left completed", sessionWith(left, omni.StateCompleted))

	// Transfer: the session leaves this agent.
	moved := accept()
	if r, err = c.FacebookSessions.Transfer(ctx, moved, "/queues/995655ec-81a5-46b0-82d0-3f2c5eca263d"); err != nil {
		t.Fatal(err)
	}
	if s := in.next(t, "transferred", byRef(omni.ChannelFacebookSession, r.ReferenceID)).(*omni.FacebookSessionStateChange).Session; s.State != omni.StateCompleted {
		t.Errorf("transferred = %+v", s)
	}
}

// TestSimulatorFocusAndTransfer: SetInFocus changes nothing but is
// acknowledged (PropertiesUpdated); Facebook Transfer ends the post for
// this agent.
func TestSimulatorFocusAndTransfer(t *testing.T) {
	srv, c := simClient(t)
	in := listen(t, c)
	ctx := context.Background()
	startAgent(t, c, in, omnitest.AgentChannelFacebook, omnitest.AgentChannelTwitter)
	post := srv.CustomerPost("Labuprofen", "hello")
	in.next(t, "post", facebookWith(post, omni.StateProcessing))
	tw := srv.CustomerTweet("vitaliy_onv", "hello")
	in.next(t, "tweet", tweetWith(tw, omni.StateProcessing))
	for _, f := range []struct {
		op func(context.Context, string) (*omni.OperationResult, error)
		id string
	}{{c.Facebook.SetInFocus, post}, {c.Twitter.SetInFocus, tw}} {
		res, err := f.op(ctx, f.id)
		if err != nil {
			t.Fatal(err)
		}
		n := in.next(t, "focus", byRef(res.Channel, res.ReferenceID))
		if n.Header().NotificationType != omni.NotificationPropertiesUpdated {
			t.Errorf("SetInFocus on %s: %s", res.Channel, n.Header().Raw)
		}
	}
	res, err := c.Facebook.Transfer(ctx, post, "/users/10f8abb20c154fb28c82c68102625233")
	if err != nil {
		t.Fatal(err)
	}
	if f := in.next(t, "transferred", byRef(omni.ChannelFacebook, res.ReferenceID)).(*omni.FacebookStateChange).Facebook; f.State != omni.StateCompleted || len(f.Capabilities) != 0 {
		t.Errorf("transferred = %+v", f)
	}
}

// TestSimulatorPartialSessionStart: a channel the simulator fails on gives
// statusCode 7 with each channel's result, and the session starts on the
// others; every channel failing is that one code.
func TestSimulatorPartialSessionStart(t *testing.T) {
	srv, c := simClient(t)
	ctx := context.Background()
	srv.FailChannel("facebooksession", 4, "Interaction Server is out of service")
	err := c.Agent.StartContactCenterSession(ctx, omni.SessionStart{Channels: []string{"facebook", "facebooksession"}})
	var se *omni.SessionStartError
	if !errors.As(err, &se) || !errors.Is(err, omni.ErrPartialSuccess) {
		t.Fatalf("err = %v, want *SessionStartError", err)
	}
	if len(se.Channels) != 2 || se.Channels[0] != (omni.ChannelResult{Channel: "facebook"}) ||
		se.Channels[1] != (omni.ChannelResult{Channel: "facebooksession", StatusCode: 4, StatusMessage: "Interaction Server is out of service"}) {
		t.Errorf("channels = %+v", se.Channels)
	}
	if !srv.SignedIn() || srv.AgentChannelState("facebook") != "NotReady" || srv.AgentChannelState("facebooksession") != "" {
		t.Errorf("session: signed in %v, facebook %q, facebooksession %q", srv.SignedIn(),
			srv.AgentChannelState("facebook"), srv.AgentChannelState("facebooksession"))
	}
	err = c.Agent.StartContactCenterSession(ctx, omni.SessionStart{Channels: []string{"facebooksession"}})
	var ae *omni.APIError
	if errors.As(err, &se) || !errors.As(err, &ae) || ae.GWSStatusCode != omni.StatusInternalError {
		t.Errorf("all failing: %v, want a plain *APIError statusCode 4", err)
	}
	srv.FailChannel("facebooksession", 0, "")
	if err := c.Agent.StartContactCenterSession(ctx, omni.SessionStart{Channels: []string{"facebooksession"}}); err != nil {
		t.Errorf("after the failure was removed: %v", err)
	}
}

// TestSimulatorFailingTwitterOperation: the documented failure sample of a
// Twitter operation, success "false" with errorMessage, after an accepted
// request.
func TestSimulatorFailingTwitterOperation(t *testing.T) {
	srv, c := simClient(t)
	in := listen(t, c)
	srv.FailTwitterOperations("Unable to perform twitter operation")
	res, err := c.Twitter.Unfollow(context.Background(), omni.TwitterFollow{TwitterUserID: "1234567890", From: "customer_support"})
	if err != nil {
		t.Fatal(err)
	}
	r, ok := in.next(t, "operation response", byRef(omni.ChannelTwitter, res.ReferenceID)).(*omni.TwitterOperationResponse)
	if !ok || r.Success || r.ErrorMessage != "Unable to perform twitter operation" {
		t.Errorf("response = %+v", r)
	}
}

// TestSimulatorFailedOperation: an accepted operation that fails later is an
// Error notification with its referenceId, and changes nothing.
func TestSimulatorFailedOperation(t *testing.T) {
	srv, c := simClient(t)
	in := listen(t, c)
	ctx := context.Background()
	startAgent(t, c, in, omnitest.AgentChannelFacebook)
	post := srv.CustomerPost("Labuprofen", "hello")
	in.next(t, "post", facebookWith(post, omni.StateProcessing))
	srv.FailOperations(1, "Interaction Server refused the operation")
	res, err := c.Facebook.Complete(ctx, post, omni.Complete{})
	if err != nil {
		t.Fatal(err)
	}
	ev := in.next(t, "error", byRef(omni.ChannelFacebook, res.ReferenceID)).(*omni.FacebookStateChange)
	if ev.NotificationType != omni.NotificationError || ev.Facebook.State != omni.StateProcessing ||
		!strings.Contains(string(ev.Raw), `"errorMessage":"Interaction Server refused the operation"`) {
		t.Errorf("error notification = %s", ev.Raw)
	}
	if _, err := c.Facebook.Complete(ctx, post, omni.Complete{}); err != nil {
		t.Fatal(err)
	}
	in.next(t, "completed", facebookWith(post, omni.StateCompleted))
}

// subscribeInteractions subscribes OnInteractions handlers that record
// their events, unsubscribed at cleanup.
func subscribeInteractions(t *testing.T, c *omni.Client) *viewEvents {
	t.Helper()
	ev := &viewEvents{ch: make(chan string, 64)}
	sub, err := c.Subscribe(context.Background(), omni.OnInteractions(ev.handlers())...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sub.Close() })
	return ev
}
