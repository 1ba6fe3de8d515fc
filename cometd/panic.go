package cometd

import (
	"errors"
	"fmt"
	"runtime/debug"
)

// ErrHandlerPanic matches (errors.Is) a *PanicError.
var ErrHandlerPanic = errors.New("cometd: handler panicked")

// PanicError reports a handler, meta listener or state listener that
// panicked. The client recovers the panic, logs it (level Error, with the
// stack) and goes on delivering; for a message handler or a meta listener it
// also tells state listeners with a StateChange whose From and To are the
// current state and whose Err is the *PanicError. A panicking state listener
// is only logged.
type PanicError struct {
	// Channel is the channel of the message being handled; "" for a state
	// listener.
	Channel string
	// Value is the value passed to panic.
	Value any
	// Stack is the panicking goroutine's stack.
	Stack []byte
}

// Error names the channel and the panic value.
func (e *PanicError) Error() string {
	if e.Channel == "" {
		return fmt.Sprintf("cometd: state listener panicked: %v", e.Value)
	}
	return fmt.Sprintf("cometd: handler for %s panicked: %v", e.Channel, e.Value)
}

// Is reports whether target is ErrHandlerPanic.
func (e *PanicError) Is(target error) bool { return target == ErrHandlerPanic }

// Unwrap returns the panic value if it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// recoverPanic runs fn and returns its panic, recovered, or nil. The CometD
// clients do the same with a throwing listener (caught and logged, delivery
// goes on); a Go program would otherwise die with the delivery goroutine.
func recoverPanic(channel string, fn func()) (p *PanicError) {
	defer func() {
		if v := recover(); v != nil {
			p = &PanicError{Channel: channel, Value: v, Stack: debug.Stack()}
		}
	}()
	fn()
	return nil
}

// logPanic logs a recovered panic.
func (c *Client) logPanic(p *PanicError) {
	c.cfg.logger.Error("cometd: recovered a panic; delivery goes on", "channel", p.Channel,
		"panic", fmt.Sprint(p.Value), "stack", string(p.Stack))
}

// reportPanic logs a handler's recovered panic and tells state listeners.
func (c *Client) reportPanic(p *PanicError) {
	c.logPanic(p)
	c.mu.Lock()
	defer c.mu.Unlock()
	ev := StateChange{From: c.state, To: c.state, Transport: c.tr.name(), Err: p,
		Reason: "handler for " + p.Channel + " panicked; delivery goes on"}
	c.pushStateLocked(ev)
}
