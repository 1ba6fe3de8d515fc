// Package weburl holds the one rule the SDK and the simulator apply to the
// URLs of Messenger messages (media urls, URL button urls).
package weburl

import (
	"net/url"
	"strings"
)

// Rule is what a refused URL must be, as a validation message says it.
const Rule = "must be an http or https URL, or a host name such as www.example.com"

// Valid reports whether s is an absolute http or https URL with a host, or
// a URL without a scheme whose first segment is a host name with a dot,
// such as "www.infobip.com" (the Infobip document's own URL button), which
// the vendor accepts. Text that is not a URL, relative paths, other
// schemes and anything with spaces are refused.
func Valid(s string) bool {
	if s == "" || strings.ContainsAny(s, " \t\r\n") {
		return false
	}
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "http", "https":
		return u.Hostname() != "" && hostName(u.Hostname())
	case "":
		u, err = url.Parse("http://" + s)
		return err == nil && u.User == nil && u.Port() == "" && strings.Contains(u.Hostname(), ".") && hostName(u.Hostname())
	}
	return false
}

// hostName reports whether h is made of dot-separated labels of letters,
// digits and hyphens (an IPv6 literal in brackets is fine too).
func hostName(h string) bool {
	if strings.Contains(h, ":") { // IPv6, already checked by url.Parse
		return true
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}
