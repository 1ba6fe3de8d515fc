package omni

import (
	"os"
	"slices"
	"testing"
)

// FuzzDecodeSnapshot: the snapshot decoder never panics, and what it
// accepts keeps its raw form.
func FuzzDecodeSnapshot(f *testing.F) {
	f.Add([]byte(`{"id":"1","userName":"agent1","settings":{"s":{"k":"v"}},"channels":[{"channel":"chat","userState":{"state":"Ready"}}],` +
		`"facebook":[{"id":"a","state":"Processing","capabilities":["Reply"]}],"tweets":[{"id":"b","tweetType":"Inbound"}],` +
		`"facebooksessions":[{"id":"c","state":"Invited"}]}`))
	f.Add([]byte(`{"channels":{},"facebook":"x"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		snap, err := decodeSnapshot(data)
		if err == nil && len(snap.Raw) != len(data) {
			t.Fatalf("raw %d bytes, input %d", len(snap.Raw), len(data))
		}
	})
}

// FuzzChannelResults: reading a statusCode 7 answer never panics and gives
// the same list every time (channels keyed by name come out sorted).
func FuzzChannelResults(f *testing.F) {
	f.Add([]byte(`{"statusCode":7,"channels":[{"channel":"voice","statusCode":0},{"channel":"chat","statusCode":4,"statusMessage":"down"}]}`))
	f.Add([]byte(`{"statusCode":7,"voice":{"statusCode":0},"chat":{"statusCode":"4","statusMessage":"down"}}`))
	f.Add([]byte(`{"statusCode":7,"channels":{"chat":{"statusCode":1.5}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		a, b := channelResults(body), channelResults(body)
		if !slices.Equal(a, b) {
			t.Fatalf("two reads differ: %v / %v", a, b)
		}
	})
}

// FuzzDecodeChannelNotification: /v2/me/channels data in any shape decodes
// or fails without panicking; the documents' samples decode to channels.
func FuzzDecodeChannelNotification(f *testing.F) {
	for _, name := range []string{"testdata/lifecycle/channels_ready.json", "testdata/lifecycle/channels_dnd.json"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"messageType":"ChannelStateChangeMessageV2","channels":[{"channel":"facebook","userState":{"state":"Ready"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := DecodeNotification(ChannelChannels, data)
		if err == nil && n == nil {
			t.Fatal("nil notification without error")
		}
	})
}
