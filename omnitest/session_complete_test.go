package omnitest

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// Complete ends a facebooksession the customer side did not start, as it
// ends a customer-started one: the StatusChange and the read-back say
// Completed with no capabilities, and a later operation is refused (outside
// review: it stayed Chatting, with a chat's capabilities, and took more
// messages). Transfer ends it the same way.
func TestCompleteEndsAFacebookSession(t *testing.T) {
	for _, op := range []string{`{"operationName":"Complete"}`, `{"operationName":"Transfer","targetPath":"/users/u2"}`} {
		s := NewServer(t, WithCometDTimeout(100*time.Millisecond))
		c := newClient(t)
		bc := newCometD(c, s.NotificationsURL())
		bc.start(ChannelFacebookSession)
		u := s.URL() + "/me/facebooksessions/S3"
		expect(t, c.do(http.MethodPost, u, `{"operationName":"Accept","nickname":"Marat"}`), 200, `{"statusCode":0,"referenceId":1}`)
		bc.nextData()
		expect(t, c.do(http.MethodPost, u, op), 200, `{"statusCode":0,"referenceId":2}`)
		if _, data := bc.nextData(); !strings.Contains(data, `"state":"Completed","capabilities":[]`) {
			t.Errorf("%s: StatusChange %s, want Completed with capabilities []", op, data)
		}
		if r := c.do(http.MethodGet, u, ""); r.Status != 200 || !strings.Contains(r.Body, `"state":"Completed","capabilities":[]`) {
			t.Errorf("%s: read-back %d %s", op, r.Status, r.Body)
		}
		expect(t, c.do(http.MethodPost, u, `{"operationName":"SendMessage","text":"late"}`), 400,
			`{"statusCode":2,"statusMessage":"Operation SendMessage is not valid for the current state (Completed)"}`)
	}
}
