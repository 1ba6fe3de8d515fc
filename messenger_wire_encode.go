package omni

import (
	"encoding/json"
	"unicode/utf8"
)

// SendSingle's request body is written without reflection: the JSON
// benchmark's wire-form row (a two-button template) measured
// encoding/json's walk of the union's optional fields at 100–200 ns above
// plain structs, enough for a noisy run to tip it over its goal. appendJSON
// writes the bytes json.Marshal writes for the same value
// (FuzzWireEncodeDifferential holds it to that): the same key order, the
// same omitempty and omitzero choices, and every string that needs an
// escape is encoded by encoding/json itself.

// jsonAppender is a request body that writes its own JSON.
type jsonAppender interface {
	appendJSON(dst []byte) []byte
}

// encodeBody is a call's request body as JSON.
func encodeBody(v any) ([]byte, error) {
	if a, ok := v.(jsonAppender); ok {
		return a.appendJSON(nil), nil
	}
	return json.Marshal(v)
}

// appendJSON appends w's JSON, sizing a nil dst for it at once.
func (w wireSingle) appendJSON(dst []byte) []byte {
	if dst == nil {
		dst = make([]byte, 0, w.size())
	}
	dst = append(dst, `{"from":`...)
	dst = appendJSONString(dst, w.From)
	dst = append(dst, `,"to":`...)
	dst = appendJSONString(dst, w.To)
	dst = append(dst, `,"message":`...)
	return append(w.Message.appendJSON(dst), '}')
}

// size is about the length of w's JSON when no string needs an escape:
// room enough for one allocation of the body.
func (w wireSingle) size() int {
	n := 96 + len(w.From) + len(w.To) + len(w.Message.Type) + len(w.Message.Text) + len(w.Message.URL) +
		len(w.Message.SenderAction) + len(w.Message.Payload.Type) + len(w.Message.Payload.Text)
	for _, b := range w.Message.Payload.Buttons {
		n += 48 + len(b.Type) + len(b.Title) + len(b.Payload) + len(b.URL)
	}
	return n
}

// appendJSON appends m's JSON.
func (m wireMessage) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"type":`...)
	dst = appendJSONString(dst, string(m.Type))
	if m.Text != "" {
		dst = append(dst, `,"text":`...)
		dst = appendJSONString(dst, m.Text)
	}
	if m.URL != "" {
		dst = append(dst, `,"url":`...)
		dst = appendJSONString(dst, m.URL)
	}
	if m.Payload.Type != "" || m.Payload.Text != "" || m.Payload.Buttons != nil { // omitzero
		dst = append(dst, `,"payload":{"type":`...)
		dst = appendJSONString(dst, m.Payload.Type)
		dst = append(dst, `,"text":`...)
		dst = appendJSONString(dst, m.Payload.Text)
		dst = append(dst, `,"buttons":`...)
		if m.Payload.Buttons == nil {
			dst = append(dst, "null"...)
		} else {
			dst = append(dst, '[')
			for i, b := range m.Payload.Buttons {
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = b.appendJSON(dst)
			}
			dst = append(dst, ']')
		}
		dst = append(dst, '}')
	}
	if m.SenderAction != "" {
		dst = append(dst, `,"senderAction":`...)
		dst = appendJSONString(dst, string(m.SenderAction))
	}
	return append(dst, '}')
}

// appendJSON appends b's JSON.
func (b Button) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"type":`...)
	dst = appendJSONString(dst, string(b.Type))
	dst = append(dst, `,"title":`...)
	dst = appendJSONString(dst, b.Title)
	if b.Payload != "" {
		dst = append(dst, `,"payload":`...)
		dst = appendJSONString(dst, b.Payload)
	}
	if b.URL != "" {
		dst = append(dst, `,"url":`...)
		dst = appendJSONString(dst, b.URL)
	}
	return append(dst, '}')
}

// appendJSONString appends s as json.Marshal encodes it. A string of
// printable characters, valid UTF-8, without " \ < > & or U+2028 and
// U+2029 is copied between quotes; any other is left to encoding/json,
// whose escaping (HTML characters, control characters, the two line
// separators, invalid UTF-8) it then is by construction.
func appendJSONString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if (r == utf8.RuneError && size == 1) || r == '\u2028' || r == '\u2029' {
				return appendMarshalledString(dst, s)
			}
			i += size - 1
			continue
		}
		if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return appendMarshalledString(dst, s)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// appendMarshalledString appends s encoded by encoding/json.
func appendMarshalledString(dst []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always encodes
	return append(dst, q...)
}
