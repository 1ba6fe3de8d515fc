package omnitest

// CometD channels the simulator publishes on.
const (
	ChannelFacebook        = "/v2/me/facebook"
	ChannelTwitter         = "/v2/me/twitter"
	ChannelFacebookSession = "/v2/me/facebooksession"
)

// timestampLayout is the layout of MessageLogUpdated timestamps.
const timestampLayout = "2006-01-02T15:04:05.000-0700"

// Shapes of the notifications, field order as in the vendor's samples.

type facebookNotification struct {
	MessageType      string           `json:"messageType"`
	NotificationType string           `json:"notificationType"`
	ReferenceID      int64            `json:"referenceId"`
	Facebook         facebookResource `json:"facebook"`
}

type facebookResource struct {
	Capabilities []string          `json:"capabilities"`
	ContactID    string            `json:"contactId"`
	FacebookType string            `json:"facebookType"`
	From         string            `json:"from"`
	ID           string            `json:"id"`
	Message      string            `json:"message"`
	State        string            `json:"state"`
	Subject      string            `json:"subject"`
	URI          string            `json:"uri"`
	UserData     map[string]string `json:"userData"`
}

type twitterNotification struct {
	MessageType      string          `json:"messageType"`
	NotificationType string          `json:"notificationType"`
	ReferenceID      int64           `json:"referenceId"`
	Twitter          twitterResource `json:"twitter"`
}

type twitterResource struct {
	Capabilities []string          `json:"capabilities"`
	ContactID    string            `json:"contactId"`
	From         string            `json:"from"`
	ID           string            `json:"id"`
	Message      string            `json:"message"`
	State        string            `json:"state"`
	Subject      string            `json:"subject"`
	TwitterType  string            `json:"twitterType"`
	URI          string            `json:"uri"`
	UserData     map[string]string `json:"userData"`
}

type facebooksessionNotification struct {
	MessageType      string                  `json:"messageType"`
	ReferenceID      int64                   `json:"referenceId"`
	NotificationType string                  `json:"notificationType"`
	Facebooksession  facebooksessionResource `json:"facebooksession"`
}

type facebooksessionResource struct {
	State        string        `json:"state"`
	Capabilities []string      `json:"capabilities"`
	ID           string        `json:"id"`
	URI          string        `json:"uri"`
	Participants []participant `json:"participants"`
}

type participant struct {
	Nickname      string `json:"nickname"`
	Type          string `json:"type"`
	ParticipantID string `json:"participantId"`
}

type messageLogUpdated struct {
	MessageType        string       `json:"messageType"`
	NotificationType   string       `json:"notificationType"`
	Messages           []logMessage `json:"messages"`
	FacebooksessionURI string       `json:"facebooksessionUri"`
	ReferenceID        int64        `json:"referenceId"`
}

type logMessage struct {
	Index      int         `json:"index"`
	Type       string      `json:"type"`
	From       participant `json:"from"`
	Text       string      `json:"text,omitempty"`
	Visibility string      `json:"visibility"`
	Timestamp  string      `json:"timestamp"`
}

// facebooksessionCapabilities is what an agent can do in a Chatting session.
var facebooksessionCapabilities = []string{
	"Transfer", "Complete", "Leave", "InFocus", "SendMessage",
	"SendStartTypingNotification", "SendStopTypingNotification",
}
