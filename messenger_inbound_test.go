package omni_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/omnisdk/omni"
)

// sameInbound compares pushes with times by instant and without Raw.
func sameInbound(t *testing.T, want, got *omni.InboundPush) {
	t.Helper()
	if len(want.Results) != len(got.Results) {
		t.Fatalf("%d results, want %d", len(got.Results), len(want.Results))
	}
	for i := range got.Results {
		g, w := got.Results[i], want.Results[i]
		if !g.ReceivedAt.Equal(w.ReceivedAt) {
			t.Errorf("result %d ReceivedAt %v, want %v", i, g.ReceivedAt, w.ReceivedAt)
		}
		g.ReceivedAt, w.ReceivedAt, g.Raw, w.Raw = time.Time{}, time.Time{}, nil, nil
		got.Results[i], want.Results[i] = g, w
	}
	if !reflect.DeepEqual(want, got) {
		t.Errorf("push\n got %#v\nwant %#v", got, want)
	}
}

// same fails the test when got is not deeply equal to want.
func same(t *testing.T, what string, want, got any) {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		t.Errorf("%s\n got %#v\nwant %#v", what, got, want)
	}
}

func TestDecodeInboundCurrentSample(t *testing.T) {
	p, err := omni.DecodeInbound(golden(t, "messenger_inbound_current.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := &omni.InboundPush{MessageCount: 1, Results: []omni.InboundMessage{{
		Sender: "6662136340512053", To: "17841447570021717",
		ReceivedAt:    time.Date(2023, 1, 1, 0, 0, 0, 0, time.FixedZone("", 0)),
		RawReceivedAt: "2023-01-01T00:00:00.000+0000",
		Content: omni.InboundText{Text: "Hello",
			MID: "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDQ3NTcwMDIxODE4OjM0MDI4MjM2Njg0MTcxMDMwMTI0NDI3NjAxOTkzMzk2MzExNTc2NjozMTE3ODY3NTY2NDU5MzAzNzQ2NzUxNzQ2NTAzODY4NDE2MAZfdf"},
	}}}
	raw := p.Results[0].Raw
	sameInbound(t, want, p)
	if !json.Valid(raw) || !bytes.Contains(raw, []byte(`"sender"`)) {
		t.Errorf("Raw = %s", raw)
	}
}

func TestDecodeInboundLegacySample(t *testing.T) {
	p, err := omni.DecodeInbound(golden(t, "messenger_inbound_legacy.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := &omni.InboundPush{MessageCount: 1, Results: []omni.InboundMessage{{
		Sender: "6662136340512053", To: "17841447570021717", CallbackData: "callbackData",
		ReceivedAt:    time.Date(2017, 3, 8, 10, 12, 36, 0, time.UTC),
		RawReceivedAt: "2017-03-08T10:12:36.000+0000",
		Content:       omni.InboundText{Text: "Hello"},
		Price:         &omni.Price{PricePerMessage: 0, Currency: "EUR"},
	}}}
	sameInbound(t, want, p)
}

