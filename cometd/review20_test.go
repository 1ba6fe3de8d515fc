package cometd

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// Regression tests for what an outside review found (five findings).

// Finding 1: an Unsubscribe of a channel's last subscription racing a new
// Subscribe to the channel sent its /meta/unsubscribe after the new
// /meta/subscribe, and the server dropped the channel the new, "active"
// subscription listened on. It took about one round in 500; the server's
// order of the two is checked in each of many rounds.
func TestUnsubscribeRacingSubscribeKeepsTheNewSubscription(t *testing.T) {
	f := newFake(t)
	c, _ := newTestClient(t, f, WithTransports(WebSocket))
	ctx := ctxT(t)
	const rounds = 1500
	for i := range rounds {
		ch := fmt.Sprintf("/race/%d", i)
		b, err := c.Subscribe(ctx, ch, func(*Message) {})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var s *Subscription
		var serr error
		wg.Add(2)
		go func() { defer wg.Done(); _ = b.Unsubscribe(ctx) }()
		go func() { defer wg.Done(); s, serr = c.Subscribe(ctx, ch, func(*Message) {}) }()
		wg.Wait()
		if serr != nil {
			t.Fatal(serr)
		}
		if s.State() != SubscriptionActive {
			continue
		}
		// The last of the channel's /meta/subscribe and /meta/unsubscribe
		// the server got decides whether it delivers.
		last := ""
		for _, m := range f.recordedAll() {
			if (m["channel"] == ChannelSubscribe || m["channel"] == ChannelUnsubscribe) && m["subscription"] == ch {
				last = m["channel"].(string)
			}
		}
		if last != ChannelSubscribe {
			t.Fatalf("round %d: the new subscription is %v but the server's last word on %s was %s", i, s.State(), ch, last)
		}
	}
}

// Finding 2: over websocket a Publish, Subscribe or Unsubscribe the server
// never answers waited for the caller's context only; like long-polling's
// request it fails with ErrNoReply after WithMaxNetworkDelay.
func TestWebSocketUnansweredRequestsFailWithErrNoReply(t *testing.T) {
	for _, tr := range []string{WebSocket, LongPolling} {
		t.Run(tr, func(t *testing.T) {
			f := newFake(t)
			c, _ := newTestClient(t, f, WithTransports(tr), WithMaxNetworkDelay(300*time.Millisecond))
			ctx := context.Background() // no deadline: the client's own bound must end the waits
			loud, err := c.Subscribe(ctxT(t), "/loud", func(*Message) {})
			if err != nil {
				t.Fatal(err)
			}
			stop := make(chan struct{})
			defer close(stop)
			f.set(func(f *fake) {
				f.hook = func(m msg) ([]msg, bool) {
					switch {
					case m["channel"] == "/silent", m["subscription"] == "/silent", m["channel"] == ChannelUnsubscribe:
						if tr == LongPolling {
							<-stop // the request is held: no answer at all
						}
						return nil, true // read, never answered
					}
					return nil, false
				}
			})
			calls := map[string]func() error{
				"Publish":     func() error { return c.Publish(ctx, "/silent", 1) },
				"Subscribe":   func() error { _, err := c.Subscribe(ctx, "/silent", func(*Message) {}); return err },
				"Unsubscribe": func() error { return loud.Unsubscribe(ctx) },
			}
			for name, call := range calls {
				done := make(chan error, 1)
				go func() { done <- call() }()
				select {
				case err := <-done:
					if !errors.Is(err, ErrNoReply) {
						t.Errorf("%s never answered = %v, want ErrNoReply", name, err)
					}
				case <-time.After(20 * time.Second):
					t.Fatalf("%s never answered is still waiting (WithMaxNetworkDelay 300ms)", name)
				}
			}
			f.set(func(f *fake) { f.hook = nil })
			if err := c.Publish(ctxT(t), "/after", 1); err != nil {
				t.Fatalf("Publish afterwards: %v", err)
			}
		})
	}
}

