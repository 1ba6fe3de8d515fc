// Package weburl holds the one rule the SDK and the simulator apply to the
// URLs of Messenger messages (media urls, URL button urls).
package weburl

import (
	"net/url"
	"strconv"
	"strings"
	"unicode"
)

// Rule is what a refused URL must be, as a validation message says it.
const Rule = "must be an http or https URL, or a host name such as www.example.com"

// Valid reports whether s is an absolute http or https URL with a host, or
// a URL without a scheme that starts with a host name with a dot, such as
// "www.infobip.com" (the Infobip document's own URL button), which the
// vendor accepts, or with "localhost". A port (1-65535) may follow the
// host ("www.infobip.com:8080", "localhost:3000"); host names may be
// internationalised ("bücher.de") and hold underscores. Text that is not a URL, relative paths,
// other schemes ("javascript:", "mailto:", "ftp://"), user information and
// anything with spaces are refused.
func Valid(s string) bool {
	if s == "" || strings.ContainsAny(s, " \t\r\n") {
		return false
	}
	u, err := url.Parse(s)
	if err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		return u.User == nil && u.Hostname() != "" && hostName(u.Hostname()) && port(u)
	}
	if strings.Contains(s, "://") {
		return false // another scheme, or no URL at all
	}
	// No scheme: a host name first, optionally with a port. "mailto:a@b"
	// reads as user information, "javascript:alert(1)" as a bad port, and a
	// host without a dot (other than localhost) is not taken for one, so
	// "javascript:1" is refused too.
	u, err = url.Parse("http://" + s)
	if err != nil || u.User != nil || !hostName(u.Hostname()) || !port(u) {
		return false
	}
	h := u.Hostname()
	return strings.Contains(h, ".") || strings.EqualFold(h, "localhost")
}

// port reports whether u's port, if any, is 1-65535 (and not empty after
// a colon).
func port(u *url.URL) bool {
	if strings.HasSuffix(u.Host, ":") {
		return false
	}
	p := u.Port()
	if p == "" {
		return true
	}
	n, err := strconv.Atoi(p)
	return err == nil && n >= 1 && n <= 65535
}

// hostName reports whether h is made of dot-separated labels of letters
// (any script, for internationalised names), digits, hyphens and
// underscores (an IPv6 literal in brackets is fine too). Underscores are
// not allowed in host names proper (RFC 1123), but DNS, browsers and URL
// parsers take them and real media hosts use them (older S3 bucket names
// such as my_bucket.s3.amazonaws.com); the vendor's documents only ask for
// a URL, so they are not refused.
func hostName(h string) bool {
	if h == "" {
		return false
	}
	if strings.Contains(h, ":") { // IPv6, already checked by url.Parse
		return true
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}
