package bayeuxsrv

import (
	"bytes"
	"encoding/json"
	"errors"
)

// Meta channel names.
const (
	metaHandshake   = "/meta/handshake"
	metaConnect     = "/meta/connect"
	metaSubscribe   = "/meta/subscribe"
	metaUnsubscribe = "/meta/unsubscribe"
	metaDisconnect  = "/meta/disconnect"
)

// Error strings sent in replies (Bayeux "code:args:message" form).
const (
	errUnknownClient   = "402::Unknown client"
	errNoTransport     = "400::No common transport"
	errBadConnType     = "400::Unsupported connection type"
	errMissingChannel  = "400::Missing channel"
	errUnknownMeta     = "400::Unknown meta channel"
	errBadSubscription = "400::Invalid subscription"
	errExtraConnect    = "400::Multiple connects in one request"
	errServerClosed    = "503::Server closed"
)

// missing is the error of a message without a field Bayeux 1.0 requires
// (handshake version and supportedConnectionTypes, connect connectionType,
// publish data). Faye refuses these too; a client that forgot one would
// otherwise pass here and fail against a real server.
func missing(field string) string { return "400:" + field + ":Missing required parameter" }

// inbound is one message received from a client. Only the fields the server
// acts on are decoded.
type inbound struct {
	Channel                  string                     `json:"channel"`
	ID                       json.RawMessage            `json:"id,omitempty"`
	ClientID                 string                     `json:"clientId,omitempty"`
	Data                     json.RawMessage            `json:"data,omitempty"`
	Subscription             json.RawMessage            `json:"subscription,omitempty"`
	Version                  string                     `json:"version,omitempty"`
	SupportedConnectionTypes []string                   `json:"supportedConnectionTypes,omitempty"`
	ConnectionType           string                     `json:"connectionType,omitempty"`
	Advice                   *inAdvice                  `json:"advice,omitempty"`
	Ext                      map[string]json.RawMessage `json:"ext,omitempty"`
}

type inAdvice struct {
	Timeout *float64 `json:"timeout,omitempty"`
}

// wantsImmediate reports whether a connect asked not to be held (advice.timeout 0).
func (m *inbound) wantsImmediate() bool {
	return m.Advice != nil && m.Advice.Timeout != nil && *m.Advice.Timeout <= 0
}

// extBool reports whether m.ext[key] is the JSON literal true.
func (m *inbound) extBool(key string) bool {
	raw, ok := m.Ext[key]
	return ok && bytes.Equal(bytes.TrimSpace(raw), []byte("true"))
}

// extInt returns m.ext[key] as an integer, if it is a number.
func (m *inbound) extInt(key string) (int64, bool) {
	raw, ok := m.Ext[key]
	if !ok {
		return 0, false
	}
	var f float64
	if json.Unmarshal(raw, &f) != nil {
		return 0, false
	}
	return int64(f), true
}

// reply is a meta reply (or a publish acknowledgement) sent to a client.
type reply struct {
	Channel                  string          `json:"channel"`
	ID                       json.RawMessage `json:"id,omitempty"`
	ClientID                 string          `json:"clientId,omitempty"`
	Successful               bool            `json:"successful"`
	Error                    string          `json:"error,omitempty"`
	Version                  string          `json:"version,omitempty"`
	MinimumVersion           string          `json:"minimumVersion,omitempty"`
	SupportedConnectionTypes []string        `json:"supportedConnectionTypes,omitempty"`
	Subscription             json.RawMessage `json:"subscription,omitempty"`
	Advice                   *advice         `json:"advice,omitempty"`
	Ext                      map[string]any  `json:"ext,omitempty"`
}

// advice is the Bayeux advice object; times in milliseconds.
type advice struct {
	Reconnect   string `json:"reconnect"`
	Interval    int64  `json:"interval"`
	Timeout     *int64 `json:"timeout,omitempty"`
	MaxInterval *int64 `json:"maxInterval,omitempty"`
}

var errBadBatch = errors.New("bayeuxsrv: body is not a JSON message or array of messages")

