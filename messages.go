package omni

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MessageType is the "type" of a Messenger message.
type MessageType string

// The Messenger message types.
const (
	TypeText         MessageType = "TEXT"
	TypeImage        MessageType = "IMAGE"
	TypeVideo        MessageType = "VIDEO"
	TypeAudio        MessageType = "AUDIO"
	TypeFile         MessageType = "FILE"
	TypeTemplate     MessageType = "TEMPLATE"
	TypeSenderAction MessageType = "SENDER_ACTION"
)

// Message is one Messenger message: Text, Media, Template, SenderAction or,
// for a type this SDK does not know, UnknownMessage. The set is closed: only
// this package's types implement it, and a type of yours that embeds one of
// them is a *ValidationError when sent or validated in a SingleMessage (its
// form on the wire would be the embedded message's). A pointer to one of
// them (*Text, ...) is the same message as its value; a nil pointer is a
// *ValidationError ("message: must not be nil") when sent or validated,
// never a panic.
type Message interface {
	// Type returns the message's "type".
	Type() MessageType
	// Validate reports every field that breaks the service's rules.
	Validate() error
	// wire is the message's JSON form (UnknownMessage, whose form is its
	// Raw, returns the zero value); it also seals the interface.
	wire() wireMessage
}

// Text is a TEXT message: UTF-8 text of 1 to 640 characters.
type Text struct {
	Text string
}

// TextMessage returns a TEXT message.
func TextMessage(text string) Text { return Text{Text: text} }

// Type returns TypeText.
func (Text) Type() MessageType { return TypeText }

func (m Text) wire() wireMessage { return wireMessage{Type: TypeText, Text: m.Text} }

// MarshalJSON encodes {"type":"TEXT","text":...}.
func (m Text) MarshalJSON() ([]byte, error) { return json.Marshal(m.wire()) }

// Media is an IMAGE, VIDEO, AUDIO or FILE message: the http(s) URL
// of a publicly reachable file.
type Media struct {
	// Kind is TypeImage, TypeVideo, TypeAudio or TypeFile.
	Kind MessageType
	URL  string
}

// ImageMessage returns an IMAGE message.
func ImageMessage(url string) Media { return Media{Kind: TypeImage, URL: url} }

// VideoMessage returns a VIDEO message.
func VideoMessage(url string) Media { return Media{Kind: TypeVideo, URL: url} }

// AudioMessage returns an AUDIO message.
func AudioMessage(url string) Media { return Media{Kind: TypeAudio, URL: url} }

// FileMessage returns a FILE message.
func FileMessage(url string) Media { return Media{Kind: TypeFile, URL: url} }

// Type returns the media kind.
func (m Media) Type() MessageType { return m.Kind }

func (m Media) wire() wireMessage { return wireMessage{Type: m.Kind, URL: m.URL} }

// MarshalJSON encodes {"type":"IMAGE","url":...} (or VIDEO, AUDIO, FILE).
func (m Media) MarshalJSON() ([]byte, error) { return json.Marshal(m.wire()) }

// Template is a TEMPLATE message with a BUTTON payload: text of up to 320
// characters and one to three buttons.
type Template struct {
	Text    string
	Buttons []Button
}

// ButtonTemplate returns a TEMPLATE message with a BUTTON payload.
func ButtonTemplate(text string, buttons ...Button) Template {
	return Template{Text: text, Buttons: buttons}
}

// Type returns TypeTemplate.
func (Template) Type() MessageType { return TypeTemplate }

func (m Template) wire() wireMessage {
	return wireMessage{Type: TypeTemplate, Payload: wirePayload{Type: payloadButton, Text: m.Text, Buttons: m.Buttons}}
}

// MarshalJSON encodes {"type":"TEMPLATE","payload":{"type":"BUTTON",...}}.
func (m Template) MarshalJSON() ([]byte, error) { return json.Marshal(m.wire()) }

// ButtonType is the "type" of a template button.
type ButtonType string

// The button types.
const (
	ButtonPostback ButtonType = "POSTBACK"
	ButtonURL      ButtonType = "URL"
)

// Button is a call-to-action of a Template: a POSTBACK button sends Payload
// back to the webhook, a URL button opens URL.
type Button struct {
	Type    ButtonType `json:"type"`
	Title   string     `json:"title"`
	Payload string     `json:"payload,omitempty"`
	URL     string     `json:"url,omitempty"`
}

// PostbackButton returns a POSTBACK button.
func PostbackButton(title, payload string) Button {
	return Button{Type: ButtonPostback, Title: title, Payload: payload}
}

// URLButton returns a URL button.
func URLButton(title, url string) Button { return Button{Type: ButtonURL, Title: title, URL: url} }

// Action is a sender action: a read receipt or a typing indicator.
type Action string

