package cometd

import (
	"encoding/json"
	"sync"
)

// AckExtension returns the client side of CometD's acknowledged-messages
// extension. It asks for acknowledgements in the handshake (ext.ack: true);
// when the server's handshake reply has ext.ack true, or the newer form
// {"enabled": true, "batch": N} (whose batch becomes the first one to
// acknowledge), every /meta/connect
// carries in ext.ack the batch number of the last connect reply received, so
// the server re-sends batches lost with a dropped connection. Use one
// AckExtension per Client.
func AckExtension() Extension { return &ackExtension{} }

// ackExtension implements AckExtension.
type ackExtension struct {
	mu      sync.Mutex
	enabled bool  // the server supports acks
	batch   int64 // last batch id received
}

// Outgoing adds ext.ack to handshakes and connects.
func (a *ackExtension) Outgoing(m *Message) {
	switch m.Channel {
	case ChannelHandshake:
		a.mu.Lock()
		a.enabled, a.batch = false, 0
		a.mu.Unlock()
		_ = m.SetExt("ack", true)
	case ChannelConnect:
		a.mu.Lock()
		enabled, batch := a.enabled, a.batch
		a.mu.Unlock()
		if enabled {
			_ = m.SetExt("ack", batch)
		}
	}
}

// Incoming reads the server's support from the handshake reply and the batch
// number from connect replies.
func (a *ackExtension) Incoming(m *Message) {
	raw, ok := m.Ext["ack"]
	switch m.Channel {
	case ChannelHandshake:
		if !ok || !m.Successful {
			return
		}
		on, batch := handshakeAck(raw)
		a.mu.Lock()
		a.enabled, a.batch = on, batch
		a.mu.Unlock()
	case ChannelConnect:
		var n int64
		if ok && m.Successful && json.Unmarshal(raw, &n) == nil {
			a.mu.Lock()
			if a.enabled {
				a.batch = n
			}
			a.mu.Unlock()
		}
	}
}

// handshakeAck reads ext.ack of a handshake reply in either of its forms:
// true (CometD before 7), or {"enabled": true, "batch": N} where N is the
// batch number to acknowledge until the first connect reply names another
// (as the CometD JavaScript and Java clients read it). Anything else means
// no acks.
func handshakeAck(raw json.RawMessage) (enabled bool, batch int64) {
	var on bool
	if json.Unmarshal(raw, &on) == nil {
		return on, 0
	}
	var obj struct {
		Enabled bool            `json:"enabled"`
		Batch   json.RawMessage `json:"batch"`
	}
	if json.Unmarshal(raw, &obj) != nil || !obj.Enabled {
		return false, 0
	}
	var n int64
	if json.Unmarshal(obj.Batch, &n) != nil {
		n = 0
	}
	return true, n
}
