package omni

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// InboundType is the "type" of a message a Messenger user sent.
type InboundType string

// The inbound message types Infobip documents. Any other value is decoded
// as an InboundUnknown that keeps the raw object.
const (
	InboundTypeText        InboundType = "TEXT"
	InboundTypeImage       InboundType = "IMAGE"
	InboundTypeAudio       InboundType = "AUDIO"
	InboundTypeVideo       InboundType = "VIDEO"
	InboundTypeFile        InboundType = "FILE"
	InboundTypeURL         InboundType = "URL"
	InboundTypeLocationURL InboundType = "LOCATION_URL"
	InboundTypeFallback    InboundType = "FALLBACK"
	InboundTypeLocation    InboundType = "LOCATION"
	InboundTypePostback    InboundType = "POSTBACK"
	InboundTypeUnknown     InboundType = "UNKNOWN"
)

// InboundPush is one push of inbound (mobile-originated) messages to a
// webhook: {"results":[...],"messageCount":N,"pendingMessageCount":N}.
type InboundPush struct {
	Results             []InboundMessage
	MessageCount        int
	PendingMessageCount int
}

// InboundMessage is one message a Messenger user sent to the page.
//
// Both generations of the push are accepted: the current one names the user
// "sender", the legacy (OMNI) one "from"; either fills Sender. The current
// schema marks sender, to, integrationType, receivedAt, messageId, message
// and price required, yet its own sample carries only sender, to,
// receivedAt and message, so no field is required here.
type InboundMessage struct {
	// Sender is the user who wrote (the page-scoped user id).
	Sender string
	// To is the page (the sender given at activation).
	To              string
	IntegrationType string
	// ReceivedAt is the parsed time; zero when the raw value is missing or
	// in a layout the SDK does not know (RawReceivedAt keeps it as sent).
	ReceivedAt    time.Time
	RawReceivedAt string
	Keyword       string
	// MessageID identifies the inbound message; InboundHandler
	// de-duplicates on it. The documents' own sample has none.
	MessageID string
	// PairedMessageID is the outbound message Infobip matched this one to.
	PairedMessageID string
	CallbackData    string
	EntityID        string
	ApplicationID   string
	// Content is the message: one of InboundText, InboundMedia,
	// InboundFallback, InboundLocation, InboundPostback or InboundUnknown.
	// nil when the push had no "message".
	Content InboundContent
	// Price is nil when the push had none.
	Price *Price
	// Raw is the result object as received.
	Raw json.RawMessage
}

// InboundContent is the content of an inbound message. The set is closed:
// only this package's types implement it.
type InboundContent interface {
	// Type returns the message's "type".
	Type() InboundType
	inbound()
}

// InboundText is a TEXT message. QuickReply is set when the user tapped a
// quick reply the page offered; ReplyTo when the user replied to a message.
type InboundText struct {
	MID        string
	Text       string
	QuickReply *InboundQuickReply
	ReplyTo    *ReplyTo
}

// InboundQuickReply carries the payload of the quick reply the user tapped.
type InboundQuickReply struct {
	Payload string `json:"payload"`
}

// ReplyTo names the message the user replied to.
type ReplyTo struct {
	MID string `json:"mid"`
}

// InboundMedia is an IMAGE, AUDIO, VIDEO, FILE, URL or LOCATION_URL
// message: a URL, and for an IMAGE that is a sticker, its StickerID.
type InboundMedia struct {
	Kind      InboundType
	URL       string
	StickerID string
}

// InboundFallback is a FALLBACK message: content Messenger could not map
// to another type, as a URL and a title.
type InboundFallback struct {
	URL   string
	Title string
}

// InboundLocation is a LOCATION message: coordinates the user shared.
type InboundLocation struct {
	Latitude  float64
	Longitude float64
}

// InboundPostback is a POSTBACK: the user pressed a button the page sent
// (PostbackButton); Payload is that button's payload.
type InboundPostback struct {
	Payload string
	Title   string
}

// InboundUnknown keeps a message of type UNKNOWN, or of a type this SDK
// does not know, as the raw JSON object it came in.
type InboundUnknown struct {
	Kind InboundType
	Raw  json.RawMessage
}

// Type returns InboundTypeText.
func (InboundText) Type() InboundType { return InboundTypeText }

// Type returns the media kind.
func (m InboundMedia) Type() InboundType { return m.Kind }

// Type returns InboundTypeFallback.
func (InboundFallback) Type() InboundType { return InboundTypeFallback }

// Type returns InboundTypeLocation.
func (InboundLocation) Type() InboundType { return InboundTypeLocation }

// Type returns InboundTypePostback.
func (InboundPostback) Type() InboundType { return InboundTypePostback }

// Type returns the message's "type" as sent.
func (m InboundUnknown) Type() InboundType { return m.Kind }

