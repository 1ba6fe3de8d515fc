package cometd

import (
	"encoding/json"
	"reflect"
	"testing"
)

// Item 4 of issue 17: a handshake reply with ext.ack in the newer form
// {"enabled":true,"batch":N} turns acknowledgements on, and the first
// connect acknowledges batch N.
func TestAckExtensionHandshakeObjectForm(t *testing.T) {
	f := newFake(t)
	f.set(func(f *fake) {
		f.ack = true
		f.ackBatch = 7
		f.holdMs = 20
	})
	c, _ := newTestClient(t, f, WithTransports(LongPolling), WithExtension(AckExtension()))
	if err := c.Handshake(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "3 connects", func() bool { return len(f.recorded(ChannelConnect)) >= 3 })
	var acks []string
	for _, m := range wireMessages(t, f, ChannelConnect)[:3] {
		var mm Message
		_ = json.Unmarshal([]byte(m), &mm)
		acks = append(acks, string(mm.Ext["ack"]))
	}
	if !reflect.DeepEqual(acks, []string{"7", "8", "9"}) {
		t.Fatalf("ext.ack of connects: %v", acks)
	}
}
