package cometd

import (
	"encoding/json"
	"errors"
	"reflect"
	"sync/atomic"
	"testing"
	"time"
)

// Item 4 of issue 17: a handshake reply with ext.ack in the newer form
// {"enabled":true,"batch":N} turns acknowledgements on, and the first
// connect acknowledges batch N.
func TestAckExtensionHandshakeObjectForm(t *testing.T) {
	f := newFake(t)
	f.set(func(f *fake) {
		f.ack = true
		f.ackBatch = 7
		f.holdMs = 20
	})
	c, _ := newTestClient(t, f, WithTransports(LongPolling), WithExtension(AckExtension()))
	if err := c.Handshake(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "3 connects", func() bool { return len(f.recorded(ChannelConnect)) >= 3 })
	var acks []string
	for _, m := range wireMessages(t, f, ChannelConnect)[:3] {
		var mm Message
		_ = json.Unmarshal([]byte(m), &mm)
		acks = append(acks, string(mm.Ext["ack"]))
	}
	if !reflect.DeepEqual(acks, []string{"7", "8", "9"}) {
		t.Fatalf("ext.ack of connects: %v", acks)
	}
}

// Item 5 of issue 17: advice reconnect "none" on a successful connect
// reply stops the client; state listeners and Err say why, and no other
// connect is sent.
func TestSuccessfulConnectAdviceNoneTerminates(t *testing.T) {
	f := newFake(t)
	var connects atomic.Int32
	f.set(func(f *fake) {
		f.transports = []string{LongPolling}
		f.hook = func(m msg) ([]msg, bool) {
			if m["channel"] == ChannelConnect && connects.Add(1) == 2 {
				return []msg{{"channel": ChannelConnect, "id": m["id"], "successful": true,
					"advice": msg{"reconnect": "none"}}}, true
			}
			return nil, false
		}
	})
	c, _ := newTestClient(t, f)
	rec := recordStates(c)
	if err := c.Handshake(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("client still running after reconnect none")
	}
	var te *TerminalError
	if !errors.As(c.Err(), &te) || !errors.Is(c.Err(), ErrReconnectNone) {
		t.Fatalf("Err() = %v", c.Err())
	}
	if c.State() != StateTerminated {
		t.Fatalf("State() = %v", c.State())
	}
	ev, ok := rec.find(func(ev StateChange) bool { return ev.To == StateTerminated })
	if !ok || !errors.Is(ev.Err, ErrReconnectNone) {
		t.Fatalf("no terminated event with the reason: %+v", rec.get())
	}
	if n := len(f.recorded(ChannelConnect)); n != 2 {
		t.Fatalf("%d connects sent, want 2", n)
	}
}

// Item 9 of issue 17: a 402 on the connect of a session that was connected
// re-handshakes at once (no interval, no backoff step), as the Java and JS
// clients do.
func TestRehandshakeAfter402GoesAtOnce(t *testing.T) {
	f := newFake(t)
	f.set(func(f *fake) { f.transports = []string{LongPolling} })
	c, w := newTestClient(t, f)
	rec := recordStates(c)
	ctx := ctxT(t)
	if _, err := c.Subscribe(ctx, "/a", func(*Message) {}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "connected", func() bool { return c.State() == StateConnected })
	before := len(w.get())
	f.dropSessions()
	eventually(t, "re-subscription", func() bool {
		_, ok := rec.find(func(ev StateChange) bool { return ev.Resubscribed == 1 })
		return ok
	})
	if got := w.get()[before:]; len(got) != 0 {
		t.Fatalf("waited %v before re-handshaking", got)
	}
}

// Item 9, the other side: a server that answers 402 to the first connect of
// every new session gets handshakes spaced by the growing backoff, never a
// storm.
func TestRehandshakeAfter402WithoutConnectBacksOff(t *testing.T) {
	f := newFake(t)
	f.set(func(f *fake) {
		f.transports = []string{LongPolling}
		f.hook = func(m msg) ([]msg, bool) {
			if m["channel"] == ChannelConnect {
				return []msg{unknown(m)}, true
			}
			return nil, false
		}
	})
	c, w := newTestClient(t, f)
	if err := c.Handshake(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "4 handshakes", func() bool { return len(f.recorded(ChannelHandshake)) >= 4 })
	got := w.get()
	want := []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 30 * time.Millisecond}
	if len(got) < 3 || !reflect.DeepEqual(got[:3], want) {
		t.Fatalf("waits %v, want %v first", got, want)
	}
}
