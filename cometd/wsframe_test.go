package cometd

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// The websocket reader decodes each frame from a pooled buffer that the
// next frame overwrites: DecodeMessages must copy everything it keeps.
func TestDecodeMessagesKeepsNoInput(t *testing.T) {
	for _, s := range decodeSeeds {
		buf := []byte(s)
		got, err := DecodeMessages(buf)
		if err != nil {
			continue // the malformed seeds keep nothing
		}
		for i := range buf {
			buf[i] = 'x'
		}
		want, _ := DecodeMessages([]byte(s))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("DecodeMessages(%q): messages changed when the input was overwritten:\n got %+v\nwant %+v", s, got, want)
		}
	}
}

// Frames of every size, small after large, reach the handler intact and in
// order over websocket: a frame's buffer going back to the pool must not
// touch the messages already queued.
func TestWebSocketFramesOfEverySizeIntact(t *testing.T) {
	f := newFake(t)
	c, _ := newTestClient(t, f, WithTransports(WebSocket), WithMaxMessageSize(1<<20))
	var col collector
	if _, err := c.Subscribe(ctxT(t), "/frames", col.handler); err != nil {
		t.Fatal(err)
	}
	sizes := []int{1, 5000, 3, 70000, 4095, 4096, 4097, 2, 300000, 7}
	var want []string
	for i, n := range sizes {
		data := strconv.Itoa(i) + ":" + strings.Repeat(string(rune('a'+i)), n)
		want = append(want, strconv.Quote(data))
		if f.publish("/frames", data) != 1 {
			t.Fatal("not subscribed")
		}
		eventually(t, "frame "+strconv.Itoa(i), func() bool { return col.len() == i+1 })
	}
	if got := col.data(); !reflect.DeepEqual(got, want) {
		for i := range want {
			if i >= len(got) || got[i] != want[i] {
				t.Fatalf("message %d (%d bytes) changed or missing", i, len(want[i]))
			}
		}
	}
}
