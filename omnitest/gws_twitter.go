package omnitest

import "net/http"

// sendTwitter serves POST /me/tweets/{id} (and the older /me/twitter/{id})
// operationName Send.
func (s *Server) sendTwitter(w http.ResponseWriter, r *http.Request, hs *httpSession, id string, body []byte) {
	_, p, ok := checkSend(w, body, "twitter")
	if !ok {
		return
	}
	ref := s.nextReference(hs)
	sc := s.scriptFor(RouteTwitterSend)
	res := twitterResource{
		Capabilities: []string{},
		ContactID:    s.contactID(),
		From:         p.From,
		ID:           id,
		Message:      p.Message,
		State:        "Sent",
		Subject:      p.Message,
		TwitterType:  "Outbound",
		URI:          s.baseURL(r) + "/tweet/" + id,
		UserData: map[string]string{
			"FromAddress":     p.From,
			"_twitterMsgType": "Status",
			"_umsChannel":     "channel-twitter",
		},
	}
	sent := res
	if sc.fails() { // nothing changes
		res.State = "Composing"
		if prev, ok := s.store.get(kindTweet, id); ok {
			res = prev.(twitterResource)
		}
	} else {
		// Stored before answering, so a read right after the answer finds it.
		s.store.put(kindTweet, id, res)
	}
	writeGWS(w, http.StatusOK, s.accepted(ref))
	s.outcome(requestOf(r.Context()), Send{Route: RouteTwitterSend, ReferenceID: ref, ID: id, Resource: res,
		Default: []Notice{{Channel: ChannelTwitter, Data: twitterNotification{
			MessageType:      "TwitterStateChangeMessage",
			NotificationType: "StatusChange",
			ReferenceID:      ref,
			Twitter:          sent,
		}}}}, sc)
}
