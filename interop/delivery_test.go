package interop

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestReceiveInOrder: handshake, subscribe and receive 1,000 server-side
// publishes in order, none lost or duplicated, then disconnect.
func TestReceiveInOrder(t *testing.T) {
	const n = 1000
	eachPeerTransport(t, nil, func(t *testing.T, spec PeerSpec, tr string) {
		p := StartPeer(t, spec.Name)
		c := newClient(t, p, tr)
		handshake(t, c, tr)
		_, col := subscribe(t, c, "/interop/order")

		p.Publish("/interop/order", n, map[string]any{"phase": "load"})
		// A marker published after the batch: once it arrives, any duplicate
		// of the batch would have arrived before it.
		col.wait(t, "1,000 messages", atLeast(n))
		p.Publish("/interop/order", 1, map[string]any{"phase": "end"})
		got := col.wait(t, "end marker", hasPhase("end"))

		if len(got) != n+1 {
			t.Fatalf("received %d messages, want %d + end marker", len(got), n)
		}
		for i, m := range got[:n] {
			if m.Channel != "/interop/order" || m.Data.Phase != "load" || m.Data.Seq != i {
				t.Fatalf("message %d = %s on %s, want seq %d of the load", i, m.Raw, m.Channel, i)
			}
		}
		if got[n].Data.Phase != "end" {
			t.Fatalf("last message = %s, want the end marker", got[n].Raw)
		}

		ctx, cancel := context.WithTimeout(context.Background(), guard)
		defer cancel()
		if err := c.Disconnect(ctx); err != nil {
			t.Fatalf("Disconnect: %v", err)
		}
		select {
		case <-c.Done():
		case <-time.After(guard):
			t.Fatal("Done() not closed after Disconnect")
		}
		waitStats(t, p, "disconnect seen", func(s Stats) bool { return s.Disconnects == 1 })
		t.Logf("interop: %s/%s: %d messages in order, disconnected", spec.Name, tr, n)
	})
}

// TestWildcardSubscriptions: /wild/* matches one segment, /wild/** any depth;
// the delivered message keeps its concrete channel.
func TestWildcardSubscriptions(t *testing.T) {
	eachPeerTransport(t, nil, func(t *testing.T, spec PeerSpec, tr string) {
		p := StartPeer(t, spec.Name)
		// One client per pattern: servers differ on whether a session
		// subscribed to two matching patterns gets a message once or twice.
		one := newClient(t, p, tr)
		handshake(t, one, tr)
		_, colOne := subscribe(t, one, "/wild/*")
		deep := newClient(t, p, tr)
		handshake(t, deep, tr)
		_, colDeep := subscribe(t, deep, "/wild/**")

		for _, ch := range []string{"/wild/a", "/wild/a/b", "/wild/a/b/c", "/other/a", "/wildx/a"} {
			p.Publish(ch, 1, map[string]any{"phase": ch})
		}
		p.Publish("/wild/end", 1, map[string]any{"phase": "end"})

		check := func(name string, col *collector, want []string) {
			t.Helper()
			got := col.wait(t, name+" end marker", hasPhase("end"))
			var chans []string
			for _, m := range got {
				chans = append(chans, m.Channel)
				if m.Data.Phase != "end" && m.Data.Phase != m.Channel {
					t.Errorf("%s: message on %s carries data for %s", name, m.Channel, m.Data.Phase)
				}
			}
			if fmt.Sprint(chans) != fmt.Sprint(want) {
				t.Fatalf("%s received channels %v, want %v", name, chans, want)
			}
		}
		check("/wild/*", colOne, []string{"/wild/a", "/wild/end"})
		check("/wild/**", colDeep, []string{"/wild/a", "/wild/a/b", "/wild/a/b/c", "/wild/end"})
		t.Logf("interop: %s/%s: wildcards /* and /** delivered as expected", spec.Name, tr)
	})
}

// TestUnsubscribeStopsDelivery: after Unsubscribe, messages on that channel
// are no longer delivered, while another subscription keeps working.
func TestUnsubscribeStopsDelivery(t *testing.T) {
	eachPeerTransport(t, nil, func(t *testing.T, spec PeerSpec, tr string) {
		p := StartPeer(t, spec.Name)
		c := newClient(t, p, tr)
		handshake(t, c, tr)
		subA, colA := subscribe(t, c, "/unsub/a")
		_, colB := subscribe(t, c, "/unsub/b")

		p.Publish("/unsub/a", 1, map[string]any{"phase": "before"})
		colA.wait(t, "message before unsubscribe", hasPhase("before"))

		ctx, cancel := context.WithTimeout(context.Background(), guard)
		defer cancel()
		if err := subA.Unsubscribe(ctx); err != nil {
			t.Fatalf("Unsubscribe: %v", err)
		}
		waitStats(t, p, "unsubscribe seen", func(s Stats) bool { return s.Unsubscribes == 1 })

		// The server delivers a session's messages in order: once the
		// message on b arrives, one on a would have arrived before it.
		p.Publish("/unsub/a", 1, map[string]any{"phase": "after"})
		p.Publish("/unsub/b", 1, map[string]any{"phase": "after"})
		colB.wait(t, "message on the other channel", hasPhase("after"))
		if got := colA.snapshot(); len(got) != 1 {
			t.Fatalf("unsubscribed channel received %d messages, want only the one before unsubscribe: %v", len(got), got)
		}
		t.Logf("interop: %s/%s: unsubscribe stopped delivery", spec.Name, tr)
	})
}

// TestPublishBetweenGoClients: a message published by one Go client reaches
// another Go client subscribed to the channel.
func TestPublishBetweenGoClients(t *testing.T) {
	eachPeerTransport(t, nil, func(t *testing.T, spec PeerSpec, tr string) {
		p := StartPeer(t, spec.Name)
		recv := newClient(t, p, tr)
		handshake(t, recv, tr)
		_, col := subscribe(t, recv, "/chat/room")

		send := newClient(t, p, tr)
		handshake(t, send, tr)
		ctx, cancel := context.WithTimeout(context.Background(), guard)
		defer cancel()
		for i := 0; i < 3; i++ {
			if err := send.Publish(ctx, "/chat/room", map[string]any{"seq": i, "from": "go", "phase": "chat"}); err != nil {
				t.Fatalf("Publish %d: %v", i, err)
			}
		}
		got := col.wait(t, "3 chat messages", atLeast(3))
		for i, m := range got {
			if m.Channel != "/chat/room" || m.Data.Seq != i || m.Data.From != "go" {
				t.Fatalf("message %d = %s on %s, want seq %d from go", i, m.Raw, m.Channel, i)
			}
		}
		waitStats(t, p, "3 client publishes", func(s Stats) bool { return s.Publishes >= 3 })
		t.Logf("interop: %s/%s: Go→Go publish delivered", spec.Name, tr)
	})
}
