package bayeuxsrv

import "strings"

// validChannel reports whether name is a syntactically valid channel name or
// pattern: it starts with "/", has no empty segment, and a wildcard ("*" or
// "**") may only be the whole last segment.
func validChannel(name string) bool {
	if len(name) < 2 || name[0] != '/' {
		return false
	}
	// Segment by segment without strings.Split: it runs for every Publish.
	for rest := name[1:]; ; {
		seg, tail, more := strings.Cut(rest, "/")
		if seg == "" {
			return false
		}
		if strings.Contains(seg, "*") && (more || (seg != "*" && seg != "**")) {
			return false
		}
		if !more {
			return true
		}
		rest = tail
	}
}

// isWildcard reports whether name ends in a /* or /** segment.
func isWildcard(name string) bool {
	return strings.HasSuffix(name, "/*") || strings.HasSuffix(name, "/**")
}

// isMeta reports whether name is a /meta channel or pattern.
func isMeta(name string) bool {
	return name == "/meta" || strings.HasPrefix(name, "/meta/")
}

// isService reports whether name is a /service channel.
func isService(name string) bool {
	return name == "/service" || strings.HasPrefix(name, "/service/")
}

// match reports whether channel matches pattern: "/a/*" matches exactly one
// more segment ("/a/b", not "/a/b/c"), "/a/**" matches one or more ("/a/b",
// "/a/b/c"); neither matches "/a" itself. Other patterns match only themselves.
func match(pattern, channel string) bool {
	if pattern == channel {
		return true
	}
	switch {
	case strings.HasSuffix(pattern, "/**"):
		prefix := pattern[:len(pattern)-2]
		return len(channel) > len(prefix) && strings.HasPrefix(channel, prefix)
	case strings.HasSuffix(pattern, "/*"):
		prefix := pattern[:len(pattern)-1]
		if len(channel) <= len(prefix) || !strings.HasPrefix(channel, prefix) {
			return false
		}
		return !strings.Contains(channel[len(prefix):], "/")
	}
	return false
}

// patternsFor lists every subscription pattern that matches a concrete
// channel: the channel itself, parent+"/*", and ancestor+"/**" for every
// ancestor including the root. For "/a/b": "/a/b", "/a/*", "/a/**", "/**".
func patternsFor(channel string) []string {
	out := []string{channel}
	i := len(channel)
	first := true
	for i > 0 {
		i = strings.LastIndexByte(channel[:i], '/')
		if i < 0 {
			break
		}
		prefix := channel[:i]
		if first {
			out = append(out, prefix+"/*")
			first = false
		}
		out = append(out, prefix+"/**")
	}
	return out
}