func (InboundText) inbound()     {}
func (InboundMedia) inbound()    {}
func (InboundFallback) inbound() {}
func (InboundLocation) inbound() {}
func (InboundPostback) inbound() {}
func (InboundUnknown) inbound()  {}

// wireInbound is the union of both generations' result fields.
type wireInbound struct {
	Sender          flexString      `json:"sender"`
	From            flexString      `json:"from"`
	To              flexString      `json:"to"`
	IntegrationType flexString      `json:"integrationType"`
	ReceivedAt      json.RawMessage `json:"receivedAt"`
	Keyword         flexString      `json:"keyword"`
	MessageID       flexString      `json:"messageId"`
	PairedMessageID flexString      `json:"pairedMessageId"`
	CallbackData    flexString      `json:"callbackData"`
	EntityID        flexString      `json:"entityId"`
	ApplicationID   flexString      `json:"applicationId"`
	Message         json.RawMessage `json:"message"`
	Price           *Price          `json:"price"`
}

// wireInboundContent is the union of the fields of every known type.
type wireInboundContent struct {
	Type       InboundType        `json:"type"`
	MID        string             `json:"mid"`
	Text       string             `json:"text"`
	QuickReply *InboundQuickReply `json:"quickReply"`
	ReplyTo    *ReplyTo           `json:"replyTo"`
	URL        string             `json:"url"`
	StickerID  string             `json:"stickerId"`
	Title      string             `json:"title"`
	Latitude   float64            `json:"latitude"`
	Longitude  float64            `json:"longitude"`
	Payload    string             `json:"payload"`
}

// UnmarshalJSON decodes one result of either generation. null leaves m
// unchanged.
func (m *InboundMessage) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if string(data) == "null" {
		return nil
	}
	if len(data) == 0 || data[0] != '{' {
		return fmt.Errorf("omni: inbound message: %w", errNotObject)
	}
	var w wireInbound
	if err := json.Unmarshal(data, &w); err != nil {
		return fmt.Errorf("omni: inbound message: %w", err)
	}
	content, err := decodeInboundContent(w.Message)
	if err != nil {
		return err
	}
	out := InboundMessage{
		Sender:          string(w.Sender),
		To:              string(w.To),
		IntegrationType: string(w.IntegrationType),
		Keyword:         string(w.Keyword),
		MessageID:       string(w.MessageID),
		PairedMessageID: string(w.PairedMessageID),
		CallbackData:    string(w.CallbackData),
		EntityID:        string(w.EntityID),
		ApplicationID:   string(w.ApplicationID),
		Content:         content,
		Price:           w.Price,
		Raw:             bytes.Clone(data),
	}
	if out.Sender == "" {
		out.Sender = string(w.From) // the legacy generation
	}
	out.ReceivedAt, out.RawReceivedAt = parseReportTime(w.ReceivedAt)
	*m = out
	return nil
}

// decodeInboundContent decodes a "message" object. A type this package
// does not model, or a known type whose fields have other shapes than
// documented, is kept as InboundUnknown: nothing the user sent is dropped.
func decodeInboundContent(raw json.RawMessage) (InboundContent, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	if raw[0] != '{' {
		return nil, fmt.Errorf("omni: inbound message content: %w", errNotObject)
	}
	var w wireInboundContent
	if err := json.Unmarshal(raw, &w); err != nil {
		var head struct {
			Type InboundType `json:"type"`
		}
		if json.Unmarshal(raw, &head) != nil {
			return nil, fmt.Errorf("omni: inbound message content: %w", err)
		}
		return InboundUnknown{Kind: head.Type, Raw: bytes.Clone(raw)}, nil
	}
	switch w.Type {
	case InboundTypeText:
		return InboundText{MID: w.MID, Text: w.Text, QuickReply: w.QuickReply, ReplyTo: w.ReplyTo}, nil
	case InboundTypeImage, InboundTypeAudio, InboundTypeVideo, InboundTypeFile, InboundTypeURL, InboundTypeLocationURL:
		return InboundMedia{Kind: w.Type, URL: w.URL, StickerID: w.StickerID}, nil
	case InboundTypeFallback:
		return InboundFallback{URL: w.URL, Title: w.Title}, nil
	case InboundTypeLocation:
		return InboundLocation{Latitude: w.Latitude, Longitude: w.Longitude}, nil
	case InboundTypePostback:
		return InboundPostback{Payload: w.Payload, Title: w.Title}, nil
	}
	return InboundUnknown{Kind: w.Type, Raw: bytes.Clone(raw)}, nil
}

