package omni

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"unicode/utf8"
)

// AgentService runs the agent's contact-center session and channel states:
// POST {base}/me (StartContactCenterSession, EndContactCenterSession, Ready
// and NotReady on every channel) and POST {base}/me/channels/{channel} (one
// channel). A social item is offered only to an agent with a session that is
// Ready on the item's channel, so a bot starts here:
//
//	err := c.Agent.StartContactCenterSession(ctx, omni.SessionStart{Channels: []string{"facebook", "twitter"}})
//	err = c.Agent.Ready(ctx, "facebook")
//
// Subscribe before starting the session (the documents' order): channel
// states arrive on /v2/me/channels (OnChannelState).
type AgentService service

// SessionStart is the request of StartContactCenterSession.
type SessionStart struct {
	// Channels lists the channels the agent works on, such as "voice",
	// "chat" or a social channel; names are the contact center's
	// configuration (the documents name no social channel), so any non-empty
	// name is accepted. At least one is required.
	Channels []string
	// Place is the place to use; empty leaves the agent's default.
	Place string
	// LoginCode is the agent login code, when the switch needs one.
	LoginCode string
	// Queue is the ACD queue to log in to, when the switch needs one.
	Queue string
	// DevicePath is the device to use, such as "/devices/<id>".
	DevicePath string
}

// Validate checks that at least one channel is given and none is empty.
func (r SessionStart) Validate() error {
	var v ValidationError
	if len(r.Channels) == 0 {
		v.add("channels", "must list at least one channel")
	}
	for i, ch := range r.Channels {
		if required(&v, fmt.Sprintf("channels[%d]", i), ch); !utf8.ValidString(ch) {
			v.add(fmt.Sprintf("channels[%d]", i), ruleUTF8)
		}
	}
	return v.err()
}

type meOp struct {
	OperationName Operation `json:"operationName"`
	Channels      []string  `json:"channels,omitempty"`
	Place         string    `json:"place,omitempty"`
	LoginCode     string    `json:"loginCode,omitempty"`
	Queue         string    `json:"queue,omitempty"`
	DevicePath    string    `json:"devicePath,omitempty"`
}

// Agent-session operation names (POST /me).
const (
	OpStartContactCenterSession Operation = "StartContactCenterSession"
	OpEndContactCenterSession   Operation = "EndContactCenterSession"
	OpReady                     Operation = "Ready"
	OpNotReady                  Operation = "NotReady"
)

// StartContactCenterSession signs the agent in on r.Channels (POST {base}/me,
// feature api-voice). When some channels fail and others succeed GWS answers
// statusCode 7 (partial success): the error is then a *SessionStartError
// listing each channel's code and message, and the agent is signed in on the
// channels that succeeded. When every channel fails the error is a plain
// *APIError with the code of one of them. Not retried once the server may
// have acted on it.
func (s *AgentService) StartContactCenterSession(ctx context.Context, r SessionStart) error {
	if err := r.Validate(); err != nil {
		return err
	}
	body := meOp{OperationName: OpStartContactCenterSession, Channels: r.Channels, Place: r.Place,
		LoginCode: r.LoginCode, Queue: r.Queue, DevicePath: r.DevicePath}
	_, err := s.client.postOperation(ctx, "me", body, true)
	var ae *APIError
	if errors.As(err, &ae) && ae.GWSStatusCode == StatusPartialSuccess {
		return &SessionStartError{APIError: ae, Channels: channelResults(ae.Body)}
	}
	return err
}

// EndContactCenterSession signs the agent out (POST {base}/me). GWS also
// ends the HTTP session with it, so send it last: later requests start a new
// HTTP session (and need a new CSRF token, which the client fetches itself).
func (s *AgentService) EndContactCenterSession(ctx context.Context) error {
	_, err := s.client.postOperation(ctx, "me", meOp{OperationName: OpEndContactCenterSession}, true)
	return err
}

// Ready makes the agent ready on one channel (POST {base}/me/channels/{channel}).
func (s *AgentService) Ready(ctx context.Context, channel string) error {
	return s.SetAgentState(ctx, channel, OpReady)
}

// NotReady makes the agent not ready on one channel.
func (s *AgentService) NotReady(ctx context.Context, channel string) error {
	return s.SetAgentState(ctx, channel, OpNotReady)
}

