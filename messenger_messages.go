package omni

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// This file is the current Infobip Messenger API, POST /messenger/1/messages:
// many messages, each to many destinations, in one request. The legacy
// POST /facebook/1/single is SendSingle (messenger.go). The two generations
// have different content types and limits (FILE there, DOCUMENT here; TEXT
// up to 640 there, 2000 here), so each has its own content union.

// Default paths of the current Messenger API, relative to the Messenger base URL.
const (
	messagesPath       = "messenger/1/messages"
	messageReportsPath = "messenger/1/reports"
	messageLogsPath    = "messenger/1/logs"
)

// MessagesRequest is the body of MessengerService.SendMessages.
type MessagesRequest struct {
	// Messages to send; each goes to every one of its destinations.
	Messages []MessengerMessage `json:"messages"`
	// Options apply to every message, such as scheduling.
	Options *RequestOptions `json:"options,omitempty"`
}

// MessengerMessage is one message of a MessagesRequest.
type MessengerMessage struct {
	// Sender is the page (the sender id given at activation). Required.
	Sender string `json:"sender"`
	// Destinations are the users to send to, at least one.
	Destinations []Destination `json:"destinations"`
	// Content is what to send. Required.
	Content Content `json:"content"`
	// Options such as the validity period.
	Options *MessageOptions `json:"options,omitempty"`
	// Webhooks say where Infobip pushes this message's delivery and seen
	// reports, and the callbackData it repeats in them.
	Webhooks *Webhooks `json:"webhooks,omitempty"`
	// QuickReplies are offered to the user under the message.
	QuickReplies []QuickReply `json:"quickReplies,omitempty"`
}

// Destination is one user a message goes to. MessageID (at most 200
// characters) names the message to that user in answers, reports and
// logs; empty lets Infobip generate one (SendBulk generates its own so it
// can reconcile).
type Destination struct {
	To        string `json:"to"`
	MessageID string `json:"messageId,omitempty"`
}

// MessageOptions are per-message options.
type MessageOptions struct {
	Platform       *Platform       `json:"platform,omitempty"`
	ValidityPeriod *ValidityPeriod `json:"validityPeriod,omitempty"`
	// CampaignReferenceID groups messages of one campaign (≤ 255 characters).
	CampaignReferenceID string `json:"campaignReferenceId,omitempty"`
}

// Platform names the application and entity a message belongs to.
type Platform struct {
	EntityID      string `json:"entityId,omitempty"`
	ApplicationID string `json:"applicationId,omitempty"`
}

// ValidityUnit is the unit of a ValidityPeriod.
type ValidityUnit string

// The validity period units; empty means MINUTES.
const (
	Seconds ValidityUnit = "SECONDS"
	Minutes ValidityUnit = "MINUTES"
	Hours   ValidityUnit = "HOURS"
)

// ValidityPeriod is how long Infobip tries to deliver a message; once it
// expires the message is not sent. The service caps it at 48 hours.
type ValidityPeriod struct {
	Amount   int          `json:"amount"`
	TimeUnit ValidityUnit `json:"timeUnit,omitempty"`
}

// Webhooks configure a message's reports.
type Webhooks struct {
	// Delivery is where delivery reports go (and, per Infobip, inbound
	// messages answering this one).
	Delivery *DeliveryWebhook `json:"delivery,omitempty"`
	// ContentType of the reports: "application/json" or "application/xml".
	// The SDK's webhook handlers read JSON only.
	ContentType string `json:"contentType,omitempty"`
	// CallbackData is repeated in the message's reports (≤ 4000 characters).
	CallbackData string `json:"callbackData,omitempty"`
	// Seen is where the seen report goes.
	Seen *SeenWebhook `json:"seen,omitempty"`
}

// DeliveryWebhook configures delivery reports. Notify false asks for none;
// nil fields leave the account's settings.
type DeliveryWebhook struct {
	URL                string `json:"url,omitempty"`
	IntermediateReport *bool  `json:"intermediateReport,omitempty"`
	Notify             *bool  `json:"notify,omitempty"`
}

// SeenWebhook configures the seen report.
type SeenWebhook struct {
	URL string `json:"url,omitempty"`
}

// QuickReplyType is the "type" of a quick reply.
type QuickReplyType string

// The quick reply types. A TEXT reply has a title (≤ 20 characters) and a
// payload (≤ 1000) that comes back in the user's InboundText.QuickReply;
// PHONE_NUMBER and EMAIL offer the user's own.
const (
	QuickReplyText        QuickReplyType = "TEXT"
	QuickReplyPhoneNumber QuickReplyType = "PHONE_NUMBER"
	QuickReplyEmail       QuickReplyType = "EMAIL"
)

// QuickReply is a button offered under a message.
type QuickReply struct {
	Type     QuickReplyType `json:"type"`
	Title    string         `json:"title,omitempty"`
	Payload  string         `json:"payload,omitempty"`
	ImageURL string         `json:"imageUrl,omitempty"`
}

