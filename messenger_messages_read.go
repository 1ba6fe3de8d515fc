package omni

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// MaxLogsIDsLength is the longest comma-separated list of message (or
// bulk) ids one logs query may carry.
const MaxLogsIDsLength = 2048

// MessageReportsOptions filters MessengerService.MessageReports. The zero
// value (or nil) sends no query: the service answers with its latest 50.
type MessageReportsOptions struct {
	BulkID              string `url:"bulkId,omitempty"`
	MessageID           string `url:"messageId,omitempty"`
	Limit               int    `url:"limit,omitempty"` // 1 to 1000; 0: the service's 50
	EntityID            string `url:"entityId,omitempty"`
	ApplicationID       string `url:"applicationId,omitempty"`
	CampaignReferenceID string `url:"campaignReferenceId,omitempty"`
}

// Validate checks Limit and that every value is valid UTF-8.
func (o *MessageReportsOptions) Validate() error {
	var v ValidationError
	if o != nil {
		checkLimit(&v, o.Limit)
		checkQueryUTF8(&v, o)
	}
	return v.err()
}

// MessageLogsOptions filters MessengerService.MessageLogs. The zero value
// (or nil) sends no query.
type MessageLogsOptions struct {
	Sender      string `url:"sender,omitempty"`
	Destination string `url:"destination,omitempty"`
	// BulkIDs and MessageIDs are sent comma-separated, at most
	// MaxLogsIDsLength characters each.
	BulkIDs    []string `url:"bulkId,omitempty,comma"`
	MessageIDs []string `url:"messageId,omitempty,comma"`
	// GeneralStatus selects one status group, sent by name; 0 selects all.
	GeneralStatus StatusGroup `url:"generalStatus,omitempty"`
	SentSince     time.Time   `url:"sentSince,omitempty" layout:"2006-01-02T15:04:05.000-0700"`
	SentUntil     time.Time   `url:"sentUntil,omitempty" layout:"2006-01-02T15:04:05.000-0700"`
	// Limit is 1 to 1000; 0 leaves it to the service (50).
	Limit                int      `url:"limit,omitempty"`
	EntityID             string   `url:"entityId,omitempty"`
	ApplicationID        string   `url:"applicationId,omitempty"`
	CampaignReferenceIDs []string `url:"campaignReferenceId,omitempty,comma"`
	// UseCursor asks for cursor paging; Cursor is the NextCursor of the
	// previous page.
	UseCursor bool   `url:"useCursor,omitempty"`
	Cursor    string `url:"cursor,omitempty"`
}

// Validate checks Limit, GeneralStatus, the id lists, the time range and
// that every value is valid UTF-8.
func (o *MessageLogsOptions) Validate() error {
	var v ValidationError
	if o == nil {
		return nil
	}
	checkLimit(&v, o.Limit)
	checkStatusGroup(&v, o.GeneralStatus)
	checkIDList(&v, "bulkId", o.BulkIDs)
	checkIDList(&v, "messageId", o.MessageIDs)
	checkSentRange(&v, o.SentSince, o.SentUntil)
	checkQueryUTF8(&v, o)
	return v.err()
}

// checkIDList checks ids are not empty and fit MaxLogsIDsLength joined.
func checkIDList(v *ValidationError, field string, ids []string) {
	n := 0
	for i, id := range ids {
		if id == "" {
			v.add(field, "entry %d must not be empty", i)
		} else if strings.Contains(id, ",") {
			// The list is sent comma-separated: the service would read two ids.
			v.add(field, "entry %d must not contain a comma (the list is sent comma-separated)", i)
		}
		n += len(id) + 1
	}
	if n-1 > MaxLogsIDsLength {
		v.add(field, "must be at most %d characters joined with commas, got %d", MaxLogsIDsLength, n-1)
	}
}

