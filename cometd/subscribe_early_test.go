package cometd

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

// Item 1 of issue 17: data messages written ahead of the subscribe reply in
// the same response are delivered, in order.
func TestMessagesAheadOfSubscribeReplyInSameResponse(t *testing.T) {
	f := newFake(t)
	f.set(func(f *fake) {
		f.transports = []string{LongPolling}
		f.hook = func(m msg) ([]msg, bool) {
			if m["channel"] != ChannelSubscribe {
				return nil, false
			}
			f.mu.Lock()
			f.clients[m["clientId"].(string)].subs["/d"] = true
			f.mu.Unlock()
			return []msg{{"channel": "/d", "data": 1}, {"channel": "/d", "data": 2},
				{"channel": ChannelSubscribe, "id": m["id"], "successful": true, "subscription": "/d"},
				{"channel": "/d", "data": 3}}, true
		}
	})
	c, _ := newTestClient(t, f)
	var col collector
	s, err := c.Subscribe(ctxT(t), "/d", col.handler)
	if err != nil {
		t.Fatal(err)
	}
	if s.State() != SubscriptionActive {
		t.Fatalf("State() = %v", s.State())
	}
	eventually(t, "3 messages", func() bool { return col.len() == 3 })
	if got := col.data(); !reflect.DeepEqual(got, []string{"1", "2", "3"}) {
		t.Fatalf("delivered %v", got)
	}
}