// TextQuickReply returns a TEXT quick reply.
func TextQuickReply(title, payload string) QuickReply {
	return QuickReply{Type: QuickReplyText, Title: title, Payload: payload}
}

// RequestOptions apply to every message of a request.
type RequestOptions struct {
	Schedule *Schedule `json:"schedule,omitempty"`
}

// Schedule sends the request later, or slower, under a bulk id.
type Schedule struct {
	// BulkID names the request (≤ 100 characters); empty lets Infobip
	// generate one, returned in MessagesResponse.BulkID.
	BulkID string
	// SendAt is when to send; zero sends now. It may be at most
	// MaxScheduleAhead (180 days) after time.Now at validation: Validate,
	// and so SendMessages and SendBulk before sending, refuse a later one
	// with a *ValidationError on options.schedule.sendAt. A bulk resumed
	// much later is not validated again.
	SendAt time.Time
	// SendingSpeedLimit spreads a large request over time.
	SendingSpeedLimit *SpeedLimit
}

// MarshalJSON encodes sendAt in MessengerTimeLayout and leaves out empty fields.
func (s Schedule) MarshalJSON() ([]byte, error) {
	w := struct {
		BulkID            string      `json:"bulkId,omitempty"`
		SendAt            string      `json:"sendAt,omitempty"`
		SendingSpeedLimit *SpeedLimit `json:"sendingSpeedLimit,omitempty"`
	}{BulkID: s.BulkID, SendingSpeedLimit: s.SendingSpeedLimit}
	if !s.SendAt.IsZero() {
		w.SendAt = s.SendAt.Format(MessengerTimeLayout)
	}
	return json.Marshal(w)
}

// SpeedUnit is the unit of a SpeedLimit.
type SpeedUnit string

// The speed limit units; empty means MINUTE.
const (
	PerMinute SpeedUnit = "MINUTE"
	PerHour   SpeedUnit = "HOUR"
	PerDay    SpeedUnit = "DAY"
)

// SpeedLimit is at most Amount messages per TimeUnit.
type SpeedLimit struct {
	Amount   int       `json:"amount"`
	TimeUnit SpeedUnit `json:"timeUnit,omitempty"`
}

// MessagesResponse is the answer to SendMessages: the bulk id and a status
// per destination.
type MessagesResponse struct {
	BulkID   string          `json:"bulkId"`
	Messages []MessageResult `json:"messages"`
}

// complete reports what a success answer lacks: at least one message, and
// a messageId on each (the documented 200 always has both).
func (r *MessagesResponse) complete() error {
	if len(r.Messages) == 0 {
		return errors.New("response names no message")
	}
	for i, m := range r.Messages {
		if strings.TrimSpace(m.MessageID) == "" { // white space names no message either
			return fmt.Errorf("response's messages[%d] has no messageId", i)
		}
	}
	return nil
}

// MessageResult is what became of one destination of a request, such as
// 1 PENDING / 26 PENDING_ACCEPTED.
type MessageResult struct {
	MessageID   string          `json:"messageId"`
	Status      DeliveryStatus  `json:"status"`
	Destination string          `json:"destination"`
	Details     json.RawMessage `json:"details,omitempty"`
}

