package omni

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"time"
	"unicode/utf8"
)

// Limits of the current Messages API (POST /messenger/1/messages), in
// characters, from Infobip's OpenAPI description.
const (
	MaxMessagesTextLength    = 2000
	MaxImageURLLength        = 1000
	MaxMediaURLLength        = 800 // VIDEO, AUDIO, DOCUMENT
	MaxMessageIDLength       = 200
	MaxCallbackDataLength    = 4000
	MaxBulkIDLength          = 100
	MaxCampaignRefLength     = 255
	MaxPlatformIDLength      = 255
	MaxQuickReplyTitleLength = 20
	MaxQuickReplyPayload     = 1000
)

// MaxScheduleAhead is how far ahead Schedule.SendAt may be: 180 days,
// counted from time.Now when Validate runs.
const MaxScheduleAhead = 180 * 24 * time.Hour

// Validate reports every field that breaks the API's rules, with paths
// such as "messages[0].destinations[2].messageId". A messageId used twice
// in one request is refused too: answers and reports could not be told apart.
func (r MessagesRequest) Validate() error {
	var v ValidationError
	if len(r.Messages) == 0 {
		v.add("messages", "must hold at least one message")
	}
	ids := make(map[string]string)
	for i, m := range r.Messages {
		m.check(&v, fmt.Sprintf("messages[%d]", i), ids)
	}
	if r.Options != nil && r.Options.Schedule != nil {
		s := r.Options.Schedule
		checkMax(&v, "options.schedule.bulkId", s.BulkID, MaxBulkIDLength)
		if !s.SendAt.IsZero() && s.SendAt.After(time.Now().Add(MaxScheduleAhead)) {
			v.add("options.schedule.sendAt", "must be at most 180 days ahead, got %s", s.SendAt.Format(MessengerTimeLayout))
		}
		if l := s.SendingSpeedLimit; l != nil {
			if l.Amount < 1 {
				v.add("options.schedule.sendingSpeedLimit.amount", "must be at least 1, got %d", l.Amount)
			}
			switch l.TimeUnit {
			case "", PerMinute, PerHour, PerDay:
			default:
				v.add("options.schedule.sendingSpeedLimit.timeUnit", "must be MINUTE, HOUR or DAY, got %q", l.TimeUnit)
			}
		}
	}
	return v.err()
}

// check adds the broken rules of m under prefix; ids collects messageIds
// (id → field that used it) across the request.
func (m MessengerMessage) check(v *ValidationError, prefix string, ids map[string]string) {
	if m.Sender == "" {
		v.add(prefix+".sender", "must not be empty")
	}
	if len(m.Destinations) == 0 {
		v.add(prefix+".destinations", "must hold at least one destination")
	}
	for j, d := range m.Destinations {
		p := fmt.Sprintf("%s.destinations[%d]", prefix, j)
		if d.To == "" {
			v.add(p+".to", "must not be empty")
		}
		checkMax(v, p+".messageId", d.MessageID, MaxMessageIDLength)
		if d.MessageID != "" {
			if first, dup := ids[d.MessageID]; dup {
				v.add(p+".messageId", "must be unique in the request, also used by %s", first)
			} else {
				ids[d.MessageID] = p
			}
		}
	}
	if isNilContent(m.Content) {
		v.add(prefix+".content", "must not be nil")
	} else {
		m.Content.check(v, prefix+".content")
	}
	if o := m.Options; o != nil {
		checkMax(v, prefix+".options.campaignReferenceId", o.CampaignReferenceID, MaxCampaignRefLength)
		if p := o.Platform; p != nil {
			checkMax(v, prefix+".options.platform.entityId", p.EntityID, MaxPlatformIDLength)
			checkMax(v, prefix+".options.platform.applicationId", p.ApplicationID, MaxPlatformIDLength)
		}
		if vp := o.ValidityPeriod; vp != nil {
			if vp.Amount < 1 {
				v.add(prefix+".options.validityPeriod.amount", "must be at least 1, got %d", vp.Amount)
			}
			switch vp.TimeUnit {
			case "", Seconds, Minutes, Hours:
			default:
				v.add(prefix+".options.validityPeriod.timeUnit", "must be SECONDS, MINUTES or HOURS, got %q", vp.TimeUnit)
			}
		}
	}
	if w := m.Webhooks; w != nil {
		checkMax(v, prefix+".webhooks.callbackData", w.CallbackData, MaxCallbackDataLength)
		switch w.ContentType {
		case "", "application/json", "application/xml":
		default:
			v.add(prefix+".webhooks.contentType", "must be application/json or application/xml, got %q", w.ContentType)
		}
		if w.Delivery != nil && w.Delivery.URL != "" {
			checkWebURL(v, prefix+".webhooks.delivery.url", w.Delivery.URL)
		}
		if w.Seen != nil && w.Seen.URL != "" {
			checkWebURL(v, prefix+".webhooks.seen.url", w.Seen.URL)
		}
	}
	for k, q := range m.QuickReplies {
		p := fmt.Sprintf("%s.quickReplies[%d]", prefix, k)
		switch q.Type {
		case QuickReplyText:
			checkLength(v, p+".title", q.Title, 1, MaxQuickReplyTitleLength)
			checkLength(v, p+".payload", q.Payload, 1, MaxQuickReplyPayload)
		case QuickReplyPhoneNumber, QuickReplyEmail:
		default:
			v.add(p+".type", "must be TEXT, PHONE_NUMBER or EMAIL, got %q", q.Type)
		}
	}
}

