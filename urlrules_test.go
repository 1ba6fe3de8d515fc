package omni_test

import (
	"strings"
	"testing"

	"github.com/omnisdk/omni"
)

// TestDotSegmentsAndBadPortsAreRefused: SECURITY.md says base URLs and
// path options with ".." are refused; encoded dots (%2e) too, and a base
// with an empty or out-of-range port. The error names the option.
func TestDotSegmentsAndBadPortsAreRefused(t *testing.T) {
	gws := func(base string, opts ...omni.Option) (string, []omni.Option) {
		return base, append([]omni.Option{omni.WithBasicAuth("u", "p")}, opts...)
	}
	msgr := func(base string) (string, []omni.Option) {
		return "", []omni.Option{omni.WithMessenger(base, omni.AppKey("k"))}
	}
	tests := []struct {
		name string
		base string
		opts []omni.Option
		want string
	}{}
	add := func(name, want string, base string, opts []omni.Option) {
		tests = append(tests, struct {
			name string
			base string
			opts []omni.Option
			want string
		}{name, base, opts, want})
	}
	for _, b := range []string{"https://h/api/../x", "https://h/api/%2e%2e/x", "https://h/%2E%2e", "https://h/./api", "https://h/api/%2e/v2"} {
		base, opts := gws(b)
		add("GWS "+b, "omni: base URL must not have a . or .. path segment", base, opts)
		base, opts = msgr(b)
		add("Messenger "+b, "omni: Messenger base URL must not have a . or .. path segment", base, opts)
	}
	for _, b := range []string{"https://h:", "http://localhost:/api/v2"} {
		base, opts := gws(b)
		add("GWS "+b, "omni: base URL has an empty port", base, opts)
	}
	for _, b := range []string{"https://h:99999", "https://h:0/api", "https://h:65536/"} {
		base, opts := gws(b)
		add("GWS "+b, "omni: base URL has a port outside 1-65535", base, opts)
		base, opts = msgr(b)
		add("Messenger "+b, "omni: Messenger base URL has a port outside 1-65535", base, opts)
	}
	for _, p := range []string{"me/%2e%2e/x", "me/%2E%2E", "./x", "me/%3Fq", "me/%23f", "me/%zz"} {
		base, opts := gws("https://h/api/v2", omni.WithTwitterPath(p))
		add("WithTwitterPath "+p, `omni: WithTwitterPath: "`+p+`" must be a relative path`, base, opts)
		base, opts = gws("https://h/api/v2", omni.WithFacebookSessionPath(p))
		add("WithFacebookSessionPath "+p, `omni: WithFacebookSessionPath: "`+p+`" must be a relative path`, base, opts)
	}
	base, opts := msgr("https://x.api.infobip.com")
	add("WithMessengerLogsPath", `omni: WithMessengerLogsPath: "a/%2e%2e" must be a relative path without . or .. segments (plain or %2e-encoded), query or fragment, such as "sms/1/logs"`,
		base, append(opts, omni.WithMessengerLogsPath("a/%2e%2e")))
	for _, tt := range tests {
		c, err := omni.NewClient(tt.base, tt.opts...)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %s…", tt.name, err, tt.want)
		}
		if c != nil {
			c.Close()
		}
	}
	// Ports in range, and dots inside a segment, are fine.
	for _, b := range []string{"https://h:8443/api/v2", "http://localhost:1/api/v2", "https://h:65535/a..b/v2"} {
		c, err := omni.NewClient(b, omni.WithBasicAuth("u", "p"), omni.WithTwitterPath("me/tweets..v2"))
		if err != nil {
			t.Errorf("%s: %v", b, err)
		} else {
			c.Close()
		}
	}
}