// The sender actions.
const (
	MarkSeen  Action = "MARK_SEEN"
	TypingOn  Action = "TYPING_ON"
	TypingOff Action = "TYPING_OFF"
)

// SenderAction is a SENDER_ACTION message.
type SenderAction struct {
	Action Action
}

// SenderActionMessage returns a SENDER_ACTION message.
func SenderActionMessage(a Action) SenderAction { return SenderAction{Action: a} }

// Type returns TypeSenderAction.
func (SenderAction) Type() MessageType { return TypeSenderAction }

func (m SenderAction) wire() wireMessage {
	return wireMessage{Type: TypeSenderAction, SenderAction: m.Action}
}

// MarshalJSON encodes {"type":"SENDER_ACTION","senderAction":...}.
func (m SenderAction) MarshalJSON() ([]byte, error) { return json.Marshal(m.wire()) }

// UnknownMessage keeps a message whose type (or template payload type) this
// SDK does not know, as the raw JSON object it came in. It is sent as is,
// once Validate accepts it.
type UnknownMessage struct {
	Kind MessageType
	Raw  json.RawMessage
}

// Type returns the message's "type".
func (m UnknownMessage) Type() MessageType { return m.Kind }

// Validate checks that Raw is a JSON object, valid UTF-8 (bytes and \u
// escapes: no lone surrogate such as "\ud800"), with no key repeated, in
// any case ("text" and "Text": the service might read either copy, and the
// SDK's checks read keys whatever their case), whose "type"
// is a string that is not blank, the same as Kind when Kind is set. The SDK
// does not know an unknown type's other rules, but never sends a message
// without a type. A Raw whose type (or template payload type) is one the SDK
// knows in another case ("text", "button") is refused: the service's types
// are constants, spelt as the vendor documents them. A Raw of a known type
// is checked by that type's rules: it cannot bypass them (and when its
// fields do not have that type's shape it is refused: use TextMessage,
// ImageMessage, VideoMessage, AudioMessage, FileMessage, ButtonTemplate or
// SenderActionMessage).
func (m UnknownMessage) Validate() error {
	t := bytes.TrimSpace(m.Raw)
	if len(t) == 0 || t[0] != '{' || !json.Valid(t) {
		return &ValidationError{Fields: []FieldError{{Field: "raw", Rule: "must be a JSON object"}}}
	}
	if !utf8.Valid(t) {
		return &ValidationError{Fields: []FieldError{{Field: "raw", Rule: "must be valid UTF-8"}}}
	}
	if loneSurrogate(t) {
		return &ValidationError{Fields: []FieldError{{Field: "raw", Rule: ruleSurrogate}}}
	}
	if key, dup := repeatedKey(t); dup {
		return &ValidationError{Fields: []FieldError{{Field: "raw", Rule: fmt.Sprintf("must not repeat the key %q (in any case)", key)}}}
	}
	var head struct {
		Type    json.RawMessage `json:"type"`
		Payload json.RawMessage `json:"payload"`
	}
	_ = json.Unmarshal(t, &head) // t is a valid object
	var kind MessageType
	if json.Unmarshal(head.Type, &kind) != nil || strings.TrimSpace(string(kind)) == "" {
		return &ValidationError{Fields: []FieldError{{Field: "type", Rule: "must be a non-blank string in raw"}}}
	}
	if m.Kind != "" && m.Kind != kind {
		return &ValidationError{Fields: []FieldError{{Field: "type",
			Rule: fmt.Sprintf("must match Kind %q, got %q", m.Kind, kind)}}}
	}
	if strings.EqualFold(string(kind), string(TypeTemplate)) {
		if field, rule := templatePayloadRule(head.Payload); rule != "" {
			return &ValidationError{Fields: []FieldError{{Field: field, Rule: rule}}}
		}
		// Of whatever kind (BUTTON's own rules follow), a template is the
		// known type TEMPLATE: its type and keys are spelt as documented.
		if kind != TypeTemplate {
			return &ValidationError{Fields: []FieldError{{Field: "type",
				Rule: fmt.Sprintf("must be spelt %q, the service's constant, got %q", TypeTemplate, kind)}}}
		}
		if got, want, bad := templateKeySpelling(t); bad {
			return &ValidationError{Fields: []FieldError{{Field: "raw", Rule: fmt.Sprintf(
				"must spell the key %q as %q: TEMPLATE is a known type, whose fields the service names exactly", got, want)}}}
		}
	}
	probe := wireMessage{Type: kind}
	_ = json.Unmarshal(head.Payload, &probe.Payload) // a payload of another shape names no known type
	payloadType := probe.Payload.Type
	probe.foldKnown()
	if _, known := probe.message(); !known {
		return nil
	}
	if probe.Type != kind {
		return &ValidationError{Fields: []FieldError{{Field: "type",
			Rule: fmt.Sprintf("must be spelt %q, the service's constant, got %q", probe.Type, kind)}}}
	}
	if probe.Payload.Type != payloadType {
		return &ValidationError{Fields: []FieldError{{Field: "payload.type",
			Rule: fmt.Sprintf("must be spelt %q, the service's constant, got %q", probe.Payload.Type, payloadType)}}}
	}
	var w wireMessage
	if json.Unmarshal(t, &w) != nil {
		return &ValidationError{Fields: []FieldError{{Field: "type", Rule: fmt.Sprintf(
			"is the known type %s, but raw does not have its shape: use its typed message (such as TextMessage)", kind)}}}
	}
	if got, want, bad := misspelledKey(t); bad {
		return &ValidationError{Fields: []FieldError{{Field: "raw", Rule: fmt.Sprintf(
			"must spell the key %q as %q: %s is a known type, whose fields the service names exactly", got, want, kind)}}}
	}
	w.foldKnown()
	known, _ := w.message()
	return known.Validate()
}

