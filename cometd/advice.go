package cometd

import (
	"encoding/json"
	"errors"
	"math"
	"time"
)

// Reconnect advice values.
const (
	ReconnectRetry     = "retry"
	ReconnectHandshake = "handshake"
	ReconnectNone      = "none"
)

// Advice is the server's advice on how to reconnect. Interval, Timeout and
// MaxInterval are in milliseconds. A field that is absent from a reply keeps
// its previous value in the client's current advice.
type Advice struct {
	Reconnect       string
	Interval        int64
	Timeout         int64
	MaxInterval     int64
	MultipleClients bool

	present uint8 // which fields were set (advice* bits)
}

const (
	adviceReconnect uint8 = 1 << iota
	adviceInterval
	adviceTimeout
	adviceMaxInterval
	adviceMultiple
)

// adviceWire is the JSON form of Advice with presence tracking.
type adviceWire struct {
	Reconnect       *string `json:"reconnect,omitempty"`
	Interval        *int64  `json:"interval,omitempty"`
	Timeout         *int64  `json:"timeout,omitempty"`
	MaxInterval     *int64  `json:"maxInterval,omitempty"`
	MultipleClients *bool   `json:"multiple-clients,omitempty"`
}

// UnmarshalJSON decodes advice and remembers which fields were present. It
// is as lenient as the client's decoder (decode.go): a field of the wrong
// type is ignored, a number with a fraction is truncated. A value that is
// not an object is an error.
func (a *Advice) UnmarshalJSON(b []byte) error {
	d := &decoder{b: b}
	if d.peek() != '{' {
		return errors.New("cometd: advice is not a JSON object")
	}
	v, _, err := d.advice()
	if err != nil {
		return err
	}
	if d.ws(); d.i != len(d.b) {
		return d.syntaxError("data after the advice object")
	}
	*a = v
	return nil
}

// MarshalJSON encodes the fields that were decoded or are non-zero, so that
// an advice built with only a timeout encodes as {"timeout":...}.
func (a Advice) MarshalJSON() ([]byte, error) {
	var w adviceWire
	if a.Reconnect != "" || a.present&adviceReconnect != 0 {
		w.Reconnect = &a.Reconnect
	}
	if a.Interval != 0 || a.present&adviceInterval != 0 {
		w.Interval = &a.Interval
	}
	if a.Timeout != 0 || a.present&adviceTimeout != 0 {
		w.Timeout = &a.Timeout
	}
	if a.MaxInterval != 0 || a.present&adviceMaxInterval != 0 {
		w.MaxInterval = &a.MaxInterval
	}
	if a.MultipleClients || a.present&adviceMultiple != 0 {
		w.MultipleClients = &a.MultipleClients
	}
	return json.Marshal(w)
}

// timeoutAdvice returns an advice that encodes as {"timeout":ms}.
func timeoutAdvice(ms int64) *Advice {
	return &Advice{Timeout: ms, present: adviceTimeout}
}

// merge returns cur updated with the fields present (or non-zero, for advice
// built in code) in upd.
func (cur Advice) merge(upd *Advice) Advice {
	if upd == nil {
		return cur
	}
	if upd.present&adviceReconnect != 0 || upd.Reconnect != "" {
		cur.Reconnect = upd.Reconnect
	}
	if upd.present&adviceInterval != 0 || upd.Interval != 0 {
		cur.Interval = upd.Interval
	}
	if upd.present&adviceTimeout != 0 || upd.Timeout != 0 {
		cur.Timeout = upd.Timeout
	}
	if upd.present&adviceMaxInterval != 0 || upd.MaxInterval != 0 {
		cur.MaxInterval = upd.MaxInterval
	}
	if upd.present&adviceMultiple != 0 || upd.MultipleClients {
		cur.MultipleClients = upd.MultipleClients
	}
	cur.present = 0
	return cur
}

// defaultAdvice is the advice assumed before the server gives any.
func defaultAdvice() Advice {
	return Advice{Reconnect: ReconnectRetry, Interval: 0, Timeout: 30000}
}

// maxAdviceMillis caps advice durations so a hostile value cannot overflow.
const maxAdviceMillis = int64(24 * time.Hour / time.Millisecond)

// millis converts advice milliseconds to a Duration, clamped to [0, 24h].
func millis(ms int64) time.Duration {
	if ms <= 0 {
		return 0
	}
	ms = int64(math.Min(float64(ms), float64(maxAdviceMillis)))
	return time.Duration(ms) * time.Millisecond
}
