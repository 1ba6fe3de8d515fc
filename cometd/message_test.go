package cometd

import (
	"encoding/json"
	"fmt"
	"testing"
)

func TestDecodeMessages(t *testing.T) {
	ms, err := DecodeMessages([]byte(` [{"channel":"/a","data":1},null,{"channel":"/meta/connect","successful":true,"advice":{"interval":5}}]`))
	if err != nil || len(ms) != 2 || ms[1].Advice.Interval != 5 || !ms[1].Successful {
		t.Fatalf("%v %v", ms, err)
	}
	ms, err = DecodeMessages([]byte(`{"channel":"/single"}`))
	if err != nil || len(ms) != 1 || ms[0].Channel != "/single" {
		t.Fatalf("%v %v", ms, err)
	}
	for _, bad := range []string{"", "42", `"x"`, `[{"channel":"/a"}`, `[{"channel":"/a"},]`, `{"id":07}`, `[{"advice":{"interval":1e}}]`} {
		if _, err := DecodeMessages([]byte(bad)); err == nil {
			t.Errorf("DecodeMessages(%q) succeeded", bad)
		}
	}
}

// TestDecodeToleratesOddFields: well-formed JSON with fields of an odd type
// decodes; the odd field is skipped or converted, the others are kept, and
// the first odd field is noted for the log. Before the fix each of these
// bodies was refused whole.
func TestDecodeToleratesOddFields(t *testing.T) {
	ms, err := DecodeMessages([]byte(`[{"channel":"/a","id":7,"data":1},{"channel":"/a","ext":[],"data":2},` +
		`{"channel":"/meta/connect","id":"3","successful":true,"advice":{"interval":0.0,"timeout":3e4}},` +
		`{"channel":"/b","successful":"yes","data":3,"advice":"none"},42,{"channel":"/c","data":4,"supportedConnectionTypes":["websocket",1]}]`))
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 5 {
		t.Fatalf("%d messages: %s", len(ms), dump(ms))
	}
	if ms[0].ID != "7" || string(ms[0].Data) != "1" || ms[0].odd != "id: number" {
		t.Fatalf("id 7: %+v", ms[0])
	}
	if ms[1].Ext != nil || string(ms[1].Data) != "2" || ms[1].odd != "ext: array" {
		t.Fatalf("ext []: %+v", ms[1])
	}
	a := ms[2].Advice
	if !ms[2].Successful || a == nil || a.Interval != 0 || a.present&adviceInterval == 0 || a.Timeout != 30000 ||
		ms[2].odd != "advice.interval: number with a fraction or exponent" {
		t.Fatalf("connect reply: %+v advice %+v", ms[2], a)
	}
	if ms[3].Successful || ms[3].Advice != nil || string(ms[3].Data) != "3" || ms[3].odd != "successful: string" {
		t.Fatalf("successful \"yes\": %+v", ms[3])
	}
	if ms[4].Channel != "/c" || fmt.Sprint(ms[4].SupportedConnectionTypes) != "[websocket]" ||
		ms[4].odd != "supportedConnectionTypes: array with elements that are not strings" {
		t.Fatalf("after a skipped element: %+v", ms[4])
	}
	if ms, err := DecodeMessages([]byte(`[3,{"channel":"/d"}]`)); err != nil || len(ms) != 1 ||
		ms[0].Channel != "/d" || ms[0].odd != "array element that is not an object" {
		t.Fatalf("skipped element: %s %v", dump(ms), err)
	}
	var adv Advice
	if err := json.Unmarshal([]byte(`{"interval":1.9,"timeout":"x","maxInterval":1e400}`), &adv); err != nil ||
		adv.Interval != 1 || adv.present != adviceInterval {
		t.Fatalf("lenient advice: %+v %v", adv, err)
	}
}

func TestAdviceMergeKeepsMissingFields(t *testing.T) {
	var upd Advice
	if err := json.Unmarshal([]byte(`{"interval":0,"maxInterval":9}`), &upd); err != nil {
		t.Fatal(err)
	}
	cur := Advice{Reconnect: "handshake", Interval: 100, Timeout: 2000}
	got := cur.merge(&upd)
	want := Advice{Reconnect: "handshake", Interval: 0, Timeout: 2000, MaxInterval: 9}
	if got != want {
		t.Fatalf("merge = %+v, want %+v", got, want)
	}
	b, _ := json.Marshal(timeoutAdvice(0))
	if string(b) != `{"timeout":0}` {
		t.Fatalf("timeout advice encodes as %s", b)
	}
	b, _ = json.Marshal(&upd)
	if string(b) != `{"interval":0,"maxInterval":9}` {
		t.Fatalf("decoded advice re-encodes as %s", b)
	}
	if millis(-5) != 0 || millis(1<<62) != millis(maxAdviceMillis) {
		t.Fatal("millis does not clamp")
	}
}

func TestStateString(t *testing.T) {
	if StateConnected.String() != "connected" || StateRehandshaking.String() != "rehandshaking" || State(99).String() != "unknown" {
		t.Fatal("State.String")
	}
}

func FuzzDecodeMessages(f *testing.F) {
	f.Add([]byte(`[{"channel":"/meta/handshake","id":"1","successful":true,"clientId":"x","supportedConnectionTypes":["long-polling"],"advice":{"reconnect":"retry","interval":0,"timeout":30000}}]`))
	f.Add([]byte(`{"channel":"/a","data":{"k":[1,2,3]},"ext":{"ack":7}}`))
	f.Add([]byte(`[{"channel":"/meta/connect","advice":{"interval":99999999999999999999999}}]`))
	f.Add([]byte(`[{"channel":1,"successful":"yes","advice":[]}]`))
	f.Add([]byte(`[{"channel":"/x","data":`))
	f.Add([]byte(`[null,{},[]]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ms, err := DecodeMessages(b)
		if err != nil {
			return
		}
		for _, m := range ms {
			if m == nil {
				t.Fatal("nil message")
			}
			_ = m.IsMeta()
			_ = ParseError(m.Error)
			a := defaultAdvice().merge(m.Advice)
			_ = millis(a.Interval) + millis(a.Timeout) + millis(a.MaxInterval)
			if _, err := json.Marshal(m); err != nil {
				t.Fatalf("decoded message does not encode: %v", err)
			}
		}
	})
}
