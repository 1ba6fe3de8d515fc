package omni_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/omnisdk/omni"
)

// rawQueries returns the raw query and whether a "?" was sent, per request.
func rawQueries(fs *fakeServer) []string {
	var out []string
	for _, r := range fs.requests() {
		_, q, _ := strings.Cut(r.RequestURI, "?")
		if strings.Contains(r.RequestURI, "?") {
			q = "?" + q
		}
		out = append(out, q)
	}
	return out
}

func TestDeliveryReportsQueryOnTheWire(t *testing.T) {
	tests := []struct {
		name string
		opts *omni.ReportsOptions
		want string // raw query with its "?", "" for none
	}{
		{"nil options send no query", nil, ""},
		{"empty options send no query", &omni.ReportsOptions{}, ""},
		{"bulkId", &omni.ReportsOptions{BulkID: "bulk-1"}, "?bulkId=bulk-1"},
		{"messageId", &omni.ReportsOptions{MessageID: "ff4804ef-6ab6"}, "?messageId=ff4804ef-6ab6"},
		{"limit", &omni.ReportsOptions{Limit: 1000}, "?limit=1000"},
		{"all, escaped", &omni.ReportsOptions{BulkID: "a b&c", MessageID: "m/1", Limit: 2},
			"?bulkId=a+b%26c&limit=2&messageId=m%2F1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFakeServer(t, reply(200, `{"results":[]}`))
			c := newMessenger(t, fs)
			got, err := c.Messenger.DeliveryReports(context.Background(), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 0 {
				t.Errorf("%d reports, want 0", len(got))
			}
			reqs := fs.requests()
			if len(reqs) != 1 || reqs[0].Method != http.MethodGet || !strings.HasPrefix(reqs[0].RequestURI, "/facebook/1/reports") {
				t.Fatalf("requests %+v, want one GET /facebook/1/reports", reqs)
			}
			if q := rawQueries(fs)[0]; q != tt.want {
				t.Errorf("query %q, want %q", q, tt.want)
			}
			if a := reqs[0].Header.Get("Authorization"); a != "App app-key-123" {
				t.Errorf("Authorization %q", a)
			}
		})
	}
}

func TestLogsQueryOnTheWire(t *testing.T) {
	plus1 := time.FixedZone("CET", 3600)
	tests := []struct {
		name string
		opts *omni.LogsOptions
		want string
	}{
		{"nil options send no query", nil, ""},
		{"empty options send no query", &omni.LogsOptions{}, ""},
		{"from and to", &omni.LogsOptions{From: "8F07", To: "user key"}, "?from=8F07&to=user+key"},
		{"repeated messageId", &omni.LogsOptions{MessageIDs: []string{"m1", "m2", "m3"}},
			"?messageId=m1&messageId=m2&messageId=m3"},
		{"generalStatus by name", &omni.LogsOptions{GeneralStatus: omni.GroupUndeliverable}, "?generalStatus=UNDELIVERABLE"},
		{"times in the service layout", &omni.LogsOptions{
			SentSince: time.Date(2015, 2, 23, 17, 40, 31, 773e6, plus1),
			SentUntil: time.Date(2015, 2, 23, 18, 0, 0, 0, time.UTC)},
			"?sentSince=2015-02-23T17%3A40%3A31.773%2B0100&sentUntil=2015-02-23T18%3A00%3A00.000%2B0000"},
		{"everything", &omni.LogsOptions{From: "f", To: "t", BulkID: "b", MessageIDs: []string{"x", "y"},
			GeneralStatus: omni.GroupDelivered, SentSince: time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC), Limit: 7},
			"?bulkId=b&from=f&generalStatus=DELIVERED&limit=7&messageId=x&messageId=y&sentSince=2026-01-02T03%3A04%3A05.006%2B0000&to=t"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFakeServer(t, reply(200, `{"results":[]}`))
			c := newMessenger(t, fs)
			if _, err := c.Messenger.Logs(context.Background(), tt.opts); err != nil {
				t.Fatal(err)
			}
			reqs := fs.requests()
			if len(reqs) != 1 || !strings.HasPrefix(reqs[0].RequestURI, "/facebook/1/logs") {
				t.Fatalf("requests %+v, want one GET /facebook/1/logs", reqs)
			}
			if q := rawQueries(fs)[0]; q != tt.want {
				t.Errorf("query %q, want %q", q, tt.want)
			}
		})
	}
}

