package omni_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/omnisdk/omni"
)

func TestGWSReadQueriesOnTheWire(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		opts []omni.Option
		call func(c *omni.Client) error
		want string // RequestURI below the fake's /api/v2
	}{
		{"facebook get, nil options", nil, func(c *omni.Client) error {
			_, err := c.Facebook.Get(ctx, "01QQQG2MU214P06D", nil)
			return err
		}, "/me/facebook/01QQQG2MU214P06D"},
		{"facebook get, empty options", nil, func(c *omni.Client) error {
			_, err := c.Facebook.Get(ctx, "01QQQG2MU214P06D", &omni.GetOptions{})
			return err
		}, "/me/facebook/01QQQG2MU214P06D"},
		{"facebook get, all fields", nil, func(c *omni.Client) error {
			_, err := c.Facebook.Get(ctx, "01QQQG2MU214P06D", &omni.GetOptions{Fields: []string{omni.FieldsAll}})
			return err
		}, "/me/facebook/01QQQG2MU214P06D?fields=*"},
		{"facebook get, some fields, escaped id", nil, func(c *omni.Client) error {
			_, err := c.Facebook.Get(ctx, "a b/c", &omni.GetOptions{Fields: []string{"id", "state", "userData"}})
			return err
		}, "/me/facebook/a%20b%2Fc?fields=id,state,userData"},
		{"tweet get", nil, func(c *omni.Client) error {
			_, err := c.Twitter.Get(ctx, "010QQG2MU214P06D", nil)
			return err
		}, "/me/tweets/010QQG2MU214P06D"},
		{"tweet get on the older path", []omni.Option{omni.WithTwitterPath("me/twitter")}, func(c *omni.Client) error {
			_, err := c.Twitter.Get(ctx, "010QQG2MU214P06D", &omni.GetOptions{Fields: []string{"state"}})
			return err
		}, "/me/twitter/010QQG2MU214P06D?fields=state"},
		{"session get", nil, func(c *omni.Client) error {
			_, err := c.FacebookSessions.Get(ctx, "S1", nil)
			return err
		}, "/me/facebooksessions/S1"},
		{"facebook list, nil options", nil, func(c *omni.Client) error {
			_, err := c.Facebook.List(ctx, nil)
			return err
		}, "/me/facebook"},
		{"facebook list, paging", nil, func(c *omni.Client) error {
			_, err := c.Facebook.List(ctx, &omni.ListOptions{Fields: []string{"*"}, Offset: 20, Limit: 10})
			return err
		}, "/me/facebook?fields=*&limit=10&offset=20"},
		{"tweet list, limit only", nil, func(c *omni.Client) error {
			_, err := c.Twitter.List(ctx, &omni.ListOptions{Limit: 5})
			return err
		}, "/me/tweets?limit=5"},
		{"session list on the older path", []omni.Option{omni.WithFacebookSessionPath("me/facebooksession")}, func(c *omni.Client) error {
			_, err := c.FacebookSessions.List(ctx, &omni.ListOptions{Fields: []string{"id", "state"}, Offset: 1})
			return err
		}, "/me/facebooksession?fields=id,state&offset=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFakeServer(t, reply(200, `{"statusCode":0,"facebook":{"id":"x"},"tweet":{"id":"x"},`+
				`"facebooksession":{"id":"x"},"uris":[]}`))
			c := newGWS(t, fs, tt.opts...)
			if err := tt.call(c); err != nil {
				t.Fatal(err)
			}
			reqs := fs.requests()
			if len(reqs) != 1 || reqs[0].Method != http.MethodGet {
				t.Fatalf("requests %+v, want one GET", reqs)
			}
			if got := reqs[0].RequestURI; got != "/api/v2"+tt.want {
				t.Errorf("request %q, want %q", got, "/api/v2"+tt.want)
			}
			if reqs[0].Header.Get("Authorization") == "" {
				t.Error("no Authorization header")
			}
		})
	}
}

