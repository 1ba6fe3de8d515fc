package cometd

import (
	"encoding/json"
	"testing"
)

// TestDecodeMessagesDocumentedLeniency checks each difference from
// json.Unmarshal that DecodeMessages' doc comment lists, one input each:
// encoding/json refuses (or keeps a nil for null) and DecodeMessages gives
// the documented result. The doc said before that the result was the same
// as json.Unmarshal, which these inputs disprove.
func TestDecodeMessagesDocumentedLeniency(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`[null,{"channel":"/a"}]`, `[{"channel":"/a"}]`},
		{`[1,"s",[],{"channel":"/a"}]`, `[{"channel":"/a"}]`},
		{`[{"channel":"/a","id":7}]`, `[{"channel":"/a","id":"7"}]`},
		{`[{"channel":"/a","successful":"true"}]`, `[{"channel":"/a","successful":true}]`},
		{`[{"channel":"/a","successful":"false"}]`, `[{"channel":"/a"}]`},
		{`[{"channel":"/a","successful":"yes"}]`, `[{"channel":"/a"}]`},
		{`[{"channel":"/a","supportedConnectionTypes":["websocket",1,null]}]`, `[{"channel":"/a","supportedConnectionTypes":["websocket"]}]`},
		{`[{"channel":"/a","ext":[]}]`, `[{"channel":"/a"}]`},
		{`[{"channel":5,"data":1}]`, `[{"channel":"","data":1}]`},
		{`[{"channel":"/a","advice":[]}]`, `[{"channel":"/a"}]`},
	} {
		got, err := DecodeMessages([]byte(tc.in))
		if err != nil {
			t.Fatalf("DecodeMessages(%s): %v", tc.in, err)
		}
		b, _ := json.Marshal(got)
		if string(b) != tc.want {
			t.Errorf("DecodeMessages(%s) = %s, want %s", tc.in, b, tc.want)
		}
		var ref []*Message
		if jerr := json.Unmarshal([]byte(tc.in), &ref); jerr == nil {
			if rb, _ := json.Marshal(ref); string(rb) == tc.want {
				t.Errorf("%s: json.Unmarshal gives the same result: not a difference the doc needs to list", tc.in)
			}
		}
	}
	// The truncated advice number is the same through json.Unmarshal, as
	// Advice's UnmarshalJSON is this decoder's.
	got, err := DecodeMessages([]byte(`[{"channel":"/a","advice":{"interval":0.5,"timeout":3e4}}]`))
	if err != nil || got[0].Advice == nil || got[0].Advice.Interval != 0 || got[0].Advice.Timeout != 30000 {
		t.Fatalf("advice numbers: %v %+v", err, got)
	}
}
