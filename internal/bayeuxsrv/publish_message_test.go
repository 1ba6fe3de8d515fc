package bayeuxsrv

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// oldPublishMessage is how Publish built its message before publishMessage:
// json.Marshal of the data, then of the channel name, and a compaction.
func oldPublishMessage(channel string, data any) ([]byte, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(`{"channel":`)
	name, _ := json.Marshal(channel)
	b.Write(name)
	b.WriteString(`,"data":`)
	if err := json.Compact(&b, raw); err != nil {
		b.WriteString("null")
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// oldValidChannel is validChannel before it stopped splitting the name.
func oldValidChannel(name string) bool {
	if len(name) < 2 || name[0] != '/' {
		return false
	}
	segs := strings.Split(name[1:], "/")
	for i, seg := range segs {
		if seg == "" {
			return false
		}
		if strings.Contains(seg, "*") && (i != len(segs)-1 || (seg != "*" && seg != "**")) {
			return false
		}
	}
	return true
}

var publishSeeds = []struct {
	channel string
	raw     string
}{
	{"/bench/ceiling-go", `{"seq":1,"ts":1733300000000000}`},
	{"/a/b", ` { "a" : [1, 2, {"b": null}] } `},
	{"/a/b", `{"html":"<b>&amp;</b>"}`},
	{"/a/b", "{\"ls\":\"\u2028\u2029\"}"},
	{"/a/b", `{"esc":"\u003c\u2028"}`},
	{"/a/b", `"just a string"`},
	{"/a/b", `12.5e3`},
	{"/a/b", `{`},
	{"/a/b", ``},
	{"/a<b>&c", `{}`},
	{"/é/ü", `{"é":"ü"}`},
	{"/a\"b\\c", `[]`},
	{"/a\u2028b", `null`},
	{"/a\xffb", `true`},
	{"/a\tb", `false`},
}

// TestPublishMessageAsBefore: publishMessage writes the bytes Publish wrote
// before it skipped encoding/json's reflection for a json.RawMessage, and
// fails where it failed; for other data too.
func TestPublishMessageAsBefore(t *testing.T) {
	for _, sd := range publishSeeds {
		comparePublish(t, sd.channel, json.RawMessage(sd.raw))
	}
	for _, data := range []any{nil, json.RawMessage(nil), map[string]any{"x": "<b>", "n": 1.5}, "é<>", 42,
		struct {
			A string `json:"a"`
		}{"&"}, []int{1, 2}, make(chan int)} {
		comparePublish(t, "/x", data)
	}
}

func comparePublish(t *testing.T, channel string, data any) {
	t.Helper()
	want, werr := oldPublishMessage(channel, data)
	got, gerr := publishMessage(channel, data)
	if (werr == nil) != (gerr == nil) || !bytes.Equal(got, want) {
		t.Errorf("publish %q %#v:\n got %s, %v\nwant %s, %v", channel, data, got, gerr, want, werr)
	}
}

func FuzzPublishMessage(f *testing.F) {
	for _, sd := range publishSeeds {
		f.Add(sd.channel, []byte(sd.raw))
	}
	f.Fuzz(func(t *testing.T, channel string, raw []byte) {
		comparePublish(t, channel, json.RawMessage(raw))
		if got, want := validChannel(channel), oldValidChannel(channel); got != want {
			t.Errorf("validChannel(%q) = %v, want %v", channel, got, want)
		}
	})
}

func TestValidChannelAsBefore(t *testing.T) {
	for _, name := range []string{"", "/", "//", "/a", "/a/", "/a//b", "/a/b", "/*", "/**", "/a/*", "/a/**", "/*/a",
		"/a*", "/a/b*", "/***", "a/b", "/a/b/c/d", "/ a", "/a/**/b"} {
		if got, want := validChannel(name), oldValidChannel(name); got != want {
			t.Errorf("validChannel(%q) = %v, want %v", name, got, want)
		}
	}
}

// BenchmarkPublishMessage and BenchmarkPublishMessageBefore time what
// Publish does before delivering: the channel check and the message, now
// and as it was (BENCHMARKS.md, the client-ceiling section).
func BenchmarkPublishMessage(b *testing.B) { benchPublish(b, validChannel, publishMessage) }

func BenchmarkPublishMessageBefore(b *testing.B) {
	benchPublish(b, oldValidChannel, oldPublishMessage)
}

func benchPublish(b *testing.B, valid func(string) bool, build func(string, any) ([]byte, error)) {
	data := json.RawMessage(`{"seq":1234,"ts":1733300000000000}`)
	for b.Loop() {
		if !valid("/bench/ceiling-go") {
			b.Fatal("invalid")
		}
		if _, err := build("/bench/ceiling-go", data); err != nil {
			b.Fatal(err)
		}
	}
}