func TestGWSReadBadOptionsSendNothing(t *testing.T) {
	fs := newFakeServer(t, reply(200, `{"statusCode":0}`))
	c := newGWS(t, fs)
	ctx := context.Background()
	calls := map[string]func() error{
		"empty id": func() error { _, err := c.Facebook.Get(ctx, "", nil); return err },
		"dot id":   func() error { _, err := c.Twitter.Get(ctx, "..", nil); return err },
		"empty field": func() error {
			_, err := c.FacebookSessions.Get(ctx, "S1", &omni.GetOptions{Fields: []string{"id", " "}})
			return err
		},
		"comma in field": func() error {
			_, err := c.Facebook.List(ctx, &omni.ListOptions{Fields: []string{"id,state"}})
			return err
		},
		"negative offset": func() error { _, err := c.Twitter.List(ctx, &omni.ListOptions{Offset: -1}); return err },
		"negative limit":  func() error { _, err := c.FacebookSessions.List(ctx, &omni.ListOptions{Limit: -5}); return err },
	}
	for name, call := range calls {
		var ve *omni.ValidationError
		if err := call(); !errors.As(err, &ve) {
			t.Errorf("%s: err = %v, want *ValidationError", name, err)
		}
	}
	if n := len(fs.requests()); n != 0 {
		t.Errorf("%d requests sent, want 0", n)
	}
}

