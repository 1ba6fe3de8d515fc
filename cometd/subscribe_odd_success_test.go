package cometd

import (
	"errors"
	"testing"
)

// noSuccessful, given to oddSubscribeFake, leaves "successful" out.
type noSuccessful struct{}

// oddSubscribeFake answers /meta/subscribe with "successful": v, and
// otherwise subscribes the session as usual (the server keeps it).
func oddSubscribeFake(t *testing.T, v any) *fake {
	f := newFake(t)
	f.set(func(f *fake) {
		f.transports = []string{LongPolling}
		f.hook = func(m msg) ([]msg, bool) {
			if m["channel"] != ChannelSubscribe {
				return nil, false
			}
			cid, _ := m["clientId"].(string)
			sub, _ := m["subscription"].(string)
			f.mu.Lock()
			if c := f.clients[cid]; c != nil {
				c.subs[sub] = true
			}
			f.mu.Unlock()
			r := msg{"channel": ChannelSubscribe, "id": m["id"], "clientId": cid, "subscription": sub, "successful": v}
			if _, ok := v.(noSuccessful); ok {
				delete(r, "successful")
			}
			return []msg{r}, true
		}
	})
	return f
}

// TestSubscribeSuccessfulAsString: a subscribe reply with "successful":
// "true" (a string) is an acceptance: Subscribe returns the active
// subscription and its handler receives. Before the fix Subscribe failed
// and removed the handler while the server kept the subscription.
func TestSubscribeSuccessfulAsString(t *testing.T) {
	f := oddSubscribeFake(t, "true")
	c, _ := newTestClient(t, f)
	var col collector
	s, err := c.Subscribe(ctxT(t), "/x", col.handler)
	if err != nil || s.State() != SubscriptionActive {
		t.Fatalf("Subscribe = %v", err)
	}
	f.publish("/x", 1)
	eventually(t, "delivery", func() bool { return col.len() == 1 })
}

// TestSubscribeSuccessfulUnclear: a subscribe reply whose "successful" is
// neither a boolean nor "true"/"false" counts as a refusal
// (ErrUnclearReply), and the client sends /meta/unsubscribe so the server
// does not keep a subscription nobody listens to; so does one with
// "successful": null or without "successful". Before the fix no
// /meta/unsubscribe was sent (for null and absent: before the second fix).
func TestSubscribeSuccessfulUnclear(t *testing.T) {
	for name, v := range map[string]any{"string": "yes", "number": 1, "object": msg{}, "null": nil, "absent": noSuccessful{}} {
		t.Run(name, func(t *testing.T) {
			f := oddSubscribeFake(t, v)
			c, _ := newTestClient(t, f)
			_, err := c.Subscribe(ctxT(t), "/x", func(*Message) {})
			if !errors.Is(err, ErrUnclearReply) {
				t.Fatalf("Subscribe = %v, want ErrUnclearReply", err)
			}
			eventually(t, "/meta/unsubscribe", func() bool {
				u := f.recorded(ChannelUnsubscribe)
				return len(u) == 1 && u[0]["subscription"] == "/x"
			})
			eventually(t, "the server no longer subscribed", func() bool { return f.publish("/x", 1) == 0 })
		})
	}
}
