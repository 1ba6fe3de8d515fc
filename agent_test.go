package omni_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/omnisdk/omni"
)

// TestAgentOperationsOnTheWire checks each agent-session operation's request
// against the documented form: method, path and JSON body.
func TestAgentOperationsOnTheWire(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name, path, body string
		run              func(c *omni.Client) error
	}{
		{"StartContactCenterSession", "/api/v2/me", // [S48]
			`{"operationName":"StartContactCenterSession","channels":["voice","chat"]}`,
			func(c *omni.Client) error {
				return c.Agent.StartContactCenterSession(ctx, omni.SessionStart{Channels: []string{"voice", "chat"}})
			}},
		{"StartContactCenterSession with place", "/api/v2/me",
			`{"operationName":"StartContactCenterSession","channels":["facebook"],"place":"place_1","devicePath":"/devices/1"}`,
			func(c *omni.Client) error {
				return c.Agent.StartContactCenterSession(ctx, omni.SessionStart{Channels: []string{"facebook"},
					Place: "place_1", DevicePath: "/devices/1"})
			}},
		{"Ready one channel", "/api/v2/me/channels/chat", `{"operationName":"Ready"}`, // [S49]
			func(c *omni.Client) error { return c.Agent.Ready(ctx, "chat") }},
		{"NotReady one channel", "/api/v2/me/channels/chat", `{"operationName":"NotReady"}`,
			func(c *omni.Client) error { return c.Agent.NotReady(ctx, "chat") }},
		{"custom state", "/api/v2/me/channels/chat", `{"operationName":"OutToLunch"}`, // [S50]
			func(c *omni.Client) error { return c.Agent.SetAgentState(ctx, "chat", "OutToLunch") }},
		{"Ready all", "/api/v2/me", `{"operationName":"Ready"}`,
			func(c *omni.Client) error { return c.Agent.ReadyAll(ctx) }},
		{"NotReady all", "/api/v2/me", `{"operationName":"NotReady"}`,
			func(c *omni.Client) error { return c.Agent.NotReadyAll(ctx) }},
		{"custom state all", "/api/v2/me", `{"operationName":"OutToLunch"}`,
			func(c *omni.Client) error { return c.Agent.SetAgentStateAll(ctx, "OutToLunch") }},
		{"EndContactCenterSession", "/api/v2/me", `{"operationName":"EndContactCenterSession"}`, // [S52]
			func(c *omni.Client) error { return c.Agent.EndContactCenterSession(ctx) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := newFakeServer(t, reply(200, `{"statusCode":0}`))
			if err := tc.run(newGWS(t, fs)); err != nil {
				t.Fatal(err)
			}
			reqs := fs.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			if reqs[0].Method != http.MethodPost || reqs[0].RequestURI != tc.path {
				t.Errorf("request %s %s, want POST %s", reqs[0].Method, reqs[0].RequestURI, tc.path)
			}
			assertJSONEqual(t, reqs[0].Body, []byte(tc.body))
		})
	}
}

// TestAgentValidation: bad input is refused before any byte is sent.
func TestAgentValidation(t *testing.T) {
	ctx := context.Background()
	fs := newFakeServer(t, reply(200, `{"statusCode":0}`))
	c := newGWS(t, fs)
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"no channels", c.Agent.StartContactCenterSession(ctx, omni.SessionStart{}), "channels: must list at least one channel"},
		{"empty channel", c.Agent.StartContactCenterSession(ctx, omni.SessionStart{Channels: []string{"voice", ""}}),
			"channels[1]: must not be empty"},
		{"Ready without channel", c.Agent.Ready(ctx, ""), "channel: must not be empty"},
		{"dot channel", c.Agent.Ready(ctx, ".."), `channel: must not be ".."`},
		{"empty state", c.Agent.SetAgentState(ctx, "chat", ""), "operationName: must not be empty"},
		{"empty state all", c.Agent.SetAgentStateAll(ctx, ""), "operationName: must not be empty"},
	}
	for _, tc := range cases {
		var ve *omni.ValidationError
		if !errors.As(tc.err, &ve) || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want a *ValidationError with %q", tc.name, tc.err, tc.want)
		}
	}
	if n := len(fs.requests()); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}