func TestReadBackBadOptionsSendNothing(t *testing.T) {
	fs := newFakeServer(t, reply(200, `{"results":[]}`))
	c := newMessenger(t, fs)
	ctx := context.Background()
	checks := []struct {
		name  string
		call  func() error
		field string
	}{
		{"reports limit -1", func() error {
			_, err := c.Messenger.DeliveryReports(ctx, &omni.ReportsOptions{Limit: -1})
			return err
		}, "limit"},
		{"reports limit 1001", func() error {
			_, err := c.Messenger.DeliveryReports(ctx, &omni.ReportsOptions{Limit: 1001})
			return err
		}, "limit"},
		{"logs limit 5000", func() error {
			_, err := c.Messenger.Logs(ctx, &omni.LogsOptions{Limit: 5000})
			return err
		}, "limit"},
		{"logs unknown status group", func() error {
			_, err := c.Messenger.Logs(ctx, &omni.LogsOptions{GeneralStatus: 9})
			return err
		}, "generalStatus"},
		{"logs empty message id", func() error {
			_, err := c.Messenger.Logs(ctx, &omni.LogsOptions{MessageIDs: []string{"a", ""}})
			return err
		}, "messageId"},
		{"logs since after until", func() error {
			now := time.Now()
			_, err := c.Messenger.Logs(ctx, &omni.LogsOptions{SentSince: now, SentUntil: now.Add(-time.Hour)})
			return err
		}, "sentSince"},
	}
	for _, tt := range checks {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var ve *omni.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, omni.ErrValidation) {
				t.Fatalf("err = %v, want *ValidationError", err)
			}
			if len(ve.Fields) != 1 || ve.Fields[0].Field != tt.field {
				t.Errorf("fields %v, want one on %q", ve.Fields, tt.field)
			}
		})
	}
	if n := len(fs.requests()); n != 0 {
		t.Errorf("%d requests sent, want 0", n)
	}
	// The bounds themselves are fine.
	if _, err := c.Messenger.DeliveryReports(ctx, &omni.ReportsOptions{Limit: 1}); err != nil {
		t.Errorf("limit 1: %v", err)
	}
}

