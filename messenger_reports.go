package omni

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// Default paths of the Messenger read-back calls, relative to the Messenger
// base URL. They follow Infobip's per-channel convention (/sms/1/reports,
// /sms/1/logs) and can be changed with WithMessengerReportsPath and
// WithMessengerLogsPath.
const (
	defaultReportsPath = "facebook/1/reports"
	defaultLogsPath    = "facebook/1/logs"
)

// MaxReportsLimit is the largest limit the service accepts on reports and logs.
const MaxReportsLimit = 1000

// MessengerTimeLayout is the layout of the service's times, such as
// "2015-02-23T17:40:31.773+0100": sentAt and doneAt in answers, sentSince
// and sentUntil in queries.
const MessengerTimeLayout = "2006-01-02T15:04:05.000-0700"

// WithMessengerReportsPath changes the path of MessengerService.DeliveryReports,
// relative to the Messenger base URL (default "facebook/1/reports").
func WithMessengerReportsPath(path string) Option {
	return pathOption("WithMessengerReportsPath", path, func(s *settings, p string) { s.reportsPath = p })
}

// WithMessengerLogsPath changes the path of MessengerService.Logs, relative
// to the Messenger base URL (default "facebook/1/logs").
func WithMessengerLogsPath(path string) Option {
	return pathOption("WithMessengerLogsPath", path, func(s *settings, p string) { s.logsPath = p })
}

// ReportsOptions filters MessengerService.DeliveryReports. The zero value
// (or nil) sends no query: the service answers with its latest reports.
type ReportsOptions struct {
	// BulkID selects the reports of one bulk send.
	BulkID string `url:"bulkId,omitempty"`
	// MessageID selects the report of one message.
	MessageID string `url:"messageId,omitempty"`
	// Limit is the most reports to return, 1 to 1000; 0 leaves it to the
	// service (50).
	Limit int `url:"limit,omitempty"`
}

// Validate checks Limit and that every value is valid UTF-8.
func (o *ReportsOptions) Validate() error {
	var v ValidationError
	if o != nil {
		checkLimit(&v, o.Limit)
		checkQueryUTF8(&v, o)
	}
	return v.err()
}

// LogsOptions filters MessengerService.Logs. The zero value (or nil) sends
// no query.
type LogsOptions struct {
	// From is the sender (the application key).
	From string `url:"from,omitempty"`
	// To is the destination (the user key).
	To string `url:"to,omitempty"`
	// BulkID selects the messages of one bulk send.
	BulkID string `url:"bulkId,omitempty"`
	// MessageIDs selects messages by id; each is sent as its own messageId
	// parameter.
	MessageIDs []string `url:"messageId,omitempty"`
	// GeneralStatus selects one status group, such as GroupDelivered; it is
	// sent by name ("DELIVERED"). 0 selects every group.
	GeneralStatus StatusGroup `url:"generalStatus,omitempty"`
	// SentSince and SentUntil bound the send time; zero values are not sent.
	// They are encoded in MessengerTimeLayout, in the time's own zone.
	SentSince time.Time `url:"sentSince,omitempty" layout:"2006-01-02T15:04:05.000-0700"`
	SentUntil time.Time `url:"sentUntil,omitempty" layout:"2006-01-02T15:04:05.000-0700"`
	// Limit is the most entries to return, 1 to 1000; 0 leaves it to the
	// service (50).
	Limit int `url:"limit,omitempty"`
}

// Validate checks Limit, GeneralStatus, the message ids and that SentSince
// is not after SentUntil, and that every value is valid UTF-8.
func (o *LogsOptions) Validate() error {
	var v ValidationError
	if o == nil {
		return nil
	}
	checkLimit(&v, o.Limit)
	checkStatusGroup(&v, o.GeneralStatus)
	for i, id := range o.MessageIDs {
		if id == "" {
			v.add("messageId", "entry %d must not be empty", i)
		}
	}
	checkSentRange(&v, o.SentSince, o.SentUntil)
	checkQueryUTF8(&v, o)
	return v.err()
}

// checkStatusGroup adds a rule unless g is 0 (every group) or a known group.
func checkStatusGroup(v *ValidationError, g StatusGroup) {
	if g != 0 && (g < GroupPending || g > GroupRejected) {
		v.add("generalStatus", "must be PENDING, UNDELIVERABLE, DELIVERED, EXPIRED or REJECTED, got %d", int(g))
	}
}

