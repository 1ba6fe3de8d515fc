package omni

import (
	"encoding/json"
	"os"
	"testing"
)

// sentSeeds are answers to SendSingle: the documents' sample, and the forms
// around the edge of what decodeSentFast reads.
var sentSeeds = []string{
	`{"to":"9c29bd43-054b-4cfe-a1d4-0b37812b4ed3","messageCount":1,"messageId":"ff4804ef-6ab6-4abd-984d-ab3b1387e852","status":{"groupId":1,"groupName":"PENDING","id":7,"name":"PENDING_ENROUTE","description":"Message sent to next instance"}}`,
	" {\n\t\"to\" : \"a\" ,\r\n \"messageId\":\"m\", \"status\" : { } } \n",
	`{"status":{"groupId":5,"groupName":"REJECTED","id":6,"name":"REJECTED_NETWORK","description":"d","action":"Check the destination"},"messageId":"m"}`,
	`{}`, `{"to":"a","to":"b"}`, `{"status":{"id":1,"name":"x"},"status":{"id":2}}`,
	`{"messageCount":-0}`, `{"messageCount":-7}`, `{"messageCount":007}`, `{"messageCount":1.0}`, `{"messageCount":1e2}`,
	`{"messageCount":123456789012345678}`, `{"messageCount":1234567890123456789}`, `{"messageCount":99999999999999999999}`,
	`{"messageCount":"1"}`, `{"messageCount":null}`, `{"to":null}`, `{"to":5}`, `{"To":"a"}`, `{"TO":"a","to":"b"}`,
	`{"messageId":"a\"b"}`, `{"messageId":"a\u00e9"}`, "{\"messageId\":\"caf\xc3\xa9 \u2028\"}", "{\"messageId\":\"\xff\"}",
	"{\"messageId\":\"a\tb\"}", `{"bulkId":"b","messageId":"m"}`, `{"messageId":"m"} x`, `{"messageId":"m"}}`,
	`{"messageId":"m",}`, `{"messageId":"m"`, `{"messageId" "m"}`, `[]`, `null`, ``, `{"status":[]}`,
	`{"status":{"groupId":1,}}`, `{"messageCount":-}`, `{"messageCount":1-2}`, `{"\u0074o":"a"}`,
}

// FuzzDecodeSentDifferential holds decodeSentFast to json.Unmarshal: where
// it decodes, json.Unmarshal accepts the input and gives the same value;
// where it does not, it leaves its destination as it was.
func FuzzDecodeSentDifferential(f *testing.F) {
	for _, s := range sentSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		before := SentMessage{To: "before", Status: DeliveryStatus{ID: 99}}
		fast := before
		if !decodeSentFast(body, &fast) {
			if fast != before {
				t.Fatalf("decodeSentFast(%q) gave up but changed its destination to %+v", body, fast)
			}
			return
		}
		var want SentMessage
		if err := json.Unmarshal(body, &want); err != nil {
			t.Fatalf("decodeSentFast(%q) decoded what json.Unmarshal refuses: %v", body, err)
		}
		if fast != want {
			t.Fatalf("decodeSentFast(%q) = %+v, json.Unmarshal = %+v", body, fast, want)
		}
	})
}

// The documents' answer, and the plain variations a server writes, take the
// fast path: without this, a change that made it give up on everything
// would pass the differential test and lose the speed unnoticed.
func TestDecodeSentFastTakesThePlainAnswer(t *testing.T) {
	doc, err := os.ReadFile("testdata/messenger_send_response.json")
	if err != nil {
		t.Fatal(err)
	}
	want := SentMessage{To: "9c29bd43-054b-4cfe-a1d4-0b37812b4ed3", MessageCount: 1,
		MessageID: "ff4804ef-6ab6-4abd-984d-ab3b1387e852", Status: DeliveryStatus{GroupID: GroupPending,
			GroupName: "PENDING", ID: 7, Name: "PENDING_ENROUTE", Description: "Message sent to next instance"}}
	var got SentMessage
	if !decodeSentFast(doc, &got) || got != want {
		t.Fatalf("decodeSentFast(documented answer) = %+v, want %+v on the fast path", got, want)
	}
	for _, s := range []string{sentSeeds[1], sentSeeds[2], `{}`, `{"to":"a","to":"b"}`, `{"messageCount":-7}`,
		"{\"messageId\":\"caf\xc3\xa9\"}", `{"status":{"id":1,"name":"x"},"status":{"id":2}}`} {
		var m SentMessage
		if !decodeSentFast([]byte(s), &m) {
			t.Errorf("decodeSentFast(%q) gave up; it is a plain answer", s)
		}
	}
	merged := SentMessage{}
	decodeSentFast([]byte(`{"status":{"id":1,"name":"x"},"status":{"id":2}}`), &merged)
	if merged.Status.ID != 2 || merged.Status.Name != "x" {
		t.Errorf("a second status object = %+v, want it decoded into the first's fields (id 2, name x)", merged.Status)
	}
}

// Everything but the plain form is left to encoding/json.
func TestDecodeSentFastLeavesTheRestToEncodingJSON(t *testing.T) {
	for _, s := range []string{`{"To":"a"}`, `{"messageId":"a\"b"}`, "{\"messageId\":\"\xff\"}", `{"to":null}`,
		`{"messageCount":"1"}`, `{"messageCount":1.0}`, `{"messageCount":1e2}`, `{"messageCount":007}`,
		`{"messageCount":1234567890123456789}`, `{"bulkId":"b"}`, `{"messageId":"m"} x`, `{"messageId":"m",}`, ``,
		`[]`, `{"\u0074o":"a"}`} {
		var m SentMessage
		if decodeSentFast([]byte(s), &m) {
			t.Errorf("decodeSentFast(%q) decoded %+v; it should leave it to encoding/json", s, m)
		}
	}
}