// MessageLogs is one page of MessengerService.MessageLogs.
type MessageLogs struct {
	Results []MessageLog `json:"results"`
	// Cursor is set when UseCursor was: NextCursor fetches the next page.
	Cursor *LogsCursor `json:"cursor,omitempty"`
}

// LogsCursor is the position in a cursor-paged log.
type LogsCursor struct {
	Limit      int    `json:"limit"`
	NextCursor string `json:"nextCursor"`
}

// MessageLog is one message of the log of the current API.
type MessageLog struct {
	Sender      string
	Destination string
	BulkID      string
	MessageID   string
	// SentAt and DoneAt are parsed; RawSentAt and RawDoneAt keep them as sent.
	SentAt              time.Time
	RawSentAt           string
	DoneAt              time.Time
	RawDoneAt           string
	MessageCount        int
	Price               *Price
	Status              DeliveryStatus
	Error               *DeliveryError
	Platform            *Platform
	CampaignReferenceID string
	// Content is the content object that was sent, as received.
	Content json.RawMessage
	// Raw is the log entry as received.
	Raw json.RawMessage
}

// UnmarshalJSON decodes a log entry; null leaves l unchanged.
func (l *MessageLog) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if string(data) == "null" {
		return nil
	}
	if len(data) == 0 || data[0] != '{' {
		return fmt.Errorf("omni: message log: %w", errNotObject)
	}
	var w struct {
		Sender              string          `json:"sender"`
		Destination         string          `json:"destination"`
		BulkID              string          `json:"bulkId"`
		MessageID           string          `json:"messageId"`
		SentAt              json.RawMessage `json:"sentAt"`
		DoneAt              json.RawMessage `json:"doneAt"`
		MessageCount        flexInt         `json:"messageCount"`
		Price               *Price          `json:"price"`
		Status              DeliveryStatus  `json:"status"`
		Error               *DeliveryError  `json:"error"`
		Platform            *Platform       `json:"platform"`
		CampaignReferenceID string          `json:"campaignReferenceId"`
		Content             json.RawMessage `json:"content"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return fmt.Errorf("omni: message log: %w", err)
	}
	out := MessageLog{Sender: w.Sender, Destination: w.Destination, BulkID: w.BulkID, MessageID: w.MessageID,
		MessageCount: int(w.MessageCount), Price: w.Price, Status: w.Status, Error: w.Error, Platform: w.Platform,
		CampaignReferenceID: w.CampaignReferenceID, Content: bytes.Clone(w.Content), Raw: bytes.Clone(data)}
	out.SentAt, out.RawSentAt = parseReportTime(w.SentAt)
	out.DoneAt, out.RawDoneAt = parseReportTime(w.DoneAt)
	*l = out
	return nil
}

// MessageReports reads delivery reports of the current API (GET
// {messenger base}/messenger/1/reports). The service hands out each report
// once (last 48 hours), so, like a send, it is not retried once the
// service may have answered.
func (s *MessengerService) MessageReports(ctx context.Context, opts *MessageReportsOptions) ([]DeliveryReport, error) {
	if s.client.messenger == nil {
		return nil, ErrNotConfigured
	}
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	var out struct {
		Results []DeliveryReport `json:"results"`
	}
	if err := s.client.get(ctx, call{ep: s.client.messenger, path: messageReportsPath, send: true}, opts, &out); err != nil {
		return nil, s.messagesError(err)
	}
	return out.Results, nil
}

// MessageLogs reads the log of messages sent with the current API (GET
// {messenger base}/messenger/1/logs; last 48 hours). Bad options return a
// *ValidationError and send nothing.
func (s *MessengerService) MessageLogs(ctx context.Context, opts *MessageLogsOptions) (*MessageLogs, error) {
	if s.client.messenger == nil {
		return nil, ErrNotConfigured
	}
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	out := new(MessageLogs)
	if err := s.client.get(ctx, call{ep: s.client.messenger, path: messageLogsPath}, opts, out); err != nil {
		return nil, s.messagesError(err)
	}
	return out, nil
}
