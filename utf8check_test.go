package omni_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/omnisdk/omni"
)

// A GWS request with a string that is not valid UTF-8 is a *ValidationError
// naming the field, before any I/O (outside review: encoding/json sent it
// with U+FFFD in place of each bad byte, a message other than the one asked
// for). Valid text of any script, emoji included, goes through.
func TestGWSRefusesInvalidUTF8(t *testing.T) {
	srv, c := simClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), guardTimeout)
	defer cancel()
	before := len(srv.Requests())
	cases := []struct {
		name, field string
		call        func() error
	}{
		{"send from", "facebook.from", func() error {
			_, err := c.Facebook.Send(ctx, "id", omni.FacebookSend{QueuePath: "/q", From: "page\xc3", Message: "hi"})
			return err
		}},
		{"send message", "twitter.message", func() error {
			_, err := c.Twitter.Send(ctx, "id", omni.TwitterSend{QueuePath: "/q", From: "acct", Message: "price: 10\xa4"})
			return err
		}},
		{"disposition", "disposition", func() error {
			_, err := c.Facebook.SetDisposition(ctx, "id", omni.Disposition{Disposition: "ok\xff"})
			return err
		}},
		{"user data value", "userData.note", func() error {
			_, err := c.Facebook.AttachUserData(ctx, "id", map[string]any{"note": "x\xfe"})
			return err
		}},
		{"raw user data", "userData.k", func() error {
			_, err := c.Facebook.AttachUserData(ctx, "id", map[string]any{"k": json.RawMessage("\"a\xffb\"")})
			return err
		}},
		{"user data a Marshaler encodes", "userData.k", func() error {
			_, err := c.Facebook.AttachUserData(ctx, "id", map[string]any{"k": badMarshaler{}})
			return err
		}},
		{"id", "id", func() error {
			_, err := c.Facebook.Send(ctx, "a\xffb", omni.FacebookSend{QueuePath: "/q", From: "p", Message: "m"})
			return err
		}},
		{"channel", "channel", func() error { return c.Agent.Ready(ctx, "a\xffb") }},
		{"fields", "fields[0]", func() error {
			_, err := c.Facebook.Get(ctx, "id", &omni.GetOptions{Fields: []string{"a\xffb"}})
			return err
		}},
		{"Expect.Channel", "Expect.Channel", func() error {
			_, err := c.Await(ctx, omni.Expect{Channel: "/v2/me/\xff"}, func(ctx context.Context) (omni.Accepted, error) {
				return c.Facebook.Send(ctx, "id", omni.FacebookSend{QueuePath: "/q", From: "p", Message: "m"})
			})
			return err
		}},
	}
	for _, tc := range cases {
		err := tc.call()
		var ve *omni.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%s: %v, want a *ValidationError", tc.name, err)
			continue
		}
		found := false
		for _, f := range ve.Fields {
			found = found || (f.Field == tc.field && f.Rule == "must be valid UTF-8")
		}
		if !found {
			t.Errorf("%s: %v, want %s: must be valid UTF-8", tc.name, err, tc.field)
		}
	}
	if got := srv.Requests()[before:]; len(got) != 0 {
		t.Errorf("%d requests reached the server", len(got))
	}
	if err := (omni.FacebookSend{QueuePath: "/q", From: "p", Message: "x\x80"}).Validate(); err == nil {
		t.Error("FacebookSend.Validate accepts invalid UTF-8")
	}
	if _, err := c.Facebook.SendAndWait(ctx, "ok", omni.FacebookSend{QueuePath: "/q", From: "Страница", Message: "héllo 👋 世界"}); err != nil {
		t.Errorf("valid UTF-8: %v", err)
	}
}

// badMarshaler encodes itself as a JSON string holding an invalid byte
// (third outside review: a Marshaler's output went out as it was).
type badMarshaler struct{}

func (badMarshaler) MarshalJSON() ([]byte, error) { return []byte("\"\xff\""), nil }