// ReadyAll makes the agent ready on every channel of the session
// (POST {base}/me {"operationName":"Ready"}; the documents show this form in
// public client code, not on an operation page).
func (s *AgentService) ReadyAll(ctx context.Context) error { return s.SetAgentStateAll(ctx, OpReady) }

// NotReadyAll makes the agent not ready on every channel of the session.
func (s *AgentService) NotReadyAll(ctx context.Context) error {
	return s.SetAgentStateAll(ctx, OpNotReady)
}

// SetAgentState runs an agent-state operation on one channel: Ready,
// NotReady or a custom one the contact center defines (such as
// "OutToLunch"; GET {base}/settings/agent-states lists them).
func (s *AgentService) SetAgentState(ctx context.Context, channel string, op Operation) error {
	var v ValidationError
	required(&v, "channel", channel)
	switch {
	case channel == "." || channel == "..":
		v.add("channel", "must not be %q", channel)
	default:
		if !utf8.ValidString(channel) {
			v.add("channel", ruleUTF8)
		}
	}
	if op == "" {
		v.add("operationName", "must not be empty")
	}
	if err := v.err(); err != nil {
		return err
	}
	return preReleaseStatus(s.client.postOperation(ctx, "me/channels/"+url.PathEscape(channel), meOp{OperationName: op}, true))
}

// preReleaseStatus accepts the agent-state replies of 8.5.0/8.5.1
// pre-release servers, which answer {"status":"ok"} or
// {"status":"error","errorDescription":...} instead of the statusCode
// envelope: "ok" is success, "error" an *APIError with the description.
func preReleaseStatus(_ *SendResult, err error) error {
	var de *DecodeError
	if !errors.As(err, &de) {
		return err
	}
	var old struct {
		Status           *string `json:"status"`
		ErrorDescription string  `json:"errorDescription"`
	}
	if json.Unmarshal(de.Body, &old) != nil || old.Status == nil {
		return err
	}
	switch *old.Status {
	case "ok":
		return nil
	case "error":
		return &APIError{HTTPStatus: http.StatusOK, Method: de.Method, URL: de.URL,
			GWSStatusCode: StatusInternalError, GWSStatusMessage: old.ErrorDescription, Body: de.Body}
	}
	return err
}

// SetAgentStateAll runs an agent-state operation on every channel (POST {base}/me).
func (s *AgentService) SetAgentStateAll(ctx context.Context, op Operation) error {
	if op == "" {
		return &ValidationError{Fields: []FieldError{{Field: "operationName", Rule: "must not be empty"}}}
	}
	return preReleaseStatus(s.client.postOperation(ctx, "me", meOp{OperationName: op}, true))
}

// ChannelResult is one channel's outcome in a partly failed
// StartContactCenterSession.
type ChannelResult struct {
	// Channel is the channel name, such as "chat".
	Channel string
	// StatusCode is 0 for a channel that succeeded.
	StatusCode StatusCode
	// StatusMessage says why a channel failed.
	StatusMessage string
}

// SessionStartError is a StartContactCenterSession that succeeded on some
// channels only (statusCode 7). It unwraps to the *APIError, so
// errors.Is(err, ErrPartialSuccess) and errors.As to *APIError work.
type SessionStartError struct {
	*APIError
	// Channels lists every channel the answer reported, in the answer's
	// order (or by name when the answer keyed them by name).
	Channels []ChannelResult
}

// ErrPartialSuccess matches a *SessionStartError: GWS statusCode 7.
var ErrPartialSuccess = errors.New("omni: partial success")

// Error names the channels that failed.
func (e *SessionStartError) Error() string {
	var b bytes.Buffer
	b.WriteString("omni: StartContactCenterSession partly failed:")
	failed := e.Failed()
	if len(failed) == 0 {
		fmt.Fprintf(&b, " %s (no channel named in the answer)", e.APIError.GWSStatusMessage)
	}
	for _, ch := range failed {
		fmt.Fprintf(&b, " %s: statusCode %d (%s)", ch.Channel, int(ch.StatusCode), ch.StatusCode)
		if ch.StatusMessage != "" {
			fmt.Fprintf(&b, " %q", ch.StatusMessage)
		}
		b.WriteByte(';')
	}
	return b.String()
}

// Unwrap returns the *APIError.
func (e *SessionStartError) Unwrap() error { return e.APIError }

// Is matches ErrPartialSuccess.
func (e *SessionStartError) Is(target error) bool { return target == ErrPartialSuccess }

