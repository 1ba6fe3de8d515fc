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
		fs := newFakeServer(t, reply(200, body))
		c, err := omni.NewClient("", omni.WithMessenger(fs.URL, omni.AppKey("key")))
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Messenger.SendSingle(context.Background(), single(omni.TextMessage("hi")))
		c.Close()
		var want omni.SentMessage
		if jerr := json.Unmarshal([]byte(body), &want); jerr != nil {
			t.Fatal(jerr)
		}
		if err != nil || *got != want {
			t.Errorf("answer %q: SendSingle = %+v, %v; want %+v as json.Unmarshal reads it", body, got, err, want)
		}
	}
}
