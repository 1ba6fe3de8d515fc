package omni_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/omnisdk/omni"
)

// SendSingle reads its answer in its plain form without reflection; every
// other form is still read as encoding/json reads it: keys in another case,
// escapes, invalid UTF-8, unknown fields, white space.
func TestSendSingleReadsEveryAnswerAsEncodingJSONDoes(t *testing.T) {
	for _, body := range []string{
		string(golden(t, "messenger_send_response.json")),
		`{"To":"u","MessageId":"m\u002d1","STATUS":{"GroupId":1,"Name":"PENDING_ENROUTE"}}`,
		"{\"to\":\"caf\xe9\",\"messageId\":\"m1\",\"bulkId\":\"b\",\"status\":{\"groupId\":1,\"extra\":[1,{}]}}",
		" {\n \"to\" : \"u\" , \"messageId\" : \"m1\" , \"status\" : { \"groupId\" : 3 } }\n",
	} {
		got, err := sendSingleAnswered(t, body)
		var want omni.SentMessage
		if jerr := json.Unmarshal([]byte(body), &want); jerr != nil {
			t.Fatal(jerr)
		}
		if err != nil || *got != want {
			t.Errorf("answer %q: SendSingle = %+v, %v; want %+v as json.Unmarshal reads it", body, got, err, want)
		}
	}
}

// A number given as a string is read as JSON reads the string, escapes
// included, and one outside int64's range is 0 whichever its sign (outside
// review: "\u0031" read as 0, and -9223372036854775809 as the minimum int64
// while 9223372036854775808 read as 0).
func TestLenientNumbersReadTheStringAsJSONDoes(t *testing.T) {
	for body, want := range map[string]int{
		`{"messageId":"m","messageCount":"\u0031"}`:               1,
		`{"messageId":"m","messageCount":"9223372036854775808"}`:  0,
		`{"messageId":"m","messageCount":"-9223372036854775809"}`: 0,
		`{"messageId":"m","messageCount":"-9223372036854775808"}`: -9223372036854775808,
		`{"messageId":"m","messageCount":"2.0"}`:                  2,
	} {
		got, err := sendSingleAnswered(t, body)
		if err != nil || got.MessageCount != want {
			t.Errorf("answer %s: SendSingle = %+v, %v; want messageCount %d", body, got, err, want)
		}
	}
}

// sendSingleAnswered is SendSingle of a TEXT message to a server that
// answers body with HTTP 200.
func sendSingleAnswered(t *testing.T, body string) (*omni.SentMessage, error) {
	t.Helper()
	fs := newFakeServer(t, reply(200, body))
	c, err := omni.NewClient("", omni.WithMessenger(fs.URL, omni.AppKey("key")))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.Messenger.SendSingle(context.Background(), single(omni.TextMessage("hi")))
}
