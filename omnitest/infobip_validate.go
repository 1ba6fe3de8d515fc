package omnitest

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/internal/weburl"
)

// The endpoint enforces the service's limits, which the SDK publishes
// (omni.MaxTextLength and the rest); the checks themselves are written
// independently of the SDK's Validate, so that a bug there shows up as a
// disagreement here.

// messengerRequest is the body of POST /facebook/1/single.
type messengerRequest struct {
	From    string          `json:"from"`
	To      string          `json:"to"`
	Message json.RawMessage `json:"message"`
}

type messengerMessage struct {
	Type         string           `json:"type"`
	Text         *string          `json:"text"`
	URL          *string          `json:"url"`
	SenderAction *string          `json:"senderAction"`
	Payload      *templatePayload `json:"payload"`
}

type templatePayload struct {
	Type    string           `json:"type"`
	Text    *string          `json:"text"`
	Buttons []templateButton `json:"buttons"`
}

type templateButton struct {
	Type    string  `json:"type"`
	Title   *string `json:"title"`
	Payload *string `json:"payload"`
	URL     *string `json:"url"`
}

// Rule texts of validation errors.
const (
	ruleNotEmpty   = "may not be empty"
	ruleNotNull    = "may not be null"
	ruleType       = "must be one of TEXT, IMAGE, VIDEO, AUDIO, FILE, TEMPLATE, SENDER_ACTION"
	rulePayload    = "must be BUTTON"
	ruleButtonType = "must be POSTBACK or URL"
	ruleAction     = "must be one of MARK_SEEN, TYPING_ON, TYPING_OFF"
)

func ruleSize(lo, hi int) string { return fmt.Sprintf("size must be between %d and %d", lo, hi) }

type fieldErrors map[string][]string

func (f fieldErrors) add(field, rule string) { f[field] = append(f[field], rule) }

// validateMessenger checks a request the way the service does and returns
// the violated rules by field path ("message.text",
// "message.payload.buttons[1].url"); nil when valid.
//
// URLs (media url, URL button url) follow the SDK's rule (internal/weburl):
// http or https, or a host name without a scheme such as the vendor's own
// "www.infobip.com", so that both agree.
func validateMessenger(req *messengerRequest) map[string][]string {
	f := fieldErrors{}
	if blank(req.From) { // the SDK's rule: white space names no one
		f.add("from", ruleNotEmpty)
	}
	if blank(req.To) {
		f.add("to", ruleNotEmpty)
	}
	var m messengerMessage
	switch {
	case len(req.Message) == 0 || string(req.Message) == "null":
		f.add("message", ruleNotNull)
	default:
		if err := json.Unmarshal(req.Message, &m); err != nil {
			if field, rule, ok := wrongType(err, "message"); ok && field != "message" {
				f.add(field, rule)
			} else {
				f.add("message", "must be an object")
			}
			break
		}
		validateMessage(f, &m)
	}
	if len(f) == 0 {
		return nil
	}
	return f
}

func validateMessage(f fieldErrors, m *messengerMessage) {
	switch m.Type {
	case "":
		f.add("message.type", ruleNotEmpty)
	case "TEXT":
		// The service truncates a text over omni.MaxTextLength characters
		// itself (the vendor's page: "Messages longer than 640 character
		// will be truncated"), so only an empty one is refused here; the
		// SDK refuses a long one before sending.
		switch {
		case m.Text == nil:
			f.add("message.text", ruleNotNull)
		case *m.Text == "":
			f.add("message.text", ruleNotEmpty)
		}
	case "IMAGE", "VIDEO", "AUDIO", "FILE":
		checkURL(f, "message.url", m.URL)
	case "SENDER_ACTION":
		if m.SenderAction == nil {
			f.add("message.senderAction", ruleNotNull)
		} else {
			switch *m.SenderAction {
			case "MARK_SEEN", "TYPING_ON", "TYPING_OFF":
			default:
				f.add("message.senderAction", ruleAction)
			}
		}
	case "TEMPLATE":
		validateTemplate(f, m.Payload)
	default:
		f.add("message.type", ruleType)
	}
}

func validateTemplate(f fieldErrors, p *templatePayload) {
	if p == nil {
		f.add("message.payload", ruleNotNull)
		return
	}
	if p.Type != "BUTTON" {
		f.add("message.payload.type", rulePayload)
	}
	checkSize(f, "message.payload.text", p.Text, 1, omni.MaxTemplateTextLength)
	if n := len(p.Buttons); n < 1 || n > omni.MaxButtons {
		f.add("message.payload.buttons", ruleSize(1, omni.MaxButtons))
	}
	for i, b := range p.Buttons {
		path := fmt.Sprintf("message.payload.buttons[%d]", i)
		checkSize(f, path+".title", b.Title, 1, omni.MaxButtonTitleLength)
		switch b.Type {
		case "POSTBACK":
			checkSize(f, path+".payload", b.Payload, 1, omni.MaxPostbackPayloadLength)
		case "URL":
			checkURL(f, path+".url", b.URL)
		default:
			f.add(path+".type", ruleButtonType)
		}
	}
}

// checkSize checks s holds lo..hi runes.
func checkSize(f fieldErrors, field string, s *string, lo, hi int) {
	if s == nil {
		f.add(field, ruleNotNull)
		return
	}
	if n := utf8.RuneCountInString(*s); n < lo || n > hi {
		f.add(field, ruleSize(lo, hi))
	}
}

// checkURL checks s by the SDK's URL rule (internal/weburl).
func checkURL(f fieldErrors, field string, s *string) {
	if s == nil {
		f.add(field, ruleNotNull)
		return
	}
	if !weburl.Valid(*s) {
		f.add(field, weburl.Rule)
	}
}