// Failed returns the channels whose statusCode is not 0.
func (e *SessionStartError) Failed() []ChannelResult {
	var out []ChannelResult
	for _, ch := range e.Channels {
		if ch.StatusCode != StatusSuccess {
			out = append(out, ch)
		}
	}
	return out
}

// wireChannelResult is one channel's part of a statusCode 7 answer.
type wireChannelResult struct {
	Channel       string   `json:"channel"`
	Name          string   `json:"name"`
	StatusCode    *flexInt `json:"statusCode"`
	StatusMessage string   `json:"statusMessage"`
}

// channelResults reads the per-channel codes of a statusCode 7 answer. The
// documents say each channel reports "statusCode:0" or a statusCode and
// statusMessage but show no sample, so the layout is inferred and read
// tolerantly: an array of {channel,statusCode,statusMessage} under
// "channels" (or "results"), or objects keyed by channel name, at the top
// level or under "channels".
func channelResults(body []byte) []ChannelResult {
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return nil
	}
	for _, key := range []string{"channels", "results"} {
		raw := bytes.TrimSpace(top[key])
		if len(raw) == 0 {
			continue
		}
		switch raw[0] {
		case '[':
			var list []wireChannelResult
			if json.Unmarshal(raw, &list) != nil {
				continue
			}
			out := make([]ChannelResult, 0, len(list))
			for _, w := range list {
				name := w.Channel
				if name == "" {
					name = w.Name
				}
				out = append(out, w.result(name))
			}
			return out
		case '{':
			var byName map[string]json.RawMessage
			if json.Unmarshal(raw, &byName) == nil {
				if out := keyedResults(byName); len(out) > 0 {
					return out
				}
			}
		}
	}
	return keyedResults(top)
}

// keyedResults reads {"<channel>":{"statusCode":N,...}} entries.
func keyedResults(m map[string]json.RawMessage) []ChannelResult {
	var out []ChannelResult
	for name, raw := range m {
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 || raw[0] != '{' {
			continue
		}
		var w wireChannelResult
		if json.Unmarshal(raw, &w) != nil || w.StatusCode == nil {
			continue
		}
		out = append(out, w.result(name))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Channel < out[j].Channel })
	return out
}

func (w wireChannelResult) result(name string) ChannelResult {
	r := ChannelResult{Channel: name, StatusMessage: w.StatusMessage}
	if w.StatusCode != nil {
		r.StatusCode = StatusCode(*w.StatusCode)
	}
	return r
}

// Snapshot reads the agent's whole state, GET {base}/me?subresources=*:
// settings, channels and their states, devices, and the interactions the
// agent holds. GWS keeps no notification history, so after a CometD gap
// (a re-handshake) the snapshot is how a client catches up.
func (s *AgentService) Snapshot(ctx context.Context) (*AgentSnapshot, error) {
	var env readEnvelope
	q := url.Values{"subresources": {"*"}}
	if err := s.client.do(ctx, &call{ep: s.client.gws, method: http.MethodGet, path: "me", query: q}, &env); err != nil {
		return nil, err
	}
	raw := bytes.TrimSpace(env.fields["user"])
	if len(raw) == 0 || raw[0] != '{' {
		return nil, readDecodeError(s.client, "me", errors.New(`response has no "user" object`), env.raw)
	}
	snap, err := decodeSnapshot(raw)
	if err != nil {
		return nil, readDecodeError(s.client, "me", err, env.raw)
	}
	return snap, nil
}

// Channels reads the agent's channel states (GET {base}/me/channels?fields=*),
// the lighter read of recovery when only the channels matter.
func (s *AgentService) Channels(ctx context.Context) ([]ChannelState, error) {
	var env readEnvelope
	q := url.Values{"fields": {"*"}}
	if err := s.client.do(ctx, &call{ep: s.client.gws, method: http.MethodGet, path: "me/channels", query: q}, &env); err != nil {
		return nil, err
	}
	raw := bytes.TrimSpace(env.fields["channels"])
	if len(raw) == 0 || raw[0] != '[' {
		return nil, readDecodeError(s.client, "me/channels", errors.New(`response has no "channels" array`), env.raw)
	}
	chs, err := decodeChannels(raw)
	if err != nil {
		return nil, readDecodeError(s.client, "me/channels", err, env.raw)
	}
	return chs, nil
}
