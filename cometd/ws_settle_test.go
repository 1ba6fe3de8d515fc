package cometd

import (
	"encoding/json"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// After a socket is dropped while its reader still hands over a frame (it
// waits for room in the delivery queue behind a slow handler), the next
// /meta/connect is made only once that reader is done: with the ack
// extension the connect acknowledges what was received (the batch's reply
// comes after its messages, as CometD's server writes it), and one made
// earlier made the server send the batch again on the new socket, which
// the client delivered twice (outside review). Every message is delivered
// once, in order.
func TestWebSocketConnectWaitsForThePreviousReader(t *testing.T) {
	f := newFake(t)
	var (
		dropped     atomic.Bool
		readersSeen atomic.Int64 // readers running when the first connect after the drop arrived
		ackSeen     atomic.Int64 // that connect's ext.ack
		once        sync.Once
		arrived     = make(chan struct{})
	)
	c, _ := newTestClient(t, f, WithTransports(WebSocket), WithQueueBytes(1000), WithExtension(AckExtension()))
	f.set(func(f *fake) {
		f.ack, f.replyLast = true, true
		f.hook = func(m msg) ([]msg, bool) {
			if m["channel"] == ChannelConnect && dropped.Load() {
				once.Do(func() {
					c.ws.mu.Lock()
					readersSeen.Store(int64(c.ws.readers))
					c.ws.mu.Unlock()
					if ext, _ := m["ext"].(map[string]any); ext != nil {
						n, _ := ext["ack"].(float64)
						ackSeen.Store(int64(n))
					}
					close(arrived)
				})
			}
			return nil, false
		}
	})
	release := make(chan struct{})
	var (
		mu  sync.Mutex
		got []int
	)
	first := true
	if _, err := c.Subscribe(ctxT(t), "/x", func(m *Message) {
		if first {
			first = false
			<-release
		}
		var n int
		_ = json.Unmarshal(m.Data, &n)
		mu.Lock()
		got = append(got, n)
		mu.Unlock()
	}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "connected", func() bool { return c.State() == StateConnected })
	const n = 10
	f.set(func(f *fake) {
		for i := range n {
			f.publishLocked("/x", i)
		}
	})
	eventually(t, "the reader waiting for room", func() bool { return c.queue.waiting() })
	var batch int64
	f.set(func(f *fake) { batch = f.clients[c.ClientID()].batch }) // the reply behind the messages
	dropped.Store(true)
	c.ws.reset()
	select {
	case <-arrived: // sent without waiting: the old reader still holds the frame's rest
	case <-time.After(time.Second):
	}
	close(release)
	<-arrived
	if r := readersSeen.Load(); r != 1 {
		t.Fatalf("the connect after the drop went out with %d readers running, want only the new socket's", r)
	}
	if a := ackSeen.Load(); a < batch {
		t.Fatalf("the connect after the drop acknowledged batch %d, want %d (the one handed over)", a, batch)
	}
	eventually(t, "every message delivered", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) >= n
	})
	mu.Lock()
	defer mu.Unlock()
	for i, v := range got {
		if v != i {
			t.Fatalf("delivered %v, want 0..%d once each, in order", got, n-1)
		}
	}
}
