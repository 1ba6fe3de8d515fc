package omni_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/omnitest"
)

// A PropertiesUpdated that carries only what changed (no state, no
// capabilities, no direction) keeps the live view's state, capabilities and
// direction of the interaction (sixth outside review: they were wiped to
// "" and none). A terminal state without capabilities still has none.
func TestLiveViewKeepsWhatAPartialNotificationDoesNotSay(t *testing.T) {
	srv, c := simClient(t)
	ctx := context.Background()
	changes := make(chan omni.Interaction, 8)
	v, err := c.Watch(ctx, omni.InteractionHandlers{
		OnChange: func(ev *omni.InteractionEvent) { changes <- ev.Interaction },
		OnEnd:    func(ev *omni.InteractionEvent) { changes <- ev.Interaction },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	startAgent(t, c, nil, omnitest.AgentChannelFacebook)
	id := srv.CustomerPost("FirstL", "hello")
	var before omni.Interaction
	for deadline := time.Now().Add(guardTimeout); before.ID == ""; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the post never reached the view")
		}
		for _, in := range v.Interactions() {
			if in.ID == id {
				before = in
			}
		}
	}
	if before.State == "" || len(before.Capabilities) == 0 || !before.Inbound {
		t.Fatalf("the post arrived as %+v", before)
	}
	srv.Publish(omni.ChannelFacebook, map[string]any{"messageType": "FacebookStateChangeMessage",
		"notificationType": "PropertiesUpdated", "referenceId": 99,
		"facebook": map[string]any{"id": id, "userData": map[string]any{"DISP_KEY": "resolved"}}})
	got := <-changes
	if got.State != before.State || !slices.Equal(got.Capabilities, before.Capabilities) || !got.Inbound ||
		got.Facebook.UserData["DISP_KEY"] != "resolved" {
		t.Errorf("after a partial PropertiesUpdated: %+v; want state %s, capabilities %v, inbound, and the new userData",
			got, before.State, before.Capabilities)
	}
	srv.Publish(omni.ChannelFacebook, map[string]any{"messageType": "FacebookStateChangeMessage",
		"notificationType": "StatusChange", "referenceId": 100, "facebook": map[string]any{"id": id, "state": "Completed"}})
	if got := <-changes; got.State != omni.StateCompleted || len(got.Capabilities) != 0 {
		t.Errorf("after Completed without capabilities: %+v; want Completed with none", got)
	}
}
