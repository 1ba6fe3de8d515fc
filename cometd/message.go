package cometd

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
)

// Meta channel names used by the Bayeux protocol.
const (
	ChannelHandshake   = "/meta/handshake"
	ChannelConnect     = "/meta/connect"
	ChannelSubscribe   = "/meta/subscribe"
	ChannelUnsubscribe = "/meta/unsubscribe"
	ChannelDisconnect  = "/meta/disconnect"
)

// Message is one Bayeux message, as sent or received. Handlers receive
// messages they must not modify: the same *Message may be passed to several
// handlers.
type Message struct {
	Channel                  string                     `json:"channel"`
	ID                       string                     `json:"id,omitempty"`
	ClientID                 string                     `json:"clientId,omitempty"`
	Version                  string                     `json:"version,omitempty"`
	MinimumVersion           string                     `json:"minimumVersion,omitempty"`
	SupportedConnectionTypes []string                   `json:"supportedConnectionTypes,omitempty"`
	ConnectionType           string                     `json:"connectionType,omitempty"`
	Subscription             string                     `json:"subscription,omitempty"`
	Data                     json.RawMessage            `json:"data,omitempty"`
	Successful               bool                       `json:"successful,omitempty"`
	Error                    string                     `json:"error,omitempty"`
	Advice                   *Advice                    `json:"advice,omitempty"`
	Ext                      map[string]json.RawMessage `json:"ext,omitempty"`

	// odd names the first field the decoder skipped or converted because
	// its type was not the one Bayeux says (see decode.go); "" if none.
	odd string
	// unclearSuccess is set when "successful" was neither a boolean nor
	// the string "true" or "false" (null included): the reply counts as
	// unsuccessful, but the server may have done what was asked.
	unclearSuccess bool
	// successSeen is set when the message had a "successful" field.
	successSeen bool
}

// successUnclear reports whether a received reply does not say clearly
// whether the server did what was asked: its "successful" was absent, null
// or not a boolean (nor "true" or "false").
func (m *Message) successUnclear() bool { return m.unclearSuccess || !m.successSeen }

// noteOdd records the first odd field of a received message.
func (m *Message) noteOdd(what string) {
	if m.odd == "" {
		m.odd = what
	}
}

// IsMeta reports whether the message is on a /meta/ channel.
func (m *Message) IsMeta() bool { return isMeta(m.Channel) }

// SetExt sets ext[key] to the JSON encoding of v, creating the ext object if
// needed. It is meant for extensions.
func (m *Message) SetExt(key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if m.Ext == nil {
		m.Ext = map[string]json.RawMessage{}
	}
	m.Ext[key] = b
	return nil
}

// isMeta reports whether channel is a meta channel.
func isMeta(channel string) bool { return strings.HasPrefix(channel, "/meta/") }

// errNotMessages is returned by DecodeMessages for JSON that is neither an
// object nor an array of objects.
var errNotMessages = errors.New("cometd: body is not a Bayeux message or array of messages")

// DecodeMessages decodes a Bayeux body: a JSON array of messages or, as some
// servers send, a single message object. It is the client's own decoder,
// and it differs from json.Unmarshal into []*Message (or Message) in
// these ways only:
//   - null array elements, and elements that are not objects, are
//     skipped (json.Unmarshal keeps a nil *Message for null);
//   - it is lenient where the JSON is well formed but a field is not of
//     the type Bayeux says, where json.Unmarshal fails: a numeric "id" is
//     read as its decimal text ("id":7 gives "7"); "successful" given as
//     the string "true" or "false" is read as that boolean; an element of
//     supportedConnectionTypes that is not a string is dropped; any other
//     field of the wrong type ("ext":[], "advice":[], "channel":5,
//     "successful":"yes") is skipped as if absent.
//
// Where json.Unmarshal into []*Message succeeds on an array without null
// elements, the result is the same (field names matched case-insensitively,
// the last of duplicate keys wins). Both read advice through
// Advice.UnmarshalJSON, which truncates a number with a fraction or
// exponent toward zero ("interval":0.5 gives 0) and skips a field of the
// wrong type. Malformed JSON, and a body that is neither an array nor an
// object, is an error.
func DecodeMessages(b []byte) ([]*Message, error) {
	b = trimJSONSpace(b)
	if len(b) == 0 || (b[0] != '[' && b[0] != '{') {
		return nil, errNotMessages
	}
	return decodeMessagesFast(b)
}

// trimJSONSpace removes JSON white space (space, tab, CR, LF) around b.
func trimJSONSpace(b []byte) []byte {
	return bytes.Trim(b, " \t\r\n")
}