func TestDeliveryReportsGoldenDecode(t *testing.T) {
	fs := newFakeServer(t, reply(200, string(golden(t, "messenger_reports_response.json"))))
	c := newMessenger(t, fs)
	got, err := c.Messenger.DeliveryReports(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d reports, want 2", len(got))
	}
	r := got[0]
	if r.BulkID != "80664c0c-e1ca-414d-806a-5caf146463df" || r.MessageID != "ff4804ef-6ab6-4abd-984d-ab3b1387e852" ||
		r.To != "37512FEC78DBC1895567B09AE6D9439328C12E83BC83D449BC4A9F32F1AE3C3A" || r.MessageCount != 1 {
		t.Errorf("ids: %+v", r)
	}
	wantSent := time.Date(2016, 11, 14, 14, 21, 53, 586e6, time.UTC)
	if !r.SentAt.Equal(wantSent) || r.RawSentAt != "2016-11-14T15:21:53.586+0100" {
		t.Errorf("sentAt %v (%q), want %v", r.SentAt, r.RawSentAt, wantSent)
	}
	if _, off := r.SentAt.Zone(); off != 3600 {
		t.Errorf("sentAt zone offset %d, want the sent +0100", off)
	}
	if !r.DoneAt.Equal(time.Date(2016, 11, 14, 14, 21, 54, 12e6, time.UTC)) {
		t.Errorf("doneAt %v", r.DoneAt)
	}
	if r.Price == nil || *r.Price != (omni.Price{PricePerMessage: 0.01, Currency: "EUR"}) {
		t.Errorf("price %+v", r.Price)
	}
	if r.Status != (omni.DeliveryStatus{GroupID: omni.GroupDelivered, GroupName: "DELIVERED", ID: 5,
		Name: "DELIVERED_TO_HANDSET", Description: "Message delivered to handset"}) {
		t.Errorf("status %+v", r.Status)
	}
	if r.Error == nil || *r.Error != (omni.DeliveryError{GroupName: "OK", Name: "NO_ERROR", Description: "No Error"}) {
		t.Errorf("error %+v", r.Error)
	}
	var raw map[string]any
	if err := json.Unmarshal(r.Raw, &raw); err != nil || raw["channel"] != "FACEBOOK" {
		t.Errorf("Raw lost the unknown field: %s", r.Raw)
	}

	r = got[1]
	if !r.SentAt.IsZero() || r.RawSentAt != "14/11/2016 15:21" {
		t.Errorf("unparseable sentAt: %v %q, want zero time and the raw string", r.SentAt, r.RawSentAt)
	}
	if !r.DoneAt.IsZero() || r.RawDoneAt != "" || r.Price != nil {
		t.Errorf("missing fields: doneAt %v %q price %+v", r.DoneAt, r.RawDoneAt, r.Price)
	}
	if r.Status.GroupID != omni.GroupRejected || r.Status.Action != "Contact account manager" {
		t.Errorf("status %+v", r.Status)
	}
	if r.Error == nil || !r.Error.Permanent || r.Error.ID != 18 || r.Error.GroupName != "USER_ERRORS" {
		t.Errorf("error %+v", r.Error)
	}
}

