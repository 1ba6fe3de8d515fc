package omni

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
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

// NotificationType is data.notificationType. A value the documentation lists
// is read whatever its case and given as the constant below, so comparing
// with the constants works for "error" as for "Error"; values not listed
// pass through as they are.
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

var notificationTypes = []NotificationType{NotificationStatusChange, NotificationPropertiesUpdated,
	NotificationParticipantsUpdated, NotificationFacebookSaved, NotificationTweetSaved, NotificationTwitterSaved,
	NotificationNewMessages, NotificationError}

// canonicalType returns the listed NotificationType t is, whatever its
// case, or t as it is.
func canonicalType(t NotificationType) NotificationType {
	for _, c := range notificationTypes {
		if strings.EqualFold(string(t), string(c)) {
			return c
		}
	}
	return t
}

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
	TwitterIsFavorited  bool           `json:"twitterIsFavorited"` // sent as true or "true"
	TwitterIsRetweet    bool           `json:"twitterIsRetweet"`
	TwitterMsgID        string         `json:"twitterMsgId"`
	TwitterMsgPlainText string         `json:"twitterMsgPlainText"`
	SuggestedQueueURIs  []string       `json:"suggestedQueueUris"`
	UserData            map[string]any `json:"userData"`
	// Raw is the resource object as received, with every field.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes a Tweet leniently: the booleans GWS sends as
// strings ("true") are read as booleans, TwitterType is taken from
// tweetType in the other shape, and a field of an unexpected type is left
// zero (Raw keeps it) instead of failing the whole Tweet. Raw is set to data.
// null leaves t unchanged; a JSON value other than an object is an error.
func (t *Tweet) UnmarshalJSON(data []byte) error {
	if null, err := objectOrNull(data, reflect.TypeFor[Tweet]()); null || err != nil {
		return err
	}
	type plain Tweet // without this method
	w := struct {
		*plain
		TwitterIsFavorited flexBool `json:"twitterIsFavorited"`
		TwitterIsRetweet   flexBool `json:"twitterIsRetweet"`
		TweetType          string   `json:"tweetType"`
	}{plain: (*plain)(t)}
	if err := lenient(json.Unmarshal(data, &w)); err != nil {
		return err
	}
	t.TwitterIsFavorited, t.TwitterIsRetweet = bool(w.TwitterIsFavorited), bool(w.TwitterIsRetweet)
	if t.TwitterType == "" {
		t.TwitterType = w.TweetType
	}
	t.Raw = bytes.Clone(data)
	return nil
}

// UnmarshalJSON decodes a Facebook interaction and sets Raw to data. A
// field of an unexpected type is left zero and reported as encoding/json
// reports it, after the other fields are decoded; Raw keeps it. null leaves
// f unchanged; a JSON value other than an object is an error.
func (f *Facebook) UnmarshalJSON(data []byte) error {
	if null, err := objectOrNull(data, reflect.TypeFor[Facebook]()); null || err != nil {
		return err
	}
	type plain Facebook // without this method
	err := json.Unmarshal(data, (*plain)(f))
	f.Raw = bytes.Clone(data)
	return renamed(err, reflect.TypeFor[plain](), reflect.TypeFor[Facebook]())
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

// UnmarshalJSON decodes a session and sets Raw to data. A field of an
// unexpected type is left zero and reported as encoding/json reports it,
// after the other fields are decoded; Raw keeps it. null leaves fs
// unchanged; a JSON value other than an object is an error.
func (fs *FacebookSession) UnmarshalJSON(data []byte) error {
	if null, err := objectOrNull(data, reflect.TypeFor[FacebookSession]()); null || err != nil {
		return err
	}
	type plain FacebookSession // without this method
	err := json.Unmarshal(data, (*plain)(fs))
	fs.Raw = bytes.Clone(data)
	return renamed(err, reflect.TypeFor[plain](), reflect.TypeFor[FacebookSession]())
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
	// Raw is the entry as received, with every field.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes a log entry leniently: index and timestampSeconds
// may be numeric strings, and a field of an unexpected type is left zero
// (Raw keeps it) instead of failing the whole notification. Timestamp is
// parsed from RawTimestamp (ParseTimestamp); Raw is set to data. null
// leaves m unchanged; a JSON value other than an object is an error.
func (m *LogMessage) UnmarshalJSON(data []byte) error {
	if null, err := objectOrNull(data, reflect.TypeFor[LogMessage]()); null || err != nil {
		return err
	}
	type plain LogMessage // without this method
	w := struct {
		*plain
		Index            flexInt `json:"index"`
		TimestampSeconds flexInt `json:"timestampSeconds"`
	}{plain: (*plain)(m)}
	if err := lenient(json.Unmarshal(data, &w)); err != nil {
		return err
	}
	m.Index, m.TimestampSeconds = int(w.Index), int64(w.TimestampSeconds)
	if m.RawTimestamp != "" {
		m.Timestamp, _ = ParseTimestamp(m.RawTimestamp) // unknown layouts keep RawTimestamp only
	}
	m.Raw = bytes.Clone(data)
	return nil
}

// lenient drops the error of a JSON value of an unexpected type:
// encoding/json decodes every other field regardless, and the raw data is
// kept by whoever called it.
func lenient(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return nil
	}
	return err
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

// flexBool decodes true, false, "true" and "false"; anything else is false
// (the raw data keeps it), never an error that would fail the whole value.
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	switch string(bytes.Trim(data, `"`)) {
	case "true", "True", "TRUE":
		*b = true
	default:
		*b = false
	}
	return nil
}

// flexString decodes a string, or a number as its literal (a phone number
// or an id some servers send unquoted); anything else is "" (the raw data
// keeps it), never an error that would fail the whole value.
type flexString string

func (s *flexString) UnmarshalJSON(data []byte) error {
	*s = ""
	switch {
	case len(data) > 0 && data[0] == '"':
		var v string
		if json.Unmarshal(data, &v) == nil {
			*s = flexString(v)
		}
	case len(data) > 0 && (data[0] == '-' || (data[0] >= '0' && data[0] <= '9')):
		*s = flexString(data)
	}
	return nil
}

// flexInt decodes a number or a numeric string; anything else is 0 (the
// raw data keeps it), never an error that would fail the whole value.
type flexInt int64

func (n *flexInt) UnmarshalJSON(data []byte) error {
	s := string(data)
	if len(data) > 0 && data[0] == '"' {
		// A string is read as JSON reads it, escapes included ("\u0031").
		if json.Unmarshal(data, &s) != nil {
			s = ""
		}
	}
	*n = 0
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		*n = flexInt(v)
	} else if errors.Is(err, strconv.ErrRange) {
		// Out of int64's range either way: 0, as for anything unreadable.
	} else if f, err := strconv.ParseFloat(s, 64); err == nil && f == float64(int64(f)) {
		*n = flexInt(int64(f))
	}
	return nil
}
