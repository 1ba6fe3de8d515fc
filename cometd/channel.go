package cometd

import "strings"

// Match reports whether channel matches pattern the way a Bayeux server
// does: a pattern ending in "/*" matches exactly one more segment, one ending
// in "/**" matches one or more segments at any depth, and any other pattern
// matches only itself. Wildcards are only recognised as the last segment.
func Match(pattern, channel string) bool {
	switch {
	case strings.HasSuffix(pattern, "/**"):
		prefix := pattern[:len(pattern)-2] // keep the trailing "/"
		rest, ok := strings.CutPrefix(channel, prefix)
		return ok && rest != "" && !strings.HasPrefix(rest, "/") && !strings.HasSuffix(rest, "/") && !strings.Contains(rest, "//")
	case strings.HasSuffix(pattern, "/*"):
		prefix := pattern[:len(pattern)-1]
		rest, ok := strings.CutPrefix(channel, prefix)
		return ok && rest != "" && !strings.Contains(rest, "/")
	default:
		return pattern == channel
	}
}

// patternsFor returns the channel itself and every wildcard pattern that
// matches it: /a/b/c gives /a/b/c, /**, /a/**, /a/b/* and /a/b/**. It lets
// the dispatcher look subscriptions up by key instead of scanning them all.
func patternsFor(channel string) []string {
	out := []string{channel}
	segs := strings.Split(strings.TrimPrefix(channel, "/"), "/")
	if len(segs) == 0 || channel == "" || channel[0] != '/' {
		return out
	}
	// prefix of the first i segments.
	prefix := "/"
	for i := 0; i < len(segs); i++ {
		if i == len(segs)-1 {
			out = append(out, prefix+"*")
		}
		out = append(out, prefix+"**")
		prefix += segs[i] + "/"
	}
	return out
}
