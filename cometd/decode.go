package cometd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The Bayeux decoder. Every message the client receives goes through it, so
// it reads the fields of Message without reflection: profiling the
// cross-language benchmark showed encoding/json's reflective decoding as the
// largest client-side cost of a burst. Rare nested values (ext,
// supportedConnectionTypes) and strings with escapes or non-ASCII bytes are
// still handed to encoding/json.
//
// It is lenient where the JSON is well formed but a field is not of the
// type Bayeux says, as the CometD JavaScript client is (it JSON.parses the
// body and then looks at the fields it needs): one odd field never costs the
// rest of the reply. A numeric "id" is read as its decimal text (the JS
// client's callback lookup coerces it the same way); a number with a
// fraction or exponent in an advice field is truncated ("interval":0.0);
// any other field of the wrong type ("ext":[], "channel":5,
// "successful":"yes") is skipped as if absent, and an array element that
// is not an object is skipped. The first such field is noted in
// Message.odd, which the client logs. Where encoding/json accepts the
// input the result is the same as json.Unmarshal into Message (the
// differential fuzz test checks it); malformed JSON is still an error.
//
// "successful" given as the string "true" or "false" is read as that
// boolean (servers that build replies from text send it so). Any other
// non-boolean value counts as false, where the JS client would take a
// truthy value as success: a reply whose success is unclear must not
// activate a subscription. Such a reply is marked (Message.unclearSuccess),
// as is one with "successful": null, so that the client unsubscribes what
// the server may hold; so is a subscribe reply without "successful" (see
// Message.successUnclear).

// maxDepth bounds the nesting of skipped values, like encoding/json.
const maxDepth = 10000

// decoder reads JSON from b starting at i.
type decoder struct {
	b       []byte
	i       int
	channel string // the last channel decoded: a burst repeats it
	odd     string // a skipped array element, noted on the next message
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
				if m.odd == "" {
					m.odd = d.odd
				}
				d.odd = ""
				fn(m)
			default:
				if err := d.skip(0); err != nil {
					return err
				}
				d.odd = "array element that is not an object"
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

// field decodes the value of key into m. A value of the wrong type is
// skipped (or converted, see the top of this file) and noted in m.odd.
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
		if err := d.strField(m, key, &m.Channel); err != nil {
			return err
		}
		if isPlain(m.Channel) {
			d.channel = m.Channel
		}
		return nil
	case "id":
		if c := d.peek(); c == '-' || '0' <= c && c <= '9' {
			start := d.i
			if err := d.number(); err != nil {
				return err
			}
			m.ID = numberText(d.b[start:d.i])
			m.noteOdd("id: number")
			return nil
		}
		return d.strField(m, key, &m.ID)
	case "clientId":
		return d.strField(m, key, &m.ClientID)
	case "data":
		raw, err := d.raw()
		if err != nil {
			return err
		}
		m.Data = bytes.Clone(raw)
		return nil
	case "successful":
		m.successSeen = true
		switch d.peek() {
		case 't':
			m.Successful, m.unclearSuccess = true, false
			return d.literal("true")
		case 'f':
			m.Successful, m.unclearSuccess = false, false
			return d.literal("false")
		case 'n':
			m.Successful, m.unclearSuccess = false, true
			return d.literal("null")
		case '"':
			var v string
			if err := d.strField(m, key, &v); err != nil {
				return err
			}
			m.noteOdd("successful: string")
			m.Successful = v == "true"
			m.unclearSuccess = v != "true" && v != "false"
			return nil
		}
		m.unclearSuccess = true
		return d.skipOdd(m, key)
	case "error":
		return d.strField(m, key, &m.Error)
	case "connectionType":
		return d.strField(m, key, &m.ConnectionType)
	case "subscription":
		return d.strField(m, key, &m.Subscription)
	case "version":
		return d.strField(m, key, &m.Version)
	case "minimumVersion":
		return d.strField(m, key, &m.MinimumVersion)
	case "advice":
		switch d.peek() {
		case 'n':
			m.Advice = nil
			return d.literal("null")
		case '{':
			a, odd, err := d.advice()
			if err != nil {
				return err
			}
			m.Advice = &a
			if odd != "" {
				m.noteOdd("advice." + odd)
			}
			return nil
		}
		m.Advice = nil
		return d.skipOdd(m, key)
	case "ext":
		switch d.peek() {
		case 'n', '{':
			return d.viaJSON(&m.Ext)
		}
		return d.skipOdd(m, key)
	case "supportedConnectionTypes":
		switch d.peek() {
		case 'n':
			m.SupportedConnectionTypes = nil
			return d.literal("null")
		case '[':
			return d.stringArray(m, key, &m.SupportedConnectionTypes)
		}
		return d.skipOdd(m, key)
	}
	for _, k := range messageKeys {
		if strings.EqualFold(k, key) {
			return d.field(m, k)
		}
	}
	_, err := d.raw() // unknown field: validate and skip
	return err
}