// checkSentRange adds a rule when both bounds are set and since is after until.
func checkSentRange(v *ValidationError, since, until time.Time) {
	if !since.IsZero() && !until.IsZero() && since.After(until) {
		v.add("sentSince", "must not be after sentUntil")
	}
}

// checkLimit adds a rule unless limit is 0 (not sent) or 1..MaxReportsLimit.
func checkLimit(v *ValidationError, limit int) {
	if limit != 0 && (limit < 1 || limit > MaxReportsLimit) {
		v.add("limit", "must be 1 to %d, got %d", MaxReportsLimit, limit)
	}
}

// DeliveryReport is what became of one Messenger message: the service's
// reports (DeliveryReports) and its pushes to a webhook
// (ParseDeliveryReports) have this shape.
type DeliveryReport struct {
	BulkID    string
	MessageID string
	To        string
	// SentAt and DoneAt are the parsed times; zero when the raw value is
	// missing or in a layout the SDK does not know (RawSentAt, RawDoneAt
	// keep it as sent).
	SentAt       time.Time
	RawSentAt    string
	DoneAt       time.Time
	RawDoneAt    string
	MessageCount int
	// Price is nil when the service sent none.
	Price *Price
	// Status is where the message stands, such as 3 DELIVERED / 5
	// DELIVERED_TO_HANDSET.
	Status DeliveryStatus
	// Error is nil when the service sent none; group 0 "OK" means no error.
	Error *DeliveryError
	// Raw is the report object as received, with every field.
	Raw json.RawMessage
}

// MessengerLog is one entry of MessengerService.Logs: a delivery report plus
// the sender and, for text, the text.
type MessengerLog struct {
	DeliveryReport
	From string
	Text string
}

// Price is what a message cost.
type Price struct {
	PricePerMessage float64 `json:"pricePerMessage"`
	Currency        string  `json:"currency"`
}

// UnmarshalJSON decodes a price leniently, like the pushes' other numbers:
// pricePerMessage may be a number or a numeric string ("0.01"); anything
// else, or a number beyond float64, is 0 rather than an error that would
// refuse the whole push.
func (p *Price) UnmarshalJSON(data []byte) error {
	var w struct {
		PricePerMessage json.RawMessage `json:"pricePerMessage"`
		Currency        string          `json:"currency"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*p = Price{Currency: w.Currency}
	s := strings.TrimSpace(string(bytes.Trim(w.PricePerMessage, `"`)))
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
		p.PricePerMessage = f
	}
	return nil
}

// DeliveryError says why a message failed. GroupID 0 (groupName "OK",
// name "NO_ERROR") means it did not.
type DeliveryError struct {
	GroupID     int    `json:"groupId"`
	GroupName   string `json:"groupName"`
	ID          int    `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Permanent   bool   `json:"permanent"`
}

// DeliveryReports reads delivery reports (GET {messenger base}/facebook/1/reports
// with bulkId, messageId and limit). Bad options return a *ValidationError
// and send nothing. The service returns each report once and only for the
// last 48 hours; a message still pending may have no report yet. Because a
// report is handed out once, DeliveryReports is retried only where the
// service cannot have answered (like a send; see WithRetryUnsafeSends).
func (s *MessengerService) DeliveryReports(ctx context.Context, opts *ReportsOptions) ([]DeliveryReport, error) {
	if s.client.messenger == nil {
		return nil, ErrNotConfigured
	}
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	var out struct {
		Results []DeliveryReport `json:"results"`
	}
	// The service hands out each report once, so a retry after the answer
	// may have been lost would lose reports: retried like a send.
	cl := call{ep: s.client.messenger, path: s.client.cfg.reportsPath, send: true}
	if err := s.client.get(ctx, cl, opts, &out); err != nil {
		return nil, err
	}
	return out.Results, nil
}

// Logs reads the log of sent messages (GET {messenger base}/facebook/1/logs
// with from, to, bulkId, messageId (repeated), generalStatus, sentSince,
// sentUntil and limit). Bad options return a *ValidationError and send
// nothing.
func (s *MessengerService) Logs(ctx context.Context, opts *LogsOptions) ([]MessengerLog, error) {
	if s.client.messenger == nil {
		return nil, ErrNotConfigured
	}
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	var out struct {
		Results []MessengerLog `json:"results"`
	}
	if err := s.client.get(ctx, call{ep: s.client.messenger, path: s.client.cfg.logsPath}, opts, &out); err != nil {
		return nil, err
	}
	return out.Results, nil
}

// errNotObject is the decode error for a report that is not a JSON object.
var errNotObject = errors.New("not a JSON object")
