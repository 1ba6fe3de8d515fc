package cometd

import (
	"errors"
	"testing"
	"time"
)

// A Subscription makes its ready and done channels only when something
// waits on them (an idle session keeps its subscriptions, and most are
// never waited on); these tests hold Done and Ready to what they promise
// whenever the channel is first asked for.

func TestSubscriptionDoneAskedBeforeAndAfterTheEnd(t *testing.T) {
	f := newFake(t)
	c, _ := newTestClient(t, f, WithTransports(LongPolling))
	ctx := ctxT(t)
	s, err := c.Subscribe(ctx, "/a", func(*Message) {})
	if err != nil {
		t.Fatal(err)
	}
	before := s.Done()
	if s.Done() != before {
		t.Fatal("Done returned two channels for one subscription")
	}
	select {
	case <-before:
		t.Fatal("Done is closed while the subscription is active")
	default:
	}
	if err := s.Unsubscribe(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-before:
	case <-time.After(10 * time.Second):
		t.Fatal("the channel Done returned before Unsubscribe was not closed by it")
	}
	select {
	case <-s.Done():
	default:
		t.Fatal("Done asked after the end returned an open channel")
	}
}

func TestSubscriptionDoneNeverAskedBeforeTheEnd(t *testing.T) {
	f := newFake(t)
	c, _ := newTestClient(t, f, WithTransports(LongPolling))
	s, err := c.Subscribe(ctxT(t), "/a", func(*Message) {})
	if err != nil {
		t.Fatal(err)
	}
	_ = c.Close()
	select {
	case <-s.Done():
	default:
		t.Fatal("Done after Close returned an open channel")
	}
	if err := s.Ready(ctxT(t)); !errors.Is(err, ErrClosed) {
		t.Fatalf("Ready after Close = %v, want ErrClosed", err)
	}
}

// Ready waits across two pending spells (two re-handshakes): the channel
// of the first is closed by the first acceptance, and a waiter of the
// second spell is woken by the second acceptance, not left on a channel
// that is never closed.
func TestSubscriptionReadyAcrossTwoReHandshakes(t *testing.T) {
	f := newFake(t)
	f.set(func(f *fake) { f.transports = []string{LongPolling} })
	c, _ := newTestClient(t, f)
	ctx := ctxT(t)
	s, err := c.Subscribe(ctx, "/a", func(*Message) {})
	if err != nil {
		t.Fatal(err)
	}
	for spell := 1; spell <= 2; spell++ {
		hold := make(chan struct{})
		f.set(func(f *fake) {
			f.hook = func(m msg) ([]msg, bool) {
				if m["channel"] == ChannelSubscribe {
					<-hold // the re-subscription waits until Ready waits
				}
				return nil, false
			}
		})
		f.dropSessions()
		eventually(t, "pending after the session was dropped", func() bool { return s.State() == SubscriptionPending })
		ready := make(chan error, 1)
		go func() { ready <- s.Ready(ctx) }()
		eventually(t, "Ready waiting", func() bool {
			c.mu.Lock()
			defer c.mu.Unlock()
			return s.ready != nil
		})
		select {
		case err := <-ready:
			t.Fatalf("spell %d: Ready returned %v before the re-subscription was accepted", spell, err)
		default:
		}
		close(hold)
		select {
		case err := <-ready:
			if err != nil {
				t.Fatalf("spell %d: Ready = %v", spell, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("spell %d: Ready still waiting after the re-subscription was accepted", spell)
		}
		f.set(func(f *fake) { f.hook = nil })
	}
}
