package omni

import "strings"

// InteractionKind says which kind of GWS interaction an Interaction is.
type InteractionKind string

// The interaction kinds.
const (
	KindFacebook        InteractionKind = "facebook"
	KindTweet           InteractionKind = "tweet"
	KindFacebookSession InteractionKind = "facebooksession"
)

// More interaction states seen in the documents.
const (
	StateInvited   State = "Invited"
	StateCompleted State = "Completed"
	StateCanceled  State = "Canceled"
	StateRevoked   State = "Revoked"
)

// Terminal reports whether s ends an interaction: Completed, Canceled,
// Sent or Revoked. A terminal interaction has no capabilities.
func (s State) Terminal() bool {
	switch s {
	case StateCompleted, StateCanceled, StateSent, StateRevoked:
		return true
	}
	return false
}

// Interaction is one interaction of the agent as the SDK last saw it:
// exactly one of Facebook, Tweet and Session is set, matching Kind.
type Interaction struct {
	// Kind says which of Facebook, Tweet and Session is set.
	Kind InteractionKind
	// ID is the interaction id the operations take.
	ID string
	// State is the interaction's state, such as Processing or Composing.
	State State
	// Capabilities are the operations allowed now, replaced whole by every
	// notification that carries them (in a live view, one that carries
	// none, such as a PropertiesUpdated of the changed properties only,
	// keeps them, and its state and direction, as last seen).
	Capabilities Capabilities
	// Inbound is true for what a customer sent (facebookType / twitterType
	// Inbound, and every private-messaging session), false for drafts.
	Inbound bool
	// Facebook, Tweet or Session is the resource as last received (after a
	// snapshot re-sync found an interaction gone, its last known form).
	Facebook *Facebook
	Tweet    *Tweet
	Session  *FacebookSession
}

// Can reports whether the server allows op on the interaction now.
func (i *Interaction) Can(op Operation) bool { return i.Capabilities.Can(op) }

// interactionOf returns the interaction a state-change notification is about.
func interactionOf(n Notification) (Interaction, bool) {
	switch ev := n.(type) {
	case *FacebookStateChange:
		return facebookInteraction(ev.Facebook), ev.Facebook.ID != ""
	case *TwitterStateChange:
		return tweetInteraction(ev.Tweet), ev.Tweet.ID != ""
	case *FacebookSessionStateChange:
		return sessionInteraction(ev.Session), ev.Session.ID != ""
	}
	return Interaction{}, false
}

// facebookInteraction, tweetInteraction and sessionInteraction make the
// Interaction of a resource (a copy of it).
func facebookInteraction(f Facebook) Interaction {
	return Interaction{Kind: KindFacebook, ID: f.ID, State: f.State, Capabilities: f.Capabilities,
		Inbound: f.FacebookType == "Inbound", Facebook: &f}
}

func tweetInteraction(t Tweet) Interaction {
	return Interaction{Kind: KindTweet, ID: t.ID, State: t.State, Capabilities: t.Capabilities,
		Inbound: t.TwitterType == "Inbound", Tweet: &t}
}

func sessionInteraction(s FacebookSession) Interaction {
	return Interaction{Kind: KindFacebookSession, ID: s.ID, State: s.State, Capabilities: s.Capabilities,
		Inbound: true, Session: &s}
}

// MsgType returns userData._twitterMsgType: "Status" for a public Tweet,
// "DirectMessage" for a direct message (the documents also write "status").
func (t *Tweet) MsgType() string {
	s, _ := t.UserData["_twitterMsgType"].(string)
	return s
}

// IsDirectMessage reports whether the Tweet is a direct message.
func (t *Tweet) IsDirectMessage() bool { return strings.EqualFold(t.MsgType(), "DirectMessage") }
