package omnitest

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

const (
	messengerSendPath = "/facebook/1/single"
	msgInvalidLogin   = "Invalid login details"
)

// messengerError is the Infobip error body.
type messengerError struct {
	RequestError struct {
		ServiceException serviceException `json:"serviceException"`
	} `json:"requestError"`
}

type serviceException struct {
	MessageID        string              `json:"messageId"`
	Text             string              `json:"text"`
	ValidationErrors map[string][]string `json:"validationErrors,omitempty"`
}

// messengerResponse is the Infobip success body.
type messengerResponse struct {
	To           string          `json:"to"`
	MessageCount int             `json:"messageCount"`
	MessageID    string          `json:"messageId"`
	Status       messengerStatus `json:"status"`
}

type messengerStatus struct {
	GroupID     int    `json:"groupId"`
	GroupName   string `json:"groupName"`
	ID          int    `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// pendingEnroute is the status of every accepted message.
var pendingEnroute = messengerStatus{
	GroupID: 1, GroupName: "PENDING", ID: 7, Name: "PENDING_ENROUTE",
	Description: "Message sent to next instance",
}

func isMessengerRoute(r Route) bool {
	return r == RouteMessengerSend || r == RouteMessengerUnknown || r == RouteMessengerReports || r == RouteMessengerLogs
}

func writeMessengerError(w http.ResponseWriter, status int, id, text string, fields map[string][]string) {
	var e messengerError
	e.RequestError.ServiceException = serviceException{MessageID: id, Text: text, ValidationErrors: fields}
	writeJSON(w, status, e)
}

// serveMessenger serves the Infobip side of the listener.
func (s *Server) serveMessenger(w http.ResponseWriter, r *http.Request, route Route, body []byte) {
	if route != RouteMessengerSend || r.Method != http.MethodPost {
		writeMessengerError(w, http.StatusNotFound, "NOT_FOUND", "Not found", nil)
		return
	}
	if !s.messengerAuthorized(r.Header.Get("Authorization")) {
		writeMessengerError(w, http.StatusUnauthorized, "UNAUTHORIZED", msgInvalidLogin, nil)
		return
	}
	var req messengerRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeMessengerError(w, http.StatusBadRequest, "BAD_REQUEST", "Bad request",
			map[string][]string{"body": {"malformed JSON"}})
		return
	}
	if fields := validateMessenger(&req); len(fields) > 0 {
		writeMessengerError(w, http.StatusBadRequest, "BAD_REQUEST", "Bad request", fields)
		return
	}
	id, now := newMessageID(), time.Now()
	s.rec.addSent(SentMessage{MessageID: id, From: req.From, To: req.To, Message: req.Message, Time: now})
	s.reports.add(id, req.From, req.To, req.Message, now)
	writeJSON(w, http.StatusOK, messengerResponse{To: req.To, MessageCount: 1, MessageID: id, Status: pendingEnroute})
}

// messengerAuthorized checks an Authorization header against the configured
// Messenger credentials; with none configured any non-empty header passes.
func (s *Server) messengerAuthorized(h string) bool {
	h = strings.TrimSpace(h)
	if h == "" {
		return false
	}
	if !s.cfg.messengerAuthConfigured() {
		return true
	}
	scheme, cred, ok := strings.Cut(h, " ")
	if !ok {
		return false
	}
	cred = strings.TrimSpace(cred)
	switch strings.ToLower(scheme) {
	case "app":
		for _, k := range s.cfg.msgKeys {
			if equal(cred, k) {
				return true
			}
		}
	case "basic":
		raw, err := base64.StdEncoding.DecodeString(cred)
		if err != nil {
			return false
		}
		user, pass, _ := strings.Cut(string(raw), ":")
		for _, up := range s.cfg.msgBasic {
			if equal(user, up[0]) && equal(pass, up[1]) {
				return true
			}
		}
	case "ibsso", "bearer":
		for _, t := range s.cfg.msgTokens {
			if equal(cred, t) {
				return true
			}
		}
	}
	return false
}

// newMessageID returns a random UUID-shaped message id.
func newMessageID() string {
	h := strings.ToLower(randomHex(16))
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
