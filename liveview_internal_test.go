package omni

import (
	"slices"
	"testing"
)

// TestResyncEndsOnlyListedKinds: a snapshot without a list for a kind (its
// attribute names are inferred) ends none of that kind's interactions; one
// with an empty list ends them.
func TestResyncEndsOnlyListedKinds(t *testing.T) {
	var ended []string
	tr := newTracker(InteractionHandlers{OnEnd: func(ev *InteractionEvent) { ended = append(ended, string(ev.Kind)+"/"+ev.ID) }})
	tr.apply(Interaction{Kind: KindTweet, ID: "T", State: StateProcessing, Inbound: true}, nil, false)
	tr.apply(Interaction{Kind: KindFacebook, ID: "F", State: StateProcessing, Inbound: true}, nil, false)
	mark := tr.mark()

	snap, err := decodeSnapshot([]byte(`{"id":"1","facebook":[]}`)) // no tweets list at all
	if err != nil {
		t.Fatal(err)
	}
	tr.resync(snap, mark, nil)
	if len(ended) != 1 || ended[0] != "facebook/F" {
		t.Fatalf("ended %v, want only facebook/F", ended)
	}
	if live := tr.interactions(); len(live) != 1 || live[0].ID != "T" {
		t.Fatalf("live %+v, want the tweet", live)
	}
	snap, _ = decodeSnapshot([]byte(`{"tweets":[]}`))
	tr.resync(snap, tr.mark(), nil)
	if len(ended) != 2 || ended[1] != "tweet/T" {
		t.Fatalf("ended %v, want the tweet too", ended)
	}
}

