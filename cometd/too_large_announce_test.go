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

// Over long-polling, a connect reply refused for its size is announced
// once, not as the refusal and again as the connect's failure (outside
// review: two StateChanges for one refusal, one over websocket).
func TestRefusedLongPollingConnectReplyIsAnnouncedOnce(t *testing.T) {
	f := newFake(t)
	c, _ := newTestClient(t, f, WithTransports(LongPolling), WithMaxMessageSize(4096))
	rec := recordStates(c)
	if _, err := c.Subscribe(ctxT(t), "/x", func(*Message) {}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "connected", func() bool { return c.State() == StateConnected })
	f.publish("/x", strings.Repeat("x", 9000)) // rides on the held connect's reply
	eventually(t, "refused, then connected again", func() bool {
		_, refused := rec.find(func(ev StateChange) bool { return errors.Is(ev.Err, ErrMessageTooLarge) })
		return refused && c.State() == StateConnected
	})
	n := 0
	for _, ev := range rec.get() {
		if errors.Is(ev.Err, ErrMessageTooLarge) {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d state changes with ErrMessageTooLarge for one refusal, want 1: %+v", n, rec.get())
	}
}
