package omnitest

import (
	"bytes"
	"encoding/json"
)

// Builders of the documented notification shapes, for Notify and for
// Publish. Each returns a Notice on the shape's channel; ref is the
// referenceId of the request it answers, resource the interaction object
// (a map, a struct, or Send.Resource).

// FacebookStateChange is a FacebookStateChangeMessage on /v2/me/facebook
// with notificationType such as "StatusChange", "PropertiesUpdated",
// "FacebookSaved" or "Error".
func FacebookStateChange(ref int64, notificationType string, facebook any) Notice {
	return stateNotice(ChannelFacebook, "FacebookStateChangeMessage", "facebook", ref, notificationType, facebook)
}

// TwitterStateChange is a TwitterStateChangeMessage on /v2/me/twitter
// (resource under "twitter"), notificationType such as "StatusChange",
// "TweetSaved" or "Error".
func TwitterStateChange(ref int64, notificationType string, twitter any) Notice {
	return stateNotice(ChannelTwitter, "TwitterStateChangeMessage", "twitter", ref, notificationType, twitter)
}

// TweetStateChange is the other documented Twitter shape,
// TweetStateChangeMessage with the resource under "tweet".
func TweetStateChange(ref int64, notificationType string, tweet any) Notice {
	return stateNotice(ChannelTwitter, "TweetStateChangeMessage", "tweet", ref, notificationType, tweet)
}

// FacebookSessionStateChange is a FacebooksessionStateChangeMessage on
// /v2/me/facebooksession, notificationType such as "StatusChange",
// "ParticipantsUpdated" or "Error".
func FacebookSessionStateChange(ref int64, notificationType string, session any) Notice {
	return stateNotice(ChannelFacebookSession, "FacebooksessionStateChangeMessage", "facebooksession", ref, notificationType, session)
}

// TwitterOperationResponse is the TwitterOperationResponse notification on
// /v2/me/twitter; GWS sends success as the string "true" or "false".
func TwitterOperationResponse(ref int64, success bool, errorMessage string) Notice {
	d := twitterOpResponse{MessageType: "TwitterOperationResponse", ReferenceID: ref, Success: "false", ErrorMessage: errorMessage}
	if success {
		d.Success = "true"
	}
	return Notice{Channel: ChannelTwitter, Data: d}
}

// MessageLogUpdated is a MessageLogUpdated (NewMessages) notification on
// /v2/me/facebooksession; messages is the list of message-log entries.
func MessageLogUpdated(ref int64, sessionURI string, messages any) Notice {
	return Notice{Channel: ChannelFacebookSession, Data: logUpdated{
		MessageType: "MessageLogUpdated", NotificationType: "NewMessages",
		Messages: messages, FacebooksessionURI: sessionURI, ReferenceID: ref,
	}}
}

type twitterOpResponse struct {
	MessageType  string `json:"messageType"`
	ReferenceID  int64  `json:"referenceId"`
	Success      string `json:"success"`
	ErrorMessage string `json:"errorMessage,omitempty"`
}

type logUpdated struct {
	MessageType        string `json:"messageType"`
	NotificationType   string `json:"notificationType"`
	Messages           any    `json:"messages"`
	FacebooksessionURI string `json:"facebooksessionUri"`
	ReferenceID        int64  `json:"referenceId"`
}

// stateChange marshals with the vendor's field order and the resource under
// a key that depends on the shape.
type stateChange struct {
	messageType, notificationType string
	ref                           int64
	errorMessage                  string
	key                           string
	resource                      any
}

func stateNotice(channel, messageType, key string, ref int64, notificationType string, resource any) Notice {
	return Notice{Channel: channel, Data: stateChange{messageType: messageType, notificationType: notificationType,
		ref: ref, key: key, resource: resource}}
}

// withError adds errorMessage to a state change.
func (n Notice) withError(msg string) Notice {
	if c, ok := n.Data.(stateChange); ok {
		c.errorMessage = msg
		n.Data = c
	}
	return n
}

// MarshalJSON writes {"messageType","notificationType","referenceId",
// ["errorMessage",] key}.
func (c stateChange) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	field := func(name string, v any) error {
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(name)
		b.Write(k)
		b.WriteByte(':')
		raw, err := json.Marshal(v)
		b.Write(raw)
		return err
	}
	b.WriteByte('{')
	_ = field("messageType", c.messageType)
	_ = field("notificationType", c.notificationType)
	_ = field("referenceId", c.ref)
	if c.errorMessage != "" {
		_ = field("errorMessage", c.errorMessage)
	}
	if err := field(c.key, c.resource); err != nil {
		return nil, err
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
