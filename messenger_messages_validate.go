package omni

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
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
	if required(v, prefix+".sender", m.Sender); !utf8.ValidString(m.Sender) {
		v.add(prefix+".sender", ruleUTF8)
	}
	if len(m.Destinations) == 0 {
		v.add(prefix+".destinations", "must hold at least one destination")
	}
	for j, d := range m.Destinations {
		p := fmt.Sprintf("%s.destinations[%d]", prefix, j)
		if required(v, p+".to", d.To); !utf8.ValidString(d.To) {
			v.add(p+".to", ruleUTF8)
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
	switch {
	case isNilContent(m.Content):
		v.add(prefix+".content", "must not be nil")
	case !ownContent(m.Content):
		v.add(prefix+".content", "must be one of the SDK's content types (TextContent, MediaContent, LocationContent, "+
			"SenderActionContent, TemplateContent, RawContent) or a pointer to one, got %T", m.Content)
	default:
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
		if !utf8.ValidString(q.ImageURL) {
			v.add(p+".imageUrl", ruleUTF8)
		}
		switch q.Type {
		case QuickReplyText:
			checkLength(v, p+".title", q.Title, 1, MaxQuickReplyTitleLength)
			checkLength(v, p+".payload", q.Payload, 1, MaxQuickReplyPayload)
			continue
		case QuickReplyPhoneNumber, QuickReplyEmail:
		default:
			v.add(p+".type", "must be TEXT, PHONE_NUMBER or EMAIL, got %q", q.Type)
		}
		// Fields the type does not use are still sent when set.
		if !utf8.ValidString(q.Title) {
			v.add(p+".title", ruleUTF8)
		}
		if !utf8.ValidString(q.Payload) {
			v.add(p+".payload", ruleUTF8)
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
	checkMax(v, prefix+".name", c.Name, math.MaxInt)
	checkMax(v, prefix+".address", c.Address, math.MaxInt)
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

// check refuses what UnknownMessage.Validate refuses: Raw must be a JSON
// object, valid UTF-8, with no key repeated in any case, and a "type" (the
// same as Kind when Kind is set); content of a type the SDK models, in any
// case, is held to that type's rules, and must spell its fields as the
// service does.
func (c RawContent) check(v *ValidationError, prefix string) {
	t := bytes.TrimSpace(c.Raw)
	var head struct {
		Type ContentType `json:"type"`
	}
	switch {
	case len(t) == 0 || t[0] != '{' || json.Unmarshal(t, &head) != nil:
		v.add(prefix, "must be a JSON object")
		return
	case !utf8.Valid(t):
		v.add(prefix, "must be valid UTF-8")
		return
	case loneSurrogate(t):
		v.add(prefix, ruleSurrogate)
		return
	}
	if key, dup := repeatedKey(t); dup {
		v.add(prefix, "must not repeat the key %q (in any case)", key)
		return
	}
	switch {
	case head.Type == "":
		v.add(prefix+".type", "must not be empty")
		return
	case c.Kind != "" && c.Kind != head.Type:
		v.add(prefix+".type", "is %q in Raw but Kind is %q", head.Type, c.Kind)
		return
	}
	if modelledContent(head.Type) == ContentTemplate {
		var p struct {
			Payload json.RawMessage `json:"payload"`
		}
		_ = json.Unmarshal(t, &p) // t is an object
		if field, rule := templatePayloadRule(p.Payload); rule != "" {
			v.add(prefix+"."+field, "%s", rule)
			return
		}
		if head.Type != ContentTemplate {
			v.add(prefix+".type", "must be spelt %q, the service's constant, got %q", ContentTemplate, head.Type)
			return
		}
		if got, want, bad := templateKeySpelling(t); bad {
			v.add(prefix, "must spell the key %q as %q: TEMPLATE is a known type, whose fields the service names exactly", got, want)
			return
		}
	}
	known, isKnown := knownContent(t, head.Type)
	if !isKnown {
		return
	}
	if want := modelledContent(head.Type); head.Type != want {
		v.add(prefix+".type", "must be spelt %q, the service's constant, got %q", want, head.Type)
		return
	}
	if head.Type == ContentTemplate {
		var p struct {
			Payload struct {
				Type string `json:"type"`
			} `json:"payload"`
		}
		_ = json.Unmarshal(t, &p) // knownContent read it
		if p.Payload.Type != payloadButton {
			v.add(prefix+".payload.type", "must be spelt %q, the service's constant, got %q", payloadButton, p.Payload.Type)
			return
		}
	}
	if got, want, bad := misspelledKey(t); bad {
		v.add(prefix, "must spell the key %q as %q: %s is a known type, whose fields the service names exactly", got, want, head.Type)
		return
	}
	if known == nil {
		v.add(prefix+".type", "is the known type %s, but Raw does not have its shape: use its typed content (such as TextContent)", head.Type)
		return
	}
	known.check(v, prefix)
}

// contentTypes are the content types the SDK models.
var contentTypes = []ContentType{ContentText, ContentImage, ContentVideo, ContentAudio, ContentDocument,
	ContentLocation, ContentSenderAction, ContentTemplate}

// modelledContent returns the content type the SDK models that typ is in
// any case, or "" when it models none.
func modelledContent(typ ContentType) ContentType {
	for _, k := range contentTypes {
		if strings.EqualFold(string(typ), string(k)) {
			return k
		}
	}
	return ""
}

// knownContent returns raw content of a type the SDK models (whatever the
// case of its type) as that type, known true; nil with known true when raw
// does not have the type's shape; known false for another type (a TEMPLATE
// whose payload is not BUTTON included).
func knownContent(raw []byte, typ ContentType) (c Content, known bool) {
	kind := modelledContent(typ)
	if kind == "" {
		return nil, false
	}
	var w struct {
		Text         string   `json:"text"`
		URL          string   `json:"url"`
		Latitude     *float64 `json:"latitude"`
		Longitude    *float64 `json:"longitude"`
		Name         string   `json:"name"`
		Address      string   `json:"address"`
		SenderAction Action   `json:"senderAction"`
		Payload      struct {
			Type    string   `json:"type"`
			Text    string   `json:"text"`
			Buttons []Button `json:"buttons"`
		} `json:"payload"`
	}
	if json.Unmarshal(raw, &w) != nil {
		return nil, true
	}
	switch kind {
	case ContentText:
		return TextContent{Text: w.Text}, true
	case ContentLocation:
		lat, lon := math.NaN(), math.NaN() // absent: out of range
		if w.Latitude != nil {
			lat = *w.Latitude
		}
		if w.Longitude != nil {
			lon = *w.Longitude
		}
		return LocationContent{Latitude: lat, Longitude: lon, Name: w.Name, Address: w.Address}, true
	case ContentSenderAction:
		return SenderActionContent{Action: w.SenderAction}, true
	case ContentTemplate:
		if !strings.EqualFold(w.Payload.Type, payloadButton) {
			return nil, false
		}
		for _, b := range w.Payload.Buttons {
			if b.Type != ButtonPostback && b.Type != ButtonURL {
				// A button type the SDK does not model (the Messages API
				// also documents CALL): the service's rules, not the SDK's.
				return nil, false
			}
		}
		return TemplateContent{Text: w.Payload.Text, Buttons: w.Payload.Buttons}, true
	}
	return MediaContent{Kind: kind, URL: w.URL}, true
}