func TestLogsGoldenDecode(t *testing.T) {
	fs := newFakeServer(t, reply(200, string(golden(t, "messenger_logs_response.json"))))
	c := newMessenger(t, fs)
	got, err := c.Messenger.Logs(context.Background(), &omni.LogsOptions{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("%d entries, want 1", len(got))
	}
	l := got[0]
	if l.From != "8F0792F86035A9F4290821F1EE6BC06A" || l.Text != "Hello, World!" || l.MessageID != "ff4804ef-6ab6-4abd-984d-ab3b1387e852" {
		t.Errorf("entry %+v", l)
	}
	if l.Status.GroupID != omni.GroupPending || l.Status.Name != "PENDING_ACCEPTED" || l.SentAt.IsZero() {
		t.Errorf("status %+v sentAt %v", l.Status, l.SentAt)
	}
}

func TestDeliveryReportsErrors(t *testing.T) {
	t.Run("401 is an APIError", func(t *testing.T) {
		fs := newFakeServer(t, reply(401, string(golden(t, "messenger_401_response.json"))))
		c := newMessenger(t, fs)
		_, err := c.Messenger.DeliveryReports(context.Background(), &omni.ReportsOptions{MessageID: "m"})
		var ae *omni.APIError
		if !errors.As(err, &ae) || !errors.Is(err, omni.ErrUnauthorized) {
			t.Fatalf("err = %v, want *APIError matching ErrUnauthorized", err)
		}
		if strings.Contains(err.Error(), "app-key-123") || strings.Contains(err.Error(), "messageId=") {
			t.Errorf("error leaks the key or the query: %v", err)
		}
	})
	t.Run("a result that is not an object is a DecodeError", func(t *testing.T) {
		fs := newFakeServer(t, reply(200, `{"results":[42]}`))
		c := newMessenger(t, fs)
		_, err := c.Messenger.DeliveryReports(context.Background(), nil)
		var de *omni.DecodeError
		if !errors.As(err, &de) {
			t.Fatalf("err = %v, want *DecodeError", err)
		}
	})
	t.Run("without WithMessenger", func(t *testing.T) {
		c, err := omni.NewClient("https://gws.example.com/api/v2", omni.WithBasicAuth("u", "p"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Messenger.DeliveryReports(context.Background(), nil); !errors.Is(err, omni.ErrNotConfigured) {
			t.Errorf("DeliveryReports err = %v, want ErrNotConfigured", err)
		}
		if _, err := c.Messenger.Logs(context.Background(), nil); !errors.Is(err, omni.ErrNotConfigured) {
			t.Errorf("Logs err = %v, want ErrNotConfigured", err)
		}
	})
}

func TestMessengerReadPathsOverridable(t *testing.T) {
	fs := newFakeServer(t, reply(200, `{"results":[]}`))
	c := newMessenger(t, fs, omni.WithMessengerReportsPath("/omni/1/reports/"), omni.WithMessengerLogsPath("omni/1/logs"))
	ctx := context.Background()
	if _, err := c.Messenger.DeliveryReports(ctx, &omni.ReportsOptions{Limit: 3}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Messenger.Logs(ctx, nil); err != nil {
		t.Fatal(err)
	}
	reqs := fs.requests()
	if len(reqs) != 2 || reqs[0].RequestURI != "/omni/1/reports?limit=3" || reqs[1].RequestURI != "/omni/1/logs" {
		t.Errorf("requests %q %q", reqs[0].RequestURI, reqs[1].RequestURI)
	}
	for _, bad := range []string{"", "/", "../x", "a?b=1"} {
		if _, err := omni.NewClient("", omni.WithMessenger(fs.URL, omni.AppKey("k")), omni.WithMessengerReportsPath(bad)); err == nil {
			t.Errorf("WithMessengerReportsPath(%q) accepted", bad)
		}
	}
}

func TestMessengerTimeLayoutMatchesTheQueryTag(t *testing.T) {
	// The layout tag of LogsOptions repeats MessengerTimeLayout (tags cannot
	// name constants): a query time must read back with the constant.
	fs := newFakeServer(t, reply(200, `{"results":[]}`))
	c := newMessenger(t, fs)
	at := time.Date(2026, 11, 22, 21, 55, 0, 123e6, time.FixedZone("", -5*3600))
	if _, err := c.Messenger.Logs(context.Background(), &omni.LogsOptions{SentUntil: at}); err != nil {
		t.Fatal(err)
	}
	_, raw, _ := strings.Cut(fs.requests()[0].RequestURI, "?")
	vals, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := vals.Get("sentUntil")
	back, err := time.Parse(omni.MessengerTimeLayout, q)
	if err != nil || !back.Equal(at) {
		t.Errorf("sentUntil %q reads back as %v, %v; want %v", q, back, err, at)
	}
}

func TestDeliveryReportsAreNotRetriedLikeLogs(t *testing.T) {
	// The service hands out each report once: a retry after an answer that
	// may have been lost would lose reports, so DeliveryReports is retried
	// like a send, while Logs, a plain read, is retried like one.
	fs := newFakeServer(t, reply(502, `{}`))
	c := newMessenger(t, fs)
	_, err := c.Messenger.DeliveryReports(context.Background(), nil)
	var ae *omni.APIError
	if !errors.As(err, &ae) || ae.HTTPStatus != 502 {
		t.Fatalf("err = %v, want the 502", err)
	}
	if n := len(fs.requests()); n != 1 {
		t.Errorf("DeliveryReports sent %d requests on 502, want 1", n)
	}
	if _, err := c.Messenger.Logs(context.Background(), nil); !errors.As(err, &ae) {
		t.Fatalf("Logs err = %v", err)
	}
	if n := len(fs.requests()) - 1; n != 3 {
		t.Errorf("Logs sent %d requests on 502, want 3 (fastRetry's MaxAttempts)", n)
	}
}
