package omnitest

import (
	"fmt"
	"maps"
	"time"
)

// item is one customer-started interaction, or a draft answering one.
type item struct {
	kind      resourceKind
	id        string
	inbound   bool
	creator   string // a draft's creator (user name); only that agent operates it
	parentID  string
	state     string
	caps      []string // nil: the notification has no capabilities key (Reject)
	offered   bool     // the agent has been told of it (inbound) or created it (drafts)
	withdrawn bool     // the agent was told Revoked (release) and not offered it since
	ended     bool     // left the agent: Completed, Transferred, Rejected, Sent, Canceled

	from, message string
	comment       string
	userData      map[string]any
	contactID     string
	received      time.Time
	msgType       string // Twitter: "Status" or "DirectMessage"; drafts copy their parent's
	twitterMsgID  string
	twitterUserID string
	commentText   string // Facebook: the customer's comment, for a comment item

	// facebooksession
	customer participant
	agent    *participant
	consult  *participant
	// joining: Accept's StatusChange is being published, which lists no
	// participants yet (the documents' sample: "participants":[]; the
	// ParticipantsUpdated that follows names them).
	joining   bool
	log       []sessionLogEntry
	lastIndex int
}

// sessionLogEntry is one entry of a facebooksession message log.
type sessionLogEntry struct {
	Index            int         `json:"index"`
	Type             string      `json:"type"`
	From             participant `json:"from"`
	Text             string      `json:"text,omitempty"`
	Visibility       string      `json:"visibility"`
	Timestamp        string      `json:"timestamp"`
	TimestampSeconds int64       `json:"timestampSeconds"` // milliseconds, as documented
}

// Documented capabilities per state (API-FACTS-LIFECYCLE §1, §2, §3, §7).
var (
	capsFacebookInbound = []string{"Reply", "Transfer", "AddComment", "AttachUserData", "UpdateUserData",
		"DeleteUserData", "SetDisposition", "SetInFocus", "Complete"}
	capsTweetInbound = []string{"Reply", "Retweet", "Transfer", "AddComment", "AttachUserData", "UpdateUserData",
		"DeleteUserData", "SetDisposition", "SetInFocus", "Complete", "MarkFavorite", "RemoveFavorite"}
	capsDraft = []string{"Cancel", "Send", "AddComment", "AttachUserData", "UpdateUserData", "DeleteUserData",
		"SetDisposition", "SetInFocus", "Transfer"}
	// capsSessionInvited is inferred: no document shows a session offer.
	capsSessionInvited  = []string{"Accept", "Reject"}
	capsSessionChatting = []string{"Transfer", "Complete", "Leave", "InFocus", "SendMessage",
		"SendStartTypingNotification", "SendStopTypingNotification"}
	// extraSessionOps are operations the documents describe for a chatting
	// session without listing them in its capabilities sample.
	extraSessionOps = []string{"SendToAgents", "Consult", "RemoveParticipantFromConference", "AddComment",
		"AttachUserData", "UpdateUserData", "DeleteUserData", "SetDisposition", "ReportResponseTemplateUsage"}
)

func (it *item) terminal() bool { return it.ended }

// allows reports whether op is in the item's capabilities, or documented
// for its state without being listed (Save on a draft; the operations of
// extraSessionOps on a chatting session).
func (it *item) allows(op string) bool {
	for _, c := range it.caps {
		if c == op {
			return true
		}
	}
	// Save has a page for drafts although no capabilities sample lists it.
	if op == "Save" && it.kind != kindSession && it.state == "Composing" {
		return true
	}
	if it.kind == kindSession && it.state == "Chatting" {
		for _, c := range extraSessionOps {
			if c == op {
				return true
			}
		}
	}
	return false
}

// agentChannel is the agent channel the item is offered on.
func (it *item) agentChannel() string {
	switch it.kind {
	case kindTweet:
		return AgentChannelTwitter
	case kindSession:
		return AgentChannelFacebookSession
	}
	return AgentChannelFacebook
}

// topic is the CometD channel of the item's notifications.
func (it *item) topic() string {
	switch it.kind {
	case kindTweet:
		return ChannelTwitter
	case kindSession:
		return ChannelFacebookSession
	}
	return ChannelFacebook
}

// receivedDate formats like the documents' "2015-05-07 13:06:33.000+0300".
func receivedDate(t time.Time) string { return t.Format("2006-01-02 15:04:05.000-0700") }

// resource is the item as notifications and reads show it.
func (it *item) resource(base string) map[string]any {
	m := map[string]any{"id": it.id, "state": it.state}
	if it.caps != nil {
		m["capabilities"] = append([]string{}, it.caps...)
	}
	if it.userData != nil {
		m["userData"] = maps.Clone(it.userData)
	}
	if it.comment != "" {
		m["comment"] = it.comment
	}
	switch it.kind {
	case kindFacebook:
		m["uri"] = base + "/facebooks/" + it.id
		m["facebookType"] = direction(it.inbound)
		m["contactId"] = it.contactID
		if it.parentID != "" {
			m["parentId"] = it.parentID
		}
		if it.from != "" {
			m["from"] = it.from
		}
		if it.message != "" {
			m["message"], m["subject"] = it.message, subject(it.message)
		}
		if it.inbound {
			m["receivedDate"] = receivedDate(it.received)
			m["suggestedQueueUris"] = []string{}
			m["revelantResponseTemplateGroups"] = []string{} // sic, as the documents spell it
		}
	case kindTweet:
		m["uri"] = base + "/tweet/" + it.id
		m["twitterType"] = direction(it.inbound)
		m["contactId"] = it.contactID
		if it.parentID != "" {
			m["parentId"] = it.parentID
		}
		if it.from != "" {
			m["from"] = it.from
		}
		if it.message != "" {
			m["message"], m["subject"] = it.message, subject(it.message)
		}
		if it.inbound {
			m["receivedDate"] = receivedDate(it.received)
			m["twitterCreatedAt"] = it.received.UTC().Format("2006-01-02T15:04:05Z")
			m["twitterFromAddr"] = it.from
			m["twitterFromUserId"] = it.twitterUserID
			m["twitterIsFavorited"] = "false"
			m["twitterIsRetweet"] = "false"
			m["twitterMsgId"] = it.twitterMsgID
			m["twitterMsgPlainText"] = it.message
			m["suggestedQueueUris"] = []string{}
		}
	case kindSession:
		m["uri"] = base + "/facebooksessions/" + it.id
		ps := []participant{}
		if it.state == "Chatting" && !it.joining {
			ps = it.participants()
		}
		m["participants"] = ps
	}
	return m
}

