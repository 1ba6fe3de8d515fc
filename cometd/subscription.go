package cometd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Subscription is the registration of one Handler on one channel.
//
// Every Subscribe call sends its own /meta/subscribe, so each caller learns
// whether the server accepted it; the server keeps one subscription per
// channel and session. Unsubscribe sends /meta/unsubscribe only when the
// last Subscription of the client on that channel goes, so other handlers
// on the channel keep receiving. After a re-handshake one /meta/subscribe
// per channel is re-sent.
type Subscription struct {
	c       *Client
	channel string
	handler Handler
	seq     uint64
	active  bool // accepted by the server; guarded by c.mu
	removed bool // guarded by c.mu
}

// Channel returns the subscribed channel (possibly a wildcard pattern).
func (s *Subscription) Channel() string { return s.channel }

// Subscribe subscribes h to channel, which may end in /* (one segment) or
// /** (any depth). It handshakes first if the client has not yet done so,
// and returns once the server replied: a refusal is returned as an error
// wrapping *Error. The subscription is re-sent automatically after every
// re-handshake. Messages on the channel go to h on the delivery goroutine.
func (c *Client) Subscribe(ctx context.Context, channel string, h Handler) (*Subscription, error) {
	if h == nil {
		return nil, errors.New("cometd: Subscribe with a nil handler")
	}
	if err := checkChannel(channel, true); err != nil {
		return nil, err
	}
	if err := c.ensureHandshake(ctx); err != nil {
		return nil, err
	}
	s := &Subscription{c: c, channel: channel, handler: h}
	c.mu.Lock()
	c.subSeq++
	s.seq = c.subSeq
	c.subs[channel] = append(c.subs[channel], s)
	c.route = nil
	c.mu.Unlock()
	m := &Message{Channel: ChannelSubscribe, ID: c.nextID(), Subscription: channel}
	p, err := c.queueOut(m, func(r *Message) {
		if r.Successful {
			c.mu.Lock()
			if !s.removed {
				s.active = true
				c.route = nil
			}
			c.mu.Unlock()
		}
	})
	if err != nil {
		c.removeSub(s)
		return nil, err
	}
	r, err := c.await(ctx, m.ID, p)
	if err == nil && !r.Successful {
		err = replyError(r)
	}
	if err != nil {
		c.removeSub(s)
		return nil, fmt.Errorf("cometd: subscribing to %s: %w", channel, err)
	}
	return s, nil
}

// removeSub forgets s; it reports whether s was the last subscription of
// the client on its channel.
func (c *Client) removeSub(s *Subscription) (last bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s.removed {
		return false
	}
	s.removed, s.active = true, false
	c.route = nil
	subs := c.subs[s.channel]
	for i, x := range subs {
		if x == s {
			subs = append(subs[:i:i], subs[i+1:]...)
			break
		}
	}
	if len(subs) == 0 {
		delete(c.subs, s.channel)
		return true
	}
	c.subs[s.channel] = subs
	return false
}

// Unsubscribe stops delivery to the subscription's handler at once (no
// message is handed to it after Unsubscribe returns, unless it is running)
// and, if it was the client's last subscription on the channel, sends
// /meta/unsubscribe. Calling it again returns nil.
func (s *Subscription) Unsubscribe(ctx context.Context) error {
	c := s.c
	if !c.removeSub(s) {
		return nil
	}
	c.mu.Lock()
	skip := c.stopped || c.clientID == ""
	c.mu.Unlock()
	if skip {
		return nil
	}
	m := &Message{Channel: ChannelUnsubscribe, ID: c.nextID(), Subscription: s.channel}
	p, err := c.queueOut(m, nil)
	if err != nil {
		return err
	}
	r, err := c.await(ctx, m.ID, p)
	if err == nil && !r.Successful {
		err = replyError(r)
	}
	if err != nil {
		return fmt.Errorf("cometd: unsubscribing from %s: %w", s.channel, err)
	}
	return nil
}

// Publish sends data, encoded as JSON (a json.RawMessage is sent as is), to
// channel and waits for the server's acknowledgement. It handshakes first if
// needed. An unsuccessful reply is returned as an error wrapping *Error.
func (c *Client) Publish(ctx context.Context, channel string, data any) error {
	if err := checkChannel(channel, false); err != nil {
		return err
	}
	b, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("cometd: encoding data for %s: %w", channel, err)
	}
	if err := c.ensureHandshake(ctx); err != nil {
		return err
	}
	m := &Message{Channel: channel, ID: c.nextID(), Data: b}
	p, err := c.queueOut(m, nil)
	if err != nil {
		return err
	}
	r, err := c.await(ctx, m.ID, p)
	if err == nil && !r.Successful {
		err = replyError(r)
	}
	if err != nil {
		return fmt.Errorf("cometd: publishing to %s: %w", channel, err)
	}
	return nil
}

// checkChannel validates a channel name for Subscribe (wildcards allowed)
// or Publish.
func checkChannel(ch string, wildcard bool) error {
	if !strings.HasPrefix(ch, "/") || len(ch) < 2 || strings.HasSuffix(ch, "/") || strings.Contains(ch, "//") {
		return fmt.Errorf("cometd: invalid channel %q", ch)
	}
	if isMeta(ch) {
		return fmt.Errorf("cometd: channel %q is a meta channel", ch)
	}
	if strings.Contains(ch, "*") {
		if !wildcard {
			return fmt.Errorf("cometd: cannot publish to wildcard channel %q", ch)
		}
		if !strings.HasSuffix(ch, "/*") && !strings.HasSuffix(ch, "/**") || strings.Count(ch, "*") > 2 ||
			strings.Contains(strings.TrimSuffix(strings.TrimSuffix(ch, "/**"), "/*"), "*") {
			return fmt.Errorf("cometd: invalid wildcard channel %q", ch)
		}
	}
	return nil
}
