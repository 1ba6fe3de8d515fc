package cometd

import (
	"encoding/json"
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
	for _, bad := range []string{"", "42", `"x"`, `[1]`, `{"channel":5}`, `[{"advice":{"interval":1e400}}]`} {
		if _, err := DecodeMessages([]byte(bad)); err == nil {
			t.Errorf("DecodeMessages(%q) succeeded", bad)
		}
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