// templatePayloadRule returns the field and rule a raw TEMPLATE's payload
// breaks, or "" for the rule: the documents give every template a payload
// object that names its kind in "type" (BUTTON, the one they describe), so
// a template without one is invalid whatever kind it would be. A payload
// of another kind than BUTTON is left to the service.
func templatePayloadRule(payload json.RawMessage) (field, rule string) {
	p := bytes.TrimSpace(payload)
	if len(p) == 0 || p[0] != '{' {
		return "payload", "must be an object naming the template's type (such as BUTTON)"
	}
	var h struct {
		Type json.RawMessage `json:"type"`
	}
	var typ string
	if json.Unmarshal(p, &h) != nil || json.Unmarshal(h.Type, &typ) != nil || strings.TrimSpace(typ) == "" {
		return "payload.type", "must be a non-blank string (such as BUTTON)"
	}
	return "", ""
}

// templateKeySpelling finds a template's "type" or "payload" key, or its
// payload's "type", spelt in another case ("Payload", "Type"): the service
// reads the exact names, so such a template would reach it without them.
func templateKeySpelling(raw []byte) (got, want string, bad bool) {
	var top map[string]json.RawMessage
	_ = json.Unmarshal(raw, &top) // raw is a valid object
	check := func(obj map[string]json.RawMessage, names ...string) (string, string, bool) {
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			for _, n := range names {
				if k != n && strings.EqualFold(k, n) {
					return k, n, true
				}
			}
		}
		return "", "", false
	}
	if got, want, bad = check(top, "type", "payload"); bad {
		return got, want, bad
	}
	var payload map[string]json.RawMessage
	if json.Unmarshal(top["payload"], &payload) == nil {
		return check(payload, "type")
	}
	return "", "", false
}

// knownTypes are the message types wireMessage.message knows.
var knownTypes = []MessageType{TypeText, TypeImage, TypeVideo, TypeAudio, TypeFile, TypeSenderAction, TypeTemplate}

// foldKnown spells w's type, and its template payload's type, as the known
// type they equal whatever their case, so that UnknownMessage.Validate
// applies a known type's rules to "text" as to "TEXT".
func (w *wireMessage) foldKnown() {
	for _, k := range knownTypes {
		if strings.EqualFold(string(w.Type), string(k)) {
			w.Type = k
		}
	}
	if strings.EqualFold(w.Payload.Type, payloadButton) {
		w.Payload.Type = payloadButton
	}
}

func (m UnknownMessage) wire() wireMessage { return wireMessage{} }

// MarshalJSON returns Raw.
func (m UnknownMessage) MarshalJSON() ([]byte, error) { return m.Raw.MarshalJSON() }

// dereference returns m as the value of one of the package's types: a
// pointer becomes the value it points to; a nil pointer (or a nil Message)
// is nil.
func dereference(m Message) Message {
	switch v := m.(type) {
	case *Text:
		if v != nil {
			return *v
		}
	case *Media:
		if v != nil {
			return *v
		}
	case *Template:
		if v != nil {
			return *v
		}
	case *SenderAction:
		if v != nil {
			return *v
		}
	case *UnknownMessage:
		if v != nil {
			return *v
		}
	default:
		return m
	}
	return nil
}

// repeatedKey returns the first key repeated within one object of the
// valid JSON data, at any depth, keys compared as encoding/json matches
// them to fields: whatever their case.
func repeatedKey(data []byte) (key string, dup bool) {
	objectKeys(data, func(keys []string) bool {
		seen := map[string]bool{}
		for _, k := range keys {
			f := foldKey(k)
			if seen[f] {
				key, dup = k, true
				return false
			}
			seen[f] = true
		}
		return true
	})
	return key, dup
}

