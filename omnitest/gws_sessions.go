package omnitest

import (
	"fmt"
	"net/http"
)

// fbSession is the simulator's state of one facebooksession.
type fbSession struct {
	agent     *participant // set by Accept, cleared by Leave
	lastIndex int          // index of the last message-log entry
	ended     bool         // Completed by Complete or Transfer: takes no more operations
}

// sessionOpRequest is the body of a facebooksession operation.
type sessionOpRequest struct {
	OperationName string `json:"operationName"`
	Nickname      string `json:"nickname"`
	Text          string `json:"text"`
	TargetPath    string `json:"targetPath"`
}

// facebookSessionOp serves POST /me/facebooksessions/{id} (and the older
// /me/facebooksession/{id}).
func (s *Server) facebookSessionOp(w http.ResponseWriter, r *http.Request, hs *httpSession, id string, body []byte) {
	var req sessionOpRequest
	if !decodeGWS(w, body, &req) {
		return
	}
	switch req.OperationName {
	case "":
		writeMissing(w, "operationName")
		return
	case "Accept", "Complete", "Leave", "SendStartTypingNotification", "SendStopTypingNotification":
	case "SendMessage", "SendToAgents":
		if blank(req.Text) {
			writeMissing(w, "text")
			return
		}
	case "Transfer":
		if blank(req.TargetPath) {
			writeMissing(w, "targetPath")
			return
		}
	default:
		writeBadOperation(w, req.OperationName)
		return
	}
	if s.sessionEnded(id) { // before a scripted outcome is taken for it
		writeNotAllowed(w, req.OperationName, "Completed")
		return
	}
	sc := s.scriptFor(RouteFacebookSession)
	res, logMsg, ended := s.applySessionOp(r, id, &req, !sc.fails())
	if ended { // completed by a request served meanwhile
		writeNotAllowed(w, req.OperationName, "Completed")
		return
	}
	ref := s.nextReference(hs)
	if !sc.fails() {
		s.store.put(kindSession, id, res)
	}
	writeGWS(w, http.StatusOK, s.accepted(ref))
	notices := []Notice{{Channel: ChannelFacebookSession, Data: facebooksessionNotification{
		MessageType:      "FacebooksessionStateChangeMessage",
		ReferenceID:      ref,
		NotificationType: "StatusChange",
		Facebooksession:  res,
	}}}
	if logMsg != nil {
		notices = append(notices, Notice{Channel: ChannelFacebookSession, Data: messageLogUpdated{
			MessageType:        "MessageLogUpdated",
			NotificationType:   "NewMessages",
			Messages:           []logMessage{*logMsg},
			FacebooksessionURI: res.URI,
			ReferenceID:        ref,
		}})
	}
	s.outcome(requestOf(r.Context()), Send{Route: RouteFacebookSession, ReferenceID: ref, ID: id, Resource: res, Default: notices}, sc)
}

// sessionEnded reports whether the facebooksession id was completed.
func (s *Server) sessionEnded(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	fs := s.fbSessions[id]
	return fs != nil && fs.ended
}

// applySessionOp updates the session's state and returns the resource to
// publish and, for SendMessage, the new message-log entry. With apply
// false (the operation fails) it changes nothing and returns the session as
// it is. A session already completed changes no more: ended is then true,
// and the operation is refused.
func (s *Server) applySessionOp(r *http.Request, id string, req *sessionOpRequest, apply bool) (_ facebooksessionResource, _ *logMessage, ended bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fs := s.fbSessions[id]
	if fs != nil && fs.ended {
		return facebooksessionResource{}, nil, true
	}
	if fs == nil {
		fs = &fbSession{}
		if apply {
			s.fbSessions[id] = fs
		}
	}
	if !apply {
		req = &sessionOpRequest{} // no operation: the session as it is
	}
	newAgent := func(nick string) *participant {
		s.seq++
		return &participant{Nickname: nick, Type: "Agent", ParticipantID: fmt.Sprintf("0090%012X", s.seq)}
	}
	var entry *logMessage
	switch req.OperationName {
	case "Accept":
		nick := req.Nickname
		if nick == "" {
			nick = s.userName(r)
		}
		fs.agent = newAgent(nick)
	case "Leave":
		fs.agent = nil
	case "Complete", "Transfer":
		// As a customer-started session's (lifecycle_ops.go): the Transfer
		// sample shows the same Completed body as Complete.
		fs.ended = true
	case "SendMessage":
		if fs.agent == nil {
			fs.agent = newAgent(s.userName(r))
		}
		fs.lastIndex++
		entry = &logMessage{
			Index:      fs.lastIndex,
			Type:       "Text",
			From:       *fs.agent,
			Text:       req.Text,
			Visibility: "All",
			Timestamp:  s.clock.Now().Format(timestampLayout),
		}
	}
	res := facebooksessionResource{
		State:        "Chatting",
		Capabilities: facebooksessionCapabilities,
		ID:           id,
		URI:          s.baseURL(r) + "/facebooksessions/" + id,
		Participants: []participant{},
	}
	if fs.agent != nil {
		res.Participants = append(res.Participants, *fs.agent)
	}
	if fs.ended {
		res.State, res.Capabilities = "Completed", []string{}
	}
	return res, entry, false
}