// parseBatch decodes a request body or websocket frame: a JSON array of
// message objects, or a single object. It returns the decoded messages and the
// raw JSON of each.
func parseBatch(body []byte) ([]*inbound, []json.RawMessage, error) {
	body = bytes.TrimSpace(body)
	var raws []json.RawMessage
	switch {
	case len(body) > 0 && body[0] == '[':
		if err := json.Unmarshal(body, &raws); err != nil {
			return nil, nil, errBadBatch
		}
	case len(body) > 0 && body[0] == '{':
		raws = []json.RawMessage{json.RawMessage(body)}
	default:
		return nil, nil, errBadBatch
	}
	msgs := make([]*inbound, len(raws))
	for i, raw := range raws {
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 || raw[0] != '{' {
			return nil, nil, errBadBatch
		}
		m := new(inbound)
		if err := json.Unmarshal(raw, m); err != nil {
			return nil, nil, errBadBatch
		}
		raws[i] = raw
		msgs[i] = m
	}
	return msgs, raws, nil
}

// dataMessage builds the wire form of a data message once, for every
// recipient, from data as a client sent it (compacted here; nil is null).
func dataMessage(channel string, data []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(channel) + len(data) + 32)
	b.WriteString(`{"channel":`)
	appendChannelName(&b, channel)
	b.WriteString(`,"data":`)
	if len(data) == 0 {
		b.WriteString("null")
	} else if err := json.Compact(&b, data); err != nil {
		b.WriteString("null")
	}
	b.WriteByte('}')
	return b.Bytes()
}

// publishMessage builds the wire form of a server-side publish of data: the
// bytes dataMessage(channel, json.Marshal(data)) gives, without
// encoding/json's reflection for a json.RawMessage (compacted and
// HTML-escaped here, as json.Marshal does) nor a second compaction of what
// json.Marshal wrote. TestPublishMessageAsBefore holds it to that.
func publishMessage(channel string, data any) ([]byte, error) {
	var b bytes.Buffer
	if raw, ok := data.(json.RawMessage); ok {
		b.Grow(len(channel) + len(raw) + 24)
	}
	b.WriteString(`{"channel":`)
	appendChannelName(&b, channel)
	b.WriteString(`,"data":`)
	switch d := data.(type) {
	case json.RawMessage:
		if d == nil {
			b.WriteString("null")
			break
		}
		start := b.Len()
		if err := json.Compact(&b, d); err != nil {
			return nil, err
		}
		if seg := b.Bytes()[start:]; needsHTMLEscape(seg) {
			var esc bytes.Buffer
			json.HTMLEscape(&esc, seg)
			b.Truncate(start)
			b.Write(esc.Bytes())
		}
	default:
		raw, err := json.Marshal(data)
		if err != nil {
			return nil, err
		}
		b.Write(raw) // json.Marshal writes compact JSON
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// needsHTMLEscape reports whether compact JSON b has a character
// json.Marshal escapes in a json.RawMessage: <, >, & and U+2028, U+2029.
func needsHTMLEscape(b []byte) bool {
	return bytes.ContainsAny(b, "<>&\u2028\u2029")
}

// appendChannelName writes channel as a JSON string, as json.Marshal does:
// quoted as it is when it has only printable ASCII that needs no escape.
func appendChannelName(b *bytes.Buffer, channel string) {
	for i := 0; i < len(channel); i++ {
		if c := channel[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			name, _ := json.Marshal(channel) // a string always marshals
			b.Write(name)
			return
		}
	}
	b.WriteByte('"')
	b.WriteString(channel)
	b.WriteByte('"')
}

// encodeArray joins single JSON messages into one JSON array.
func encodeArray(msgs [][]byte) []byte {
	n := 2
	for _, m := range msgs {
		n += len(m) + 1
	}
	out := make([]byte, 0, n)
	out = append(out, '[')
	for i, m := range msgs {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, m...)
	}
	return append(out, ']')
}

func mustMarshal(r *reply) []byte {
	b, err := json.Marshal(r)
	if err != nil {
		// Only possible with an invalid echoed RawMessage, which parseBatch rules out.
		r.ID, r.Subscription = nil, nil
		b, _ = json.Marshal(r)
	}
	return b
}

func millis(d int64) *int64 { return &d }
