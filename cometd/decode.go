package cometd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// The Bayeux decoder. Every message the client receives goes through it, so
// it reads the fields of Message without reflection: profiling the
// cross-language benchmark showed encoding/json's reflective decoding as the
// largest client-side cost of a burst. The result is the same as
// json.Unmarshal into Message (the differential fuzz test checks it); rare
// nested values (advice, ext, supportedConnectionTypes) and strings with
// escapes or non-ASCII bytes are still handed to encoding/json.

// maxDepth bounds the nesting of skipped values, like encoding/json.
const maxDepth = 10000

// decoder reads JSON from b starting at i.
type decoder struct {
	b       []byte
	i       int
	channel string // the last channel decoded: a burst repeats it
}

// syntaxError reports malformed JSON at the decoder's position.
func (d *decoder) syntaxError(what string) error {
	return fmt.Errorf("cometd: invalid JSON at offset %d: %s", d.i, what)
}

// ws skips white space.
func (d *decoder) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at the end.
func (d *decoder) peek() byte {
	d.ws()
	if d.i >= len(d.b) {
		return 0
	}
	return d.b[d.i]
}

// decodeMessagesFast decodes a Bayeux body (array of messages, nulls
// skipped, or a single message object).
func decodeMessagesFast(b []byte) ([]*Message, error) {
	out := []*Message{}
	err := decodeEach(b, func(m *Message) { out = append(out, m) })
	if err != nil {
		return nil, err
	}
	return out, nil
}

// decodeEach decodes a Bayeux body and hands each message to fn as soon as
// it is decoded, in order, so that a large reply's first messages can be
// handled while the rest is decoded. On malformed input it returns an error
// after the messages before the fault were handed over.
func decodeEach(b []byte, fn func(*Message)) error {
	d := &decoder{b: b}
	switch d.peek() {
	case '[':
		d.i++
		if d.peek() == ']' {
			d.i++
			break
		}
		for {
			switch d.peek() {
			case 'n':
				if err := d.literal("null"); err != nil {
					return err
				}
			case '{':
				m := new(Message)
				if err := d.message(m); err != nil {
					return err
				}
				fn(m)
			default:
				return d.syntaxError("array element is not a message object")
			}
			c := d.peek()
			d.i++
			if c == ']' {
				break
			}
			if c != ',' {
				d.i--
				return d.syntaxError("expected , or ] in array")
			}
		}
	case '{':
		m := new(Message)
		if err := d.message(m); err != nil {
			return err
		}
		fn(m)
	default:
		return errNotMessages
	}
	if d.ws(); d.i != len(d.b) {
		return d.syntaxError("data after the top-level value")
	}
	return nil
}

// message decodes one message object into m.
func (d *decoder) message(m *Message) error {
	d.i++ // {
	if d.peek() == '}' {
		d.i++
		return nil
	}
	for {
		if d.peek() != '"' {
			return d.syntaxError("expected an object key")
		}
		key, err := d.str()
		if err != nil {
			return err
		}
		if d.peek() != ':' {
			return d.syntaxError("expected : after object key")
		}
		d.i++
		if err := d.field(m, key); err != nil {
			return err
		}
		c := d.peek()
		d.i++
		if c == '}' {
			return nil
		}
		if c != ',' {
			d.i--
			return d.syntaxError("expected , or } in object")
		}
	}
}

// messageKeys are the JSON names of Message's fields, for encoding/json's
// case-insensitive key matching.
var messageKeys = []string{"channel", "id", "clientId", "version", "minimumVersion", "supportedConnectionTypes",
	"connectionType", "subscription", "data", "successful", "error", "advice", "ext"}

// field decodes the value of key into m.
func (d *decoder) field(m *Message, key string) error {
	switch key {
	case "channel":
		// Reuse the previous message's channel string when it repeats.
		if n := len(d.channel); n > 0 && d.peek() == '"' && d.i+n+1 < len(d.b) && d.b[d.i+n+1] == '"' &&
			string(d.b[d.i+1:d.i+1+n]) == d.channel {
			m.Channel = d.channel
			d.i += n + 2
			return nil
		}
		if err := d.strField(&m.Channel); err != nil {
			return err
		}
		if isPlain(m.Channel) {
			d.channel = m.Channel
		}
		return nil
	case "id":
		return d.strField(&m.ID)
	case "clientId":
		return d.strField(&m.ClientID)
	case "data":
		raw, err := d.raw()
		if err != nil {
			return err
		}
		m.Data = bytes.Clone(raw)
		return nil
	case "successful":
		switch d.peek() {
		case 't':
			m.Successful = true
			return d.literal("true")
		case 'f':
			m.Successful = false
			return d.literal("false")
		case 'n':
			return d.literal("null")
		}
		return d.typeError(key)
	case "error":
		return d.strField(&m.Error)
	case "connectionType":
		return d.strField(&m.ConnectionType)
	case "subscription":
		return d.strField(&m.Subscription)
	case "version":
		return d.strField(&m.Version)
	case "minimumVersion":
		return d.strField(&m.MinimumVersion)
	case "advice":
		return d.viaJSON(&m.Advice)
	case "ext":
		return d.viaJSON(&m.Ext)
	case "supportedConnectionTypes":
		return d.viaJSON(&m.SupportedConnectionTypes)
	}
	for _, k := range messageKeys {
		if strings.EqualFold(k, key) {
			return d.field(m, k)
		}
	}
	_, err := d.raw() // unknown field: validate and skip
	return err
}

