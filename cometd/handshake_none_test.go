package cometd

import (
	"errors"
	"testing"
)

// TestSuccessfulHandshakeAdviceNoneIsTerminal: a successful handshake
// reply whose advice says reconnect "none" ends the client, as CometD's
// JavaScript client connects after a handshake only when reconnect is not
// "none". Handshake returns the *TerminalError (wrapping ErrReconnectNone)
// and no /meta/connect is sent, over long-polling and over websocket.
// Before the fix Handshake returned nil and the client connected.
func TestSuccessfulHandshakeAdviceNoneIsTerminal(t *testing.T) {
	for _, tr := range []string{LongPolling, WebSocket} {
		t.Run(tr, func(t *testing.T) {
			f := newFake(t)
			f.set(func(f *fake) {
				f.hook = func(m msg) ([]msg, bool) {
					if m["channel"] == ChannelHandshake {
						return []msg{{"channel": ChannelHandshake, "id": m["id"], "successful": true,
							"clientId": "c1", "version": "1.0", "supportedConnectionTypes": []string{WebSocket, LongPolling},
							"advice": msg{"reconnect": "none", "interval": 0, "timeout": 100}}}, true
					}
					return nil, false
				}
			})
			c, _ := newTestClient(t, f, WithTransports(tr))
			err := c.Handshake(ctxT(t))
			var te *TerminalError
			if !errors.As(err, &te) || !errors.Is(err, ErrReconnectNone) {
				t.Fatalf("Handshake = %v, want a *TerminalError wrapping ErrReconnectNone", err)
			}
			<-c.Done()
			if !errors.Is(c.Err(), ErrReconnectNone) || c.State() != StateTerminated {
				t.Fatalf("Err = %v, State = %v", c.Err(), c.State())
			}
			if n := len(f.recorded(ChannelConnect)); n != 0 {
				t.Fatalf("%d /meta/connect sent after reconnect \"none\"", n)
			}
		})
	}
}
