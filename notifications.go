package omni

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// GWS notification topics (CometD channels).
const (
	ChannelFacebook        = "/v2/me/facebook"
	ChannelTwitter         = "/v2/me/twitter"
	ChannelFacebookSession = "/v2/me/facebooksession"
	ChannelAll             = "/v2/me/**"
)

// Notification is a decoded GWS notification: one of *FacebookStateChange,
// *TwitterStateChange, *TwitterOperationResponse,
// *FacebookSessionStateChange, *MessageLogUpdated or *UnknownNotification.
type Notification interface {
	// Header returns the fields every notification has.
	Header() *NotificationHeader
}

// NotificationHeader holds what every notification carries, and its raw data.
type NotificationHeader struct {
	// Channel is the CometD channel it came on, such as "/v2/me/facebook".
	Channel string
	// MessageType is data.messageType, such as "FacebookStateChangeMessage".
	MessageType string
	// NotificationType is data.notificationType, such as StatusChange.
	NotificationType NotificationType
	// ReferenceID is data.referenceId: the SendResult.ReferenceID of the
	// request that caused it, or 0.
	ReferenceID int64
	// Raw is the whole data object as received.
	Raw json.RawMessage
}

// Header returns h.
func (h *NotificationHeader) Header() *NotificationHeader { return h }

// NotificationType is data.notificationType. Values not listed pass through as they are.
type NotificationType string

// The notification types the GWS documentation lists.
const (
	NotificationStatusChange        NotificationType = "StatusChange"
	NotificationPropertiesUpdated   NotificationType = "PropertiesUpdated"
	NotificationParticipantsUpdated NotificationType = "ParticipantsUpdated"
	NotificationFacebookSaved       NotificationType = "FacebookSaved"
	NotificationTweetSaved          NotificationType = "TweetSaved"
	NotificationTwitterSaved        NotificationType = "TwitterSaved"
	NotificationNewMessages         NotificationType = "NewMessages"
	NotificationError               NotificationType = "Error"
)

// State is the state of an interaction. Values not listed pass through as they are.
type State string

// Interaction states seen in the GWS documentation.
const (
	StateComposing  State = "Composing"
	StateSent       State = "Sent"
	StateProcessing State = "Processing"
	StateChatting   State = "Chatting"
)

// FacebookStateChange is a FacebookStateChangeMessage on /v2/me/facebook.
type FacebookStateChange struct {
	NotificationHeader
	Facebook Facebook
}

// Facebook is a Facebook interaction resource.
type Facebook struct {
	ID           string `json:"id"`
	ContactID    string `json:"contactId"`
	FacebookType string `json:"facebookType"` // Inbound or Outbound
	// ParentID is, on a reply draft, the id of the interaction it answers.
	ParentID string `json:"parentId"`
	// Comment is the agent's comment (AddComment).
	Comment      string         `json:"comment"`
	State        State          `json:"state"`
	From         string         `json:"from"`
	Message      string         `json:"message"`
	Subject      string         `json:"subject"`
	ReceivedDate string         `json:"receivedDate"`
	URI          string         `json:"uri"`
	Capabilities Capabilities   `json:"capabilities"`
	UserData     map[string]any `json:"userData"`
	// Raw is the resource object as received, with every field.
	Raw json.RawMessage `json:"-"`
}

// TwitterStateChange is a Twitter state change on /v2/me/twitter. GWS sends
// it in two shapes, TwitterStateChangeMessage with key "twitter" and
// TweetStateChangeMessage with key "tweet"; both decode into Tweet.
type TwitterStateChange struct {
	NotificationHeader
	Tweet Tweet
}

// Tweet is a Tweet interaction resource.
type Tweet struct {
	ID          string `json:"id"`
	ContactID   string `json:"contactId"`
	TwitterType string `json:"twitterType"` // Inbound or Outbound (tweetType in the other shape)
	// ParentID is, on a reply draft, the id of the Tweet it answers.
	ParentID string `json:"parentId"`
	// Comment is the agent's comment (AddComment).
	Comment             string         `json:"comment"`
	State               State          `json:"state"`
	From                string         `json:"from"`
	Message             string         `json:"message"`
	Subject             string         `json:"subject"`
	ReceivedDate        string         `json:"receivedDate"`
	URI                 string         `json:"uri"`
	Capabilities        Capabilities   `json:"capabilities"`
	TwitterCreatedAt    string         `json:"twitterCreatedAt"`
	TwitterFromAddr     string         `json:"twitterFromAddr"`
	TwitterFromUserID   string         `json:"twitterFromUserId"`
	TwitterIsFavorited  flexBool       `json:"twitterIsFavorited"`
	TwitterIsRetweet    flexBool       `json:"twitterIsRetweet"`
	TwitterMsgID        string         `json:"twitterMsgId"`
	TwitterMsgPlainText string         `json:"twitterMsgPlainText"`
	SuggestedQueueURIs  []string       `json:"suggestedQueueUris"`
	UserData            map[string]any `json:"userData"`
	// Raw is the resource object as received, with every field.
	Raw json.RawMessage `json:"-"`
}

