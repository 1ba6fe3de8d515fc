package omni

import (
	"bytes"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
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
		for _, f := range s.forms {
			for k := len(f) - 1; k >= 1; k-- {
				if bytes.HasSuffix(b, []byte(f[:k])) {
					return append(b[:len(b)-k:len(b)-k], redactedMark...)
				}
			}
		}
	}
	return b
}
