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
	b = bytes.Trim(b, " \t\r\n")
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
	`[{"successful":"yes"}]`, `[{"successful":"true"}]`, `[{"successful":"x","successful":true}]`, `[{"advice":{"interval":1e400}}]`, `[{"channel":"/a","channel":"/b"}]`,
	`[{"data":{"a":"\ud83d\ude00"}}]`, `[{"data":"\u12"}]`, `[{"ext":null,"advice":null,"supportedConnectionTypes":null}]`,
	`[{"id":null,"successful":null,"data":1}`, `{"channel":"/a"}{}`,
	`[{"channel":"/a"},{"channel":"/a"},{"channel":"/a\"x"},{"channel":"/a\u0041"},{"channel":"/a"x"}]`,
	`[{"channel":"/a"},{"channel":"/a"x"}]`, `[{"channel":"/a"},{"channel":"/a","data":1},{"channel":"/ab"}]`,
	// odd field types of issue 17 item 8
	`[{"channel":"/a","id":7,"data":1},{"channel":"/a","ext":[],"data":2},{"channel":"/meta/connect","successful":true,"advice":{"interval":0.0,"timeout":3e4}}]`,
	`[{"channel":"/a","id":-7.0e0,"ext":"x","advice":[1],"supportedConnectionTypes":["websocket",1,null]},3,"s",[{}]]`,
	`[{"channel":"/meta/connect","advice":{"reconnect":5,"interval":"0","timeout":null,"maxInterval":1.9,"multiple-clients":"yes","INTERVAL":2}}]`,
	`[{"clientId":{},"error":[],"version":1,"minimumVersion":true,"connectionType":{},"subscription":2,"supportedConnectionTypes":"x"}]`,
	`[{"advice":{"interval":1,"interval":null},"ext":{"a":1},"ext":null}]`,
}

func TestDecodeMessagesMatchesEncodingJSON(t *testing.T) {
	for _, s := range decodeSeeds {
		checkDecodeSame(t, []byte(s))
	}
}

// FuzzDecodeMessagesDifferential: the hand-written decoder is equal to
// encoding/json wherever encoding/json accepts the input, never stricter
// than it (well-formed JSON whose fields have odd types is decoded, not
// refused), and malformed JSON is an error for both.
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
	trimmed := bytes.Trim(b, " \t\r\n")
	shaped := len(trimmed) > 0 && (trimmed[0] == '[' || trimmed[0] == '{')
	switch {
	case werr == nil:
		if err != nil {
			t.Fatalf("DecodeMessages(%q): error %v where encoding/json accepts it", b, err)
		}
		for _, m := range got {
			m.odd = "" // what the client logs, unknown to encoding/json
			m.unclearSuccess, m.successSeen = false, false
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("DecodeMessages(%q):\n got  %s\n want %s", b, dump(got), dump(want))
		}
	case !shaped || !json.Valid(b):
		if err == nil {
			t.Fatalf("DecodeMessages(%q) accepted input encoding/json refuses as malformed (%v)", b, werr)
		}
	default: // well-formed, odd field types: lenient
		if err != nil {
			t.Fatalf("DecodeMessages(%q): error %v on well-formed JSON (encoding/json: %v)", b, err, werr)
		}
		for _, m := range got {
			if _, err := json.Marshal(m); err != nil {
				t.Fatalf("DecodeMessages(%q): a message does not encode: %v", b, err)
			}
		}
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
