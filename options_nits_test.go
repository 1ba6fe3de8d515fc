package omni_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/omnisdk/omni"
)

// TestNewClientRefusesBadUserAgentAndRetryBounds: a User-Agent with CR or
// LF (which net/http would refuse on every request) and a RetryPolicy whose
// MinWait is longer than its MaxWait are refused by NewClient.
func TestNewClientRefusesBadUserAgentAndRetryBounds(t *testing.T) {
	for _, tt := range []struct {
		opt  omni.Option
		want string
	}{
		{omni.WithUserAgent("app/1\r\nX-Evil: 1"), "omni: WithUserAgent: user agent must not contain CR, LF or NUL"},
		{omni.WithUserAgent("app/1\n"), "omni: WithUserAgent: user agent must not contain CR, LF or NUL"},
		{omni.WithRetry(omni.RetryPolicy{MinWait: 2 * time.Second, MaxWait: time.Second}), "omni: WithRetry: MinWait 2s must not be longer than MaxWait 1s"},
	} {
		c, err := omni.NewClient("https://h/api/v2", omni.WithBasicAuth("u", "p"), tt.opt)
		if err == nil || err.Error() != tt.want {
			t.Errorf("err = %v, want %s", err, tt.want)
		}
		if c != nil {
			c.Close()
		}
	}
}

// TestAwaitRefusesAnInvalidChannel: an Expect.Channel the CometD client
// could not subscribe to is a *ValidationError naming it, before any I/O.
func TestAwaitRefusesAnInvalidChannel(t *testing.T) {
	fs := newFakeServer(t, ok200)
	c := newGWS(t, fs)
	for ch, rule := range map[string]string{
		"not a channel":  `must be a channel such as "/v2/me/facebook"`,
		"/v2/me/":        `must be a channel such as "/v2/me/facebook"`,
		"/v2//facebook":  `must be a channel such as "/v2/me/facebook"`,
		"/meta/connect":  "must not be a /meta channel",
		"/v2/*/facebook": `may hold a wildcard only as its last segment ("/*" or "/**")`,
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // a failure bound only
		_, err := c.Await(ctx, omni.Expect{Channel: ch}, func(ctx context.Context) (omni.Accepted, error) {
			return c.Facebook.Send(ctx, "X", seedFacebook)
		})
		var ve *omni.ValidationError
		if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0] != (omni.FieldError{Field: "Expect.Channel", Rule: rule}) {
			t.Errorf("%q: err = %v, want Expect.Channel: %s", ch, err, rule)
		}
		cancel()
	}
	if n := len(fs.requests()); n != 0 {
		t.Errorf("%d requests", n)
	}
}
