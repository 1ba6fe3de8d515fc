package safefmt

import (
	"fmt"
	"testing"
)

type secretish struct{ token string }

func (s secretish) String() string                { return "Token [redacted]" }
func (s secretish) Format(f fmt.State, verb rune) { Redacted(f, verb, s.String()) }

// Every verb prints the redacted String, formatted as a string would be.
func TestRedactedPrintsStringOnly(t *testing.T) {
	v := secretish{"SECRET"}
	for verb, want := range map[string]string{
		"%v": "Token [redacted]", "%+v": "Token [redacted]", "%#v": "Token [redacted]", "%s": "Token [redacted]",
		"%q": `"Token [redacted]"`, "%18s": "  Token [redacted]", "%-17s|": "Token [redacted] |",
		"%d": "Token [redacted]", "%x": fmt.Sprintf("%x", "Token [redacted]"), "%t": "Token [redacted]",
	} {
		if got := fmt.Sprintf(verb, v); got != want {
			t.Errorf("%s: %q, want %q", verb, got, want)
		}
	}
}
