package omni

import (
	"fmt"
	"reflect"
	"unicode/utf8"

	"github.com/omnisdk/omni/internal/weburl"
)

// Limits of the Messenger service, in characters (Unicode code points).
const (
	MaxTextLength            = 640
	MaxTemplateTextLength    = 320
	MaxButtons               = 3
	MaxButtonTitleLength     = 20
	MaxPostbackPayloadLength = 1000
)

// TruncateText cuts s to at most n characters on a rune boundary. The
// service truncates long text itself; the SDK rejects it instead, so call
// this when cutting is what you want:
//
//	omni.TextMessage(omni.TruncateText(s, omni.MaxTextLength))
func TruncateText(s string, n int) string {
	if n <= 0 {
		return ""
	}
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}

// checkLength adds a rule when s is not valid UTF-8 or not min..max characters long.
func checkLength(v *ValidationError, field, s string, min, max int) {
	if !utf8.ValidString(s) {
		v.add(field, "must be valid UTF-8")
		return
	}
	if n := utf8.RuneCountInString(s); n < min || n > max {
		if min == 1 && n == 0 {
			v.add(field, "must not be empty")
			return
		}
		v.add(field, "must be %d to %d characters, got %d", min, max, n)
	}
}

// checkWebURL adds a rule unless s is an http or https URL, or a URL
// without a scheme that starts with a host name such as "www.infobip.com"
// (the Infobip document's own URL button, which the service accepts).
func checkWebURL(v *ValidationError, field, s string) {
	if s == "" {
		v.add(field, "must not be empty")
	} else if !utf8.ValidString(s) {
		v.add(field, ruleUTF8)
	} else if !weburl.Valid(s) {
		v.add(field, weburl.Rule)
	}
}

// Validate checks the text is 1 to 640 characters of UTF-8.
func (m Text) Validate() error {
	var v ValidationError
	checkLength(&v, "text", m.Text, 1, MaxTextLength)
	return v.err()
}

// Validate checks the kind and that URL is an http(s) URL (or starts with a
// host name, such as www.example.com/a.png).
func (m Media) Validate() error {
	var v ValidationError
	switch m.Kind {
	case TypeImage, TypeVideo, TypeAudio, TypeFile:
	default:
		v.add("type", "must be IMAGE, VIDEO, AUDIO or FILE, got %q", m.Kind)
	}
	checkWebURL(&v, "url", m.URL)
	return v.err()
}

// Validate checks the text (1 to 320 characters), the number of buttons (1
// to 3) and every button.
func (m Template) Validate() error {
	var v ValidationError
	checkLength(&v, "payload.text", m.Text, 1, MaxTemplateTextLength)
	if n := len(m.Buttons); n < 1 || n > MaxButtons {
		v.add("payload.buttons", "must hold 1 to %d buttons, got %d", MaxButtons, n)
	}
	for i, b := range m.Buttons {
		v.nest(fmt.Sprintf("payload.buttons[%d]", i), b.Validate())
	}
	return v.err()
}

// Validate checks the title (1 to 20 characters) and, by type, the payload
// (1 to 1000 characters) or the URL (http or https, or starting with a host
// name such as www.infobip.com, as in the vendor's example).
func (b Button) Validate() error {
	var v ValidationError
	checkLength(&v, "title", b.Title, 1, MaxButtonTitleLength)
	switch b.Type {
	case ButtonPostback:
		checkLength(&v, "payload", b.Payload, 1, MaxPostbackPayloadLength)
	case ButtonURL:
		checkWebURL(&v, "url", b.URL)
	default:
		v.add("type", "must be POSTBACK or URL, got %q", b.Type)
	}
	// The field the type does not use is still sent when set: encoding/json
	// would replace its invalid bytes.
	if b.Type != ButtonPostback && !utf8.ValidString(b.Payload) {
		v.add("payload", ruleUTF8)
	}
	if b.Type != ButtonURL && !utf8.ValidString(b.URL) {
		v.add("url", ruleUTF8)
	}
	return v.err()
}

// ownMessage reports whether m is one of the SDK's message types or a
// pointer to one. Message is sealed, but a type that embeds one of them
// satisfies it through the promoted methods; its own Validate would skip
// the rules, its embedded value might be nil (a panic), and what is sent
// is the embedded message's form whatever the type says. Such a type is
// refused instead.
func ownMessage(m Message) bool {
	switch m.(type) {
	case Text, *Text, Media, *Media, Template, *Template, SenderAction, *SenderAction, UnknownMessage, *UnknownMessage:
		return true
	}
	return false
}

// ownContent is ownMessage for SendMessages' content: a type embedding one
// of the SDK's content types would be encoded by its own MarshalJSON after
// the embedded content's rules were checked.
func ownContent(c Content) bool {
	switch c.(type) {
	case TextContent, *TextContent, MediaContent, *MediaContent, LocationContent, *LocationContent,
		SenderActionContent, *SenderActionContent, TemplateContent, *TemplateContent, RawContent, *RawContent:
		return true
	}
	return false
}

// Validate checks the action is MARK_SEEN, TYPING_ON or TYPING_OFF.
func (m SenderAction) Validate() error {
	switch m.Action {
	case MarkSeen, TypingOn, TypingOff:
		return nil
	}
	return &ValidationError{Fields: []FieldError{{Field: "senderAction",
		Rule: fmt.Sprintf("must be MARK_SEEN, TYPING_ON or TYPING_OFF, got %q", m.Action)}}}
}

// isNilContent reports whether c is nil or a nil pointer to a content type
// (a typed nil such as (*TextContent)(nil)), which would panic once its
// methods read it: both are "must not be nil", never a panic.
func isNilContent(c Content) bool {
	if c == nil {
		return true
	}
	rv := reflect.ValueOf(c)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}