// skipOdd skips a value of the wrong type for key and notes it in m.
func (d *decoder) skipOdd(m *Message, key string) error {
	kind := jsonKind(d.peek())
	if _, err := d.raw(); err != nil {
		return err
	}
	m.noteOdd(key + ": " + kind)
	return nil
}

// jsonKind names the JSON type of a value starting with c.
func jsonKind(c byte) string {
	switch c {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// numberText returns a JSON number as a decimal string, as JavaScript's
// String(n) would for the integers servers echo as ids.
func numberText(b []byte) string {
	if bytes.ContainsAny(b, ".eE") {
		if f, err := strconv.ParseFloat(string(b), 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1e21 {
			return strconv.FormatFloat(f, 'f', -1, 64)
		}
	}
	return string(b)
}

// stringArray decodes an array of strings into *p, skipping (and noting)
// elements of another type.
func (d *decoder) stringArray(m *Message, key string, p *[]string) error {
	start := d.i
	if err := d.skip(0); err != nil {
		return err
	}
	var out []string
	if json.Unmarshal(d.b[start:d.i], &out) == nil {
		*p = out
		return nil
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(d.b[start:d.i], &elems); err != nil {
		return err
	}
	out = []string{}
	for _, e := range elems {
		var s string
		if e = bytes.TrimSpace(e); len(e) > 0 && e[0] == '"' && json.Unmarshal(e, &s) == nil {
			out = append(out, s)
		}
	}
	*p = out
	m.noteOdd(key + ": array with elements that are not strings")
	return nil
}

// strField decodes a string (or null, which leaves *p alone) into *p; a
// value of another type is skipped and noted in m.
func (d *decoder) strField(m *Message, key string, p *string) error {
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
	return d.skipOdd(m, key)
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

// adviceKeys are the JSON names of Advice's fields, for case-insensitive
// key matching as encoding/json does.
var adviceKeys = []string{"reconnect", "interval", "timeout", "maxInterval", "multiple-clients"}

// advice decodes the advice object at d.i. A field of the wrong type is
// skipped, a number with a fraction or exponent is truncated toward zero,
// one out of the int64 range is skipped; odd names the first such field.
// Null leaves a field absent, as encoding/json does with a pointer field.
func (d *decoder) advice() (a Advice, odd string, err error) {
	note := func(s string) {
		if odd == "" {
			odd = s
		}
	}
	d.i++ // {
	if d.peek() == '}' {
		d.i++
		return a, "", nil
	}
	for {
		if d.peek() != '"' {
			return a, odd, d.syntaxError("expected an object key")
		}
		key, err := d.str()
		if err != nil {
			return a, odd, err
		}
		if d.peek() != ':' {
			return a, odd, d.syntaxError("expected : after object key")
		}
		d.i++
		for _, k := range adviceKeys {
			if strings.EqualFold(k, key) {
				key = k
				break
			}
		}
		c := d.peek()
		start := d.i
		if err := d.skip(0); err != nil {
			return a, odd, err
		}
		v := d.b[start:d.i]
		var bit uint8
		var num *int64
		switch key {
		case "reconnect":
			bit = adviceReconnect
		case "interval":
			bit, num = adviceInterval, &a.Interval
		case "timeout":
			bit, num = adviceTimeout, &a.Timeout
		case "maxInterval":
			bit, num = adviceMaxInterval, &a.MaxInterval
		case "multiple-clients":
			bit = adviceMultiple
		}
		switch {
		case bit == 0: // unknown field
		case c == 'n':
			a.present &^= bit
			switch key {
			case "reconnect":
				a.Reconnect = ""
			case "multiple-clients":
				a.MultipleClients = false
			default:
				*num = 0
			}
		case key == "reconnect" && c == '"':
			if err := json.Unmarshal(v, &a.Reconnect); err != nil {
				return a, odd, err
			}
			a.present |= bit
		case key == "multiple-clients" && (c == 't' || c == 'f'):
			a.MultipleClients, a.present = c == 't', a.present|bit
		case num != nil && (c == '-' || '0' <= c && c <= '9'):
			if n, ok := adviceNumber(v); ok {
				*num, a.present = n, a.present|bit
				if bytes.ContainsAny(v, ".eE") {
					note(key + ": number with a fraction or exponent")
				}
			} else {
				note(key + ": number out of range")
			}
		default:
			note(key + ": " + jsonKind(c))
		}
		c = d.peek()
		d.i++
		if c == '}' {
			return a, odd, nil
		}
		if c != ',' {
			d.i--
			return a, odd, d.syntaxError("expected , or } in object")
		}
	}
}

// adviceNumber reads a JSON number as an int64, truncating a fraction;
// ok is false outside the int64 range.
func adviceNumber(v []byte) (int64, bool) {
	if n, err := strconv.ParseInt(string(v), 10, 64); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || f >= 1<<63 || f < -(1<<63) {
		return 0, false
	}
	return int64(f), true
}

// viaJSON decodes the next value into v with encoding/json.
func (d *decoder) viaJSON(v any) error {
	raw, err := d.raw()
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}
