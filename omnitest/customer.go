package omnitest

import (
	"errors"
	"fmt"
	"time"
)

// The customer side of the simulator: a test (or a program) makes a
// customer's post, comment, Tweet, direct message or private message
// arrive. Each becomes an inbound interaction that is offered to the agent
// once it has a contact-center session and is Ready on the interaction's
// agent channel (AgentChannelFacebook, AgentChannelTwitter,
// AgentChannelFacebookSession); until then it waits, and every waiting
// interaction is offered, in arrival order, when the agent becomes Ready.
//
// Facebook posts and comments and Tweets arrive in state Processing with
// the documented inbound capabilities (the documents show no offer state
// for them). A private-messaging session arrives in state Invited with
// capabilities Accept and Reject (inferred: no document shows a session
// offer); Accept makes it Chatting and delivers the message log so far.

// ErrUnknownInteraction is returned for an id the customer side did not create.
var ErrUnknownInteraction = errors.New("omnitest: unknown interaction")

// CustomerPost makes a customer's post on the Facebook page arrive and
// returns the interaction's id.
func (s *Server) CustomerPost(from, message string) string {
	return s.inbound(&item{kind: kindFacebook, from: from, message: message,
		userData: map[string]any{"_facebookItxType": "1", "_facebookMessageText": message, "_umsChannel": "channel-facebook"}})
}

// CustomerComment makes a customer's comment on the page's post arrive.
func (s *Server) CustomerComment(from, comment string) string {
	return s.inbound(&item{kind: kindFacebook, from: from, message: comment, commentText: comment,
		userData: map[string]any{"_facebookItxType": "1", "_facebookMessageText": comment,
			"_facebookSubmitType": "comment", "_umsChannel": "channel-facebook"}})
}

// CustomerTweet makes a customer's Tweet (a status mentioning the account) arrive.
func (s *Server) CustomerTweet(from, message string) string {
	return s.inbound(&item{kind: kindTweet, from: from, message: message, msgType: "Status"})
}

// CustomerDirectMessage makes a customer's Twitter direct message arrive
// (userData._twitterMsgType "DirectMessage").
func (s *Server) CustomerDirectMessage(from, message string) string {
	return s.inbound(&item{kind: kindTweet, from: from, message: message, msgType: "DirectMessage"})
}

// CustomerPrivateMessage makes a customer start a Facebook private-messaging
// session with a first message; the session is offered in state Invited.
func (s *Server) CustomerPrivateMessage(from, message string) string {
	it := &item{kind: kindSession, from: from, state: "Invited", caps: append([]string(nil), capsSessionInvited...),
		userData: map[string]any{"_facebookItxType": "10", "FirstName": from}}
	lc := &s.lc
	lc.mu.Lock()
	lc.init()
	lc.seq++
	it.customer = participant{Nickname: from, Type: "Customer", ParticipantID: fmt.Sprintf("0090%012X", lc.seq)}
	it.appendLog("ParticipantJoined", it.customer, "", "All")
	it.appendLog("Text", it.customer, message, "All")
	lc.mu.Unlock()
	return s.inbound(it)
}

// CustomerSays adds a customer's message to the private-messaging session
// id; the agent sees it (MessageLogUpdated) once it has accepted the session.
func (s *Server) CustomerSays(id, text string) error {
	lc := &s.lc
	lc.mu.Lock()
	defer lc.mu.Unlock()
	it := lc.items[id]
	if it == nil || it.kind != kindSession {
		return ErrUnknownInteraction
	}
	if it.ended {
		return fmt.Errorf("omnitest: session %s has ended", id)
	}
	e := it.appendLog("Text", it.customer, text, "All")
	if it.state == "Chatting" {
		s.publishLog(it, s.URL(), 0, e)
	}
	return nil
}

// inbound records a new inbound item and offers it if the agent is Ready.
func (s *Server) inbound(it *item) string {
	lc := &s.lc
	lc.mu.Lock()
	defer lc.mu.Unlock()
	lc.init()
	it.id, it.inbound, it.received = lc.newID(), true, time.Now()
	it.contactID = s.contactID()
	if it.kind != kindSession {
		it.state = "Processing"
		it.caps = append([]string(nil), capsFacebookInbound...)
	}
	if it.kind == kindTweet {
		it.caps = append([]string(nil), capsTweetInbound...)
		lc.seq++
		it.twitterMsgID = fmt.Sprintf("%d", 400000000000000000+lc.seq)
		it.twitterUserID = fmt.Sprintf("%d", 1258948000+lc.seq)
		it.userData = map[string]any{"_twitterMsgType": it.msgType, "_umsChannel": "channel-twitter",
			"_twitterUserScreenName": it.from}
	}
	lc.add(it)
	if lc.ready(it.agentChannel()) {
		s.offer(lc, it)
	}
	return it.id
}

// Interaction is what the simulator holds of one customer-started
// interaction or draft, for assertions.
type Interaction struct {
	ID string
	// Kind is "facebook", "tweet" or "facebooksession".
	Kind string
	// Inbound is true for what the customer sent, false for drafts.
	Inbound bool
	// ParentID is, on a reply draft, the interaction it answers.
	ParentID string
	State    string
	// Capabilities as the last notification showed them.
	Capabilities []string
	// Offered says whether the agent has been told of it.
	Offered bool
	// From and Message: the customer's (inbound) or what Send/Save gave (drafts).
	From, Message string
	// MsgType is, for Tweets, "Status" or "DirectMessage".
	MsgType string
	// Log is, for sessions, the text of every message in the log, in order,
	// each prefixed with the participant type ("Customer: hi").
	Log      []string
	UserData map[string]any
}

// Interaction returns the interaction id as the simulator holds it.
func (s *Server) Interaction(id string) (Interaction, bool) {
	lc := &s.lc
	lc.mu.Lock()
	defer lc.mu.Unlock()
	it := lc.items[id]
	if it == nil {
		return Interaction{}, false
	}
	return it.snapshot(), true
}

// Interactions returns every customer-started interaction and draft, in
// creation order.
func (s *Server) Interactions() []Interaction {
	lc := &s.lc
	lc.mu.Lock()
	defer lc.mu.Unlock()
	out := make([]Interaction, 0, len(lc.ids))
	for _, id := range lc.ids {
		out = append(out, lc.items[id].snapshot())
	}
	return out
}

func (it *item) snapshot() Interaction {
	kinds := map[resourceKind]string{kindFacebook: "facebook", kindTweet: "tweet", kindSession: "facebooksession"}
	in := Interaction{ID: it.id, Kind: kinds[it.kind], Inbound: it.inbound, ParentID: it.parentID, State: it.state,
		Capabilities: append([]string(nil), it.caps...), Offered: it.offered, From: it.from, Message: it.message,
		MsgType: it.msgType, UserData: map[string]any{}}
	if it.withdrawn {
		// What the agent was last told; the item keeps the state its next
		// offer shows.
		in.State, in.Capabilities = "Revoked", []string{}
	}
	for k, v := range it.userData {
		in.UserData[k] = v
	}
	for _, e := range it.log {
		if e.Type == "Text" {
			in.Log = append(in.Log, e.From.Type+": "+e.Text)
		}
	}
	return in
}

// AgentChannelState returns the agent's state on channel ("" when the
// channel is not in the contact-center session).
func (s *Server) AgentChannelState(channel string) string {
	lc := &s.lc
	lc.mu.Lock()
	defer lc.mu.Unlock()
	return lc.channels[channel]
}
