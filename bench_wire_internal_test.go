package omni

import "testing"

// BenchmarkMessengerJSONEncodeWire encodes a button template the way
// SendSingle builds its request body: the baseline is
// BenchmarkPlainJSONEncode (bench_json_test.go), the same JSON from plain
// structs.
func BenchmarkMessengerJSONEncodeWire(b *testing.B) {
	m := SingleMessage{From: "8F0792F86035A9F4290821F1EE6BC06A", To: "9c29bd43-054b-4cfe-a1d4-0b37812b4ed3",
		Message: ButtonTemplate("Pick one", PostbackButton("Yes", "YES"), URLButton("Docs", "https://example.com/docs"))}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := encodeBody(m.body()); err != nil {
			b.Fatal(err)
		}
	}
}