// Finding 3: a Publish whose ctx ended while it was still queued (behind a
// write that does not finish) returned the context's error and was then
// sent all the same on the next socket: a caller publishing again got it
// twice.
func TestPublishGivenUpWhileQueuedIsNeverSent(t *testing.T) {
	f := newFake(t)
	blocked, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	f.set(func(f *fake) {
		f.hook = func(m msg) ([]msg, bool) {
			if m["channel"] == "/block" {
				once.Do(func() { close(blocked) })
				<-release
			}
			return nil, false
		}
	})
	var rel sync.Once
	defer rel.Do(func() { close(release) })
	c, _ := newTestClient(t, f, WithTransports(WebSocket), WithMaxNetworkDelay(time.Second))
	if err := c.Handshake(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "connected", func() bool { return c.State() == StateConnected })
	go func() { _ = c.Publish(context.Background(), "/block", 1) }()
	<-blocked
	big := strings.Repeat("x", 40<<20) // more than the socket buffers hold: the write blocks
	go func() { _ = c.Publish(context.Background(), "/big", big) }()
	eventually(t, "the big frame being written", func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.senderOn && len(c.outbox) == 0
	})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := c.Publish(ctx, "/small", 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Publish queued behind a blocked write = %v, want context.DeadlineExceeded", err)
	}
	rel.Do(func() { close(release) })
	f.set(func(f *fake) { f.hook = nil })
	// The blocked write ends (its delay), a new socket carries what is
	// still queued, and this publish goes after it.
	if err := c.Publish(ctxT(t), "/after", 1); err != nil {
		t.Fatal(err)
	}
	if got := f.recorded("/small"); len(got) != 0 {
		t.Fatalf("the server got the publish its caller was told had failed: %v", got)
	}
}

// Findings 4 and 5: a refused subscribe whose reply advises reconnect
// "none" stops the client, on a re-subscription after a re-handshake as on
// a first Subscribe, and the error says ErrReconnectNone besides the
// refusal.
func TestSubscribeRefusalAdvisingNoneStopsTheClient(t *testing.T) {
	refuse := func(m msg) []msg {
		return []msg{{"channel": ChannelSubscribe, "id": m["id"], "successful": false, "subscription": m["subscription"],
			"error": "403::go away", "advice": msg{"reconnect": "none"}}}
	}
	t.Run("first subscribe", func(t *testing.T) {
		f := newFake(t)
		f.set(func(f *fake) {
			f.hook = func(m msg) ([]msg, bool) {
				if m["channel"] == ChannelSubscribe {
					return refuse(m), true
				}
				return nil, false
			}
		})
		c, _ := newTestClient(t, f, WithTransports(LongPolling))
		_, err := c.Subscribe(ctxT(t), "/t", func(*Message) {})
		var e *Error
		if !errors.Is(err, ErrReconnectNone) || !errors.As(err, &e) || e.Code != 403 {
			t.Fatalf("Subscribe = %v, want the 403 *Error and ErrReconnectNone", err)
		}
		eventually(t, "terminated", func() bool { return c.State() == StateTerminated })
	})
	t.Run("re-subscription", func(t *testing.T) {
		f := newFake(t)
		f.set(func(f *fake) { f.transports = []string{LongPolling} })
		c, _ := newTestClient(t, f)
		s, err := c.Subscribe(ctxT(t), "/t", func(*Message) {})
		if err != nil {
			t.Fatal(err)
		}
		id := c.ClientID()
		f.set(func(f *fake) {
			f.hook = func(m msg) ([]msg, bool) {
				if m["channel"] == ChannelSubscribe && m["clientId"] != id {
					return refuse(m), true
				}
				return nil, false
			}
		})
		f.dropSessions()
		select {
		case <-s.Done():
		case <-time.After(20 * time.Second):
			t.Fatal("the refused re-subscription did not end the subscription")
		}
		if !errors.Is(s.Err(), ErrReconnectNone) {
			t.Errorf("Err() = %v, want it to wrap ErrReconnectNone", s.Err())
		}
		eventually(t, "terminated", func() bool { return c.State() == StateTerminated })
		if !errors.Is(c.Err(), ErrReconnectNone) {
			t.Errorf("client Err() = %v, want ErrReconnectNone", c.Err())
		}
	})
}

// recordedAll returns every inbound message, in the order the fake
// processed them.
func (f *fake) recordedAll() []msg {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]msg(nil), f.messages...)
}

// Second review round, F1: a Subscribe settled without a reply (none came
// within WithMaxNetworkDelay) may have been accepted by the server, which
// then kept sending the channel to a client with no handler for it: the
// client sends /meta/unsubscribe for the channel.
func TestSubscribeWithoutReplyIsUndone(t *testing.T) {
	for _, tr := range []string{WebSocket, LongPolling} {
		t.Run(tr, func(t *testing.T) {
			f := newFake(t)
			stop := make(chan struct{})
			defer close(stop)
			f.set(func(f *fake) {
				f.hook = func(m msg) ([]msg, bool) {
					if m["channel"] == ChannelSubscribe && m["subscription"] == "/silent" {
						if tr == LongPolling {
							<-stop
						}
						return nil, true // read (and, say, accepted), never answered
					}
					return nil, false
				}
			})
			c, _ := newTestClient(t, f, WithTransports(tr), WithMaxNetworkDelay(300*time.Millisecond))
			_, err := c.Subscribe(context.Background(), "/silent", func(*Message) {})
			if !errors.Is(err, ErrNoReply) {
				t.Fatalf("Subscribe never answered = %v, want ErrNoReply", err)
			}
			eventually(t, "a /meta/unsubscribe for /silent", func() bool {
				for _, m := range f.recorded(ChannelUnsubscribe) {
					if m["subscription"] == "/silent" {
						return true
					}
				}
				return false
			})
		})
	}
}

