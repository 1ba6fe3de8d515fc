package omni_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/omnisdk/omni"
)

func TestParseDeliveryReports(t *testing.T) {
	body := golden(t, "messenger_reports_response.json")
	r := httptest.NewRequest(http.MethodPost, "/hooks/infobip", bytes.NewReader(body))
	got, err := omni.ParseDeliveryReports(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Status.GroupID != omni.GroupDelivered || got[1].Status.GroupID != omni.GroupRejected ||
		got[0].SentAt.IsZero() {
		t.Errorf("reports %+v", got)
	}
}

func TestParseDeliveryReportsRejects(t *testing.T) {
	tests := []struct {
		name   string
		method string
		body   string
		status int
	}{
		{"bad JSON", http.MethodPost, `{"results":[{"messageId":"m1",}]}`, http.StatusBadRequest},
		{"not an object", http.MethodPost, `[{"messageId":"m1"}]`, http.StatusBadRequest},
		{"empty", http.MethodPost, ``, http.StatusBadRequest},
		{"result not an object", http.MethodPost, `{"results":["m1"]}`, http.StatusBadRequest},
		{"results not an array", http.MethodPost, `{"results":{"messageId":"m1"}}`, http.StatusBadRequest},
		{"too large", http.MethodPost, `{"results":[],"pad":"` + strings.Repeat("x", omni.MaxWebhookBody) + `"}`,
			http.StatusRequestEntityTooLarge},
		{"GET", http.MethodGet, ``, http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "/hooks/infobip", strings.NewReader(tt.body))
			got, err := omni.ParseDeliveryReports(r)
			var we *omni.WebhookError
			if !errors.As(err, &we) || !errors.Is(err, omni.ErrInvalidWebhook) {
				t.Fatalf("got %v, %v; want *WebhookError", got, err)
			}
			if we.Status != tt.status {
				t.Errorf("Status %d, want %d", we.Status, tt.status)
			}
			if len(err.Error()) > 200 {
				t.Errorf("error repeats the body: %.200s...", err)
			}
		})
	}
	t.Run("bad JSON keeps the syntax error", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"results":[`))
		_, err := omni.ParseDeliveryReports(r)
		var se *json.SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("err = %v, want the JSON error inside", err)
		}
	})
}

func TestDeliveryReportHandler(t *testing.T) {
	var got []omni.DeliveryReport
	fail := false
	h := omni.DeliveryReportHandler(func(ctx context.Context, reports []omni.DeliveryReport) error {
		if ctx == nil {
			t.Error("nil context")
		}
		if fail {
			return errors.New("database down")
		}
		got = append(got, reports...)
		return nil
	})
	post := func(body string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/hook", strings.NewReader(body)))
		return w
	}
	if w := post(string(golden(t, "messenger_reports_response.json"))); w.Code != http.StatusOK {
		t.Errorf("valid push answered %d", w.Code)
	}
	if len(got) != 2 || got[0].MessageID != "ff4804ef-6ab6-4abd-984d-ab3b1387e852" {
		t.Errorf("callback got %+v", got)
	}
	if w := post(`{"results":[`); w.Code != http.StatusBadRequest || strings.Contains(w.Body.String(), "results") {
		t.Errorf("bad JSON answered %d %q", w.Code, w.Body)
	}
	fail = true
	if w := post(`{"results":[]}`); w.Code != http.StatusInternalServerError || strings.Contains(w.Body.String(), "database") {
		t.Errorf("failing callback answered %d %q", w.Code, w.Body)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPut, "/hook", strings.NewReader(`{}`)))
	if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != http.MethodPost {
		t.Errorf("PUT answered %d Allow=%q", w.Code, w.Header().Get("Allow"))
	}
}

func FuzzDecodeDeliveryReports(f *testing.F) {
	f.Add([]byte(`{"results":[{"messageId":"m","sentAt":"2016-11-14T15:21:53.586+0100","status":{"groupId":3}}]}`))
	f.Add([]byte(`{"results":[{"sentAt":12,"doneAt":null,"messageCount":"2","price":{"pricePerMessage":0.5}}]}`))
	f.Add([]byte(`{"results":[null,{}]}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"results":[{"error":{"permanent":true}}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		reports, err := omni.DecodeDeliveryReports(data)
		if err != nil {
			if !errors.Is(err, omni.ErrInvalidWebhook) {
				t.Fatalf("error %v does not match ErrInvalidWebhook", err)
			}
			return
		}
		for _, r := range reports {
			if !r.SentAt.IsZero() && r.RawSentAt == "" {
				t.Fatalf("SentAt %v without RawSentAt", r.SentAt)
			}
			if len(r.Raw) > 0 && !json.Valid(r.Raw) {
				t.Fatalf("Raw is not JSON: %q", r.Raw)
			}
		}
	})
}
