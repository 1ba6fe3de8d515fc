package omni_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/omnisdk/omni"
)

// plantEverywhere returns one body per (path, planted value): the fixture
// with that one value, at any depth, replaced.
func plantEverywhere(t *testing.T, fixture []byte, planted []any) [][]byte {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(fixture))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	var walk func(v any, set func(any))
	walk = func(v any, set func(any)) {
		for _, p := range planted {
			set(p)
			b, err := json.Marshal(root)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, b)
			set(v)
		}
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				walk(c, func(n any) { x[k] = n })
			}
		case []any:
			for i, c := range x {
				walk(c, func(n any) { x[i] = n })
			}
		}
	}
	walk(root, func(n any) { root = n })
	return out
}

// No error of any webhook decoder, parser or handler repeats a value from
// the body: a secret-looking string, and a number too large for its field
// (which encoding/json quotes), are planted in turn in every field of every
// push type's documented sample, and every error and answer is searched for
// them. Errors name the push they belong to. Before the fix, a number such
// as pricePerMessage 4242...e99999 came back verbatim in the error, and
// every webhook error said "delivery reports webhook".
func TestWebhookErrorsNeverRepeatTheBody(t *testing.T) {
	const secret = "SECRET-PLANTED-7f3a"
	const digits = "4242424242424242424242"
	planted := []any{
		secret,
		json.Number(digits + "e99999"),
		json.Number(digits),
		json.Number("-" + digits + ".5e400"),
		[]any{secret},
		map[string]any{secret: secret},
		true,
	}
	decoders := []struct {
		name   string
		decode func([]byte) error
		parse  func(*http.Request) error
		label  string
	}{
		{"inbound", func(b []byte) error { _, err := omni.DecodeInbound(b); return err },
			func(r *http.Request) error { _, err := omni.ParseInbound(r); return err }, "omni: inbound messages webhook: "},
		{"seen", func(b []byte) error { _, err := omni.DecodeSeenReports(b); return err },
			func(r *http.Request) error { _, err := omni.ParseSeenReports(r); return err }, "omni: seen reports webhook: "},
		{"delivery", func(b []byte) error { _, err := omni.DecodeDeliveryReports(b); return err },
			func(r *http.Request) error { _, err := omni.ParseDeliveryReports(r); return err }, "omni: delivery reports webhook: "},
	}
	ok := func(context.Context, any) error { return nil }
	handlers := []http.Handler{
		omni.InboundHandler(func(ctx context.Context, m omni.InboundMessage) error { return ok(ctx, m) }, omni.WithDedupWindow(0)),
		omni.SeenReportHandler(func(ctx context.Context, r omni.SeenReport) error { return ok(ctx, r) }, omni.WithDedupWindow(0)),
		omni.DeliveryReportHandler(func(ctx context.Context, r []omni.DeliveryReport) error { return ok(ctx, r) }),
	}
	leaks := func(s string) bool { return strings.Contains(s, "SECRET") || strings.Contains(s, "42424242") }
	errorsSeen := 0
	for _, fixture := range []string{"messenger_inbound_current.json", "messenger_inbound_legacy.json",
		"messenger_inbound_types.json", "messenger_seen_push.json", "messenger_reports_response.json"} {
		for _, body := range plantEverywhere(t, golden(t, fixture), planted) {
			for _, d := range decoders {
				for _, err := range []error{d.decode(body),
					d.parse(httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body)))} {
					if err == nil {
						continue
					}
					errorsSeen++
					for e := err; e != nil; e = errors.Unwrap(e) {
						if leaks(e.Error()) {
							t.Fatalf("%s of %s: error repeats the body: %v\nbody: %s", d.name, fixture, e, body)
						}
					}
					if !errors.Is(err, omni.ErrInvalidWebhook) || !strings.HasPrefix(err.Error(), d.label) {
						t.Fatalf("%s of %s: error %q is not an ErrInvalidWebhook labelled %q", d.name, fixture, err, d.label)
					}
				}
			}
			for i, h := range handlers {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body)))
				if leaks(rec.Body.String()) {
					t.Fatalf("handler %d answered %d %q", i, rec.Code, rec.Body)
				}
			}
		}
	}
	if errorsSeen == 0 {
		t.Fatal("no planted body was refused: the test proves nothing")
	}
	t.Logf("%d errors checked", errorsSeen)
}

// pricePerMessage as a numeric string is read like the pushes' other
// numbers instead of refusing the whole push; a value that is no number is
// 0. Before the fix, "0.01" refused the push with 400.
func TestPushPriceIsLenient(t *testing.T) {
	for raw, want := range map[string]float64{`0.01`: 0.01, `"0.01"`: 0.01, `"abc"`: 0, `1e999`: 0, `null`: 0} {
		body := `{"results":[{"sender":"U","to":"P","messageId":"m","message":{"type":"TEXT","text":"x"},"price":{"pricePerMessage":` + raw + `,"currency":"EUR"}}],"messageCount":1}`
		p, err := omni.DecodeInbound([]byte(body))
		if err != nil {
			t.Errorf("pricePerMessage %s: %v", raw, err)
			continue
		}
		if got := p.Results[0].Price; got == nil || got.PricePerMessage != want || got.Currency != "EUR" {
			t.Errorf("pricePerMessage %s: price %+v, want %v EUR", raw, got, want)
		}
		reports, err := omni.DecodeDeliveryReports([]byte(`{"results":[{"messageId":"m","price":{"pricePerMessage":` + raw + `,"currency":"EUR"}}]}`))
		if err != nil || reports[0].Price.PricePerMessage != want {
			t.Errorf("delivery report pricePerMessage %s: %v %v", raw, reports, err)
		}
	}
	rec := postPush(t, omni.InboundHandler(func(context.Context, omni.InboundMessage) error { return nil }),
		fmt.Sprintf(`{"results":[{"messageId":"m","message":{"type":"TEXT","text":"x"},"price":{"pricePerMessage":%q}}]}`, "0.01"))
	if rec.Code != http.StatusOK {
		t.Errorf("inbound push with a string price answered %d", rec.Code)
	}
}
