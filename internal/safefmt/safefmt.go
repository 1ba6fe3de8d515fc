// Package safefmt formats values that hold secrets by their redacted
// String only, for the Format methods of omni's and cometd's credential
// types and of omni.Client.
package safefmt

import "fmt"

// Redacted prints s, a value's redacted String, as verb and its flags
// would print a string (%q quotes it, %10s pads it, %#v prints it as
// GoString does); a verb meant for another kind (%d) prints it as %s does,
// so no verb reaches the value's fields. %p of a value that is not a
// pointer, and %w, never reach a Formatter: go vet reports them.
func Redacted(f fmt.State, verb rune, s string) {
	switch {
	case verb == 'v' && f.Flag('#'):
		fmt.Fprint(f, s)
	case verb == 's' || verb == 'q' || verb == 'v' || verb == 'x' || verb == 'X':
		fmt.Fprintf(f, fmt.FormatString(f, verb), s)
	default:
		fmt.Fprintf(f, fmt.FormatString(f, 's'), s)
	}
}