// TwitterOperationResponse reports the outcome of a Twitter operation.
type TwitterOperationResponse struct {
	NotificationHeader
	// Success is data.success, which GWS sends as the string "true" or "false".
	Success      bool
	ErrorMessage string
}

// FacebookSessionStateChange is a FacebooksessionStateChangeMessage on
// /v2/me/facebooksession.
type FacebookSessionStateChange struct {
	NotificationHeader
	Session FacebookSession
}

// FacebookSession is a Facebook private-messaging session resource.
type FacebookSession struct {
	ID           string        `json:"id"`
	State        State         `json:"state"`
	URI          string        `json:"uri"`
	Capabilities Capabilities  `json:"capabilities"`
	Participants []Participant `json:"participants"`
	// Comment is the agent's comment (AddComment).
	Comment string `json:"comment"`
	// UserData is the session's attached data.
	UserData map[string]any `json:"userData"`
	// Raw is the resource object as received, with every field.
	Raw json.RawMessage `json:"-"`
}

// ParticipantType says who a participant is. Values not listed pass through.
type ParticipantType string

// The participant types.
const (
	ParticipantAgent    ParticipantType = "Agent"
	ParticipantCustomer ParticipantType = "Customer"
)

// Participant is someone in a private-messaging session.
type Participant struct {
	Nickname      string          `json:"nickname"`
	Type          ParticipantType `json:"type"`
	ParticipantID string          `json:"participantId"`
}

// MessageLogUpdated is the private-message log of a session growing
// (notificationType NewMessages).
type MessageLogUpdated struct {
	NotificationHeader
	Messages           []LogMessage
	FacebookSessionURI string
}

// LogMessageType is the type of a log entry. Values not listed pass through.
type LogMessageType string

// Log entry types seen in the GWS documentation.
const (
	LogParticipantJoined LogMessageType = "ParticipantJoined"
	LogParticipantLeft   LogMessageType = "ParticipantLeft"
	LogTypingStarted     LogMessageType = "TypingStarted"
	LogTypingStopped     LogMessageType = "TypingStopped"
	LogText              LogMessageType = "Text"
)

// LogMessage is one entry of a private-message log.
type LogMessage struct {
	Index      int            `json:"index"`
	Type       LogMessageType `json:"type"`
	From       Participant    `json:"from"`
	Text       string         `json:"text"`
	Visibility string         `json:"visibility"`
	// Timestamp is the parsed time; zero when RawTimestamp is in a layout
	// the SDK does not know.
	Timestamp        time.Time `json:"-"`
	RawTimestamp     string    `json:"timestamp"`
	TimestampSeconds int64     `json:"timestampSeconds"`
}

// UnknownNotification is a notification of a type this SDK does not decode;
// its data is in Raw. Nothing is dropped.
type UnknownNotification struct {
	NotificationHeader
}

// timestampLayouts are the layouts GWS uses for log timestamps.
var timestampLayouts = []string{
	"2006-01-02T15:04:05.000-0700",
	"2006-01-02 15:04:05.000-0700",
	"2006-01-02T15:04:05-0700",
	"2006-01-02 15:04:05-0700",
	time.RFC3339Nano,
}

// ParseTimestamp parses a GWS timestamp in any of the layouts it uses, such
// as "2014-01-02T14:23:18.000-0800" and "2014-01-09 11:58:12.035+0200".
func ParseTimestamp(s string) (time.Time, error) {
	for _, l := range timestampLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("omni: unknown timestamp layout %q", s)
}

// flexBool decodes true, false, "true" and "false".
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	s := string(bytes.Trim(data, `"`))
	switch s {
	case "true", "True", "TRUE":
		*b = true
	case "false", "False", "FALSE", "", "null":
		*b = false
	default:
		return fmt.Errorf("omni: %s is not a boolean", data)
	}
	return nil
}

// flexInt decodes a number or a numeric string.
type flexInt int64

func (n *flexInt) UnmarshalJSON(data []byte) error {
	s := string(bytes.Trim(data, `"`))
	if s == "" || s == "null" {
		*n = 0
		return nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != float64(int64(f)) {
			return fmt.Errorf("omni: %s is not an integer", data)
		}
		v = int64(f)
	}
	*n = flexInt(v)
	return nil
}
