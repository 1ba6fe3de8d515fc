package omnitest

import (
	"fmt"
	"maps"
	"net/http"
)

// opRequest is the union of the parameters of every interaction operation.
type opRequest struct {
	OperationName      string         `json:"operationName"`
	QueuePath          string         `json:"queuePath"`
	QueueName          string         `json:"queueName"`
	CommentID          string         `json:"commentId"`
	IsRetweet          *bool          `json:"isRetweet"`
	Facebook           *mediaParams   `json:"facebook"`
	Twitter            *mediaParams   `json:"twitter"`
	TargetPath         string         `json:"targetPath"`
	TargetURI          string         `json:"targetUri"`
	Disposition        string         `json:"disposition"`
	DispositionKey     string         `json:"dispositionKey"`
	Comment            string         `json:"comment"`
	UserData           map[string]any `json:"userData"`
	Keys               []string       `json:"keys"`
	TwitterUserID      string         `json:"twitterUserId"`
	From               string         `json:"from"`
	Nickname           string         `json:"nickname"`
	Text               string         `json:"text"`
	ResponseTemplateID string         `json:"responseTemplateId"`
}

// defaultDispositionKey is the key SetDisposition uses without dispositionKey
// (a server setting in GWS).
const defaultDispositionKey = "DispositionCode"

// writeNotAllowed answers an operation outside the item's capabilities:
// statusCode 2, "not valid for the current state". The documents do not say
// which code GWS uses here; 2 is the one whose meaning fits.
func writeNotAllowed(w http.ResponseWriter, op, state string) {
	writeGWSError(w, http.StatusBadRequest, codeInvalidParam,
		fmt.Sprintf("Operation %s is not valid for the current state (%s)", op, state))
}

// itemOp serves an operation on a customer-started interaction or one of
// its drafts, on the route of kind; false leaves ids the lifecycle does not
// know to gws.go. An id of another kind is not found on this route, as a
// resource path names one collection.
func (s *Server) itemOp(w http.ResponseWriter, r *http.Request, hs *httpSession, kind resourceKind, id string, body []byte) bool {
	lc := &s.lc
	lc.mu.Lock()
	defer lc.mu.Unlock()
	it := lc.items[id]
	if it == nil {
		return false
	}
	var req opRequest
	if !decodeGWS(w, body, &req) {
		return true
	}
	if !it.offered || it.kind != kind || !lc.mayOperate(it, s.userName(r)) {
		writeGWSError(w, http.StatusNotFound, codeNotFound, "Resource not found")
		return true
	}
	switch {
	case req.OperationName == "":
		writeMissing(w, "operationName")
		return true
	case !it.allows(req.OperationName):
		writeNotAllowed(w, req.OperationName, it.state)
		return true
	}
	if missing := requiredParam(it.kind, &req); missing != "" {
		writeMissing(w, missing)
		return true
	}
	ref := s.nextReference(hs)
	writeGWS(w, http.StatusOK, s.accepted(ref))
	base := s.URL()
	jr := requestOf(r.Context())
	if lc.opFail > 0 {
		lc.opFail--
		n := it.notification(base, "Error", ref)
		n["errorMessage"] = lc.opFailM
		s.publishTo(jr, lc.agentFor(it), it.topic(), n)
		return true
	}
	// The request's outcome, as on the routes of gws.go: a script of the
	// route (one failing changes nothing), or what the operation publishes.
	route := itemRoute(it.kind)
	sc := s.scriptFor(route)
	send := Send{Route: route, ReferenceID: ref, ID: it.id, Resource: it.resource(base), to: lc.agentFor(it), item: true}
	if !sc.fails() {
		var notices []Notice
		lc.sink = &notices
		if it.kind == kindSession {
			s.sessionOp(lc, it, &req, ref, base, r)
		} else {
			s.postOp(lc, it, &req, ref, base)
		}
		lc.sink = nil
		s.store.put(it.kind, it.id, it.resource(base))
		send.Resource, send.Default = it.resource(base), notices
	}
	s.outcome(jr, send, sc)
	return true
}

// itemRoute is the route of the operations on an item of kind.
func itemRoute(kind resourceKind) Route {
	switch kind {
	case kindTweet:
		return RouteTwitterSend
	case kindSession:
		return RouteFacebookSession
	}
	return RouteFacebookSend
}

// mayOperate reports whether user may operate it: an inbound interaction
// only the agent holding the contact-center session it was offered to, a
// draft only the agent who created it.
func (lc *lifecycle) mayOperate(it *item, user string) bool {
	if it.inbound {
		return lc.holds(user)
	}
	return it.creator == user
}