func (it *item) participants() []participant {
	ps := []participant{}
	if it.agent != nil {
		ps = append(ps, *it.agent)
	}
	if it.consult != nil {
		ps = append(ps, *it.consult)
	}
	return append(ps, it.customer)
}

func direction(inbound bool) string {
	if inbound {
		return "Inbound"
	}
	return "Outbound"
}

// subject cuts a message like the documents' subjects ("...").
func subject(msg string) string {
	r := []rune(msg)
	if len(r) <= 40 {
		return msg
	}
	return string(r[:37]) + "..."
}

// notification builds the state-change notification of it.
func (it *item) notification(base, notificationType string, ref int64) map[string]any {
	n := map[string]any{"notificationType": notificationType}
	if ref != 0 {
		n["referenceId"] = ref
	}
	switch it.kind {
	case kindFacebook:
		n["messageType"] = "FacebookStateChangeMessage"
		n["facebook"] = it.resource(base)
	case kindTweet:
		n["messageType"] = "TwitterStateChangeMessage"
		n["twitter"] = it.resource(base)
	case kindSession:
		n["messageType"] = "FacebooksessionStateChangeMessage"
		n["facebooksession"] = it.resource(base)
	}
	return n
}

// publishItem publishes it's state change on its topic.
func (s *Server) publishItem(it *item, base, notificationType string, ref int64) {
	s.lcPublish(s.lc.agentFor(it), it.topic(), it.notification(base, notificationType, ref))
}

// lcPublish publishes a lifecycle notification to agent's CometD sessions,
// or, while an operation's request collects them (lc.sink, under lc.mu),
// adds it to the request's default notices: its outcome then decides what
// is published, as for the other routes (Server.outcome).
func (s *Server) lcPublish(agent, channel string, data any) {
	if s.lc.sink != nil {
		*s.lc.sink = append(*s.lc.sink, Notice{Channel: channel, Data: data, to: agent})
		return
	}
	s.publishTo(s.lc.jr, agent, channel, data)
}

// agentFor names the agent whose CometD sessions get it's notifications:
// the one holding the contact-center session for an inbound interaction,
// the creator for a draft; lc.mu held.
func (lc *lifecycle) agentFor(it *item) string {
	if it.inbound {
		return lc.owner
	}
	return it.creator
}

// offer tells the agent of an inbound item: a StatusChange without
// referenceId. Tweets arrive in the shape of the documents' inbound sample
// (TweetStateChangeMessage, key tweet, tweetType); everything else in the
// shape of the operation pages.
func (s *Server) offer(lc *lifecycle, it *item) {
	it.offered, it.withdrawn = true, false
	base := s.URL()
	s.store.put(it.kind, it.id, it.resource(base)) // readable from now on, like a send's resource
	if it.kind != kindTweet {
		s.publishItem(it, base, "StatusChange", 0)
		return
	}
	res := it.resource(base)
	res["tweetType"] = res["twitterType"]
	delete(res, "twitterType")
	s.publishTo(s.lc.jr, s.lc.agentFor(it), ChannelTwitter, map[string]any{
		"messageType": "TweetStateChangeMessage", "notificationType": "StatusChange", "tweet": res,
	})
}

// newID returns an interaction id shaped like GWS's ("01QQQG2MU214P05R").
func (lc *lifecycle) newID() string {
	lc.seq++
	return fmt.Sprintf("01QQSIM%09X", lc.seq)
}

// add records a new item.
func (lc *lifecycle) add(it *item) {
	lc.items[it.id] = it
	lc.ids = append(lc.ids, it.id)
}

// appendLog adds an entry to a session's log and returns it.
func (it *item) appendLog(typ string, from participant, text, visibility string) sessionLogEntry {
	it.lastIndex++
	now := time.Now()
	e := sessionLogEntry{Index: it.lastIndex, Type: typ, From: from, Text: text, Visibility: visibility,
		Timestamp: now.Format(timestampLayout), TimestampSeconds: now.UnixMilli()}
	it.log = append(it.log, e)
	return e
}

// publishLog publishes MessageLogUpdated with entries.
func (s *Server) publishLog(it *item, base string, ref int64, entries ...sessionLogEntry) {
	n := map[string]any{
		"messageType": "MessageLogUpdated", "notificationType": "NewMessages",
		"messages": entries, "facebooksessionUri": base + "/facebooksessions/" + it.id,
	}
	if ref != 0 {
		n["referenceId"] = ref
	}
	s.lcPublish(s.lc.agentFor(it), ChannelFacebookSession, n)
}
