package cometd

import (
	"encoding/json"
	"sync"
)

// AckExtension returns the client side of CometD's acknowledged-messages
// extension. It asks for acknowledgements in the handshake (ext.ack: true);
// when the server's handshake reply has ext.ack true, every /meta/connect
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
		var on bool
		if ok && json.Unmarshal(raw, &on) == nil && on && m.Successful {
			a.mu.Lock()
			a.enabled = true
			a.mu.Unlock()
		}
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