// TestStartContactCenterSessionPartialFailure: statusCode 7 reports each
// channel's code and message. The documents describe the answer ("the
// successful part returns statusCode 0 while the failed part returns a
// statusCode and statusMessage") without a sample; both layouts the SDK reads
// are checked.
func TestStartContactCenterSessionPartialFailure(t *testing.T) {
	bodies := map[string]string{
		"array": `{"statusCode":7,"statusMessage":"Partial success","channels":[` +
			`{"channel":"voice","statusCode":0},` +
			`{"channel":"chat","statusCode":4,"statusMessage":"Interaction Server is out of service"}]}`,
		"keyed": `{"statusCode":7,"statusMessage":"Partial success",` +
			`"voice":{"statusCode":0},"chat":{"statusCode":4,"statusMessage":"Interaction Server is out of service"}}`,
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			fs := newFakeServer(t, reply(200, body))
			err := newGWS(t, fs).Agent.StartContactCenterSession(context.Background(),
				omni.SessionStart{Channels: []string{"voice", "chat"}})
			var se *omni.SessionStartError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want *SessionStartError", err)
			}
			if !errors.Is(err, omni.ErrPartialSuccess) {
				t.Error("errors.Is(err, ErrPartialSuccess) = false")
			}
			var ae *omni.APIError
			if !errors.As(err, &ae) || ae.GWSStatusCode != omni.StatusPartialSuccess {
				t.Errorf("APIError = %+v", ae)
			}
			byName := map[string]omni.ChannelResult{}
			for _, ch := range se.Channels {
				byName[ch.Channel] = ch
			}
			if len(byName) != 2 || byName["voice"].StatusCode != 0 ||
				byName["chat"] != (omni.ChannelResult{Channel: "chat", StatusCode: 4, StatusMessage: "Interaction Server is out of service"}) {
				t.Errorf("Channels = %+v", se.Channels)
			}
			if f := se.Failed(); len(f) != 1 || f[0].Channel != "chat" {
				t.Errorf("Failed() = %+v", f)
			}
			want := `omni: StartContactCenterSession partly failed: chat: statusCode 4 (internal error) "Interaction Server is out of service";`
			if err.Error() != want {
				t.Errorf("Error() = %q\nwant %q", err.Error(), want)
			}
		})
	}
}

// TestStartContactCenterSessionAllFail: every channel failing is one code and
// message, a plain *APIError.
func TestStartContactCenterSessionAllFail(t *testing.T) {
	fs := newFakeServer(t, reply(200, `{"statusCode":4,"statusMessage":"Interaction Server is out of service"}`))
	err := newGWS(t, fs).Agent.StartContactCenterSession(context.Background(), omni.SessionStart{Channels: []string{"chat"}})
	var se *omni.SessionStartError
	if errors.As(err, &se) || !errors.Is(err, omni.ErrServer) || errors.Is(err, omni.ErrPartialSuccess) {
		t.Fatalf("err = %v, want a plain *APIError matching ErrServer", err)
	}
}

// TestChannelNotificationBothForms decodes the documented /v2/me/channels
// samples (no messageType) and the ChannelStateChangeMessageV2 form.
func TestChannelNotificationBothForms(t *testing.T) {
	n, err := omni.DecodeNotification(omni.ChannelChannels, golden(t, "lifecycle/channels_ready.json"))
	if err != nil {
		t.Fatal(err)
	}
	ev, ok := n.(*omni.ChannelStateChange)
	if !ok {
		t.Fatalf("decoded %T, want *ChannelStateChange", n)
	}
	if len(ev.Channels) != 1 || ev.Channels[0].Channel != "chat" || !ev.Channels[0].Ready() ||
		ev.Channels[0].UserState != (omni.UserState{ID: "9430250E-0A1B-421F-B372-F29E69366DED", DisplayName: "Ready", State: "Ready"}) {
		t.Errorf("channels = %+v", ev.Channels)
	}
	if ev.MessageType != "" {
		t.Errorf("MessageType = %q, want empty (the sample has none)", ev.MessageType)
	}

	n, err = omni.DecodeNotification(omni.ChannelChannels, golden(t, "lifecycle/channels_dnd.json"))
	if err != nil {
		t.Fatal(err)
	}
	ev, ok = n.(*omni.ChannelStateChange)
	if !ok || len(ev.Channels) != 1 || ev.Channels[0].Channel != "" || ev.Channels[0].DNDState != "On" ||
		ev.Channels[0].UserState.State != "NotReady" || ev.Channels[0].Ready() {
		t.Errorf("dnd sample decoded as %#v", n)
	}

	v2 := `{"messageType":"ChannelStateChangeMessageV2","channels":[{"channel":"facebook",` +
		`"userState":{"id":"9430250E-0A1B-421F-B372-F29E69366DED","displayName":"Ready","state":"Ready"}}]}`
	n, err = omni.DecodeNotification(omni.ChannelChannels, []byte(v2))
	if err != nil {
		t.Fatal(err)
	}
	ev, ok = n.(*omni.ChannelStateChange)
	if !ok || ev.MessageType != "ChannelStateChangeMessageV2" || len(ev.Channels) != 1 ||
		ev.Channels[0].Channel != "facebook" || !ev.Channels[0].Ready() {
		t.Errorf("V2 form decoded as %#v", n)
	}

	// A message without messageType on another topic stays unknown.
	n, _ = omni.DecodeNotification("/v2/me/devices", golden(t, "lifecycle/channels_ready.json"))
	if _, ok := n.(*omni.UnknownNotification); !ok {
		t.Errorf("on /v2/me/devices decoded %T, want *UnknownNotification", n)
	}
}

