package omni

import "unicode/utf8"

// The answer to SendSingle is decoded without reflection when it is in its
// plainest form, which is how Infobip writes it: issue 14's profile of a
// send (with the network taken out) put encoding/json's decoding of this
// answer at about 3 µs, close to half the SDK's own CPU per send, and the
// largest single cost of the pipeline. decodeSentFast reads only that form
// and gives up on anything else, so encoding/json (and the lenient decode
// after it) still decides every other input: a key spelt in another case
// or unknown, an escape or a control character in a string, invalid UTF-8,
// null, a number that is not a plain integer, anything malformed. Where it
// does decode, the result is what json.Unmarshal gives
// (FuzzDecodeSentDifferential holds it to that).

// plainJSON reads the plain forms of JSON decodeSentFast accepts; every
// method reports false on anything else.
type plainJSON struct {
	b []byte
	i int
}

// ws skips JSON white space.
func (p *plainJSON) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// next skips white space and consumes c if it comes next.
func (p *plainJSON) next(c byte) bool {
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// str reads a string without escapes or control characters whose bytes
// are valid UTF-8 (encoding/json replaces invalid bytes; this gives up).
// The bytes are b's own: the caller copies what it keeps.
func (p *plainJSON) str() ([]byte, bool) {
	if !p.next('"') {
		return nil, false
	}
	start, ascii := p.i, true
	for ; p.i < len(p.b); p.i++ {
		switch c := p.b[p.i]; {
		case c == '"':
			s := p.b[start:p.i]
			p.i++
			return s, ascii || utf8.Valid(s)
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

// int reads an integer without fraction or exponent, of at most 18 digits
// (so that it cannot overflow an int64).
func (p *plainJSON) int() (int, bool) {
	p.ws()
	neg := p.i < len(p.b) && p.b[p.i] == '-'
	if neg {
		p.i++
	}
	start, n := p.i, 0
	for ; p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9'; p.i++ {
		n = n*10 + int(p.b[p.i]-'0')
	}
	digits := p.i - start
	if digits == 0 || digits > 18 || (digits > 1 && p.b[start] == '0') {
		return 0, false
	}
	if p.i < len(p.b) {
		if c := p.b[p.i]; c == '.' || c == 'e' || c == 'E' {
			return 0, false
		}
	}
	if neg {
		n = -n
	}
	return n, true
}

// object reads an object, calling field after each key and its colon; field
// reads the value and reports whether it could. A key with an escape gives
// up, like any other string.
func (p *plainJSON) object(field func(key []byte) bool) bool {
	if !p.next('{') {
		return false
	}
	if p.next('}') {
		return true
	}
	for {
		key, ok := p.str()
		if !ok || !p.next(':') || !field(key) {
			return false
		}
		if p.next('}') {
			return true
		}
		if !p.next(',') {
			return false
		}
	}
}

// end reports whether only white space is left.
func (p *plainJSON) end() bool {
	p.ws()
	return p.i == len(p.b)
}

// text reads a plain string field into *dst.
func (p *plainJSON) text(dst *string) bool {
	s, ok := p.str()
	if ok {
		*dst = string(s)
	}
	return ok
}

// number reads a plain integer field into *dst.
func (p *plainJSON) number(dst *int) bool {
	n, ok := p.int()
	if ok {
		*dst = n
	}
	return ok
}

// decodeSentFast decodes body into *out when body is the plain form of
// SendSingle's answer, and reports whether it did; when it did not, *out is
// unchanged. A key given twice is taken as encoding/json takes it: the last
// value of a string or number, and a second "status" object decoded into the
// first one's fields.
func decodeSentFast(body []byte, out *SentMessage) bool {
	p := plainJSON{b: body}
	var m SentMessage
	ok := p.object(func(key []byte) bool {
		switch string(key) {
		case "to":
			return p.text(&m.To)
		case "messageCount":
			return p.number(&m.MessageCount)
		case "messageId":
			return p.text(&m.MessageID)
		case "status":
			return p.status(&m.Status)
		}
		return false
	})
	if !ok || !p.end() {
		return false
	}
	*out = m
	return true
}

// status reads a DeliveryStatus object in its plain form.
func (p *plainJSON) status(st *DeliveryStatus) bool {
	return p.object(func(key []byte) bool {
		switch string(key) {
		case "groupId":
			return p.number((*int)(&st.GroupID))
		case "groupName":
			return p.text(&st.GroupName)
		case "id":
			return p.number(&st.ID)
		case "name":
			return p.text(&st.Name)
		case "description":
			return p.text(&st.Description)
		case "action":
			return p.text(&st.Action)
		}
		return false
	})
}