// Second review round, F2: an abandoned Subscribe's late acceptance was not
// undone because a second Subscribe to the channel was still waiting; when
// the server then refused the second, nothing held the channel the server
// kept. The refusal now undoes the acceptance.
func TestAbandonedAcceptanceUndoneWhenTheOtherSubscribeIsRefused(t *testing.T) {
	f := newFake(t)
	f.set(func(f *fake) {
		f.hook = firstThenRefused("/x", 0, func() ([]msg, bool) {
			time.Sleep(300 * time.Millisecond) // accepted, answered late: its caller has given up
			return nil, false
		})
	})
	c, _ := newTestClient(t, f, WithTransports(WebSocket))
	if err := c.Handshake(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "connected", func() bool { return c.State() == StateConnected })
	ctxA, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	errA := make(chan error, 1)
	go func() { _, err := c.Subscribe(ctxA, "/x", func(*Message) {}); errA <- err }()
	<-ctxA.Done()
	_, errB := c.Subscribe(ctxT(t), "/x", func(*Message) {})
	if err := <-errA; !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("first Subscribe = %v, want its ctx's error", err)
	}
	var e *Error
	if !errors.As(errB, &e) || e.Code != 403 {
		t.Fatalf("second Subscribe = %v, want the 403", errB)
	}
	eventually(t, "a /meta/unsubscribe for /x", func() bool { return len(f.recorded(ChannelUnsubscribe)) > 0 })
}

// Third review round: as above, but the first Subscribe ends with
// ErrNoReply (no answer within WithMaxNetworkDelay; the server may have
// accepted it) while the second is still waiting; the second's refusal
// then undoes what the first may have left.
func TestUnansweredSubscribeUndoneWhenTheOtherSubscribeIsRefused(t *testing.T) {
	f := newFake(t)
	f.set(func(f *fake) {
		// The second is refused after the first's deadline, before its own.
		f.hook = firstThenRefused("/x", 700*time.Millisecond, func() ([]msg, bool) {
			return nil, true // read (and, say, accepted), never answered
		})
	})
	c, _ := newTestClient(t, f, WithTransports(WebSocket), WithMaxNetworkDelay(time.Second))
	if err := c.Handshake(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "connected", func() bool { return c.State() == StateConnected })
	errA := make(chan error, 1)
	go func() { _, err := c.Subscribe(context.Background(), "/x", func(*Message) {}); errA <- err }()
	eventually(t, "the first /meta/subscribe read", func() bool { return len(f.recorded(ChannelSubscribe)) > 0 })
	time.Sleep(500 * time.Millisecond) // the second is written ~500 ms after the first
	_, errB := c.Subscribe(ctxT(t), "/x", func(*Message) {})
	if err := <-errA; !errors.Is(err, ErrNoReply) {
		t.Fatalf("first Subscribe = %v, want ErrNoReply", err)
	}
	var e *Error
	if !errors.As(errB, &e) || e.Code != 403 {
		t.Fatalf("second Subscribe = %v, want the 403", errB)
	}
	eventually(t, "a /meta/unsubscribe for /x", func() bool { return len(f.recorded(ChannelUnsubscribe)) > 0 })
}

// firstThenRefused is a fake hook for /meta/subscribe on channel: the first
// is handled by first (its result is the hook's), every later one is
// refused with 403 after wait.
func firstThenRefused(channel string, wait time.Duration, first func() ([]msg, bool)) func(msg) ([]msg, bool) {
	var mu sync.Mutex
	n := 0
	return func(m msg) ([]msg, bool) {
		if m["channel"] != ChannelSubscribe || m["subscription"] != channel {
			return nil, false
		}
		mu.Lock()
		n++
		isFirst := n == 1
		mu.Unlock()
		if isFirst {
			return first()
		}
		time.Sleep(wait)
		return []msg{{"channel": ChannelSubscribe, "id": m["id"], "successful": false, "subscription": channel,
			"error": "403::denied"}}, true
	}
}