// SendMessages sends a request of the current Messages API (POST
// {messenger base}/messenger/1/messages). Invalid input returns a
// *ValidationError naming each field and sends nothing. An error answer of
// the current shape is a *MessagesError (which wraps the *APIError). A 2xx
// answer that says nothing (an empty body, {} or null, or a 204), or that
// names no message or a message without a messageId, is a *DecodeError: the
// request may have been sent, yet the answer does not say so.
//
// No idempotency key exists, so SendMessages is not retried once the
// request may have reached the service; for many destinations, SendBulk
// says which were accepted and resends only the others.
func (s *MessengerService) SendMessages(ctx context.Context, req MessagesRequest) (*MessagesResponse, error) {
	if s.client.messenger == nil {
		return nil, ErrNotConfigured
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	out := new(MessagesResponse)
	err := s.client.do(ctx, &call{ep: s.client.messenger, method: http.MethodPost, path: messagesPath,
		body: req, send: true, lenient: func(b []byte) error { return decodeMessagesLeniently(b, out) },
		complete: func() error { return out.complete() }}, out)
	if err != nil {
		return nil, s.messagesError(err)
	}
	if r := s.client.messenger.redact; r != nil {
		r(out) // the server's words: statuses may echo a credential
	}
	for i := range out.Messages {
		out.Messages[i].Status.normalize()
	}
	return out, nil
}

// ContentType is the "type" of the content of a MessengerMessage.
type ContentType string

// The content types of the current API.
const (
	ContentText         ContentType = "TEXT"
	ContentImage        ContentType = "IMAGE"
	ContentVideo        ContentType = "VIDEO"
	ContentAudio        ContentType = "AUDIO"
	ContentDocument     ContentType = "DOCUMENT"
	ContentLocation     ContentType = "LOCATION"
	ContentSenderAction ContentType = "SENDER_ACTION"
	ContentTemplate     ContentType = "TEMPLATE"
)

// Content is the content of a MessengerMessage: TextContent, MediaContent,
// LocationContent, SenderActionContent, TemplateContent or, for a type this
// SDK does not model (COMMENT, POST, GENERIC templates...), RawContent. The
// set is closed: only this package's types implement it, and a type of yours
// that embeds one of them is a *ValidationError when sent or validated.
type Content interface {
	// Type returns the content's "type".
	Type() ContentType
	json.Marshaler
	// check adds the content's broken rules under prefix.
	check(v *ValidationError, prefix string)
}

// TextContent is TEXT: up to 2000 characters.
type TextContent struct{ Text string }

// MediaContent is IMAGE (URL ≤ 1000 characters), VIDEO, AUDIO or DOCUMENT
// (URL ≤ 800): a publicly reachable file.
type MediaContent struct {
	Kind ContentType
	URL  string
}

// LocationContent is LOCATION: coordinates, and optionally a name and an address.
type LocationContent struct {
	Latitude, Longitude float64
	Name, Address       string
}

// SenderActionContent is SENDER_ACTION: MarkSeen, TypingOn or TypingOff.
type SenderActionContent struct{ Action Action }

// TemplateContent is a TEMPLATE with a BUTTON payload: text and at least
// one button (URL or POSTBACK; a POSTBACK comes back as InboundPostback).
type TemplateContent struct {
	Text    string
	Buttons []Button
}

// RawContent is a content object the SDK sends as is, for types it does
// not model. Raw must be a JSON object, valid UTF-8 (no \u escape of a
// lone surrogate either), with a "type" and no
// key repeated in any case; Kind, when set, must be the same. Content of a
// type the SDK models (TEXT, IMAGE, ...) must spell it as the service's
// constant ("text" is refused) and is held to that type's rules, as
// UnknownMessage is.
type RawContent struct {
	Kind ContentType
	Raw  json.RawMessage
}

// Image returns IMAGE content.
func Image(url string) MediaContent { return MediaContent{Kind: ContentImage, URL: url} }

// Video returns VIDEO content.
func Video(url string) MediaContent { return MediaContent{Kind: ContentVideo, URL: url} }

// Audio returns AUDIO content.
func Audio(url string) MediaContent { return MediaContent{Kind: ContentAudio, URL: url} }

// Document returns DOCUMENT content.
func Document(url string) MediaContent { return MediaContent{Kind: ContentDocument, URL: url} }

// Type returns ContentText.
func (TextContent) Type() ContentType { return ContentText }

// Type returns the media kind.
func (c MediaContent) Type() ContentType { return c.Kind }

// Type returns ContentLocation.
func (LocationContent) Type() ContentType { return ContentLocation }

// Type returns ContentSenderAction.
func (SenderActionContent) Type() ContentType { return ContentSenderAction }

// Type returns ContentTemplate.
func (TemplateContent) Type() ContentType { return ContentTemplate }

// Type returns the content's "type".
func (c RawContent) Type() ContentType { return c.Kind }

// MarshalJSON encodes {"type":"TEXT","text":...}.
func (c TextContent) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Type ContentType `json:"type"`
		Text string      `json:"text"`
	}{ContentText, c.Text})
}

// MarshalJSON encodes {"type":...,"url":...}.
func (c MediaContent) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Type ContentType `json:"type"`
		URL  string      `json:"url"`
	}{c.Kind, c.URL})
}

// MarshalJSON encodes {"type":"LOCATION","latitude":...,"longitude":...}
// with name and address when set.
func (c LocationContent) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Type      ContentType `json:"type"`
		Latitude  float64     `json:"latitude"`
		Longitude float64     `json:"longitude"`
		Name      string      `json:"name,omitempty"`
		Address   string      `json:"address,omitempty"`
	}{ContentLocation, c.Latitude, c.Longitude, c.Name, c.Address})
}

// MarshalJSON encodes {"type":"SENDER_ACTION","senderAction":...}.
func (c SenderActionContent) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Type         ContentType `json:"type"`
		SenderAction Action      `json:"senderAction"`
	}{ContentSenderAction, c.Action})
}

// MarshalJSON encodes {"type":"TEMPLATE","payload":{"type":"BUTTON",...}}.
func (c TemplateContent) MarshalJSON() ([]byte, error) {
	type payload struct {
		Type    string   `json:"type"`
		Text    string   `json:"text"`
		Buttons []Button `json:"buttons"`
	}
	return json.Marshal(struct {
		Type    ContentType `json:"type"`
		Payload payload     `json:"payload"`
	}{ContentTemplate, payload{Type: "BUTTON", Text: c.Text, Buttons: c.Buttons}})
}

// MarshalJSON returns Raw.
func (c RawContent) MarshalJSON() ([]byte, error) { return bytes.Clone(c.Raw), nil }
