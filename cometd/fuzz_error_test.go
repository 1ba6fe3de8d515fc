package cometd

import (
	"strings"
	"testing"
)

// FuzzParseError: any error string parses without panic, keeps the raw
// text, and a parsed code comes from a leading number.
func FuzzParseError(f *testing.F) {
	for _, s := range []string{"402::Unknown client", "403:token,x:Invalid token", "402::unknown_session", "", ":::", "-1::x", "999999999999999999999::x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := ParseError(s)
		if e == nil || e.Raw != s || e.Code < 0 {
			t.Fatalf("ParseError(%q) = %+v", s, e)
		}
		if e.Code > 0 && !strings.Contains(s, ":") {
			t.Fatalf("ParseError(%q) found code %d without separators", s, e.Code)
		}
		_ = e.Error()
	})
}
