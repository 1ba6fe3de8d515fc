package omni

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// maxNotificationSize bounds the data object DecodeNotification accepts.
const maxNotificationSize = 4 << 20

// wireNotification is the union of every notification's top-level fields.
type wireNotification struct {
	MessageType        string           `json:"messageType"`
	NotificationType   NotificationType `json:"notificationType"`
	ReferenceID        flexInt          `json:"referenceId"`
	Facebook           json.RawMessage  `json:"facebook"`
	Twitter            json.RawMessage  `json:"twitter"`
	Tweet              json.RawMessage  `json:"tweet"`
	FacebookSession    json.RawMessage  `json:"facebooksession"`
	FacebookSessions   json.RawMessage  `json:"facebooksessions"` // the 2019 Accept sample's key
	Messages           []LogMessage     `json:"messages"`
	FacebookSessionURI string           `json:"facebooksessionUri"`
	Success            flexBool         `json:"success"`
	ErrorMessage       string           `json:"errorMessage"`
}

// DecodeNotification turns the data of a CometD message from GWS into a
// typed Notification. A message type it does not know becomes an
// *UnknownNotification; only data that is not a JSON object is an error. A
// field of an unexpected JSON type (a string where a number belongs, say)
// is left zero, the rest decoded, and the raw data kept in Raw.
// Some deliveries wrap the data in a further {"data":{...}}: one such
// level is unwrapped. Message types match whatever their case, and a
// private-messaging session is read from "facebooksession" or
// "facebooksessions" (the documents show "facebooksessionStateChangeMessage"
// with the plural key in one sample); Header().MessageType keeps the type as
// sent.
func DecodeNotification(channel string, data []byte) (Notification, error) {
	return decodeNotification(channel, data, true)
}

func decodeNotification(channel string, data []byte, unwrap bool) (Notification, error) {
	if len(data) > maxNotificationSize {
		return nil, fmt.Errorf("omni: notification on %s larger than %d bytes", channel, maxNotificationSize)
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return nil, fmt.Errorf("omni: notification on %s is not a JSON object", channel)
	}
	var w wireNotification
	if err := lenient(json.Unmarshal(data, &w)); err != nil {
		return nil, fmt.Errorf("omni: decoding notification on %s: %w", channel, err)
	}
	if w.MessageType == "" && unwrap {
		var outer struct {
			Data json.RawMessage `json:"data"`
		}
		if json.Unmarshal(data, &outer) == nil && len(outer.Data) > 0 && outer.Data[0] == '{' {
			return decodeNotification(channel, outer.Data, false)
		}
	}
	h := NotificationHeader{Channel: channel, MessageType: w.MessageType, NotificationType: canonicalType(w.NotificationType),
		ReferenceID: int64(w.ReferenceID), Raw: bytes.Clone(data)}
	// Message types match whatever their case: a 2019 bulk edit of the
	// documents turned the Accept sample's type into
	// "facebooksessionStateChangeMessage" (and its key into
	// "facebooksessions"); Header().MessageType keeps what was sent.
	is := func(name string) bool { return strings.EqualFold(w.MessageType, name) }
	session := w.FacebookSession
	if len(session) == 0 {
		session = w.FacebookSessions
	}
	switch {
	case is("FacebookStateChangeMessage") && len(w.Facebook) > 0:
		ev := &FacebookStateChange{NotificationHeader: h}
		if err := lenient(json.Unmarshal(w.Facebook, &ev.Facebook)); err != nil {
			return nil, fmt.Errorf("omni: decoding facebook on %s: %w", channel, err)
		}
		return ev, nil
	case (is("TwitterStateChangeMessage") || is("TweetStateChangeMessage")) &&
		(len(w.Twitter) > 0 || len(w.Tweet) > 0):
		return decodeTweet(h, w)
	case is("TwitterOperationResponse"):
		return &TwitterOperationResponse{NotificationHeader: h, Success: bool(w.Success), ErrorMessage: w.ErrorMessage}, nil
	case is("FacebooksessionStateChangeMessage") && len(session) > 0:
		ev := &FacebookSessionStateChange{NotificationHeader: h}
		if err := lenient(json.Unmarshal(session, &ev.Session)); err != nil {
			return nil, fmt.Errorf("omni: decoding facebooksession on %s: %w", channel, err)
		}
		return ev, nil
	case is("MessageLogUpdated"):
		return &MessageLogUpdated{NotificationHeader: h, Messages: w.Messages, FacebookSessionURI: w.FacebookSessionURI}, nil
	}
	if n, ok, err := decodeLifecycleNotification(h, data); ok || err != nil {
		return n, err
	}
	return &UnknownNotification{NotificationHeader: h}, nil
}

func decodeTweet(h NotificationHeader, w wireNotification) (Notification, error) {
	ev := &TwitterStateChange{NotificationHeader: h}
	raw := w.Twitter
	if len(raw) == 0 {
		raw = w.Tweet
	}
	if err := lenient(json.Unmarshal(raw, &ev.Tweet)); err != nil { // a tweet that is not an object is left zero, as a Facebook is
		return nil, fmt.Errorf("omni: decoding tweet on %s: %w", h.Channel, err)
	}
	return ev, nil
}