// TestSnapshot reads GET /me?subresources=* into the typed snapshot.
func TestSnapshot(t *testing.T) {
	body := `{"statusCode":0,"user":{"id":"0000000000000001","userName":"agent1","firstName":"Test","lastName":"Agent",` +
		`"roles":["ROLE_AGENT"],"settings":{"agent-desktop":{"theme":"dark"}},"devices":[],` +
		`"channels":[{"channel":"facebook","userState":{"id":"1","displayName":"Ready","state":"Ready"}}],` +
		`"facebook":[{"id":"01QG4HAN88NP400N","state":"Processing","facebookType":"Inbound","capabilities":["Reply","Complete"]}],` +
		`"tweets":[{"id":"0000C7B43E1C003N","state":"Processing","tweetType":"Inbound","capabilities":["Reply"]}],` +
		`"facebooksessions":[{"id":"0000Na9B26EF002X","state":"Chatting","capabilities":["SendMessage"]}]}}`
	fs := newFakeServer(t, reply(200, body))
	snap, err := newGWS(t, fs).Agent.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	reqs := fs.requests()
	if reqs[0].Method != http.MethodGet || reqs[0].RequestURI != "/api/v2/me?subresources=*" {
		t.Errorf("request %s %s", reqs[0].Method, reqs[0].RequestURI)
	}
	if snap.UserName != "agent1" || snap.Settings["agent-desktop"]["theme"] != "dark" ||
		len(snap.Channels) != 1 || !snap.Channels[0].Ready() {
		t.Errorf("snapshot = %+v", snap)
	}
	if len(snap.Facebook) != 1 || !snap.Facebook[0].Can(omni.OpReply) || snap.Facebook[0].Can(omni.OpCancel) {
		t.Errorf("Facebook = %+v", snap.Facebook)
	}
	if len(snap.Tweets) != 1 || snap.Tweets[0].TwitterType != "Inbound" {
		t.Errorf("Tweets = %+v", snap.Tweets)
	}
	if len(snap.FacebookSessions) != 1 || !snap.FacebookSessions[0].Can(omni.OpSendMessage) {
		t.Errorf("FacebookSessions = %+v", snap.FacebookSessions)
	}
}

// TestInvalidStateSentinel: statusCode 2 matches ErrInvalidState.
func TestInvalidStateSentinel(t *testing.T) {
	fs := newFakeServer(t, reply(400, `{"statusCode":2,"statusMessage":"Operation Reply is not valid for the current state"}`))
	_, err := newGWS(t, fs).Facebook.Send(context.Background(), "01QQQG2MU214P06D", seedFacebook)
	if !errors.Is(err, omni.ErrInvalidState) {
		t.Fatalf("err = %v, want ErrInvalidState", err)
	}
	fs = newFakeServer(t, reply(400, `{"statusCode":3,"statusMessage":"Forbidden"}`))
	_, err = newGWS(t, fs).Facebook.Send(context.Background(), "01QQQG2MU214P06D", seedFacebook)
	if errors.Is(err, omni.ErrInvalidState) {
		t.Fatal("statusCode 3 matched ErrInvalidState")
	}
}

// TestAgentStatePreReleaseReplies: 8.5.0/8.5.1 pre-release pages answer the
// agent-state operations with {"status":"ok"} or {"status":"error",...}.
func TestAgentStatePreReleaseReplies(t *testing.T) {
	fs := newFakeServer(t, reply(200, `{"status":"ok"}`))
	if err := newGWS(t, fs).Agent.Ready(context.Background(), "chat"); err != nil {
		t.Fatalf("Ready with {status:ok}: %v", err)
	}
	fs = newFakeServer(t, reply(200, `{"status":"error","errorDescription":"Agent is not logged in"}`))
	err := newGWS(t, fs).Agent.NotReadyAll(context.Background())
	var ae *omni.APIError
	if !errors.As(err, &ae) || ae.GWSStatusMessage != "Agent is not logged in" || !errors.Is(err, omni.ErrServer) {
		t.Fatalf("NotReadyAll with {status:error}: %v", err)
	}
	fs = newFakeServer(t, reply(200, `{"other":1}`))
	var de *omni.DecodeError
	if err := newGWS(t, fs).Agent.Ready(context.Background(), "chat"); !errors.As(err, &de) {
		t.Fatalf("Ready with no status at all: %v, want *DecodeError", err)
	}
}

// TestAgentChannelsRead reads GET /me/channels?fields=* (the Channels resource).
func TestAgentChannelsRead(t *testing.T) {
	fs := newFakeServer(t, reply(200, string(golden(t, "lifecycle/channels_resource.json"))))
	chs, err := newGWS(t, fs).Agent.Channels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if r := fs.requests()[0]; r.Method != http.MethodGet || r.RequestURI != "/api/v2/me/channels?fields=*" {
		t.Errorf("request %s %s", r.Method, r.RequestURI)
	}
	if len(chs) != 2 || !chs[0].Ready() || chs[1].Channel != "voice" || chs[1].UserActivity != "Idle" || chs[1].SwitchName != "SIP_Switch" {
		t.Errorf("channels = %+v", chs)
	}
	fs = newFakeServer(t, reply(200, `{"statusCode":0}`))
	var de *omni.DecodeError
	if _, err := newGWS(t, fs).Agent.Channels(context.Background()); !errors.As(err, &de) {
		t.Errorf("no channels array: %v, want *DecodeError", err)
	}
}
