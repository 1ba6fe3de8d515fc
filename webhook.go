package omni

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// MaxWebhookBody is the largest delivery-report push ParseDeliveryReports
// reads: 4 MiB, room for a thousand reports.
const MaxWebhookBody = 4 << 20

// ParseDeliveryReports reads the delivery reports the service pushes to a
// webhook: a POST whose body is {"results":[{...},...]}, each result shaped
// like a DeliveryReport. It reads at most MaxWebhookBody bytes and closes
// nothing (the server does). Errors are *WebhookError.
func ParseDeliveryReports(r *http.Request) ([]DeliveryReport, error) {
	if r.Method != http.MethodPost {
		return nil, &WebhookError{Status: http.StatusMethodNotAllowed, Err: fmt.Errorf("method %s, want POST", r.Method)}
	}
	if r.Body == nil {
		return nil, &WebhookError{Status: http.StatusBadRequest, Err: errors.New("empty body")}
	}
	var buf bytes.Buffer
	if err := readBounded(&buf, r.Body, MaxWebhookBody); err != nil {
		if errors.Is(err, errBodyTooLarge) {
			return nil, &WebhookError{Status: http.StatusRequestEntityTooLarge,
				Err: fmt.Errorf("body larger than %d bytes", MaxWebhookBody)}
		}
		return nil, &WebhookError{Status: http.StatusBadRequest, Err: fmt.Errorf("reading body: %w", err)}
	}
	return DecodeDeliveryReports(buf.Bytes())
}

// DecodeDeliveryReports decodes a {"results":[...]} body of delivery
// reports, as pushed to a webhook or answered by the reports endpoint.
// Errors are *WebhookError with Status 400.
func DecodeDeliveryReports(body []byte) ([]DeliveryReport, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, &WebhookError{Status: http.StatusBadRequest, Err: errors.New("empty body")}
	}
	if body[0] != '{' {
		return nil, &WebhookError{Status: http.StatusBadRequest, Err: fmt.Errorf("body is %w", errNotObject)}
	}
	var w struct {
		Results []DeliveryReport `json:"results"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, &WebhookError{Status: http.StatusBadRequest, Err: fmt.Errorf("body is not valid delivery reports JSON: %w", err)}
	}
	return w.Results, nil
}

// DeliveryReportHandler returns an http.Handler for a delivery-report
// webhook: it parses each push with ParseDeliveryReports and passes the
// reports to fn with the request's context. It answers 200 when fn returns
// nil, 500 when fn fails (so the service delivers the push again), and the
// WebhookError's status for a push it cannot read. Error answers are short
// and never repeat the body.
func DeliveryReportHandler(fn func(ctx context.Context, reports []DeliveryReport) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reports, err := ParseDeliveryReports(r)
		if err != nil {
			var we *WebhookError
			status := http.StatusBadRequest
			if errors.As(err, &we) {
				status = we.Status
			}
			if status == http.StatusMethodNotAllowed {
				w.Header().Set("Allow", http.MethodPost)
			}
			http.Error(w, http.StatusText(status), status)
			return
		}
		if err := fn(r.Context(), reports); err != nil {
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}
