package cometd

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// decodeMessagesJSON is the reference DecodeMessages must agree with:
// encoding/json into []*Message (or Message), nulls dropped.
func decodeMessagesJSON(b []byte) ([]*Message, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || (b[0] != '[' && b[0] != '{') {
		return nil, errNotMessages
	}
	if b[0] == '{' {
		var m Message
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, err
		}
		return []*Message{&m}, nil
	}
	var msgs []*Message
	if err := json.Unmarshal(b, &msgs); err != nil {
		return nil, err
	}
	out := msgs[:0]
	for _, m := range msgs {
		if m != nil {
			out = append(out, m)
		}
	}
	return out, nil
}

var decodeSeeds = []string{
	`[{"channel":"/a","data":{"seq":1,"ts":1.5e3},"id":"7"}]`,
	`[{"channel":"/meta/handshake","version":"1.0","minimumVersion":"1.0","supportedConnectionTypes":["websocket","long-polling"],"clientId":"abc","successful":true,"advice":{"reconnect":"retry","interval":0,"timeout":30000},"ext":{"ack":true}}]`,
	`[{"channel":"/meta/connect","successful":false,"error":"402::Unknown client","advice":{"reconnect":"handshake"},"id":"3"},null]`,
	`{"channel":"/single","data":null}`,
	`[]`, `[null]`, ` [ { } ] `, `[{"CHANNEL":"/x","Id":"1","unknown":[1,{"a":null},"s"],"data":"\u00e9\n"}]`,
	`[{"channel":"/caf\u00e9","data":[true,false,null,-0.5e+2,0]}]`,
	`[{"channel":"/\xff\xfe","data":"\xff"}]`,
	`[{"channel":5}]`, `[1]`, `[{"channel":"/a"},]`, `[{"channel":"/a"}] x`, `[{"data":01}]`, `[{"data":"\x01"}]`,
	`[{"successful":"yes"}]`, `[{"advice":{"interval":1e400}}]`, `[{"channel":"/a","channel":"/b"}]`,
	`[{"data":{"a":"\ud83d\ude00"}}]`, `[{"data":"\u12"}]`, `[{"ext":null,"advice":null,"supportedConnectionTypes":null}]`,
	`[{"id":null,"successful":null,"data":1}`, `{"channel":"/a"}{}`,
	`[{"channel":"/a"},{"channel":"/a"},{"channel":"/a\"x"},{"channel":"/a\u0041"},{"channel":"/a"x"}]`,
	`[{"channel":"/a"},{"channel":"/a"x"}]`, `[{"channel":"/a"},{"channel":"/a","data":1},{"channel":"/ab"}]`,
}

func TestDecodeMessagesMatchesEncodingJSON(t *testing.T) {
	for _, s := range decodeSeeds {
		checkDecodeSame(t, []byte(s))
	}
}

// FuzzDecodeMessagesDifferential: the hand-written decoder and
// encoding/json agree on every input: both fail, or both give the same
// messages.
func FuzzDecodeMessagesDifferential(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkDecodeSame(t, b) })
}

func checkDecodeSame(t *testing.T, b []byte) {
	t.Helper()
	got, err := DecodeMessages(b)
	want, werr := decodeMessagesJSON(b)
	if (err == nil) != (werr == nil) {
		t.Fatalf("DecodeMessages(%q): error %v, encoding/json error %v", b, err, werr)
	}
	if err == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("DecodeMessages(%q):\n got  %s\n want %s", b, dump(got), dump(want))
	}
}

func dump(ms []*Message) string {
	var b bytes.Buffer
	for _, m := range ms {
		j, _ := json.Marshal(m)
		b.Write(j)
		b.WriteByte(' ')
	}
	return b.String()
}
