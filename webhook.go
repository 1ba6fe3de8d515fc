package omni

import (
	"context"
	"encoding/json"
	"net/http"
)

// MaxWebhookBody is the largest push body a webhook parser reads
// (ParseInbound, ParseSeenReports, ParseDeliveryReports, and so every
// handler): 4 MiB, room for a thousand reports.
const MaxWebhookBody = 4 << 20

// ParseDeliveryReports reads the delivery reports the service pushes to a
// webhook: a POST whose body is {"results":[{...},...]}, each result shaped
// like a DeliveryReport. It reads at most MaxWebhookBody bytes and closes
// nothing (the server does). Errors are *WebhookError.
func ParseDeliveryReports(r *http.Request) ([]DeliveryReport, error) {
	body, err := readPush(r, pushDelivery)
	if err != nil {
		return nil, err
	}
	return DecodeDeliveryReports(body)
}

// DecodeDeliveryReports decodes a {"results":[...]} body of delivery
// reports, as pushed to a webhook or answered by the reports endpoint.
// Errors are *WebhookError with Status 400; the error never repeats the
// body.
func DecodeDeliveryReports(body []byte) ([]DeliveryReport, error) {
	var w struct {
		Results []DeliveryReport `json:"results"`
	}
	if err := decodePushBody(body, pushDelivery, &w); err != nil {
		return nil, err
	}
	if w.Results == nil {
		return nil, noResults(pushDelivery)
	}
	return withoutNulls(w.Results, func(r *DeliveryReport) json.RawMessage { return r.Raw }), nil
}

// DeliveryReportHandler returns an http.Handler for a delivery-report
// webhook: it parses each push with ParseDeliveryReports and passes the
// reports to fn with the request's context. It answers 200 when fn returns
// nil, 500 when fn fails (so the service delivers the push again), and the
// WebhookError's status for a push it cannot read. Error answers are short
// and never repeat the body.
//
// Unlike InboundHandler, it does not de-duplicate: a push Infobip delivers
// again (after a non-200 answer, or one it stopped waiting for) reaches fn
// again with every report, so fn must tolerate a report it has seen.
func DeliveryReportHandler(fn func(ctx context.Context, reports []DeliveryReport) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reports, err := ParseDeliveryReports(r)
		if err != nil {
			writeWebhookError(w, err)
			return
		}
		if err := fn(r.Context(), reports); err != nil {
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}
