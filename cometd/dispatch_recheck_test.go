package cometd

import (
	"sync/atomic"
	"testing"
	"time"
)

// twoOnA subscribes two handlers to /a: the first blocks on its first
// message until release is closed (after running during, if set), the
// second counts what it gets.
func twoOnA(t *testing.T, c *Client, during func()) (sub2 *Subscription, inFirst, release chan struct{}, second *atomic.Int32) {
	t.Helper()
	inFirst, release, second = make(chan struct{}), make(chan struct{}), &atomic.Int32{}
	var once atomic.Bool
	if _, err := c.Subscribe(ctxT(t), "/a", func(*Message) {
		if once.CompareAndSwap(false, true) {
			close(inFirst)
			if during != nil {
				during()
			}
			<-release
		}
	}); err != nil {
		t.Fatal(err)
	}
	sub2, err := c.Subscribe(ctxT(t), "/a", func(*Message) { second.Add(1) })
	if err != nil {
		t.Fatal(err)
	}
	return sub2, inFirst, release, second
}

// A message handed to several subscriptions is checked again before each
// handler: a subscription removed, or the client closed, while an earlier
// handler of the same message ran gets nothing more (found by an outside
// reviewer: the list was fixed before the first handler ran).
func TestLaterHandlersOfAMessageSeeUnsubscribeAndClose(t *testing.T) {
	for _, tc := range []struct {
		name   string
		inside bool // the first handler does it itself
		do     func(c *Client, s *Subscription) error
	}{
		{"unsubscribe", false, func(c *Client, s *Subscription) error { return s.Unsubscribe(ctxT(t)) }},
		{"close", false, func(c *Client, s *Subscription) error { return c.Close() }},
		{"close from the first handler", true, func(c *Client, s *Subscription) error { return c.Close() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t)
			c, _ := newTestClient(t, f, WithTransports(LongPolling))
			if err := c.Handshake(ctxT(t)); err != nil {
				t.Fatal(err)
			}
			var sub2 *Subscription
			ready := make(chan struct{})
			var during func()
			if tc.inside {
				during = func() {
					<-ready
					if err := tc.do(c, sub2); err != nil {
						t.Error(err)
					}
				}
			}
			sub2, inFirst, release, second := twoOnA(t, c, during)
			close(ready)
			f.publish("/a", 1)
			<-inFirst
			if !tc.inside {
				if err := tc.do(c, sub2); err != nil {
					t.Fatal(err)
				}
			}
			close(release)
			// The message's turn on the delivery goroutine is over once
			// another message (or Close's end of delivery) got through.
			if tc.name == "unsubscribe" {
				third := make(chan struct{})
				if _, err := c.Subscribe(ctxT(t), "/b", func(*Message) { close(third) }); err != nil {
					t.Fatal(err)
				}
				f.publish("/b", 1)
				<-third
			} else {
				select {
				case <-c.queue.ended():
				case <-time.After(5 * time.Second):
					t.Fatal("delivery did not end after Close")
				}
			}
			if n := second.Load(); n != 0 {
				t.Fatalf("the second handler got the message %d time(s) after %s returned", n, tc.name)
			}
		})
	}
}

// The same for meta and state listeners: one that closes the client keeps
// the event from the listeners after it.
func TestLaterListenersSeeClose(t *testing.T) {
	t.Run("meta", func(t *testing.T) {
		f := newFake(t)
		c, _ := newTestClient(t, f, WithTransports(LongPolling))
		var second atomic.Int32
		c.OnMeta(ChannelHandshake, func(*Message) { _ = c.Close() })
		c.OnMeta(ChannelHandshake, func(*Message) { second.Add(1) })
		if err := c.Handshake(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		<-c.queue.ended() // the listener that closed has returned, and what came after it
		if n := second.Load(); n != 0 {
			t.Fatalf("the second meta listener ran %d time(s) after Close returned", n)
		}
	})
	t.Run("state", func(t *testing.T) {
		f := newFake(t)
		c, _ := newTestClient(t, f, WithTransports(LongPolling))
		var second atomic.Int32
		c.OnState(func(StateChange) { _ = c.Close() })
		c.OnState(func(StateChange) { second.Add(1) })
		_ = c.Handshake(ctxT(t))
		<-c.queue.ended() // the listener that closed has returned, and what came after it
		if n := second.Load(); n != 0 {
			t.Fatalf("the second state listener ran %d time(s) after Close returned", n)
		}
	})
}

// A Subscribe refused while an earlier handler runs a message both
// subscriptions were to get: the refused handler does not get it after
// Subscribe returned.
func TestRefusedSubscriptionMissesTheMessageBeingHandled(t *testing.T) {
	f := newFake(t)
	c, _ := newTestClient(t, f, WithTransports(LongPolling))
	if err := c.Handshake(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	inFirst, release := make(chan struct{}), make(chan struct{})
	var once atomic.Bool
	if _, err := c.Subscribe(ctxT(t), "/a", func(*Message) {
		if once.CompareAndSwap(false, true) {
			close(inFirst)
			<-release
		}
	}); err != nil {
		t.Fatal(err)
	}
	asked, answer := make(chan struct{}), make(chan struct{})
	f.set(func(f *fake) {
		f.hook = func(m msg) ([]msg, bool) {
			if m["channel"] != ChannelSubscribe {
				return nil, false
			}
			close(asked)
			<-answer
			return []msg{{"channel": ChannelSubscribe, "id": m["id"], "successful": false,
				"subscription": "/a", "error": "403::denied"}}, true
		}
	})
	var second atomic.Int32
	refused := make(chan error, 1)
	go func() {
		_, err := c.Subscribe(ctxT(t), "/a", func(*Message) { second.Add(1) })
		refused <- err
	}()
	<-asked
	f.publish("/a", 1) // handed to both subscriptions: the second is registered, not yet answered
	<-inFirst
	close(answer)
	if err := <-refused; err == nil {
		t.Fatal("the second Subscribe was not refused")
	}
	close(release)
	f.set(func(f *fake) { f.hook = nil })
	// The message's turn is over once a later message got through.
	third := make(chan struct{})
	if _, err := c.Subscribe(ctxT(t), "/b", func(*Message) { close(third) }); err != nil {
		t.Fatal(err)
	}
	f.publish("/b", 1)
	<-third
	if n := second.Load(); n != 0 {
		t.Fatalf("the refused handler got %d message(s) after Subscribe returned", n)
	}
}

// Removing one later subscription keeps the message from it only: those
// after it still get it (second outside review: the loop stopped there).
func TestRemovedSubscriptionDoesNotCostTheOnesAfterIt(t *testing.T) {
	f := newFake(t)
	c, _ := newTestClient(t, f, WithTransports(LongPolling))
	if err := c.Handshake(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	var b *Subscription
	var got []string
	done := make(chan struct{})
	if _, err := c.Subscribe(ctxT(t), "/a", func(*Message) {
		got = append(got, "A")
		_ = b.Unsubscribe(ctxT(t))
	}); err != nil {
		t.Fatal(err)
	}
	b, err := c.Subscribe(ctxT(t), "/a", func(*Message) { got = append(got, "B") })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Subscribe(ctxT(t), "/a", func(*Message) { got = append(got, "C"); close(done) }); err != nil {
		t.Fatal(err)
	}
	f.publish("/a", 1)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("the third subscription never got the message; handlers run: %v", got)
	}
	if len(got) != 2 || got[0] != "A" || got[1] != "C" {
		t.Fatalf("handlers run: %v, want [A C]", got)
	}
}