// viaJSON decodes the next value into v with encoding/json.
func (d *decoder) viaJSON(v any) error {
	raw, err := d.raw()
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// typeError reports a value of the wrong JSON type for a field.
func (d *decoder) typeError(key string) error {
	return fmt.Errorf("cometd: invalid value for field %q at offset %d", key, d.i)
}

// strField decodes a string (or null, which leaves *p alone) into *p.
func (d *decoder) strField(p *string) error {
	switch d.peek() {
	case '"':
		s, err := d.str()
		if err != nil {
			return err
		}
		*p = s
		return nil
	case 'n':
		return d.literal("null")
	}
	return fmt.Errorf("cometd: invalid value for a string field at offset %d", d.i)
}

// str decodes the string at d.i. Plain ASCII strings are sliced directly;
// the others go through encoding/json for its unescaping and its
// replacement of invalid UTF-8.
func (d *decoder) str() (string, error) {
	start := d.i
	d.i++
	plain := true
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			if plain {
				return string(d.b[start+1 : d.i-1]), nil
			}
			var s string
			if err := json.Unmarshal(d.b[start:d.i], &s); err != nil {
				return "", err
			}
			return s, nil
		case c == '\\':
			plain = false
			if err := d.escape(); err != nil {
				return "", err
			}
			continue
		case c < 0x20:
			return "", d.syntaxError("control character in string")
		case c >= utf8.RuneSelf:
			plain = false
		}
		d.i++
	}
	return "", d.syntaxError("unterminated string")
}

// escape validates the escape sequence at d.i and moves past it.
func (d *decoder) escape() error {
	if d.i+1 >= len(d.b) {
		return d.syntaxError("unterminated escape")
	}
	switch d.b[d.i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		d.i += 2
		return nil
	case 'u':
		if d.i+5 >= len(d.b) {
			return d.syntaxError("short \\u escape")
		}
		for _, h := range d.b[d.i+2 : d.i+6] {
			if !isHex(h) {
				return d.syntaxError("bad \\u escape")
			}
		}
		d.i += 6
		return nil
	}
	return d.syntaxError("bad escape")
}

// isPlain reports whether s is written in JSON as is between quotes:
// printable ASCII without quote or backslash.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// literal consumes the literal word at d.i.
func (d *decoder) literal(word string) error {
	if !bytes.HasPrefix(d.b[d.i:], []byte(word)) {
		return d.syntaxError("bad literal")
	}
	d.i += len(word)
	return nil
}

// raw validates the next value and returns its bytes.
func (d *decoder) raw() ([]byte, error) {
	d.ws()
	start := d.i
	if err := d.skip(0); err != nil {
		return nil, err
	}
	return d.b[start:d.i], nil
}

// skip validates and moves past one value.
func (d *decoder) skip(depth int) error {
	if depth > maxDepth {
		return d.syntaxError("nesting too deep")
	}
	switch d.peek() {
	case '"':
		_, err := d.skipString()
		return err
	case '{':
		d.i++
		if d.peek() == '}' {
			d.i++
			return nil
		}
		for {
			if d.peek() != '"' {
				return d.syntaxError("expected an object key")
			}
			if _, err := d.skipString(); err != nil {
				return err
			}
			if d.peek() != ':' {
				return d.syntaxError("expected : after object key")
			}
			d.i++
			if err := d.skip(depth + 1); err != nil {
				return err
			}
			c := d.peek()
			d.i++
			if c == '}' {
				return nil
			}
			if c != ',' {
				d.i--
				return d.syntaxError("expected , or } in object")
			}
		}
	case '[':
		d.i++
		if d.peek() == ']' {
			d.i++
			return nil
		}
		for {
			if err := d.skip(depth + 1); err != nil {
				return err
			}
			c := d.peek()
			d.i++
			if c == ']' {
				return nil
			}
			if c != ',' {
				d.i--
				return d.syntaxError("expected , or ] in array")
			}
		}
	case 't':
		return d.literal("true")
	case 'f':
		return d.literal("false")
	case 'n':
		return d.literal("null")
	case 0:
		return d.syntaxError("unexpected end of input")
	}
	return d.number()
}

// skipString validates the string at d.i and moves past it.
func (d *decoder) skipString() (bool, error) {
	d.i++
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			return true, nil
		case c == '\\':
			if err := d.escape(); err != nil {
				return false, err
			}
			continue
		case c < 0x20:
			return false, d.syntaxError("control character in string")
		}
		d.i++
	}
	return false, d.syntaxError("unterminated string")
}

// number validates the JSON number at d.i and moves past it.
func (d *decoder) number() error {
	b, i := d.b, d.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	default:
		return d.syntaxError("invalid value")
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			d.i = i
			return d.syntaxError("bad number")
		}
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			d.i = i
			return d.syntaxError("bad number")
		}
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
	}
	d.i = i
	return nil
}
