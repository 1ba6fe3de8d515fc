package bayeuxsrv

import (
	"slices"
	"testing"
)

func TestMatch(t *testing.T) {
	cases := []struct {
		pattern, channel string
		want             bool
	}{
		{"/a/b", "/a/b", true},
		{"/a/b", "/a/c", false},
		{"/a/*", "/a/b", true},
		{"/a/*", "/a/b/c", false},
		{"/a/*", "/a", false},
		{"/a/*", "/ab", false},
		{"/a/**", "/a/b", true},
		{"/a/**", "/a/b/c", true},
		{"/a/**", "/a", false},
		{"/a/**", "/ab/c", false},
		{"/*", "/a", true},
		{"/*", "/a/b", false},
		{"/**", "/a/b/c", true},
		{"/v2/me/*", "/v2/me/facebook", true},
	}
	for _, c := range cases {
		if got := match(c.pattern, c.channel); got != c.want {
			t.Errorf("match(%q, %q) = %v, want %v", c.pattern, c.channel, got, c.want)
		}
	}
}

func TestPatternsFor(t *testing.T) {
	got := patternsFor("/a/b/c")
	want := []string{"/a/b/c", "/a/b/*", "/a/b/**", "/a/**", "/**"}
	if !slices.Equal(got, want) {
		t.Fatalf("patternsFor = %v, want %v", got, want)
	}
	// Every listed pattern matches, and the list is complete for a set of candidates.
	for _, ch := range []string{"/a", "/a/b", "/a/b/c"} {
		ps := patternsFor(ch)
		for _, p := range ps {
			if !match(p, ch) {
				t.Errorf("%q listed for %q but does not match", p, ch)
			}
		}
		for _, p := range []string{"/*", "/**", "/a/*", "/a/**", "/a/b/*", "/a/b/**", "/a/b", "/a"} {
			if match(p, ch) && !slices.Contains(ps, p) {
				t.Errorf("%q matches %q but is not listed", p, ch)
			}
		}
	}
}

func TestValidChannel(t *testing.T) {
	for name, want := range map[string]bool{
		"/a": true, "/a/b": true, "/a/*": true, "/a/**": true, "/**": true,
		"": false, "/": false, "a/b": false, "/a//b": false, "/a/": false,
		"/a/*/b": false, "/a/b*": false, "/a/***": false,
	} {
		if got := validChannel(name); got != want {
			t.Errorf("validChannel(%q) = %v, want %v", name, got, want)
		}
	}
}
