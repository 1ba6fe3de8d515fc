package omnitest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/omnisdk/omni"
)

// Accept on a customer's private session publishes, as the documents'
// Accept sample shows, a StatusChange to Chatting that lists no
// participants, then a ParticipantsUpdated naming the agent and the
// customer (sixth outside review: the StatusChange already listed them, so
// code reading the customer from it passed here only).
func TestAcceptPublishesStatusChangeThenParticipants(t *testing.T) {
	srv := NewServer(t)
	c := srv.NewClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	if err := c.Agent.StartContactCenterSession(ctx, omni.SessionStart{Channels: []string{AgentChannelFacebookSession}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Agent.Ready(ctx, AgentChannelFacebookSession); err != nil {
		t.Fatal(err)
	}
	id := srv.CustomerPrivateMessage("alice", "hello")
	r, err := c.FacebookSessions.Accept(ctx, id, "Kristi")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"StatusChange Chatting:", "ParticipantsUpdated Chatting: Agent/Kristi Customer/alice"}
	var got []string
	for deadline := time.Now().Add(guard); len(got) < len(want) && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		got = acceptNotices(srv, r.ReferenceID)
	}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("Accept published %q, want %q", got, want)
	}
}

// acceptNotices describes the session notifications with referenceId ref.
func acceptNotices(srv *Server, ref int64) []string {
	reqs := srv.Requests(ByReferenceID(ref)) // recorded once the handler has answered
	if len(reqs) == 0 {
		return nil
	}
	var got []string
	for _, m := range reqs[0].Notifications {
		var d struct {
			ReferenceID      int64  `json:"referenceId"`
			NotificationType string `json:"notificationType"`
			Session          *struct {
				State        string `json:"state"`
				Participants []struct {
					Type     string `json:"type"`
					Nickname string `json:"nickname"`
				} `json:"participants"`
			} `json:"facebooksession"`
		}
		if m.Channel != ChannelFacebookSession || json.Unmarshal(m.Data, &d) != nil || d.ReferenceID != ref || d.Session == nil {
			continue
		}
		s := d.NotificationType + " " + d.Session.State + ":"
		for _, p := range d.Session.Participants {
			s += " " + p.Type + "/" + p.Nickname
		}
		got = append(got, s)
	}
	return got
}
