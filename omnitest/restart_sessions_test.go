package omnitest

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// A facebooksession outlives Restart like the other interactions: the agent
// who accepted it is still its participant, and its message log goes on
// from the last index rather than starting again at 1 (outside review: the
// read-back kept the session Chatting with its agent while the next
// SendMessage made a new agent and numbered its entry 1 again).
func TestRestartKeepsFacebookSessionState(t *testing.T) {
	s := NewServer(t, WithCometDTimeout(100*time.Millisecond))
	c := newClient(t)
	u := s.URL() + "/me/facebooksessions/S1"
	expect(t, c.do(http.MethodPost, u, `{"operationName":"Accept","nickname":"Marat"}`), 200, `{"statusCode":0,"referenceId":1}`)
	expect(t, c.do(http.MethodPost, u, `{"operationName":"SendMessage","text":"one"}`), 200, `{"statusCode":0,"referenceId":2}`)
	if err := s.Restart(); err != nil {
		t.Fatal(err)
	}

	c = newClient(t) // the old connections are gone
	bc := newCometD(c, s.NotificationsURL())
	bc.start(ChannelFacebookSession)
	if r := c.do(http.MethodPost, u, `{"operationName":"SendMessage","text":"two"}`); r.Status != 200 {
		t.Fatalf("SendMessage after Restart: %d %s", r.Status, r.Body)
	}
	agent := `{"nickname":"Marat","type":"Agent","participantId":"0090000000000001"}`
	if _, data := bc.nextData(); !strings.Contains(data, `"participants":[`+agent+`]`) {
		t.Errorf("StatusChange after Restart: %s\nwant the agent who accepted: %s", data, agent)
	}
	if _, data := bc.nextData(); !strings.Contains(data, `"messages":[{"index":2,"type":"Text","from":`+agent+`,"text":"two"`) {
		t.Errorf("MessageLogUpdated after Restart: %s\nwant index 2 from %s", data, agent)
	}
}
