package cometd

import (
	"errors"
	"sync/atomic"
	"testing"
)

// An Unsubscribe whose /meta/unsubscribe got no reply (its socket closed)
// returns the error, and the client sends the unsubscribe again after its
// next successful connect, so the server does not keep sending the
// channel to the session. Before, the server stayed subscribed and a
// second Unsubscribe returned nil without sending anything (outside
// review).
func TestUnsubscribeWithoutReplyIsSentAgain(t *testing.T) {
	f := newFake(t)
	var cut atomic.Bool
	f.set(func(f *fake) {
		f.holdMs = 100
		f.hook = func(m msg) ([]msg, bool) {
			if m["channel"] != ChannelUnsubscribe || cut.Swap(true) {
				return nil, false
			}
			f.mu.Lock()
			for c := range f.wsConns {
				_ = c.CloseNow()
			}
			f.mu.Unlock()
			return nil, true // lost with the socket, unanswered
		}
	})
	c, _ := newTestClient(t, f, WithTransports(WebSocket))
	ctx := ctxT(t)
	sub, err := c.Subscribe(ctx, "/x", func(*Message) {})
	if err != nil {
		t.Fatal(err)
	}
	err = sub.Unsubscribe(ctx)
	if !errors.Is(err, ErrNoReply) {
		t.Fatalf("Unsubscribe lost with its socket = %v, want an error wrapping ErrNoReply", err)
	}
	if err := sub.Unsubscribe(ctx); err != nil {
		t.Fatalf("second Unsubscribe = %v", err)
	}
	eventually(t, "the unsubscribe sent again and the server no longer holding /x", func() bool {
		if len(f.recorded(ChannelUnsubscribe)) < 2 {
			return false
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		cl := f.clients[c.ClientID()]
		return cl != nil && !cl.subs["/x"]
	})
}
