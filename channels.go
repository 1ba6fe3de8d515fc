package omni

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// ChannelChannels is the topic of the agent's channel states.
const ChannelChannels = "/v2/me/channels"

// ChannelStateChange is a notification on /v2/me/channels: the agent's state
// changed on one or more channels. GWS sends it in two shapes and both decode
// here: with messageType ChannelStateChangeMessageV2 (public client code and
// the supervisor pages of the documents), and without any messageType (the
// agent-side samples of the documents), in which case MessageType is "".
type ChannelStateChange struct {
	NotificationHeader
	// Channels are the channels whose state changed.
	Channels []ChannelState
}

// ChannelState is one channel of the agent, in a /v2/me/channels
// notification or in the snapshot.
type ChannelState struct {
	// Channel is the channel name, such as "chat" or "voice". One documented
	// sample has none (a do-not-disturb change): then it is "".
	Channel string `json:"channel"`
	// UserState is the agent's state on the channel.
	UserState UserState `json:"userState"`
	// UserActivity is, on voice, "Idle" and the like.
	UserActivity string `json:"userActivity"`
	// DNDState is the do-not-disturb state, "On" or "Off".
	DNDState string `json:"dndState"`
	// PhoneNumber and SwitchName are set on voice.
	PhoneNumber string `json:"phoneNumber"`
	SwitchName  string `json:"switchName"`
	// Raw is the channel object as received, with every field.
	Raw json.RawMessage `json:"-"`
}

// UserState is an agent state on a channel.
type UserState struct {
	// ID identifies the state in the contact center's configuration.
	ID string `json:"id"`
	// DisplayName is the state's name as shown to agents, such as "Ready".
	DisplayName string `json:"displayName"`
	// State is Ready, NotReady or another state name.
	State string `json:"state"`
	// Reason and ReasonCode explain a NotReady state (8.5.0 samples).
	Reason     string `json:"reason"`
	ReasonCode string `json:"reasonCode"`
	// WorkMode is, for instance, "AuxWork".
	WorkMode string `json:"workMode"`
}

// UnmarshalJSON decodes a channel state and sets Raw to data. A field of
// an unexpected type is left zero and reported as encoding/json reports it,
// after the other fields are decoded; Raw keeps it. null leaves c
// unchanged; a JSON value other than an object is an error.
func (c *ChannelState) UnmarshalJSON(data []byte) error {
	if null, err := objectOrNull(data, reflect.TypeFor[ChannelState]()); null || err != nil {
		return err
	}
	type plain ChannelState // without this method
	err := json.Unmarshal(data, (*plain)(c))
	c.Raw = bytes.Clone(data)
	return renamed(err, reflect.TypeFor[plain](), reflect.TypeFor[ChannelState]())
}

// Ready reports whether the channel's state is Ready.
func (c ChannelState) Ready() bool { return c.UserState.State == "Ready" }

// OnChannelState handles the agent's channel-state notifications (/v2/me/channels).
func OnChannelState(fn func(*ChannelStateChange)) Handler { return typed(ChannelChannels, fn) }

// decodeChannels decodes a channels array, keeping each object's raw form.
func decodeChannels(raw json.RawMessage) ([]ChannelState, error) {
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, err
	}
	out := make([]ChannelState, 0, len(items))
	for _, it := range items {
		var ch ChannelState
		if err := lenient(json.Unmarshal(it, &ch)); err != nil {
			return nil, err
		}
		out = append(out, ch)
	}
	return out, nil
}

// decodeLifecycleNotification decodes the notification kinds of the agent
// session and the social lifecycle that DecodeNotification's own switch does
// not know. ok is false when data is none of them.
func decodeLifecycleNotification(h NotificationHeader, data []byte) (Notification, bool, error) {
	if !strings.EqualFold(h.MessageType, "ChannelStateChangeMessageV2") && (h.MessageType != "" || !strings.HasSuffix(h.Channel, "/channels")) {
		return nil, false, nil
	}
	var w struct {
		Channels json.RawMessage `json:"channels"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, false, nil // DecodeNotification has already decoded data as an object
	}
	raw := bytes.TrimSpace(w.Channels)
	if len(raw) == 0 || raw[0] != '[' {
		return nil, false, nil
	}
	chs, err := decodeChannels(raw)
	if err != nil {
		return nil, false, fmt.Errorf("omni: decoding channels on %s: %w", h.Channel, err)
	}
	return &ChannelStateChange{NotificationHeader: h, Channels: chs}, true, nil
}
