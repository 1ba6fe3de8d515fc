package omni

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// maxRecent is how many notifications nobody waited for the waiter keeps,
// so a wait that starts just after its notification arrived still finds it.
const maxRecent = 4096

// waitKey identifies the notification a send waits for.
type waitKey struct {
	channel string
	ref     int64
}

// waiter matches notifications to sends by referenceId over one shared
// subscription of the Client.
type waiter struct {
	sub     *Subscription
	mu      sync.Mutex
	pending map[waitKey][]chan Notification
	recent  map[waitKey]Notification
	order   []waitKey // arrival order of recent, for eviction
}

// waiterFor returns the client's waiter, subscribing on first use. The
// subscription is made before any send that waits, so no notification of
// such a send can be missed.
func (c *Client) waiterFor(ctx context.Context) (*waiter, error) {
	c.waitMu.Lock()
	defer c.waitMu.Unlock()
	if c.closed {
		return nil, errClientClosed
	}
	if c.wait != nil {
		select {
		case <-c.wait.sub.Done():
			c.wait = nil // stopped for good: start over
		default:
			return c.wait, nil
		}
	}
	w := &waiter{pending: map[waitKey][]chan Notification{}, recent: map[waitKey]Notification{}}
	sub, err := c.Subscribe(ctx, OnChannel(ChannelFacebook, w.deliver), OnChannel(ChannelTwitter, w.deliver),
		OnChannel(ChannelFacebookSession, w.deliver))
	if err != nil {
		return nil, err
	}
	w.sub = sub
	c.wait = w
	return w, nil
}

// deliver hands n to whoever waits for it, or keeps it for a while.
func (w *waiter) deliver(n Notification) {
	h := n.Header()
	if h.ReferenceID == 0 {
		return
	}
	if op, ok := n.(*TwitterOperationResponse); ok && op.Success {
		return // accepted, not an outcome: the state change follows
	}
	key := waitKey{h.Channel, h.ReferenceID}
	w.mu.Lock()
	defer w.mu.Unlock()
	if chans := w.pending[key]; len(chans) > 0 {
		delete(w.pending, key)
		for _, ch := range chans {
			ch <- n // buffered, one value each
		}
		return
	}
	if _, dup := w.recent[key]; dup {
		return // the first notification of a reference is the one a wait returns
	}
	w.recent[key] = n
	w.order = append(w.order, key)
	if len(w.order) > maxRecent {
		delete(w.recent, w.order[0])
		w.order = w.order[1:]
	}
}

// await returns the first notification on channel with the reference id, or
// ctx's error.
func (w *waiter) await(ctx context.Context, channel string, ref int64) (Notification, error) {
	key := waitKey{channel, ref}
	w.mu.Lock()
	if n, ok := w.recent[key]; ok {
		delete(w.recent, key)
		w.mu.Unlock()
		return n, nil
	}
	ch := make(chan Notification, 1)
	w.pending[key] = append(w.pending[key], ch)
	w.mu.Unlock()

	select {
	case n := <-ch:
		return n, nil
	case <-w.sub.Done():
		w.forget(key, ch)
		err := w.sub.Err()
		if err == nil {
			err = errClientClosed
		}
		return nil, &WaitError{ReferenceID: ref, Err: err}
	case <-ctx.Done():
		w.forget(key, ch)
		return nil, &WaitError{ReferenceID: ref, Err: ctx.Err()}
	}
}

// forget removes a wait that gave up.
func (w *waiter) forget(key waitKey, ch chan Notification) {
	w.mu.Lock()
	defer w.mu.Unlock()
	chans := w.pending[key]
	for i, c := range chans {
		if c == ch {
			chans = append(chans[:i], chans[i+1:]...)
			break
		}
	}
	if len(chans) == 0 {
		delete(w.pending, key)
	} else {
		w.pending[key] = chans
	}
}

// Close ends the Client's shared notification subscription (used by
// SendAndWait), if one was started. The Client must not be used to wait
// afterwards; plain sends still work.
func (c *Client) Close() error {
	c.waitMu.Lock()
	w := c.wait
	c.wait, c.closed = nil, true
	c.waitMu.Unlock()
	if w != nil {
		return w.sub.Close()
	}
	return nil
}

// SendAndWait sends like Send and waits for the notification that reports
// the outcome: the first FacebookStateChangeMessage with the send's
// referenceId. The client subscribes to notifications before sending, so a
// fast notification is not missed. If it never comes, ctx ends the wait, so
// give ctx a deadline. A failed wait is a *WaitError: the post was sent.
func (s *FacebookService) SendAndWait(ctx context.Context, id string, r FacebookSend) (*FacebookStateChange, error) {
	n, err := s.client.sendAndWait(ctx, ChannelFacebook, func() (*SendResult, error) { return s.Send(ctx, id, r) })
	if err != nil {
		return nil, err
	}
	ev, ok := n.(*FacebookStateChange)
	if !ok {
		return nil, unexpected(n)
	}
	return ev, nil
}

// SendAndWait sends like Send and waits for the first Twitter state change
// with the send's referenceId. A TwitterOperationResponse reporting failure
// for it ends the wait with an *OperationError; one reporting success does
// not end it, since the state change follows. Like
// FacebookService.SendAndWait, give ctx a deadline.
func (s *TwitterService) SendAndWait(ctx context.Context, id string, r TwitterSend) (*TwitterStateChange, error) {
	n, err := s.client.sendAndWait(ctx, ChannelTwitter, func() (*SendResult, error) { return s.Send(ctx, id, r) })
	if err != nil {
		return nil, err
	}
	switch ev := n.(type) {
	case *TwitterStateChange:
		return ev, nil
	case *TwitterOperationResponse: // only failures end a wait (see waiter.deliver)
		return nil, &OperationError{ReferenceID: ev.ReferenceID, Message: ev.ErrorMessage}
	}
	return nil, unexpected(n)
}

func unexpected(n Notification) error {
	h := n.Header()
	return &WaitError{ReferenceID: h.ReferenceID, Err: fmt.Errorf("answered by a %s notification", h.MessageType)}
}

// WaitError is a SendAndWait whose send succeeded (ReferenceID says which)
// but whose notification did not come: ctx ended, the subscription stopped,
// or another kind of notification carried the reference. Do not send again
// blindly: the message went out.
type WaitError struct {
	ReferenceID int64
	Err         error
}

// Error describes the failure.
func (e *WaitError) Error() string {
	return fmt.Sprintf("omni: sent with referenceId %d, but waiting for its notification failed: %v", e.ReferenceID, e.Err)
}

// Unwrap returns the cause, such as context.DeadlineExceeded.
func (e *WaitError) Unwrap() error { return e.Err }

// OperationError is an operation the server accepted and then reported as
// failed in a notification.
type OperationError struct {
	ReferenceID int64
	Message     string
}

// Error describes the failure.
func (e *OperationError) Error() string {
	return fmt.Sprintf("omni: operation with referenceId %d failed: %s", e.ReferenceID, e.Message)
}

// sendAndWait subscribes (once per client), sends, then waits.
func (c *Client) sendAndWait(ctx context.Context, channel string, send func() (*SendResult, error)) (Notification, error) {
	w, err := c.waiterFor(ctx)
	if err != nil {
		return nil, err
	}
	res, err := send()
	if err != nil {
		return nil, err
	}
	if res.ReferenceID == 0 {
		return nil, &WaitError{Err: errors.New("the server returned no referenceId to wait for")}
	}
	return w.await(ctx, channel, res.ReferenceID)
}