func TestDecodeInboundEveryType(t *testing.T) {
	p, err := omni.DecodeInbound(golden(t, "messenger_inbound_types.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := []omni.InboundContent{
		omni.InboundText{MID: "m1", Text: "Hello", QuickReply: &omni.InboundQuickReply{Payload: "QR_YES"},
			ReplyTo: &omni.ReplyTo{MID: "m0"}},
		omni.InboundMedia{Kind: omni.InboundTypeImage, URL: "https://example.com/cat.png", StickerID: "369239263222822"},
		omni.InboundMedia{Kind: omni.InboundTypeAudio, URL: "https://example.com/a.mp3"},
		omni.InboundMedia{Kind: omni.InboundTypeVideo, URL: "https://example.com/v.mp4"},
		omni.InboundMedia{Kind: omni.InboundTypeFile, URL: "https://example.com/f.pdf"},
		omni.InboundMedia{Kind: omni.InboundTypeURL, URL: "https://www.infobip.com"},
		omni.InboundMedia{Kind: omni.InboundTypeLocationURL, URL: "https://maps.example.com/?q=45.8,15.97"},
		omni.InboundFallback{URL: "https://example.com/shared", Title: "Shared post"},
		omni.InboundLocation{Latitude: 45.815, Longitude: 15.9819},
		omni.InboundPostback{Payload: "ORDER_STATUS", Title: "Where is my order?"},
		omni.InboundUnknown{Kind: omni.InboundTypeUnknown, Raw: json.RawMessage(`{"type":"UNKNOWN","raw":{"reaction":{"emoji":"+1"}}}`)},
		omni.InboundUnknown{Kind: "STORY_MENTION", Raw: json.RawMessage(`{"type":"STORY_MENTION","url":"https://example.com/story","extra":[1,2,3]}`)},
	}
	if len(p.Results) != len(want) || p.MessageCount != 12 {
		t.Fatalf("%d results, messageCount %d", len(p.Results), p.MessageCount)
	}
	for i, m := range p.Results {
		same(t, "content of "+m.MessageID, want[i], m.Content)
		if m.Content.Type() != want[i].Type() {
			t.Errorf("result %d Type() = %s", i, m.Content.Type())
		}
	}
	first := p.Results[0]
	if first.MessageID != "mo-text" || first.PairedMessageID != "mt-1" || first.IntegrationType != "MESSENGER" ||
		first.Keyword != "HELLO" || first.EntityID != "entity" || first.ApplicationID != "app" || first.CallbackData != "cb" {
		t.Errorf("first result fields %+v", first)
	}
}

// A known type whose fields have undocumented shapes is kept raw, not an error.
func TestDecodeInboundKnownTypeOtherShapeKeptRaw(t *testing.T) {
	body := `{"results":[{"sender":"u","message":{"type":"LOCATION","latitude":"45.8","longitude":{}}}]}`
	p, err := omni.DecodeInbound([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	want := omni.InboundUnknown{Kind: omni.InboundTypeLocation, Raw: json.RawMessage(`{"type":"LOCATION","latitude":"45.8","longitude":{}}`)}
	same(t, "content", omni.InboundContent(want), p.Results[0].Content)
}

func TestDecodeInboundRejects(t *testing.T) {
	const secret = "my card number is 4111"
	for _, body := range []string{
		``,
		`[]`,
		`{"results":[{"sender":"u","message":{"type":"TEXT","text":"` + secret + `"}},]}`,
		`{"results":["` + secret + `"]}`,
		`{"results":[{"message":"` + secret + `"}]}`,
		`{"results":[{"message":{"type":"TEXT","text":"` + secret + `"`,
	} {
		_, err := omni.DecodeInbound([]byte(body))
		var we *omni.WebhookError
		if !errors.As(err, &we) || we.Status != http.StatusBadRequest || !errors.Is(err, omni.ErrInvalidWebhook) {
			t.Errorf("%q: err = %v, want a *WebhookError 400", body, err)
			continue
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "4111") {
			t.Errorf("%q: error repeats the user's text: %v", body, err)
		}
	}
}

func TestParseInboundBoundsBodyAndMethod(t *testing.T) {
	big := bytes.Repeat([]byte(" "), omni.MaxWebhookBody+1)
	r := httptest.NewRequest(http.MethodPost, "/mo", bytes.NewReader(big))
	var we *omni.WebhookError
	if _, err := omni.ParseInbound(r); !errors.As(err, &we) || we.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized body: %v", err)
	}
	r = httptest.NewRequest(http.MethodGet, "/mo", nil)
	if _, err := omni.ParseInbound(r); !errors.As(err, &we) || we.Status != http.StatusMethodNotAllowed {
		t.Errorf("GET: %v", err)
	}
}

func TestDecodeSeenReportsSample(t *testing.T) {
	got, err := omni.DecodeSeenReports(golden(t, "messenger_seen_push.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := []omni.SeenReport{{
		MessageID: "1215f543ab19-345f-adbd-12ad31451ed25f35", From: "6662136340512053", To: "17841447570021717",
		SentAt: time.Date(2026, 6, 7, 11, 21, 57, 793e6, time.UTC), RawSentAt: "2026-06-07T11:21:57.793+0000",
		SeenAt: time.Date(2026, 6, 7, 11, 22, 10, 251e6, time.UTC), RawSeenAt: "2026-06-07T11:22:10.251+0000",
		ApplicationID: "example-application-id", EntityID: "example-entity-id", CampaignReferenceID: "campaignRefId",
	}}
	if len(got) != 1 || !got[0].SentAt.Equal(want[0].SentAt) || !got[0].SeenAt.Equal(want[0].SeenAt) {
		t.Fatalf("reports %#v", got)
	}
	got[0].SentAt, got[0].SeenAt, got[0].Raw = want[0].SentAt, want[0].SeenAt, nil
	same(t, "seen reports", want, got)
}

func postPush(t *testing.T, h http.Handler, body string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/mo", strings.NewReader(body)))
	return rec
}

func TestInboundHandlerAnswers(t *testing.T) {
	var got []string
	fail := errors.New("database down")
	failOn := ""
	h := omni.InboundHandler(func(ctx context.Context, m omni.InboundMessage) error {
		if m.MessageID == failOn {
			return fail
		}
		got = append(got, m.MessageID)
		return nil
	})
	push := `{"results":[{"messageId":"a","message":{"type":"TEXT","text":"private words"}},{"messageId":"b","message":{"type":"TEXT","text":"x"}}]}`

	failOn = "b"
	rec := postPush(t, h, push)
	if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "private") ||
		strings.Contains(rec.Body.String(), "database") {
		t.Errorf("failing fn: %d %q", rec.Code, rec.Body)
	}
	// Infobip delivers the push again: "a" was handled, only "b" comes.
	failOn = ""
	if rec := postPush(t, h, push); rec.Code != http.StatusOK {
		t.Errorf("retry: %d", rec.Code)
	}
	// And a third time (say the 200 was lost): nothing new.
	if rec := postPush(t, h, push); rec.Code != http.StatusOK {
		t.Errorf("repeat: %d", rec.Code)
	}
	same(t, "fn saw", []string{"a", "b"}, got)

	if rec := postPush(t, h, `{"results":[{"messageId":"c","message":{"type":"TEXT","text":"private words"}},]}`); rec.Code != http.StatusBadRequest || strings.Contains(rec.Body.String(), "private") {
		t.Errorf("bad body: %d %q", rec.Code, rec.Body)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/mo", nil))
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "POST" {
		t.Errorf("GET: %d Allow=%q", rec.Code, rec.Header().Get("Allow"))
	}
}

func TestInboundHandlerWithoutDedup(t *testing.T) {
	n := 0
	h := omni.InboundHandler(func(context.Context, omni.InboundMessage) error { n++; return nil }, omni.WithDedupWindow(0))
	push := `{"results":[{"messageId":"a","message":{"type":"TEXT","text":"x"}}]}`
	postPush(t, h, push)
	postPush(t, h, push)
	if n != 2 {
		t.Errorf("fn called %d times, want 2", n)
	}
}

func TestInboundHandlerDedupWindowForgetsOldest(t *testing.T) {
	var got []string
	h := omni.InboundHandler(func(_ context.Context, m omni.InboundMessage) error {
		got = append(got, m.MessageID)
		return nil
	}, omni.WithDedupWindow(2))
	for _, id := range []string{"a", "b", "a", "c", "a"} { // "a" is forgotten once "c" arrives
		postPush(t, h, `{"results":[{"messageId":"`+id+`","message":{"type":"TEXT","text":"x"}}]}`)
	}
	same(t, "fn saw", []string{"a", "b", "c", "a"}, got)
}

func TestSeenReportHandlerDedups(t *testing.T) {
	n := 0
	h := omni.SeenReportHandler(func(_ context.Context, r omni.SeenReport) error {
		if r.MessageID != "1215f543ab19-345f-adbd-12ad31451ed25f35" {
			t.Errorf("report %+v", r)
		}
		n++
		return nil
	})
	body := string(golden(t, "messenger_seen_push.json"))
	for range 2 {
		if rec := postPush(t, h, body); rec.Code != http.StatusOK {
			t.Errorf("answer %d", rec.Code)
		}
	}
	if n != 1 {
		t.Errorf("fn called %d times, want 1", n)
	}
}

// FuzzDecodeInbound: never a panic; whatever decodes keeps each result raw,
// and a content of an unknown type is kept raw, never dropped.
func FuzzDecodeInbound(f *testing.F) {
	for _, name := range []string{"messenger_inbound_current.json", "messenger_inbound_legacy.json",
		"messenger_inbound_types.json", "messenger_seen_push.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"results":[{"from":"u","message":{"type":"NEW","x":[]}}]}`))
	f.Add([]byte(`{"results":[null,{"message":null}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := omni.DecodeInbound(body)
		if err != nil {
			if !errors.Is(err, omni.ErrInvalidWebhook) {
				t.Fatalf("error %v is not ErrInvalidWebhook", err)
			}
			return
		}
		for i, m := range p.Results {
			if m.Raw != nil && !json.Valid(m.Raw) {
				t.Fatalf("result %d Raw is not JSON: %q", i, m.Raw)
			}
			if u, ok := m.Content.(omni.InboundUnknown); ok && !json.Valid(u.Raw) {
				t.Fatalf("result %d unknown content Raw is not JSON: %q", i, u.Raw)
			}
		}
		_, _ = omni.DecodeSeenReports(body)
	})
}

// A panicking function does not leave the id claimed: the redelivery is
// handled.
func TestInboundHandlerPanicReleasesID(t *testing.T) {
	calls := 0
	h := omni.InboundHandler(func(context.Context, omni.InboundMessage) error {
		calls++
		if calls == 1 {
			panic("boom")
		}
		return nil
	})
	push := `{"results":[{"messageId":"a","message":{"type":"TEXT","text":"x"}}]}`
	func() {
		defer func() { _ = recover() }()
		postPush(t, h, push)
	}()
	if rec := postPush(t, h, push); rec.Code != http.StatusOK || calls != 2 {
		t.Errorf("redelivery after a panic: %d, fn called %d times", rec.Code, calls)
	}
}
