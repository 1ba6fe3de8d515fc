package omni

import "strings"

// ruleBlank is the rule a required field of only white space breaks: an
// id, address or path of it names nothing the service could find, and a
// post, comment or disposition of it says nothing. Messenger message text
// follows the vendor's documented length rules only.
const ruleBlank = "must not be blank (only white space)"

// blank reports whether s is not empty but only white space.
func blank(s string) bool { return s != "" && strings.TrimSpace(s) == "" }

// required adds "must not be empty" for an empty value, ruleBlank for one
// of only white space: the check of every required string field.
func required(v *ValidationError, field, value string) {
	switch {
	case value == "":
		v.add(field, "must not be empty")
	case blank(value):
		v.add(field, ruleBlank)
	}
}