// requiredParam names the first missing required parameter of req, or "".
func requiredParam(kind resourceKind, req *opRequest) string {
	media, key := req.Facebook, "facebook"
	if kind == kindTweet {
		media, key = req.Twitter, "twitter"
	}
	switch req.OperationName {
	case "Reply":
		if blank(req.QueuePath) {
			return "queuePath"
		}
	case "Send":
		switch {
		case blank(req.QueuePath):
			return "queuePath"
		case media == nil:
			return key
		case blank(media.From):
			return key + ".from"
		case blank(media.Message):
			return key + ".message"
		}
	case "Transfer":
		if blank(req.TargetPath) && blank(req.TargetURI) {
			return "targetPath"
		}
	case "SetDisposition":
		if blank(req.Disposition) {
			return "disposition"
		}
	case "AddComment":
		if blank(req.Comment) {
			return "comment"
		}
	case "AttachUserData", "UpdateUserData":
		if len(req.UserData) == 0 {
			return "userData"
		}
	case "DeleteUserData":
		if len(req.Keys) == 0 {
			return "keys"
		}
	case "SendMessage", "SendToAgents":
		if blank(req.Text) {
			return "text"
		}
	case "Consult":
		if blank(req.TargetURI) && blank(req.TargetPath) {
			return "targetUri"
		}
	case "RemoveParticipantFromConference":
		if blank(req.TargetURI) {
			return "targetUri"
		}
	case "ReportResponseTemplateUsage":
		if blank(req.ResponseTemplateID) {
			return "responseTemplateId"
		}
	}
	return ""
}

// end makes it terminal with no capabilities.
func (it *item) end(state string) {
	it.state, it.caps, it.ended = state, []string{}, true
}

// propertiesOp applies the operations that only change properties; false
// when op is not one of them.
func (it *item) propertiesOp(req *opRequest) bool {
	switch req.OperationName {
	case "SetDisposition":
		key := req.DispositionKey
		if key == "" {
			key = defaultDispositionKey
		}
		it.setUserData(map[string]any{key: req.Disposition})
	case "AddComment":
		it.comment = req.Comment
	case "AttachUserData", "UpdateUserData":
		it.setUserData(req.UserData)
	case "DeleteUserData":
		for _, k := range req.Keys {
			delete(it.userData, k)
		}
	default:
		return false
	}
	return true
}

func (it *item) setUserData(m map[string]any) {
	if it.userData == nil {
		it.userData = map[string]any{}
	}
	maps.Copy(it.userData, m)
}

// postOp runs an operation on a Facebook post or a Tweet (inbound or draft).
func (s *Server) postOp(lc *lifecycle, it *item, req *opRequest, ref int64, base string) {
	switch op := req.OperationName; {
	case it.propertiesOp(req):
		s.publishItem(it, base, "PropertiesUpdated", ref)
	case op == "SetInFocus":
		s.publishItem(it, base, "PropertiesUpdated", ref) // inferred: no document shows its notification
	case op == "Reply":
		draft := &item{kind: it.kind, id: lc.newID(), creator: lc.owner, parentID: it.id, state: "Composing",
			caps: append([]string(nil), capsDraft...), offered: true, contactID: it.contactID, msgType: it.msgType,
			userData: maps.Clone(req.UserData)}
		if it.kind == kindTweet {
			draft.setUserData(map[string]any{"To": it.from, "_twitterInReplyToStatusId": it.twitterMsgID,
				"_twitterMsgType": replyMsgType(it.msgType), "_umsChannel": "channel-twitter"})
		} else if req.CommentID != "" {
			draft.setUserData(map[string]any{"_facebookCommentId": req.CommentID})
		}
		lc.add(draft)
		s.store.put(draft.kind, draft.id, draft.resource(base))
		s.publishItem(draft, base, "StatusChange", ref)
	case op == "Save":
		if m := mediaOf(it.kind, req); m != nil {
			it.from, it.message = m.From, m.Message
		}
		saved := "FacebookSaved"
		if it.kind == kindTweet {
			saved = "TwitterSaved"
		}
		s.publishItem(it, base, saved, ref)
	case op == "Send":
		m := mediaOf(it.kind, req)
		it.from, it.message = m.From, m.Message
		it.end("Sent")
		s.publishItem(it, base, "StatusChange", ref)
	case op == "Cancel":
		it.end("Canceled")
		s.publishItem(it, base, "StatusChange", ref)
	case op == "Complete", op == "Transfer":
		// The Transfer sample shows the same Completed body as Complete: the
		// interaction leaves this agent.
		it.end("Completed")
		s.publishItem(it, base, "StatusChange", ref)
	case op == "Retweet", op == "MarkFavorite", op == "RemoveFavorite":
		s.lcPublish(lc.agentFor(it), ChannelTwitter, lc.twitterOperationResponse(ref))
	}
}

// replyMsgType is the _twitterMsgType of a reply draft: the documents' reply
// sample writes "status" in lower case for an answer to a Status.
func replyMsgType(parent string) string {
	if parent == "Status" {
		return "status"
	}
	return parent
}

func mediaOf(kind resourceKind, req *opRequest) *mediaParams {
	if kind == kindTweet {
		return req.Twitter
	}
	return req.Facebook
}

