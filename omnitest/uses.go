package omnitest

import (
	"fmt"
	"strings"
)

// How many times a Fault, MessageFault or Outcome applies: Times(n) or
// Always, never both. Each builder keeps the calls as made (count, such as
// ".Times(2)") so that String shows what was asked, and the number it
// asked for; Inject, InjectMessage and Script refuse a misuse.

// always is the uses left of a fault or outcome that never runs out.
const always = -1

// timesMisuse says why Times(n) cannot apply after the calls in count, or "".
func timesMisuse(n int, count string) string {
	switch {
	case strings.Contains(count, ".Always()"):
		return fmt.Sprintf("Times(%d) with Always(): use one of them (Always never runs out)", n)
	case n < 1:
		return fmt.Sprintf("Times(%d): n must be at least 1 (Always never runs out)", n)
	}
	return ""
}

// alwaysMisuse says why Always cannot apply after the calls in count, or "".
func alwaysMisuse(count string) string {
	if strings.Contains(count, ".Times(") {
		return "Always() with Times(n): use one of them (Always never runs out)"
	}
	return ""
}

// usesLeft is what a queued entry starts with: n, or always.
func usesLeft(n int, count string) int {
	if strings.Contains(count, ".Always()") {
		return always
	}
	return n
}