// knownFields are the field names of the message and content types the SDK
// models, as the service spells them.
var knownFields = []string{"type", "text", "url", "payload", "senderAction", "buttons", "title",
	"latitude", "longitude", "name", "address"}

// misspelledKey returns the first key of the valid JSON data, at any depth,
// that is a known field name in another case ("Text"): the SDK's checks
// would read it as the field, a service that matches names exactly would
// not.
func misspelledKey(data []byte) (got, want string, bad bool) {
	objectKeys(data, func(keys []string) bool {
		for _, k := range keys {
			for _, f := range knownFields {
				if k != f && strings.EqualFold(k, f) {
					got, want, bad = k, f, true
					return false
				}
			}
		}
		return true
	})
	return got, want, bad
}

// objectKeys calls visit with the keys of every object of the valid JSON
// data, at any depth, until visit returns false.
func objectKeys(data []byte, visit func(keys []string) bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var walk func() bool
	walk = func() bool {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		switch tok {
		case json.Delim('{'):
			var keys []string
			for dec.More() {
				k, _ := dec.Token()
				key, _ := k.(string)
				keys = append(keys, key)
				if !walk() {
					return false
				}
			}
			_, _ = dec.Token() // '}'
			return visit(keys)
		case json.Delim('['):
			for dec.More() {
				if !walk() {
					return false
				}
			}
			_, _ = dec.Token() // ']'
		}
		return true
	}
	walk()
}

// payloadButton is the only template payload type the service documents.
const payloadButton = "BUTTON"

// wireMessage is the JSON shape of every known message type.
type wireMessage struct {
	Type         MessageType `json:"type"`
	Text         string      `json:"text,omitempty"`
	URL          string      `json:"url,omitempty"`
	Payload      wirePayload `json:"payload,omitzero"`
	SenderAction Action      `json:"senderAction,omitempty"`
}

type wirePayload struct {
	Type    string   `json:"type"`
	Text    string   `json:"text"`
	Buttons []Button `json:"buttons"`
}

// UnmarshalMessage decodes a Messenger message object. A type it does not
// know, a template whose payload is not BUTTON, or a message whose strings
// are not valid UTF-8 (as bytes, or as a \u escape of a lone surrogate),
// which a typed message could only hold with U+FFFD in their place, comes
// back as an UnknownMessage holding the raw JSON, so nothing is lost or
// changed (and sending it is refused, as its Validate says).
func UnmarshalMessage(data []byte) (Message, error) {
	var w wireMessage
	if err := json.Unmarshal(data, &w); err != nil {
		return unknownMessage(data, err)
	}
	if w.Type == "" {
		return nil, errors.New("omni: decoding message: no \"type\"")
	}
	if m, ok := w.message(); ok && exactText(data) {
		return m, nil
	}
	return UnknownMessage{Kind: w.Type, Raw: bytes.Clone(bytes.TrimSpace(data))}, nil
}

// message returns the Message w is the JSON form of, or false when w's
// type (or template payload type) is not one this package models.
func (w *wireMessage) message() (Message, bool) {
	switch w.Type {
	case TypeText:
		return Text{Text: w.Text}, true
	case TypeImage, TypeVideo, TypeAudio, TypeFile:
		return Media{Kind: w.Type, URL: w.URL}, true
	case TypeSenderAction:
		return SenderAction{Action: w.SenderAction}, true
	case TypeTemplate:
		if w.Payload.Type == payloadButton {
			return Template{Text: w.Payload.Text, Buttons: w.Payload.Buttons}, true
		}
	}
	return nil, false
}

// unknownMessage handles data that does not fit wireMessage (decodeErr):
// a JSON object of a type this package does not model, whose fields may
// have any shape, is kept raw; anything else is decodeErr.
func unknownMessage(data []byte, decodeErr error) (Message, error) {
	var head struct {
		Type    MessageType     `json:"type"`
		Payload json.RawMessage `json:"payload"`
	}
	if json.Unmarshal(data, &head) != nil || head.Type == "" {
		return nil, fmt.Errorf("omni: decoding message: %w", decodeErr)
	}
	probe := wireMessage{Type: head.Type}
	_ = json.Unmarshal(head.Payload, &probe.Payload) // a payload of another shape names no known type
	if _, known := probe.message(); known {
		return nil, fmt.Errorf("omni: decoding %s message: %w", head.Type, decodeErr)
	}
	return UnknownMessage{Kind: head.Type, Raw: bytes.Clone(bytes.TrimSpace(data))}, nil
}

// foldKey returns s with each rune replaced by the smallest rune of its
// Unicode simple case folding orbit: two keys encoding/json would match to
// the same field (bytes.EqualFold) fold to the same string.
func foldKey(s string) string {
	var b strings.Builder
	for _, r := range s {
		min := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < min {
				min = f
			}
		}
		b.WriteRune(min)
	}
	return b.String()
}