// checkMax adds a rule when s is not valid UTF-8 or longer than max characters.
func checkMax(v *ValidationError, field, s string, max int) {
	if s == "" {
		return
	}
	checkLength(v, field, s, 0, max)
}

func (c TextContent) check(v *ValidationError, prefix string) {
	checkLength(v, prefix+".text", c.Text, 1, MaxMessagesTextLength)
}

func (c MediaContent) check(v *ValidationError, prefix string) {
	limit := MaxMediaURLLength
	switch c.Kind {
	case ContentImage:
		limit = MaxImageURLLength
	case ContentVideo, ContentAudio, ContentDocument:
	default:
		v.add(prefix+".type", "must be IMAGE, VIDEO, AUDIO or DOCUMENT, got %q", c.Kind)
	}
	checkWebURL(v, prefix+".url", c.URL)
	if n := utf8.RuneCountInString(c.URL); n > limit {
		v.add(prefix+".url", "must be at most %d characters, got %d", limit, n)
	}
}

func (c LocationContent) check(v *ValidationError, prefix string) {
	if math.IsNaN(c.Latitude) || c.Latitude < -90 || c.Latitude > 90 {
		v.add(prefix+".latitude", "must be -90 to 90, got %v", c.Latitude)
	}
	if math.IsNaN(c.Longitude) || c.Longitude < -180 || c.Longitude > 180 {
		v.add(prefix+".longitude", "must be -180 to 180, got %v", c.Longitude)
	}
}

func (c SenderActionContent) check(v *ValidationError, prefix string) {
	v.nest(prefix, SenderAction(c).Validate())
}

func (c TemplateContent) check(v *ValidationError, prefix string) {
	if c.Text == "" {
		v.add(prefix+".payload.text", "must not be empty")
	} else {
		checkLength(v, prefix+".payload.text", c.Text, 1, MaxMessagesTextLength)
	}
	if n := len(c.Buttons); n < 1 || n > MaxButtons {
		v.add(prefix+".payload.buttons", "must hold 1 to %d buttons, got %d", MaxButtons, n)
	}
	for i, b := range c.Buttons {
		v.nest(fmt.Sprintf("%s.payload.buttons[%d]", prefix, i), b.Validate())
	}
}

func (c RawContent) check(v *ValidationError, prefix string) {
	t := bytes.TrimSpace(c.Raw)
	var head struct {
		Type ContentType `json:"type"`
	}
	if len(t) == 0 || t[0] != '{' || json.Unmarshal(t, &head) != nil {
		v.add(prefix, "must be a JSON object")
	} else if head.Type == "" {
		v.add(prefix+".type", "must not be empty")
	} else if c.Kind != "" && c.Kind != head.Type {
		v.add(prefix+".type", "is %q in Raw but Kind is %q", head.Type, c.Kind)
	}
}
