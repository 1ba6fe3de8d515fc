package omni

import (
	"bytes"
	"encoding/json"
)

// AgentSnapshot is the agent's state as GET {base}/me?subresources=* reports
// it: the user, settings, channel states and the interactions held.
//
// The documents show the snapshot's settings, devices, channels, calls and
// chats; the attribute names of the social interactions inside it are
// inferred from the collection reads (facebook, tweets/twitter,
// facebooksessions) and read under each of their spellings.
type AgentSnapshot struct {
	// ID, UserName, FirstName, LastName, Roles, URI and Path describe the user.
	ID        string   `json:"id"`
	UserName  string   `json:"userName"`
	FirstName string   `json:"firstName"`
	LastName  string   `json:"lastName"`
	Roles     []string `json:"roles"`
	URI       string   `json:"uri"`
	Path      string   `json:"path"`
	// Settings is settings{<section>{key:value}}, free-form.
	Settings map[string]map[string]any `json:"settings"`
	// Channels are the agent's channel states.
	Channels []ChannelState `json:"-"`
	// Facebook, Tweets and FacebookSessions are the interactions the agent
	// holds, each with its state and capabilities.
	Facebook         []Facebook        `json:"-"`
	Tweets           []Tweet           `json:"-"`
	FacebookSessions []FacebookSession `json:"-"`
	// Raw is the user object as received, with devices, calls, chats and
	// every other subresource.
	Raw json.RawMessage `json:"-"`

	// listed says which kinds the snapshot had an array for: a kind it does
	// not list tells nothing about that kind's interactions (the attribute
	// names are inferred), so a re-sync must not end them.
	listed map[InteractionKind]bool
}

// Lists reports whether the snapshot held a list of interactions of kind
// (possibly empty). When it did not, Facebook, Tweets or FacebookSessions
// being empty means nothing: the server did not say.
func (s *AgentSnapshot) Lists(kind InteractionKind) bool { return s.listed[kind] }

// decodeSnapshot decodes the "user" object of GET /me?subresources=*.
func decodeSnapshot(raw json.RawMessage) (*AgentSnapshot, error) {
	snap := &AgentSnapshot{Raw: bytes.Clone(raw)}
	if err := json.Unmarshal(raw, snap); err != nil {
		return nil, err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, err
	}
	if v := bytes.TrimSpace(fields["channels"]); len(v) > 0 && v[0] == '[' {
		chs, err := decodeChannels(v)
		if err != nil {
			return nil, err
		}
		snap.Channels = chs
	}
	snap.listed = map[InteractionKind]bool{}
	var err error
	if snap.Facebook, snap.listed[KindFacebook], err = decodeList(fields, facebookCodec); err != nil {
		return nil, err
	}
	if snap.Tweets, snap.listed[KindTweet], err = decodeList(fields, tweetCodec); err != nil {
		return nil, err
	}
	if snap.FacebookSessions, snap.listed[KindFacebookSession], err = decodeList(fields, sessionCodec); err != nil {
		return nil, err
	}
	return snap, nil
}

// decodeList decodes the first array attribute named by k's keys; found
// says whether there was one.
func decodeList[T any](fields map[string]json.RawMessage, k codec[T]) (list []T, found bool, err error) {
	raw, ok := k.find(fields, '[')
	if !ok {
		return nil, false, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, true, err
	}
	out := make([]T, 0, len(items))
	for _, it := range items {
		v, err := k.decode(it)
		if err != nil {
			return nil, true, err
		}
		out = append(out, v)
	}
	return out, true, nil
}