func TestGWSReadDecodesResources(t *testing.T) {
	ctx := context.Background()
	t.Run("facebook", func(t *testing.T) {
		fs := newFakeServer(t, reply(200, `{"statusCode":0,"facebook":{"id":"01QQQG2MU214P06D","state":"Sent",`+
			`"facebookType":"Outbound","message":"Hello Facebook!","userData":{"_facebookActorId":"42"},"newField":1}}`))
		f, err := newGWS(t, fs).Facebook.Get(ctx, "01QQQG2MU214P06D", nil)
		if err != nil {
			t.Fatal(err)
		}
		if f.ID != "01QQQG2MU214P06D" || f.State != omni.StateSent || f.FacebookType != "Outbound" ||
			f.Message != "Hello Facebook!" || f.UserData["_facebookActorId"] != "42" {
			t.Errorf("facebook %+v", f)
		}
		assertJSONEqual(t, f.Raw, []byte(`{"id":"01QQQG2MU214P06D","state":"Sent","facebookType":"Outbound",`+
			`"message":"Hello Facebook!","userData":{"_facebookActorId":"42"},"newField":1}`))
	})
	t.Run("tweet in the tweet shape", func(t *testing.T) {
		fs := newFakeServer(t, reply(200, `{"statusCode":0,"tweet":{"id":"T1","tweetType":"Inbound","twitterIsRetweet":"true"}}`))
		tw, err := newGWS(t, fs).Twitter.Get(ctx, "T1", nil)
		if err != nil {
			t.Fatal(err)
		}
		if tw.ID != "T1" || tw.TwitterType != "Inbound" || !tw.TwitterIsRetweet {
			t.Errorf("tweet %+v", tw)
		}
	})
	t.Run("tweet in the twitter shape", func(t *testing.T) {
		fs := newFakeServer(t, reply(200, `{"statusCode":0,"twitter":{"id":"T2","twitterType":"Outbound"}}`))
		tw, err := newGWS(t, fs).Twitter.Get(ctx, "T2", nil)
		if err != nil || tw.ID != "T2" || tw.TwitterType != "Outbound" {
			t.Errorf("tweet %+v, %v", tw, err)
		}
	})
	t.Run("session", func(t *testing.T) {
		fs := newFakeServer(t, reply(200, `{"statusCode":0,"facebooksession":{"id":"S1","state":"Chatting",`+
			`"participants":[{"nickname":"Kristi","type":"Agent","participantId":"0090"}]}}`))
		s, err := newGWS(t, fs).FacebookSessions.Get(ctx, "S1", nil)
		if err != nil {
			t.Fatal(err)
		}
		if s.State != omni.StateChatting || len(s.Participants) != 1 || s.Participants[0].Type != omni.ParticipantAgent {
			t.Errorf("session %+v", s)
		}
	})
	t.Run("list of resources", func(t *testing.T) {
		fs := newFakeServer(t, reply(200, `{"statusCode":0,"tweets":[{"id":"T1","state":"Sent"},{"id":"T2","tweetType":"Inbound"}],"totalCount":2}`))
		p, err := newGWS(t, fs).Twitter.List(ctx, &omni.ListOptions{Fields: []string{"*"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) != 2 || p.Items[0].ID != "T1" || p.Items[0].State != omni.StateSent ||
			p.Items[1].TwitterType != "Inbound" || len(p.URIs) != 0 {
			t.Errorf("page %+v", p)
		}
		assertJSONEqual(t, p.Items[1].Raw, []byte(`{"id":"T2","tweetType":"Inbound"}`))
		assertJSONEqual(t, p.Raw, []byte(`{"statusCode":0,"tweets":[{"id":"T1","state":"Sent"},{"id":"T2","tweetType":"Inbound"}],"totalCount":2}`))
	})
	t.Run("list of uris", func(t *testing.T) {
		fs := newFakeServer(t, reply(200, `{"statusCode":0,"uris":["http://gws/api/v2/me/facebook/A","http://gws/api/v2/me/facebook/B"]}`))
		p, err := newGWS(t, fs).Facebook.List(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) != 0 || len(p.URIs) != 2 || p.URIs[1] != "http://gws/api/v2/me/facebook/B" {
			t.Errorf("page %+v", p)
		}
	})
}

func TestGWSReadErrors(t *testing.T) {
	ctx := context.Background()
	t.Run("statusCode 6 on HTTP 200", func(t *testing.T) {
		fs := newFakeServer(t, reply(200, `{"statusCode":6,"statusMessage":"Resource not found"}`))
		_, err := newGWS(t, fs).Facebook.Get(ctx, "nope", nil)
		var ae *omni.APIError
		if !errors.As(err, &ae) || ae.GWSStatusCode != omni.StatusNotFound || !errors.Is(err, omni.ErrNotFound) {
			t.Fatalf("err = %v, want *APIError statusCode 6", err)
		}
	})
	t.Run("statusCode 20 on HTTP 401", func(t *testing.T) {
		fs := newFakeServer(t, reply(401, `{"statusCode":20,"statusMessage":"User not authenticated"}`))
		_, err := newGWS(t, fs).Twitter.List(ctx, nil)
		if !errors.Is(err, omni.ErrUnauthorized) {
			t.Fatalf("err = %v, want ErrUnauthorized", err)
		}
	})
	t.Run("answer without the resource", func(t *testing.T) {
		fs := newFakeServer(t, reply(200, `{"statusCode":0,"uris":[]}`))
		_, err := newGWS(t, fs).FacebookSessions.Get(ctx, "S1", nil)
		var de *omni.DecodeError
		if !errors.As(err, &de) || de.Method != http.MethodGet {
			t.Fatalf("err = %v, want *DecodeError", err)
		}
	})
	t.Run("malformed resource", func(t *testing.T) {
		fs := newFakeServer(t, reply(200, `{"statusCode":0,"facebook":[{"id":7}]}`))
		_, err := newGWS(t, fs).Facebook.List(ctx, &omni.ListOptions{Fields: []string{"id"}})
		var de *omni.DecodeError
		if !errors.As(err, &de) {
			t.Fatalf("err = %v, want *DecodeError", err)
		}
	})
	t.Run("without a GWS base URL", func(t *testing.T) {
		c, err := omni.NewClient("", omni.WithMessenger("https://xyz.api.infobip.com", omni.AppKey("k")))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Facebook.Get(ctx, "X", nil); !errors.Is(err, omni.ErrNotConfigured) {
			t.Errorf("err = %v, want ErrNotConfigured", err)
		}
		if _, err := c.Twitter.List(ctx, nil); !errors.Is(err, omni.ErrNotConfigured) {
			t.Errorf("err = %v, want ErrNotConfigured", err)
		}
	})
}
