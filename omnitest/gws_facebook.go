package omnitest

import (
	"fmt"
	"net/http"
)

// mediaParams is the "facebook" / "twitter" object of a Send.
type mediaParams struct {
	From    string `json:"from"`
	Message string `json:"message"`
}

// sendRequest is the body of a Facebook or Twitter Send.
type sendRequest struct {
	OperationName string       `json:"operationName"`
	QueuePath     string       `json:"queuePath"`
	Facebook      *mediaParams `json:"facebook"`
	Twitter       *mediaParams `json:"twitter"`
	SaveLAR       *bool        `json:"saveLAR"`
}

// checkSend validates a Send body; key is "facebook" or "twitter". It
// answers the error itself and returns the parameters when valid.
func checkSend(w http.ResponseWriter, body []byte, key string) (*sendRequest, *mediaParams, bool) {
	var req sendRequest
	if !decodeGWS(w, body, &req) {
		return nil, nil, false
	}
	if req.OperationName == "" {
		writeMissing(w, "operationName")
		return nil, nil, false
	}
	if req.OperationName != "Send" {
		writeBadOperation(w, req.OperationName)
		return nil, nil, false
	}
	if blank(req.QueuePath) { // blank is missing, as the SDK's validation has it
		writeMissing(w, "queuePath")
		return nil, nil, false
	}
	p := req.Facebook
	if key == "twitter" {
		p = req.Twitter
	}
	switch {
	case p == nil:
		writeMissing(w, key)
	case blank(p.From):
		writeMissing(w, key+".from")
	case blank(p.Message):
		writeMissing(w, key+".message")
	default:
		return &req, p, true
	}
	return nil, nil, false
}

// sendFacebook serves POST /me/facebook/{id} operationName Send.
func (s *Server) sendFacebook(w http.ResponseWriter, r *http.Request, hs *httpSession, id string, body []byte) {
	_, p, ok := checkSend(w, body, "facebook")
	if !ok {
		return
	}
	ref := s.nextReference(hs)
	sc := s.scriptFor(RouteFacebookSend)
	res := facebookResource{
		Capabilities: []string{},
		ContactID:    s.contactID(),
		FacebookType: "Outbound",
		From:         p.From,
		ID:           id,
		Message:      p.Message,
		State:        "Sent",
		Subject:      p.Message,
		URI:          s.baseURL(r) + "/facebooks/" + id,
		UserData: map[string]string{
			"_facebookSubmitType":     "post",
			"desktop_AgentEmployeeId": s.userName(r),
		},
	}
	sent := res
	if sc.fails() { // nothing changes; the Error notification carries the post as it was
		res.State = "Composing"
		if prev, ok := s.store.get(kindFacebook, id); ok {
			res = prev.(facebookResource)
		}
	} else {
		// Stored before answering, so a read right after the answer finds it.
		s.store.put(kindFacebook, id, res)
	}
	writeGWS(w, http.StatusOK, s.accepted(ref))
	s.outcome(requestOf(r.Context()), Send{Route: RouteFacebookSend, ReferenceID: ref, ID: id, Resource: res,
		Default: []Notice{{Channel: ChannelFacebook, Data: facebookNotification{
			MessageType:      "FacebookStateChangeMessage",
			NotificationType: "StatusChange",
			ReferenceID:      ref,
			Facebook:         sent,
		}}}}, sc)
}

// contactID generates a contact id shaped like GWS's ("00029aAGQP53000S").
func (s *Server) contactID() string {
	return fmt.Sprintf("0002%012X", s.nextID())
}