// sessionOp runs an operation on a customer-started facebooksession.
func (s *Server) sessionOp(lc *lifecycle, it *item, req *opRequest, ref int64, base string, r *http.Request) {
	switch op := req.OperationName; {
	case it.propertiesOp(req):
		s.publishItem(it, base, "PropertiesUpdated", ref)
	case op == "Accept":
		nick := req.Nickname
		if nick == "" {
			nick = s.userName(r)
		}
		lc.seq++
		it.agent = &participant{Nickname: nick, Type: "Agent", ParticipantID: fmt.Sprintf("0090%012X", lc.seq)}
		it.state, it.caps = "Chatting", append([]string(nil), capsSessionChatting...)
		it.joining = true // as the Accept sample: the StatusChange lists nobody yet
		s.publishItem(it, base, "StatusChange", ref)
		it.joining = false
		s.publishItem(it, base, "ParticipantsUpdated", ref)
		it.appendLog("ParticipantJoined", *it.agent, "", "All")
		s.publishLog(it, base, ref, it.log...) // the history so far, as the Accept page shows
	case op == "Reject":
		it.state, it.caps, it.ended = "Completed", nil, true
		s.publishItem(it, base, "StatusChange", ref)
	case op == "SendMessage", op == "SendToAgents":
		vis := "All"
		if op == "SendToAgents" {
			vis = "Agents"
		}
		s.publishLog(it, base, ref, it.appendLog("Text", *it.agent, req.Text, vis))
	case op == "SendStartTypingNotification":
		s.publishLog(it, base, ref, it.appendLog("TypingStarted", *it.agent, "", "All"))
	case op == "SendStopTypingNotification":
		s.publishLog(it, base, ref, it.appendLog("TypingStopped", *it.agent, "", "All"))
	case op == "Consult":
		lc.seq++
		it.consult = &participant{Nickname: "Consultant", Type: "Agent", ParticipantID: fmt.Sprintf("0090%012X", lc.seq)}
		s.publishItem(it, base, "ParticipantsUpdated", ref)
	case op == "RemoveParticipantFromConference":
		if it.consult != nil {
			e := it.appendLog("Notice", *it.agent, "REMOVE_PARTICIPANT_FROM_CONFERENCE"+it.consult.ParticipantID, "Agents")
			it.consult = nil
			s.publishLog(it, base, 0, e)
		}
		s.publishItem(it, base, "ParticipantsUpdated", ref)
	case op == "InFocus", op == "ReportResponseTemplateUsage":
		// No notification (ReportResponseTemplateUsage: "no response to process").
	case op == "Leave":
		left := it.appendLog("ParticipantLeft", *it.agent, "", "All")
		it.agent = nil
		s.publishLog(it, base, ref, left)
		it.end("Completed")
		s.publishItem(it, base, "StatusChange", ref)
	case op == "Complete", op == "Transfer":
		it.end("Completed")
		s.publishItem(it, base, "StatusChange", ref)
	}
}

// collectionOp serves POST /me/facebook and /me/tweets: Create, and for
// Tweets Follow and Unfollow.
func (s *Server) collectionOp(w http.ResponseWriter, r *http.Request, hs *httpSession, seg string, body []byte) {
	var req opRequest
	if !decodeGWS(w, body, &req) {
		return
	}
	kind := kindFacebook
	if seg != "facebook" {
		kind = kindTweet
	}
	switch {
	case req.OperationName == "":
		writeMissing(w, "operationName")
		return
	case req.OperationName == "Create":
		if blank(req.QueuePath) {
			writeMissing(w, "queuePath")
			return
		}
	case kind == kindTweet && (req.OperationName == "Follow" || req.OperationName == "Unfollow"):
		if blank(req.TwitterUserID) {
			writeMissing(w, "twitterUserId")
			return
		}
		if blank(req.From) {
			writeMissing(w, "from")
			return
		}
	default:
		writeBadOperation(w, req.OperationName)
		return
	}
	lc := &s.lc
	lc.mu.Lock()
	defer lc.mu.Unlock()
	lc.init()
	ref := s.nextReference(hs)
	writeGWS(w, http.StatusOK, s.accepted(ref))
	user, jr := s.userName(r), requestOf(r.Context())
	sc := s.scriptFor(RouteInteractionCollection)
	send := Send{Route: RouteInteractionCollection, ReferenceID: ref, to: user, channel: ChannelTwitter}
	var notices []Notice
	lc.sink = &notices
	if req.OperationName != "Create" {
		if !sc.fails() {
			s.lcPublish(user, ChannelTwitter, lc.twitterOperationResponse(ref))
		}
		send.Default = notices
		lc.sink = nil
		s.outcome(jr, send, sc)
		return
	}
	draft := &item{kind: kind, id: lc.newID(), creator: user, state: "Composing", caps: append([]string(nil), capsDraft...),
		offered: true, msgType: "Status", userData: maps.Clone(req.UserData)}
	base := s.URL()
	send.ID, send.Resource = draft.id, draft.resource(base)
	if kind == kindFacebook {
		send.channel = ChannelFacebook
	}
	if !sc.fails() { // a Create that fails makes nothing
		lc.add(draft)
		s.store.put(kind, draft.id, draft.resource(base))
		s.publishItem(draft, base, "StatusChange", ref)
	}
	send.Default = notices
	lc.sink = nil
	s.outcome(jr, send, sc)
}
