package omni

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// wireReport is the union of the fields of a delivery report and a log entry.
type wireReport struct {
	BulkID       flexString      `json:"bulkId"`
	MessageID    flexString      `json:"messageId"`
	To           flexString      `json:"to"`
	From         flexString      `json:"from"`
	Text         string          `json:"text"`
	SentAt       json.RawMessage `json:"sentAt"`
	DoneAt       json.RawMessage `json:"doneAt"`
	MessageCount flexInt         `json:"messageCount"`
	Price        *Price          `json:"price"`
	Status       wireStatus      `json:"status"`
	Error        *DeliveryError  `json:"error"`
}

// UnmarshalJSON decodes a report object, parses sentAt and doneAt and keeps
// the object in Raw. null leaves r unchanged.
func (r *DeliveryReport) UnmarshalJSON(data []byte) error {
	w, err := decodeWireReport(data)
	if err != nil || w == nil {
		return err
	}
	*r = w.report(data)
	return nil
}

// UnmarshalJSON decodes a log entry like DeliveryReport.UnmarshalJSON, plus
// from and text.
func (l *MessengerLog) UnmarshalJSON(data []byte) error {
	w, err := decodeWireReport(data)
	if err != nil || w == nil {
		return err
	}
	*l = MessengerLog{DeliveryReport: w.report(data), From: string(w.From), Text: w.Text}
	return nil
}

// decodeWireReport decodes one object; nil, nil for JSON null.
func decodeWireReport(data []byte) (*wireReport, error) {
	data = bytes.TrimSpace(data)
	if string(data) == "null" {
		return nil, nil
	}
	if len(data) == 0 || data[0] != '{' {
		return nil, fmt.Errorf("omni: delivery report: %w", errNotObject)
	}
	var w wireReport
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, fmt.Errorf("omni: delivery report: %w", err)
	}
	return &w, nil
}

// report builds the DeliveryReport of w; data is the object w came from.
func (w *wireReport) report(data []byte) DeliveryReport {
	r := DeliveryReport{
		BulkID:       string(w.BulkID),
		MessageID:    string(w.MessageID),
		To:           string(w.To),
		MessageCount: int(w.MessageCount),
		Price:        w.Price,
		Status:       w.Status.status(),
		Error:        w.Error,
		Raw:          bytes.Clone(bytes.TrimSpace(data)),
	}
	r.SentAt, r.RawSentAt = parseReportTime(w.SentAt)
	r.DoneAt, r.RawDoneAt = parseReportTime(w.DoneAt)
	return r
}

// parseReportTime returns the time in raw (a JSON string in
// MessengerTimeLayout or another layout ParseTimestamp knows) and the raw
// value as text. Anything else gives the zero time and the raw text.
func parseReportTime(raw json.RawMessage) (time.Time, string) {
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, ""
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return time.Time{}, string(raw) // not a string, such as a number: kept as sent
	}
	if t, err := time.Parse(MessengerTimeLayout, s); err == nil {
		return t, s
	}
	t, _ := ParseTimestamp(s) // unknown layouts keep the raw string only
	return t, s
}

// wireStatus is a report's status, decoded leniently as notifications are:
// groupId and id as numbers or numeric strings (anything else is 0), so
// that one odd field does not fail a whole push of reports. (The answer to
// a send decodes DeliveryStatus as it is: that path is kept lean.)
type wireStatus struct {
	GroupID     flexInt    `json:"groupId"`
	GroupName   flexString `json:"groupName"`
	ID          flexInt    `json:"id"`
	Name        flexString `json:"name"`
	Description flexString `json:"description"`
	Action      flexString `json:"action"`
}

func (w wireStatus) status() DeliveryStatus {
	st := DeliveryStatus{GroupID: StatusGroup(w.GroupID), GroupName: string(w.GroupName), ID: int(w.ID), Name: string(w.Name),
		Description: string(w.Description), Action: string(w.Action)}
	st.normalize()
	return st
}

// UnmarshalJSON decodes an error leniently: groupId and id as numbers or
// numeric strings, permanent as a boolean or "true"/"false".
func (e *DeliveryError) UnmarshalJSON(data []byte) error {
	var w struct {
		GroupID     flexInt  `json:"groupId"`
		GroupName   string   `json:"groupName"`
		ID          flexInt  `json:"id"`
		Name        string   `json:"name"`
		Description string   `json:"description"`
		Permanent   flexBool `json:"permanent"`
	}
	if string(bytes.TrimSpace(data)) == "null" {
		return nil
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*e = DeliveryError{GroupID: int(w.GroupID), GroupName: w.GroupName, ID: int(w.ID), Name: w.Name,
		Description: w.Description, Permanent: bool(w.Permanent)}
	return nil
}

// withoutNulls drops the entries a push's results array held as null: they
// decode to a zero value with no Raw, which is no report or message.
func withoutNulls[T any](list []T, raw func(*T) json.RawMessage) []T {
	out := list[:0]
	for i := range list {
		if raw(&list[i]) != nil {
			out = append(out, list[i])
		}
	}
	return out
}

// decodeSentLeniently decodes the answer to a send into out with the
// leniency of reports: messageCount and the status's numbers may be sent
// as strings (call.lenient).
func decodeSentLeniently(body []byte, out *SentMessage) error {
	var w struct {
		To           flexString `json:"to"`
		MessageCount flexInt    `json:"messageCount"`
		MessageID    flexString `json:"messageId"`
		Status       wireStatus `json:"status"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return err
	}
	*out = SentMessage{To: string(w.To), MessageCount: int(w.MessageCount), MessageID: string(w.MessageID), Status: w.Status.status()}
	return nil
}

// decodeMessagesLeniently is decodeSentLeniently for the answer to
// SendMessages.
func decodeMessagesLeniently(body []byte, out *MessagesResponse) error {
	var w struct {
		BulkID   flexString `json:"bulkId"`
		Messages []struct {
			MessageID   flexString      `json:"messageId"`
			Status      wireStatus      `json:"status"`
			Destination flexString      `json:"destination"`
			Details     json.RawMessage `json:"details"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return err
	}
	*out = MessagesResponse{BulkID: string(w.BulkID)}
	for _, m := range w.Messages {
		out.Messages = append(out.Messages, MessageResult{MessageID: string(m.MessageID), Status: m.Status.status(),
			Destination: string(m.Destination), Details: m.Details})
	}
	return nil
}