// DecodeInbound decodes the body of an inbound-message push, of either
// generation. Errors are *WebhookError with Status 400; the error never
// repeats the body, which holds what users wrote.
func DecodeInbound(body []byte) (*InboundPush, error) {
	var w struct {
		Results             []InboundMessage `json:"results"`
		MessageCount        flexInt          `json:"messageCount"`
		PendingMessageCount flexInt          `json:"pendingMessageCount"`
	}
	if err := decodePushBody(body, pushInbound, &w); err != nil {
		return nil, err
	}
	if w.Results == nil {
		return nil, noResults(pushInbound)
	}
	return &InboundPush{Results: withoutNulls(w.Results, func(m *InboundMessage) json.RawMessage { return m.Raw }),
		MessageCount:        int(w.MessageCount),
		PendingMessageCount: int(w.PendingMessageCount)}, nil
}

// ParseInbound reads an inbound-message push from r: a POST of at most
// MaxWebhookBody bytes, decoded with DecodeInbound. Errors are
// *WebhookError, whose Status is the answer to give.
func ParseInbound(r *http.Request) (*InboundPush, error) {
	body, err := readPush(r, pushInbound)
	if err != nil {
		return nil, err
	}
	return DecodeInbound(body)
}

// What each push carries, as its errors name it.
const (
	pushInbound  = "inbound messages"
	pushSeen     = "seen reports"
	pushDelivery = "delivery reports"
)

// readPush checks the method and reads the body, bounded by MaxWebhookBody.
func readPush(r *http.Request, push string) ([]byte, error) {
	if r.Method != http.MethodPost {
		return nil, &WebhookError{Status: http.StatusMethodNotAllowed, Err: fmt.Errorf("method %s, want POST", r.Method), push: push}
	}
	if r.Body == nil {
		return nil, &WebhookError{Status: http.StatusBadRequest, Err: errors.New("empty body"), push: push}
	}
	var buf bytes.Buffer
	if err := readBounded(&buf, r.Body, MaxWebhookBody); err != nil {
		if errors.Is(err, errBodyTooLarge) {
			return nil, &WebhookError{Status: http.StatusRequestEntityTooLarge,
				Err: fmt.Errorf("body larger than %d bytes", MaxWebhookBody), push: push}
		}
		return nil, &WebhookError{Status: http.StatusBadRequest, Err: fmt.Errorf("reading body: %w", err), push: push}
	}
	return buf.Bytes(), nil
}

// decodePushBody decodes a push body, which must be a JSON object, into v.
// The error names what was being decoded, never the content.
func decodePushBody(body []byte, push string, v any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return &WebhookError{Status: http.StatusBadRequest, Err: errors.New("empty body"), push: push}
	}
	if body[0] != '{' {
		return &WebhookError{Status: http.StatusBadRequest, Err: fmt.Errorf("body is %w", errNotObject), push: push}
	}
	if err := json.Unmarshal(body, v); err != nil {
		return &WebhookError{Status: http.StatusBadRequest, Err: fmt.Errorf("body is not valid %s JSON: %w", push, redactJSONError(err)), push: push}
	}
	return nil
}

// noResults is the error for a push body without a "results" array: not a
// push of its kind (answering 200 would drop what it meant to carry).
func noResults(push string) error {
	return &WebhookError{Status: http.StatusBadRequest, Err: errors.New(`body has no "results" array`), push: push}
}

// redactedJSONError is a JSON error rewritten to carry nothing of the body.
type redactedJSONError struct {
	msg   string
	cause error // a *json.SyntaxError, a *json.UnmarshalTypeError without the value, or nil
}

func (e *redactedJSONError) Error() string { return e.msg }
func (e *redactedJSONError) Unwrap() error { return e.cause }

// redactJSONError keeps the kind, field and offset of a JSON error but
// drops every value it may quote: a SyntaxError quotes a character of the
// body, an UnmarshalTypeError the literal of a number that does not fit
// ("number 1e999"). Any other error becomes "malformed JSON". The decode
// targets of the pushes hold no maps, so a Field path is made of this
// package's field names only.
func redactJSONError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &redactedJSONError{msg: fmt.Sprintf("syntax error at offset %d", se.Offset), cause: se}
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		kind, _, _ := strings.Cut(te.Value, " ") // "number 1e999" → "number"
		clean := &json.UnmarshalTypeError{Value: kind, Type: te.Type, Offset: te.Offset, Struct: te.Struct, Field: te.Field}
		msg := "a JSON " + kind + " where another type is expected"
		if te.Type != nil {
			msg = fmt.Sprintf("a JSON %s that does not fit %s", kind, te.Type)
		}
		if te.Field != "" {
			msg = "field " + te.Field + ": " + msg
		}
		return &redactedJSONError{msg: msg, cause: clean}
	}
	if errors.Is(err, errNotObject) {
		return &redactedJSONError{msg: "an element is " + errNotObject.Error(), cause: errNotObject}
	}
	return &redactedJSONError{msg: "malformed JSON"}
}
