package omni

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MessengerService sends Facebook Messenger messages through an
// Infobip-style API (POST {messenger base}/facebook/1/single).
type MessengerService service

// SingleMessage is one Messenger message to one user.
type SingleMessage struct {
	// From is the application key that sends. Required.
	From string
	// To is the user key (not the Facebook id) or phone number. Required.
	To string
	// Message is what to send. Required.
	Message Message
}

// Validate reports every field that breaks the service's rules, with paths
// such as "message.payload.buttons[0].title".
func (m SingleMessage) Validate() error {
	var v ValidationError
	required(&v, "from", m.From)
	required(&v, "to", m.To)
	if !utf8.ValidString(m.From) {
		v.add("from", ruleUTF8)
	}
	if !utf8.ValidString(m.To) {
		v.add("to", ruleUTF8)
	}
	switch msg := dereference(m.Message); {
	case msg == nil:
		v.add("message", "must not be nil")
	case !ownMessage(msg):
		v.add("message", "must be one of the SDK's message types (Text, Media, Template, SenderAction, UnknownMessage) "+
			"or a pointer to one, got %T", m.Message)
	default:
		v.nest("message", msg.Validate())
	}
	return v.err()
}

// wireSingle is the request body for a message of a known type: typed all
// the way down, so encoding/json needs no interface or pointer.
type wireSingle struct {
	From    string      `json:"from"`
	To      string      `json:"to"`
	Message wireMessage `json:"message"`
}

// wireSingleRaw is the request body for an UnknownMessage (or none), and
// the form SingleMessage decodes anything but the known shapes from.
type wireSingleRaw struct {
	From    string          `json:"from"`
	To      string          `json:"to"`
	Message json.RawMessage `json:"message"`
}

// body returns the request body of m for encoding/json.
func (m SingleMessage) body() any {
	switch msg := dereference(m.Message).(type) {
	case nil:
		return wireSingleRaw{From: m.From, To: m.To} // "message":null
	case UnknownMessage:
		return wireSingleRaw{From: m.From, To: m.To, Message: msg.Raw}
	default:
		return wireSingle{From: m.From, To: m.To, Message: msg.wire()}
	}
}

// MarshalJSON encodes {"from":...,"to":...,"message":{...}}.
// It writes what SendSingle sends (encodeBody).
func (m SingleMessage) MarshalJSON() ([]byte, error) { return encodeBody(m.body()) }

// UnmarshalJSON decodes the request body form, the message as
// UnmarshalMessage does.
func (m *SingleMessage) UnmarshalJSON(data []byte) error {
	// One pass for the known message shapes; anything else is decoded
	// again with the message kept raw.
	var w struct {
		From    string       `json:"from"`
		To      string       `json:"to"`
		Message *wireMessage `json:"message"`
	}
	if err := json.Unmarshal(data, &w); err == nil {
		if w.Message == nil {
			*m = SingleMessage{From: w.From, To: w.To}
			return nil
		}
		if msg, ok := w.Message.message(); ok && exactText(data) {
			*m = SingleMessage{From: w.From, To: w.To, Message: msg}
			return nil
		}
	}
	var raw wireSingleRaw
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	var msg Message
	if len(raw.Message) > 0 && string(raw.Message) != "null" {
		var err error
		if msg, err = UnmarshalMessage(raw.Message); err != nil {
			return err
		}
	}
	*m = SingleMessage{From: raw.From, To: raw.To, Message: msg}
	return nil
}

// SentMessage is the service's answer to a send.
type SentMessage struct {
	To           string         `json:"to"`
	MessageCount int            `json:"messageCount"`
	MessageID    string         `json:"messageId"`
	Status       DeliveryStatus `json:"status"`
}

// DeliveryStatus says where a message stands. GroupID is the coarse state;
// ID and Name the precise one (such as 7 PENDING_ENROUTE), kept as sent.
type DeliveryStatus struct {
	GroupID     StatusGroup `json:"groupId"`
	GroupName   string      `json:"groupName"`
	ID          int         `json:"id"`
	Name        string      `json:"name"`
	Description string      `json:"description"`
	Action      string      `json:"action,omitempty"`
}

// StatusGroup is the coarse delivery state of a Messenger message.
type StatusGroup int

// The status groups.
const (
	GroupPending       StatusGroup = 1
	GroupUndeliverable StatusGroup = 2
	GroupDelivered     StatusGroup = 3
	GroupExpired       StatusGroup = 4
	GroupRejected      StatusGroup = 5
)

// String returns the group's name, such as "PENDING".
func (g StatusGroup) String() string {
	switch g {
	case GroupPending:
		return "PENDING"
	case GroupUndeliverable:
		return "UNDELIVERABLE"
	case GroupDelivered:
		return "DELIVERED"
	case GroupExpired:
		return "EXPIRED"
	case GroupRejected:
		return "REJECTED"
	}
	return "StatusGroup(" + strconv.Itoa(int(g)) + ")"
}

// normalize gives a status that names its group only by groupName the
// group's id, so that comparing GroupID with the constants works. Every
// status the SDK decodes goes through it (send answers here and in
// SendMessages, reports and logs in wireStatus.status).
func (st *DeliveryStatus) normalize() {
	if st.GroupID != 0 {
		return
	}
	for g := GroupPending; g <= GroupRejected; g++ {
		if strings.EqualFold(st.GroupName, g.String()) {
			st.GroupID = g
		}
	}
}

// SendSingle sends one message. Invalid input returns a *ValidationError and
// sends nothing. No idempotency key exists, so SendSingle is not retried once
// the request may have reached the service (see WithRetryUnsafeSends). A 2xx
// answer without a messageId (an empty body, {} or null) is a *DecodeError;
// one whose status is of group REJECTED is a *RejectedError (ErrRejected):
// the message was not sent.
func (s *MessengerService) SendSingle(ctx context.Context, m SingleMessage) (*SentMessage, error) {
	if s.client.messenger == nil {
		return nil, ErrNotConfigured
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	out := new(SentMessage)
	err := s.client.do(ctx, &call{ep: s.client.messenger, method: http.MethodPost, path: "facebook/1/single",
		body: m.body(), send: true, decode: func(b []byte) bool { return decodeSentFast(b, out) },
		lenient: func(b []byte) error { return decodeSentLeniently(b, out) },
		complete: func() error {
			if out.MessageID == "" {
				return errors.New("response has no messageId")
			}
			return nil
		}}, out)
	if err != nil {
		return nil, err
	}
	out.Status.normalize()
	if out.Status.GroupID == GroupRejected {
		re := &RejectedError{Sent: *out}
		if r := s.client.messenger.redact; r != nil {
			r(re) // the server's words may echo a credential
		}
		return nil, re
	}
	if r := s.client.messenger.redact; r != nil {
		r(out)
	}
	return out, nil
}