// Item 1: a held /meta/connect that returns with a message of the channel
// before the subscribe reply (which the server holds until the client has
// delivered it): the message reaches the handler.
func TestMessageInConnectReplyBeforeSubscribeReply(t *testing.T) {
	f := newFake(t)
	delivered := make(chan struct{})
	f.set(func(f *fake) {
		f.transports = []string{LongPolling}
		f.hook = func(m msg) ([]msg, bool) {
			if m["channel"] != ChannelSubscribe {
				return nil, false
			}
			f.mu.Lock()
			f.clients[m["clientId"].(string)].subs["/d"] = true
			f.publishLocked("/d", "early") // the held connect returns with it
			f.mu.Unlock()
			select {
			case <-delivered:
			case <-time.After(5 * time.Second): // failure bound: the message was dropped
			}
			return []msg{{"channel": ChannelSubscribe, "id": m["id"], "successful": true, "subscription": "/d"}}, true
		}
	})
	c, _ := newTestClient(t, f)
	if err := c.Handshake(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a held connect", func() bool { return len(f.recorded(ChannelConnect)) >= 2 })
	var col collector
	_, err := c.Subscribe(ctxT(t), "/d", func(m *Message) {
		col.handler(m)
		if string(m.Data) == `"early"` {
			close(delivered)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := col.data(); !reflect.DeepEqual(got, []string{`"early"`}) {
		t.Fatalf("delivered %v", got)
	}
}

// Item 1: the server sends a message of the channel (in a connect reply),
// then refuses the subscription once the handler has it. That message stays
// delivered, Subscribe returns the refusal, and a later message of the
// channel does not reach the handler.
func TestRefusedSubscribeAfterEarlyMessage(t *testing.T) {
	f := newFake(t)
	delivered := make(chan struct{})
	f.set(func(f *fake) {
		f.transports = []string{LongPolling}
		f.hook = func(m msg) ([]msg, bool) {
			switch {
			case m["channel"] == ChannelSubscribe && m["subscription"] == "/d":
				f.mu.Lock()
				c := f.clients[m["clientId"].(string)]
				c.queue = append(c.queue, msg{"channel": "/d", "data": 1})
				f.wakeLocked()
				f.mu.Unlock()
				select {
				case <-delivered:
				case <-time.After(5 * time.Second): // failure bound: the message was dropped
				}
				return []msg{{"channel": ChannelSubscribe, "id": m["id"], "successful": false, "subscription": "/d", "error": "403::Forbidden"}}, true
			case m["channel"] == "/pub":
				return []msg{{"channel": "/d", "data": 2}, {"channel": "/mark", "data": 0},
					{"channel": "/pub", "id": m["id"], "successful": true}}, true
			}
			return nil, false
		}
	})
	c, _ := newTestClient(t, f)
	ctx := ctxT(t)
	marked := make(chan struct{}, 1)
	if _, err := c.Subscribe(ctx, "/mark", func(*Message) { marked <- struct{}{} }); err != nil {
		t.Fatal(err)
	}
	var col collector
	_, err := c.Subscribe(ctx, "/d", func(m *Message) {
		col.handler(m)
		if string(m.Data) == "1" {
			close(delivered)
		}
	})
	var be *Error
	if !errors.As(err, &be) || be.Code != 403 {
		t.Fatalf("Subscribe = %v", err)
	}
	if err := c.Publish(ctx, "/pub", 0); err != nil { // the reply carries /d 2, then /mark
		t.Fatal(err)
	}
	<-marked // delivery is in order: /d 2 had its turn
	if got := col.data(); !reflect.DeepEqual(got, []string{"1"}) {
		t.Fatalf("delivered %v, want only the message ahead of the refusal", got)
	}
}

// Item 6 of issue 17: Subscribe whose ctx ends before the reply; the late
// reply accepts the subscription: the client unsubscribes on the server.
func TestAbandonedSubscribeUnsubscribesOnLateSuccess(t *testing.T) {
	for _, accept := range []bool{true, false} {
		name := "late success"
		if !accept {
			name = "late refusal"
		}
		t.Run(name, func(t *testing.T) {
			f := newFake(t)
			arrived := make(chan struct{})
			release := make(chan struct{})
			f.set(func(f *fake) {
				f.transports = []string{LongPolling}
				if !accept {
					f.refuse["/late"] = "403::Forbidden"
				}
				f.hook = func(m msg) ([]msg, bool) {
					if m["channel"] == ChannelSubscribe && m["subscription"] == "/late" {
						close(arrived)
						<-release
					}
					return nil, false // the default answer, after the caller gave up
				}
			})
			c, _ := newTestClient(t, f)
			if err := c.Handshake(ctxT(t)); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(ctxT(t))
			errc := make(chan error, 1)
			go func() {
				_, err := c.Subscribe(ctx, "/late", func(*Message) {})
				errc <- err
			}()
			<-arrived
			cancel()
			if err := <-errc; !errors.Is(err, context.Canceled) {
				t.Fatalf("Subscribe = %v", err)
			}
			close(release)
			if accept {
				eventually(t, "the unsubscribe", func() bool { return len(f.recorded(ChannelUnsubscribe)) == 1 })
				if u := f.recorded(ChannelUnsubscribe)[0]; u["subscription"] != "/late" {
					t.Fatalf("unsubscribe %v", u)
				}
			} else {
				// A publish round trip after the refusal: had an unsubscribe
				// been queued by the reply, it would have gone first.
				if err := c.Publish(ctxT(t), "/other", 1); err != nil {
					t.Fatal(err)
				}
				if n := len(f.recorded(ChannelUnsubscribe)); n != 0 {
					t.Fatalf("%d unsubscribes after a refusal", n)
				}
			}
			f.mu.Lock()
			subscribed := f.clients[c.ClientID()].subs["/late"]
			f.mu.Unlock()
			if subscribed {
				t.Fatal("the server keeps the subscription the caller gave up")
			}
		})
	}
}

// Item 6, both orders at once: the server cancels the caller's ctx and
// answers in the same instant, so either may win; the outcome is whole
// either way — Subscribe succeeded and the server keeps the subscription,
// or it failed and the server was told to drop it.
func TestSubscribeReplyRacingContextIsNeverHalf(t *testing.T) {
	f := newFake(t)
	var cancel context.CancelFunc
	f.set(func(f *fake) {
		f.transports = []string{LongPolling}
		f.hook = func(m msg) ([]msg, bool) {
			if m["channel"] == ChannelSubscribe {
				f.mu.Lock()
				stop := cancel
				f.mu.Unlock()
				stop()
			}
			return nil, false
		}
	})
	c, _ := newTestClient(t, f)
	if err := c.Handshake(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	kept, dropped := 0, 0
	for i := 0; i < 20; i++ {
		ctx, stop := context.WithCancel(ctxT(t))
		f.mu.Lock()
		cancel = stop
		f.mu.Unlock()
		s, err := c.Subscribe(ctx, "/race", func(*Message) {})
		stop()
		onServer := func() bool {
			f.mu.Lock()
			defer f.mu.Unlock()
			return f.clients[c.ClientID()].subs["/race"]
		}
		if err == nil {
			kept++
			if s.State() != SubscriptionActive || !onServer() {
				t.Fatalf("round %d: Subscribe succeeded, state %v, on server %v", i, s.State(), onServer())
			}
			if err := s.Unsubscribe(ctxT(t)); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("round %d: Subscribe = %v", i, err)
		}
		dropped++
		eventually(t, "the server dropping the abandoned subscription", func() bool { return !onServer() })
	}
	t.Logf("kept %d, dropped %d", kept, dropped)
}
