package omnitest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/omnisdk/omni/internal/weburl"
)

// Routes of the current Infobip Messenger API.
const (
	// RouteMessengerMessages is POST /messenger/1/messages.
	RouteMessengerMessages Route = "messenger.messages"
	// RouteMessengerMessageLogs is GET /messenger/1/logs.
	RouteMessengerMessageLogs Route = "messenger.messages.logs"
	// RouteMessengerMessageReports is GET /messenger/1/reports.
	RouteMessengerMessageReports Route = "messenger.messages.reports"
)

func init() {
	for _, r := range []Route{RouteMessengerMessages, RouteMessengerMessageLogs, RouteMessengerMessageReports} {
		registerRoute(r, vendorMessenger)
	}
}

// infobipTimeLayout is Infobip's time format, such as 2023-09-26T10:52:15.457+0000.
const infobipTimeLayout = "2006-01-02T15:04:05.000-0700"

// messagesRoute maps a path of the current API to its route.
func messagesRoute(path string) (Route, bool) {
	switch path {
	case "/messenger/1/messages":
		return RouteMessengerMessages, true
	case "/messenger/1/logs":
		return RouteMessengerMessageLogs, true
	case "/messenger/1/reports":
		return RouteMessengerMessageReports, true
	}
	return "", false
}

// OutboundMessage is the record of one destination of a message the
// current API (/messenger/1/messages) accepted: one per destination, so a
// message sent twice to a user shows up twice.
type OutboundMessage struct {
	BulkID       string
	MessageID    string
	Sender       string
	To           string
	Content      json.RawMessage // the "content" object as received
	CallbackData string
	Time         time.Time
}

// messagesBook is the state of the current API: accepted destinations,
// refused users, reports not yet read.
type messagesBook struct {
	mu      sync.Mutex
	sent    []*outbound
	refused map[string]bool
	seq     int64
}

type outbound struct {
	OutboundMessage
	deliveryURL string // per-message webhook, "" for the account's
	seenURL     string
	notify      bool
	reported    bool // returned by GET /messenger/1/reports (handed out once)
	seen        bool
	rejected    bool // answered REJECTED: in the logs, not delivered
}

// RefuseDestination makes the current API answer every later message to
// user to with status 5 REJECTED / REJECTED_DESTINATION (the simulator's
// choice: the documents show no rejected sample) instead of accepting it.
func (s *Server) RefuseDestination(to string) {
	b := &s.infobip().book
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.refused == nil {
		b.refused = make(map[string]bool)
	}
	b.refused[to] = true
}

// OutboundMessages returns a copy of every destination the current API
// accepted, in order (rejected destinations show only in its logs).
func (s *Server) OutboundMessages() []OutboundMessage {
	b := &s.infobip().book
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]OutboundMessage, len(b.sent))
	out = out[:0]
	for _, m := range b.sent {
		if m.rejected {
			continue
		}
		c := m.OutboundMessage
		c.Content = append(json.RawMessage(nil), m.Content...)
		out = append(out, c)
	}
	return out
}

// wireMessages is the request body of POST /messenger/1/messages.
type wireMessages struct {
	Messages []struct {
		Sender       string `json:"sender"`
		Destinations []struct {
			To        string `json:"to"`
			MessageID string `json:"messageId"`
		} `json:"destinations"`
		Content  json.RawMessage `json:"content"`
		Webhooks *struct {
			Delivery *struct {
				URL    string `json:"url"`
				Notify *bool  `json:"notify"`
			} `json:"delivery"`
			CallbackData string `json:"callbackData"`
			Seen         *struct {
				URL string `json:"url"`
			} `json:"seen"`
		} `json:"webhooks"`
	} `json:"messages"`
	Options *struct {
		Schedule *struct {
			BulkID string `json:"bulkId"`
		} `json:"schedule"`
	} `json:"options"`
}

type violation struct {
	Property  string `json:"property"`
	Violation string `json:"violation"`
}