// TestResyncKeepsNewerNotifications: an interaction a notification changed
// after the mark is left as the notification says, and one that ended after
// the mark is not revived by the older snapshot.
func TestResyncKeepsNewerNotifications(t *testing.T) {
	var events []string
	rec := func(what string) func(*InteractionEvent) {
		return func(ev *InteractionEvent) { events = append(events, what+" "+ev.ID+" "+string(ev.State)) }
	}
	tr := newTracker(InteractionHandlers{OnNew: rec("new"), OnChange: rec("change"), OnEnd: rec("end")})
	mark := tr.mark()
	// After the mark: A arrives and is accepted, B arrives and ends.
	tr.apply(Interaction{Kind: KindFacebookSession, ID: "A", State: StateInvited}, nil, false)
	tr.apply(Interaction{Kind: KindFacebookSession, ID: "A", State: StateChatting}, nil, false)
	tr.apply(Interaction{Kind: KindFacebookSession, ID: "B", State: StateInvited}, nil, false)
	tr.apply(Interaction{Kind: KindFacebookSession, ID: "B", State: StateCompleted}, nil, false)
	// The snapshot was read before: A still Invited, B still Invited.
	snap, err := decodeSnapshot([]byte(`{"facebooksessions":[{"id":"A","state":"Invited"},{"id":"B","state":"Invited"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	tr.resync(snap, mark, nil)
	want := []string{"new A Invited", "change A Chatting", "new B Invited", "end B Completed"}
	if len(events) != len(want) {
		t.Fatalf("events %q, want %q", events, want)
	}
	for i := range want {
		if events[i] != want[i] {
			t.Fatalf("events %q, want %q", events, want)
		}
	}
	if live := tr.interactions(); len(live) != 1 || live[0].State != StateChatting {
		t.Fatalf("live %+v", live)
	}
}

// TestTrackerReportsOnlyChanges: a notification that says what the view
// already holds (a duplicate, or the snapshot's word arriving late as a
// notification) is no OnChange; one that changes a property is.
func TestTrackerReportsOnlyChanges(t *testing.T) {
	var events []string
	rec := func(what string) func(*InteractionEvent) {
		return func(ev *InteractionEvent) { events = append(events, what+" "+ev.ID) }
	}
	tr := newTracker(InteractionHandlers{OnNew: rec("new"), OnChange: rec("change"), OnEnd: rec("end")})
	post := `{"id":"P","facebookType":"Inbound","state":"Processing","capabilities":["Reply"],"userData":{"k":"v"}}`
	snap, err := decodeSnapshot([]byte(`{"facebook":[` + post + `]}`))
	if err != nil {
		t.Fatal(err)
	}
	tr.resync(snap, tr.mark(), nil)
	notice := func(resource string) Notification {
		n, err := decodeNotification(ChannelFacebook, []byte(
			`{"messageType":"FacebookStateChangeMessage","notificationType":"StatusChange","facebook":`+resource+`}`), false)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	tr.notify(notice(post)) // the snapshot's word, late
	tr.notify(notice(post)) // and again
	tr.notify(notice(`{"id":"P","facebookType":"Inbound","state":"Processing","capabilities":["Reply"],"userData":{"k":"w"}}`))
	if want := []string{"new P", "change P"}; !slices.Equal(events, want) {
		t.Fatalf("events %q, want %q", events, want)
	}
}

// tweetNote decodes a /v2/me/twitter notification of tweet id in state.
func tweetNote(t *testing.T, typ, id string, state State) Notification {
	t.Helper()
	n, err := DecodeNotification(ChannelTwitter, []byte(`{"messageType":"TwitterStateChangeMessage","notificationType":"`+typ+
		`","twitter":{"id":"`+id+`","state":"`+string(state)+`"}}`))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestOnlyAWithdrawnInteractionComesBack: an offer (a StatusChange) of an
// interaction that ended Revoked (or Gone) makes it new; the same word
// about one that ended otherwise, a notification that is no offer
// (PropertiesUpdated, reordered after the withdrawal: outside review), or
// a stale snapshot holding the withdrawn one, revives nothing.
func TestOnlyAWithdrawnInteractionComesBack(t *testing.T) {
	var events []string
	rec := func(what string) func(*InteractionEvent) {
		return func(ev *InteractionEvent) {
			by := "snapshot"
			if ev.Notification != nil {
				by = string(ev.Notification.Header().NotificationType)
			}
			events = append(events, what+" "+ev.ID+" "+string(ev.State)+" by "+by)
		}
	}
	tr := newTracker(InteractionHandlers{OnNew: rec("new"), OnEnd: rec("end")})
	for _, id := range []string{"R", "C", "G"} {
		tr.notify(tweetNote(t, "StatusChange", id, StateProcessing))
	}
	tr.notify(tweetNote(t, "StatusChange", "R", StateRevoked))
	tr.notify(tweetNote(t, "StatusChange", "C", StateCompleted))
	tr.end(Interaction{Kind: KindTweet, ID: "G", State: StateProcessing})
	tr.notify(tweetNote(t, "PropertiesUpdated", "R", StateProcessing)) // sent before the withdrawal
	for _, id := range []string{"R", "C", "G"} {
		tr.notify(tweetNote(t, "StatusChange", id, StateProcessing))
	}
	want := []string{"new R Processing by StatusChange", "new C Processing by StatusChange", "new G Processing by StatusChange",
		"end R Revoked by StatusChange", "end C Completed by StatusChange", "end G Processing by snapshot",
		"new R Processing by StatusChange", "new G Processing by StatusChange"}
	if !slices.Equal(events, want) {
		t.Fatalf("events\n%q\nwant\n%q", events, want)
	}
}

// TestSnapshotAfterAWithdrawalRevives: when the offer that follows a
// withdrawal is lost in a gap, the re-sync's snapshot, read after the
// withdrawal and showing the interaction live, reports it new; a snapshot
// read before the withdrawal does not (outside review: the view lost it).
func TestSnapshotAfterAWithdrawalRevives(t *testing.T) {
	var events []string
	rec := func(what string) func(*InteractionEvent) {
		return func(ev *InteractionEvent) { events = append(events, what+" "+ev.ID+" "+string(ev.State)) }
	}
	tr := newTracker(InteractionHandlers{OnNew: rec("new"), OnEnd: rec("end")})
	tr.notify(tweetNote(t, "StatusChange", "R", StateProcessing))
	tr.notify(tweetNote(t, "StatusChange", "G", StateProcessing))
	early := tr.mark() // a snapshot read now is from before the ends
	tr.notify(tweetNote(t, "StatusChange", "R", StateRevoked))
	tr.end(Interaction{Kind: KindTweet, ID: "G", State: StateProcessing})
	snap, err := decodeSnapshot([]byte(`{"tweets":[{"id":"R","state":"Processing"},{"id":"G","state":"Processing"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	tr.resync(snap, early, nil)
	if len(events) != 4 {
		t.Fatalf("a stale snapshot revived: %q", events)
	}
	tr.resync(snap, tr.mark(), nil) // read after the ends: offered again meanwhile
	want := []string{"new R Processing", "new G Processing", "end R Revoked", "end G Processing", "new R Processing", "new G Processing"}
	if !slices.Equal(events, want) {
		t.Fatalf("events\n%q\nwant\n%q", events, want)
	}
}
