package omni

import (
	"bytes"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// scrubber replaces credentials in the words a server sent back. It finds a
// secret as sent, URL-encoded, as a base64 token without its "=" padding,
// and in a raw JSON body with any of its characters escaped (\u003d,
// \u003D, "\/", ...: Go, Gson and other encoders escape different sets).
// It holds the secrets only in unexported fields of an unexported type
// reached through closures, so no value the SDK returns prints them.
type scrubber struct {
	forms []string       // literal forms, longest first
	re    *regexp.Regexp // every form, each character literal or JSON-escaped
}

// newScrubber returns a scrubber for secrets, or nil when none is long
// enough to be told from ordinary words (see minRedacted).
func newScrubber(secrets []string) *scrubber {
	seen := map[string]bool{}
	var forms []string
	for _, s := range secrets {
		for _, f := range []string{s, url.QueryEscape(s), url.PathEscape(s), strings.TrimRight(s, "=")} {
			if len(f) >= minRedacted && !seen[f] {
				seen[f] = true
				forms = append(forms, f)
			}
		}
	}
	if len(forms) == 0 {
		return nil
	}
	slices.SortFunc(forms, func(a, b string) int { return len(b) - len(a) })
	alts := make([]string, len(forms))
	for i, f := range forms {
		var p strings.Builder
		for _, r := range f {
			p.WriteString("(?:")
			p.WriteString(regexp.QuoteMeta(string(r)))
			for _, esc := range jsonEscapes(r) {
				p.WriteString("|")
				p.WriteString(esc)
			}
			p.WriteString(")")
		}
		alts[i] = p.String()
	}
	return &scrubber{forms: forms, re: regexp.MustCompile(strings.Join(alts, "|"))}
}

// jsonEscapes returns patterns for the ways a JSON string may escape r:
// \uXXXX in either case of hex digit (a surrogate pair above U+FFFF),
// and the short forms of "/", '"' and "\".
func jsonEscapes(r rune) []string {
	hex := func(u rune) string {
		var b strings.Builder
		b.WriteString(`\\u`)
		for _, c := range fmt.Sprintf("%04x", u) {
			if c >= 'a' && c <= 'f' {
				fmt.Fprintf(&b, "[%c%c]", c, c-'a'+'A')
			} else {
				b.WriteRune(c)
			}
		}
		return b.String()
	}
	var out []string
	if r > 0xFFFF {
		r -= 0x10000
		out = append(out, hex(0xD800+(r>>10))+hex(0xDC00+(r&0x3FF)))
	} else {
		out = append(out, hex(r))
	}
	switch r {
	case '/':
		out = append(out, `\\/`)
	case '"':
		out = append(out, `\\"`)
	case '\\':
		out = append(out, `\\\\`)
	}
	return out
}

const redactedMark = "[redacted]"

// str scrubs s. Text without a backslash can hold a secret only
// literally, which a substring search finds; the expression is run only
// on text that may hold an escape.
func (s *scrubber) str(v string) string {
	if !strings.Contains(v, `\`) {
		for _, f := range s.forms {
			if strings.Contains(v, f) {
				v = strings.ReplaceAll(v, f, redactedMark)
			}
		}
		return v
	}
	return s.re.ReplaceAllString(v, redactedMark)
}

// body scrubs b, a raw body. A body cut at maxErrorBody may end with the
// start of a secret: that start is replaced too.
func (s *scrubber) body(b []byte) []byte {
	cut := len(b) == maxErrorBody
	if bytes.IndexByte(b, '\\') < 0 {
		for _, f := range s.forms {
			if bytes.Contains(b, []byte(f)) {
				b = bytes.ReplaceAll(b, []byte(f), []byte(redactedMark))
			}
		}
	} else {
		b = s.re.ReplaceAll(b, []byte(redactedMark))
	}
	if cut {
		b = s.cutTail(b)
		if len(b) > maxErrorBody { // a mark is longer than a short secret
			b = b[:maxErrorBody]
		}
	}
	return b
}

// minTail is the shortest start of a secret cutTail removes: one or two
// characters give nothing away, and would mangle ordinary text too often.
const minTail = 3

// cutTail handles a body cut at maxErrorBody: its end may hold the first
// characters of a secret, raw or escaped (JSON \uXXXX, "\/", percent
// encoding), the rest cut off. The end is decoded back to characters and,
// when it ends with at least minTail characters of a secret's start, those
// are replaced by the mark. The result is never longer than maxErrorBody.
func (s *scrubber) cutTail(b []byte) []byte {
	longest := 0
	for _, f := range s.forms {
		longest = max(longest, len(f))
	}
	from := max(0, len(b)-12*longest) // at most 12 bytes per character (a surrogate pair)
	var text []byte                   // the decoded end
	var at []int                      // where in b each byte of text starts
	for i := from; i < len(b); {
		c, n := decodeOne(b[i:])
		if n == 0 {
			break // an escape cut in the middle: its start is the end
		}
		for range c {
			at = append(at, i)
		}
		text = append(text, c...)
		i += n
	}
	for _, f := range s.forms {
		for k := min(len(f)-1, len(text)); k >= minTail; k-- {
			if bytes.HasSuffix(text, []byte(f[:k])) {
				end := at[len(text)-k]
				end = min(end, maxErrorBody-len(redactedMark))
				return append(b[:end:end], redactedMark...)
			}
		}
	}
	return b
}

// decodeOne decodes the character at the start of p as a JSON string or a
// URL may write it: a JSON escape, a percent escape or a raw byte. It
// returns the bytes it stands for and how many bytes of p it took; 0 when p
// holds only the start of an escape.
func decodeOne(p []byte) ([]byte, int) {
	unhex := func(h []byte) (int, bool) {
		v := 0
		for _, c := range h {
			switch {
			case c >= '0' && c <= '9':
				v = v*16 + int(c-'0')
			case c >= 'a' && c <= 'f':
				v = v*16 + int(c-'a'+10)
			case c >= 'A' && c <= 'F':
				v = v*16 + int(c-'A'+10)
			default:
				return 0, false
			}
		}
		return v, true
	}
	switch p[0] {
	case '\\':
		if len(p) < 2 {
			return nil, 0
		}
		if p[1] != 'u' {
			return p[1:2], 2 // \/ \" \\ (and others, as the character after)
		}
		if len(p) < 6 {
			return nil, 0
		}
		u, ok := unhex(p[2:6])
		if !ok {
			return p[:1], 1
		}
		r, n := rune(u), 6
		if u >= 0xD800 && u < 0xDC00 { // a surrogate pair's first half
			if len(p) < 12 {
				return nil, 0
			}
			if lo, ok := unhex(p[8:12]); ok && p[6] == '\\' && p[7] == 'u' && lo >= 0xDC00 && lo < 0xE000 {
				r, n = 0x10000+(rune(u)-0xD800)<<10+(rune(lo)-0xDC00), 12
			}
		}
		return utf8.AppendRune(nil, r), n
	case '%':
		if len(p) < 3 {
			return nil, 0
		}
		if v, ok := unhex(p[1:3]); ok {
			return []byte{byte(v)}, 3
		}
	}
	return p[:1], 1
}
