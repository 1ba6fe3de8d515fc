package cometd

import (
	"errors"
	"strings"
	"testing"
)

// Every frame refused for its size is announced, also when it comes on a
// socket a Publish dialled before the connect loop reconnected: three
// publishes each answered with an oversized frame give three StateChanges
// with ErrMessageTooLarge, and three errors wrapping ErrNoReply. Before,
// only the first was announced; the others' losses showed only in the
// Publish errors (outside review).
func TestEveryRefusedFrameIsAnnounced(t *testing.T) {
	f := newFake(t)
	big := strings.Repeat("x", 9000)
	f.set(func(f *fake) {
		f.hook = func(m msg) ([]msg, bool) {
			if m["channel"] == "/p" {
				return []msg{{"channel": "/other", "data": big}}, true // no reply to /p
			}
			return nil, false
		}
	})
	c, _ := newTestClient(t, f, WithTransports(WebSocket), WithMaxMessageSize(4096))
	rec := recordStates(c)
	if err := c.Handshake(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "connected", func() bool { return c.State() == StateConnected })
	for i := range 3 {
		if err := c.Publish(ctxT(t), "/p", i); !errors.Is(err, ErrNoReply) || !errors.Is(err, ErrMessageTooLarge) {
			t.Fatalf("publish %d = %v, want ErrNoReply and ErrMessageTooLarge", i, err)
		}
	}
	eventually(t, "three refusals announced", func() bool {
		n := 0
		for _, ev := range rec.get() {
			if errors.Is(ev.Err, ErrMessageTooLarge) {
				n++
			}
		}
		return n == 3
	})
}