type messagesStatus struct {
	GroupID     int    `json:"groupId"`
	GroupName   string `json:"groupName"`
	ID          int    `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

var (
	statusAccepted = messagesStatus{1, "PENDING", 26, "PENDING_ACCEPTED", "Message sent to next instance"}
	statusRejected = messagesStatus{5, "REJECTED", 14, "REJECTED_DESTINATION", "Destination rejected"}
	statusDone     = messagesStatus{3, "DELIVERED", 5, "DELIVERED_TO_HANDSET", "Message delivered to handset"}
)

// The current API's answer to a request without valid credentials.
const (
	msgMessagesUnauthorized    = "The request lacks valid authentication credentials for the requested resource."
	actionMessagesUnauthorized = "Check the resources and adjust authentication credentials."
)

// isMessagesRoute reports whether r is a route of the current Messages API.
func isMessagesRoute(r Route) bool {
	return r == RouteMessengerMessages || r == RouteMessengerMessageLogs || r == RouteMessengerMessageReports
}

// writeMessagesError answers in the current API's error shape.
func writeMessagesError(w http.ResponseWriter, status int, description, action string, vs []violation) {
	if vs == nil {
		vs = []violation{}
	}
	writeJSON(w, status, map[string]any{"errorCode": "E" + strconv.Itoa(status), "description": description,
		"action": action, "violations": vs, "resources": []any{}})
}

// serveMessages serves the current API.
func (s *Server) serveMessages(w http.ResponseWriter, r *http.Request, route Route, body []byte) {
	if !s.messengerAuthorized(r.Header.Get("Authorization")) {
		writeMessagesError(w, http.StatusUnauthorized, msgMessagesUnauthorized, actionMessagesUnauthorized, nil)
		return
	}
	switch {
	case route == RouteMessengerMessages && r.Method == http.MethodPost:
		s.serveSendMessages(w, body)
	case route == RouteMessengerMessageLogs && r.Method == http.MethodGet:
		s.serveMessageLogs(w, r)
	case route == RouteMessengerMessageReports && r.Method == http.MethodGet:
		s.serveMessageReports(w, r)
	default:
		writeMessagesError(w, http.StatusNotFound, "Not found.", "Check the path.", nil)
	}
}

func (s *Server) serveSendMessages(w http.ResponseWriter, body []byte) {
	var req wireMessages
	if err := json.Unmarshal(body, &req); err != nil {
		writeMessagesError(w, http.StatusBadRequest, "Request cannot be processed.",
			"Check the syntax, violations and adjust the request.", []violation{{"body", "malformed JSON"}})
		return
	}
	if vs := checkMessages(&req); len(vs) > 0 {
		writeMessagesError(w, http.StatusBadRequest, "Request cannot be processed.",
			"Check the syntax, violations and adjust the request.", vs)
		return
	}
	ib := s.infobip()
	b := &ib.book
	now := time.Now()
	bulkID := ""
	if req.Options != nil && req.Options.Schedule != nil {
		bulkID = req.Options.Schedule.BulkID
	}
	type result struct {
		MessageID   string         `json:"messageId"`
		Status      messagesStatus `json:"status"`
		Destination string         `json:"destination"`
	}
	var results []result
	var accepted []*outbound
	b.mu.Lock()
	b.seq++
	if bulkID == "" {
		bulkID = "bulk-" + strconv.FormatInt(b.seq, 10)
	}
	for _, m := range req.Messages {
		for _, d := range m.Destinations {
			id := d.MessageID
			if id == "" {
				id = newMessageID()
			}
			o := &outbound{OutboundMessage: OutboundMessage{BulkID: bulkID, MessageID: id, Sender: m.Sender,
				To: d.To, Content: append(json.RawMessage(nil), m.Content...), Time: now}, notify: true}
			if b.refused[d.To] {
				o.rejected, o.reported, o.seen = true, true, true
				b.sent = append(b.sent, o)
				results = append(results, result{id, statusRejected, d.To})
				continue
			}
			if wh := m.Webhooks; wh != nil {
				o.CallbackData = wh.CallbackData
				if wh.Delivery != nil {
					o.deliveryURL = wh.Delivery.URL
					o.notify = wh.Delivery.Notify == nil || *wh.Delivery.Notify
				}
				if wh.Seen != nil {
					o.seenURL = wh.Seen.URL
				}
			}
			b.sent = append(b.sent, o)
			accepted = append(accepted, o)
			results = append(results, result{id, statusAccepted, d.To})
		}
	}
	b.mu.Unlock()
	for _, o := range accepted {
		ib.pushDelivery(o)
	}
	writeJSON(w, http.StatusOK, map[string]any{"bulkId": bulkID, "messages": results})
}

// checkMessages returns the request's violations, with Infobip's property paths.
func checkMessages(req *wireMessages) []violation {
	var vs []violation
	add := func(p, v string) { vs = append(vs, violation{p, v}) }
	if len(req.Messages) == 0 {
		add("messages", "must not be empty")
	}
	for i, m := range req.Messages {
		p := fmt.Sprintf("messages[%d]", i)
		if blank(m.Sender) {
			add(p+".sender", "must not be blank")
		}
		if len(m.Destinations) == 0 {
			add(p+".destinations", "must not be empty")
		}
		for j, d := range m.Destinations {
			dp := fmt.Sprintf("%s.destinations[%d]", p, j)
			if blank(d.To) {
				add(dp+".to", "must not be blank")
			}
			if utf8.RuneCountInString(d.MessageID) > 200 {
				add(dp+".messageId", "size must be between 0 and 200")
			}
		}
		var c struct {
			Type         string `json:"type"`
			Text         string `json:"text"`
			URL          string `json:"url"`
			SenderAction string `json:"senderAction"`
			Payload      struct {
				Type    string `json:"type"`
				Buttons []struct {
					Type string `json:"type"`
					URL  string `json:"url"`
				} `json:"buttons"`
			} `json:"payload"`
		}
		if json.Unmarshal(m.Content, &c) != nil || c.Type == "" {
			add(p+".content", "must not be null")
		} else {
			switch c.Type {
			case "TEXT":
				if n := utf8.RuneCountInString(c.Text); n == 0 || n > 2000 {
					add(p+".content.text", "size must be between 1 and 2000")
				}
			case "IMAGE":
				if n := utf8.RuneCountInString(c.URL); n == 0 || n > 1000 {
					add(p+".content.url", "size must be between 1 and 1000")
				} else if !weburl.Valid(c.URL) {
					add(p+".content.url", weburl.Rule)
				}
			case "VIDEO", "AUDIO", "DOCUMENT":
				if n := utf8.RuneCountInString(c.URL); n == 0 || n > 800 {
					add(p+".content.url", "size must be between 1 and 800")
				} else if !weburl.Valid(c.URL) {
					add(p+".content.url", weburl.Rule)
				}
			case "SENDER_ACTION":
				switch c.SenderAction {
				case "MARK_SEEN", "TYPING_ON", "TYPING_OFF":
				default:
					add(p+".content.senderAction", ruleAction)
				}
			case "TEMPLATE":
				// The button template's rules, as the SDK checks them;
				// other payloads are the service's business.
				if strings.EqualFold(c.Payload.Type, "BUTTON") {
					if n := len(c.Payload.Buttons); n < 1 || n > 3 {
						add(p+".content.payload.buttons", "size must be between 1 and 3")
					}
					for k, b := range c.Payload.Buttons {
						if b.Type == "URL" && !weburl.Valid(b.URL) {
							add(fmt.Sprintf("%s.content.payload.buttons[%d].url", p, k), weburl.Rule)
						}
					}
				}
			case "LOCATION", "COMMENT", "POST", "OPT_IN_FOLLOWUP", "MARKETING_MESSAGE":
			default:
				add(p+".content.type", "unknown content type "+strconv.Quote(c.Type))
			}
		}
		if m.Webhooks != nil && utf8.RuneCountInString(m.Webhooks.CallbackData) > 4000 {
			add(p+".webhooks.callbackData", "size must be between 0 and 4000")
		}
	}
	return vs
}

// logEntry is one result of GET /messenger/1/logs.
func logEntry(o *outbound) map[string]any {
	st := statusDone
	if o.rejected {
		st = statusRejected
	}
	return map[string]any{
		"sender": o.Sender, "destination": o.To, "bulkId": o.BulkID, "messageId": o.MessageID,
		"sentAt": o.Time.Format(infobipTimeLayout), "doneAt": o.Time.Format(infobipTimeLayout),
		"messageCount": 1, "price": map[string]any{"pricePerMessage": 0, "currency": "EUR"},
		"status": st, "content": o.Content,
	}
}

// serveMessageLogs answers GET /messenger/1/logs: messageId and bulkId
// accept comma-separated and repeated values; sender, destination and
// limit (default 50, at most 1000) filter too.
func (s *Server) serveMessageLogs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, ok := readLimit(q.Get("limit"))
	if !ok {
		writeMessagesError(w, http.StatusBadRequest, "Request cannot be processed.",
			"Check the syntax, violations and adjust the request.", []violation{{"limit", "must be between 1 and 1000"}})
		return
	}
	ids, bulks := splitValues(q["messageId"]), splitValues(q["bulkId"])
	b := &s.infobip().book
	b.mu.Lock()
	defer b.mu.Unlock()
	results := []map[string]any{}
	for _, o := range b.sent {
		if len(results) == limit {
			break
		}
		if (len(ids) > 0 && !ids[o.MessageID]) || (len(bulks) > 0 && !bulks[o.BulkID]) ||
			(q.Get("sender") != "" && q.Get("sender") != o.Sender) ||
			(q.Get("destination") != "" && q.Get("destination") != o.To) {
			continue
		}
		results = append(results, logEntry(o))
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": results})
}

// serveMessageReports answers GET /messenger/1/reports: like the service,
// each report is handed out once.
func (s *Server) serveMessageReports(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, ok := readLimit(q.Get("limit"))
	if !ok {
		writeMessagesError(w, http.StatusBadRequest, "Request cannot be processed.",
			"Check the syntax, violations and adjust the request.", []violation{{"limit", "must be between 1 and 1000"}})
		return
	}
	b := &s.infobip().book
	b.mu.Lock()
	defer b.mu.Unlock()
	results := []map[string]any{}
	for _, o := range b.sent {
		if len(results) == limit {
			break
		}
		if o.reported || (q.Get("messageId") != "" && q.Get("messageId") != o.MessageID) ||
			(q.Get("bulkId") != "" && q.Get("bulkId") != o.BulkID) {
			continue
		}
		o.reported = true
		results = append(results, deliveryReport(o))
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": results})
}

// deliveryReport is the report of o, as pulled and as pushed.
func deliveryReport(o *outbound) map[string]any {
	rep := map[string]any{
		"bulkId": o.BulkID, "messageId": o.MessageID, "to": o.To, "sender": o.Sender,
		"sentAt": o.Time.Format(infobipTimeLayout), "doneAt": o.Time.Format(infobipTimeLayout),
		"messageCount": 1, "price": map[string]any{"pricePerMessage": 0, "currency": "EUR"},
		"status": statusDone,
		"error":  map[string]any{"groupId": 0, "groupName": "OK", "id": 0, "name": "NO_ERROR", "description": "No Error", "permanent": false},
	}
	if o.CallbackData != "" {
		rep["callbackData"] = o.CallbackData
	}
	return rep
}

func readLimit(v string) (int, bool) {
	if v == "" {
		return defaultReportsLimit, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 1 && n <= maxReportsLimit
}

// splitValues turns repeated and comma-separated values into a set.
func splitValues(vs []string) map[string]bool {
	set := make(map[string]bool)
	for _, v := range vs {
		for _, p := range strings.Split(v, ",") {
			if p != "" {
				set[p] = true
			}
		}
	}
	return set
}
