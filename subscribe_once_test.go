package omni_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/omnitest"
)

// markerChannel is a channel under /v2/me/ no interaction handler listens to:
// a notification published on it after the others reaches the wildcard
// handler after every delivery of what came before (one goroutine, in
// order), so counting then sees every duplicate there would be.
const markerChannel = "/v2/me/devices"

// counter counts calls per key and signals the marker.
type counter struct {
	mu     sync.Mutex
	n      map[string]int
	marker chan struct{}
}

func newCounter() *counter {
	return &counter{n: map[string]int{}, marker: make(chan struct{}, 16)}
}

func (c *counter) add(key string) {
	c.mu.Lock()
	c.n[key]++
	c.mu.Unlock()
}

func (c *counter) get(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[key]
}

// waitMarker publishes a marker on markerChannel and waits until the
// wildcard handler saw it.
func (c *counter) waitMarker(t *testing.T, srv *omnitest.Server) {
	t.Helper()
	if srv.Publish(markerChannel, map[string]any{"messageType": "Marker"}) == 0 {
		t.Fatal("marker reached no session")
	}
	waitUntil(t, "the marker", func() bool {
		select {
		case <-c.marker:
			return true
		default:
			return false
		}
	})
}

// TestSubscribeOverlappingChannelsDeliverOnce: with OnNotification
// (/v2/me/**), OnFacebook (/v2/me/facebook), OnChannel on the same exact
// channel and OnUnknown in one Subscribe, each handler runs exactly once per
// notification the server sent, although two CometD subscriptions match
// every Facebook notification.
func TestSubscribeOverlappingChannelsDeliverOnce(t *testing.T) {
	srv, c := simClient(t)
	ctx := context.Background()
	cnt := newCounter()
	sub, err := c.Subscribe(ctx,
		omni.OnNotification(func(n omni.Notification) {
			if n.Header().Channel == markerChannel {
				cnt.add("all marker")
				cnt.marker <- struct{}{}
				return
			}
			cnt.add("all " + n.Header().Channel)
		}),
		omni.OnFacebook(func(*omni.FacebookStateChange) { cnt.add("OnFacebook") }),
		omni.OnChannel(omni.ChannelFacebook, func(omni.Notification) { cnt.add("OnChannel facebook") }),
		omni.OnUnknown(func(u *omni.UnknownNotification) { cnt.add("OnUnknown " + u.Channel) }),
	)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	startAgent(t, c, nil, omnitest.AgentChannelFacebook)
	post := srv.CustomerPost("Labuprofen", "hello")
	cnt.waitMarker(t, srv)
	sent := 0
	for _, m := range srv.Messages() {
		if m.Direction == omnitest.Outbound && m.Channel == omni.ChannelFacebook &&
			strings.Contains(string(m.Raw), post) {
			sent++
		}
	}
	if sent != 1 {
		t.Fatalf("server sent %d notifications of the post, want 1", sent)
	}
	for key, want := range map[string]int{
		"OnFacebook": 1, "OnChannel facebook": 1, "all " + omni.ChannelFacebook: 1,
		"all marker": 1, "OnUnknown " + markerChannel: 1,
	} {
		if got := cnt.get(key); got != want {
			t.Errorf("%s called %d times, want %d", key, got, want)
		}
	}
}

// TestWatchWithWildcardExtraReportsOnce: a LiveView with an extra
// OnNotification handler reports a post as new once, its completion as its
// end once, and no change in between.
func TestWatchWithWildcardExtraReportsOnce(t *testing.T) {
	srv, c := simClient(t)
	ctx := context.Background()
	cnt := newCounter()
	rec := func(what string) func(*omni.InteractionEvent) {
		return func(ev *omni.InteractionEvent) { cnt.add(what + " " + ev.ID) }
	}
	v, err := c.Watch(ctx, omni.InteractionHandlers{OnNew: rec("new"), OnChange: rec("change"), OnEnd: rec("end")},
		omni.OnNotification(func(n omni.Notification) {
			if n.Header().Channel == markerChannel {
				cnt.marker <- struct{}{}
			}
		}))
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	startAgent(t, c, nil, omnitest.AgentChannelFacebook)
	post := srv.CustomerPost("Labuprofen", "hello")
	waitUntil(t, "the post", func() bool { return cnt.get("new "+post) > 0 })
	if _, err := c.Facebook.Complete(ctx, post, omni.Complete{}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the post's end", func() bool { return cnt.get("end "+post) > 0 })
	cnt.waitMarker(t, srv)
	if n, ch, e := cnt.get("new "+post), cnt.get("change "+post), cnt.get("end "+post); n != 1 || ch != 0 || e != 1 {
		t.Errorf("new %d, change %d, end %d; want 1, 0, 1", n, ch, e)
	}
}
