package omni

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
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
	if m.From == "" {
		v.add("from", "must not be empty")
	}
	if m.To == "" {
		v.add("to", "must not be empty")
	}
	if m.Message == nil {
		v.add("message", "must not be nil")
	} else {
		v.nest("message", m.Message.Validate())
	}
	return v.err()
}

type wireSingle struct {
	From    string `json:"from"`
	To      string `json:"to"`
	Message any    `json:"message"`
}

// MarshalJSON encodes {"from":...,"to":...,"message":{...}}.
func (m SingleMessage) MarshalJSON() ([]byte, error) {
	var msg any
	if m.Message != nil {
		msg = m.Message.wire()
	}
	return json.Marshal(wireSingle{From: m.From, To: m.To, Message: msg})
}

// UnmarshalJSON decodes the request body form, the message through UnmarshalMessage.
func (m *SingleMessage) UnmarshalJSON(data []byte) error {
	var w struct {
		From    string          `json:"from"`
		To      string          `json:"to"`
		Message json.RawMessage `json:"message"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*m = SingleMessage{From: w.From, To: w.To}
	if len(w.Message) > 0 && string(w.Message) != "null" {
		msg, err := UnmarshalMessage(w.Message)
		if err != nil {
			return err
		}
		m.Message = msg
	}
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

// SendSingle sends one message. Invalid input returns a *ValidationError and
// sends nothing. No idempotency key exists, so SendSingle is not retried once
// the request may have reached the service (see WithRetryUnsafeSends).
func (s *MessengerService) SendSingle(ctx context.Context, m SingleMessage) (*SentMessage, error) {
	if s.client.messenger == nil {
		return nil, ErrNotConfigured
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	out := new(SentMessage)
	body := wireSingle{From: m.From, To: m.To, Message: m.Message.wire()}
	err := s.client.do(ctx, &call{ep: s.client.messenger, method: http.MethodPost, path: "facebook/1/single",
		body: body, send: true}, out)
	if err != nil {
		return nil, err
	}
	return out, nil
}
