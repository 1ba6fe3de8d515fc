package omnitest

import (
	"encoding/json"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/omnisdk/omni/internal/bayeuxsrv"
)

// Request is the record of one HTTP request the server received and of how
// it was answered (see Server.Requests for queries).
type Request struct {
	Method   string
	Path     string // URL path as received, context path included
	RawQuery string
	Header   http.Header
	Body     []byte // nil when the body was not read (ResetBeforeBody, websocket upgrades)
	Route    Route
	Time     time.Time

	// Outcome fields, set once the answer is written; a request still being
	// served (a held /meta/connect, a Hang) has Status 0 and Done false;
	// an open websocket has Status 101 (from the moment the upgrade is
	// written) and Done false.

	// Done reports that the handler has returned.
	Done bool
	// Status is the HTTP status written, 101 for a websocket upgrade, 0 when
	// the connection was dropped without an answer (ResetBeforeBody,
	// ResetAfterProcessing, Hang).
	Status int
	// GWSCode is the statusCode of a GWS JSON answer, -1 when the answer
	// had none (Messenger, CometD, no answer, MalformedJSON).
	GWSCode int
	// ReferenceID is the referenceId of a GWS answer, or 0.
	ReferenceID int64
	// ProcessedReferenceID is, for a GWS request the server processed but
	// never answered (ResetAfterProcessing), the referenceId it gave the
	// request: the client never saw it, its notifications carry it. 0
	// otherwise.
	ProcessedReferenceID int64
	// Fault is the fault applied, as Fault.String describes it, or "".
	Fault string
	// Notifications are the CometD messages the request caused (a send's
	// state change, scripted outcomes included), in publish order; delayed
	// ones appear once published.
	Notifications []Publication
}

// Publication is one notification the simulator published.
type Publication struct {
	Channel string
	Data    json.RawMessage
	// Delivered is how many CometD sessions it was handed to (0: nobody was
	// subscribed, or a message fault dropped it).
	Delivered int
	// Fault is the message fault applied, as MessageFault.String describes
	// it, or "".
	Fault string
	Time  time.Time
}

// Direction says whether a CometD message came from a client or went to one.
type Direction int

const (
	// Inbound marks a message a client sent to the server.
	Inbound Direction = iota
	// Outbound marks a message the server sent to a client.
	Outbound
)

// String returns "inbound" or "outbound".
func (d Direction) String() string {
	if d == Outbound {
		return "outbound"
	}
	return "inbound"
}

// CometDRecord is the record of one CometD message, in either direction. Channel,
// ID, ClientID, Successful and Data are decoded from Raw for convenience.
type CometDRecord struct {
	Direction  Direction
	Channel    string
	ID         string
	ClientID   string
	Successful *bool
	Data       json.RawMessage
	Raw        json.RawMessage
	Time       time.Time
}

// MessengerRecord is the record of one message accepted by the Messenger
// endpoint.
type MessengerRecord struct {
	MessageID string
	From      string
	To        string
	Message   json.RawMessage // the "message" object as received
	Time      time.Time
}

// recorder keeps the records; it has its own lock so that the CometD hook
// never contends with the server's state lock.
type recorder struct {
	clock    Clock // set at Start
	mu       sync.Mutex
	requests []*Request    // outcome fields are filled in place (journal.go)
	finished chan struct{} // closed and replaced when a request is finished
	messages []CometDRecord
	sent     []MessengerRecord
}

func (rc *recorder) addRequest(r *http.Request, route Route, body []byte) *Request {
	req := &Request{
		Method:   r.Method,
		Path:     r.URL.Path,
		RawQuery: r.URL.RawQuery,
		Header:   r.Header.Clone(),
		Body:     body,
		Route:    route,
		Time:     rc.clock.Now(),
		GWSCode:  -1,
	}
	rc.mu.Lock()
	rc.requests = append(rc.requests, req)
	rc.mu.Unlock()
	return req
}

func (rc *recorder) addMessage(dir bayeuxsrv.Direction, raw json.RawMessage) {
	var head struct {
		Channel    string          `json:"channel"`
		ID         string          `json:"id"`
		ClientID   string          `json:"clientId"`
		Successful *bool           `json:"successful"`
		Data       json.RawMessage `json:"data"`
	}
	_ = json.Unmarshal(raw, &head) // a malformed message is still recorded raw
	m := CometDRecord{
		Direction:  Inbound,
		Channel:    head.Channel,
		ID:         head.ID,
		ClientID:   head.ClientID,
		Successful: head.Successful,
		Data:       head.Data,
		Raw:        slices.Clone(raw),
		Time:       rc.clock.Now(),
	}
	if dir == bayeuxsrv.Outbound {
		m.Direction = Outbound
	}
	rc.mu.Lock()
	rc.messages = append(rc.messages, m)
	rc.mu.Unlock()
}

func (rc *recorder) addSent(m MessengerRecord) {
	rc.mu.Lock()
	rc.sent = append(rc.sent, m)
	rc.mu.Unlock()
}

// Messages returns a copy of every CometD message seen so far, inbound and
// outbound, in the order the server saw them.
func (s *Server) Messages() []CometDRecord {
	s.rec.mu.Lock()
	defer s.rec.mu.Unlock()
	out := make([]CometDRecord, len(s.rec.messages))
	for i, m := range s.rec.messages {
		m.Raw = slices.Clone(m.Raw)
		m.Data = slices.Clone(m.Data)
		out[i] = m
	}
	return out
}

// MessengerMessages returns a copy of every message the Messenger endpoint
// accepted, in order.
func (s *Server) MessengerMessages() []MessengerRecord {
	s.rec.mu.Lock()
	defer s.rec.mu.Unlock()
	out := make([]MessengerRecord, len(s.rec.sent))
	for i, m := range s.rec.sent {
		m.Message = slices.Clone(m.Message)
		out[i] = m
	}
	return out
}

// Reset clears the request, CometD message and Messenger records. State
// (sessions, referenceIds, pending faults) is kept.
func (s *Server) Reset() {
	s.rec.mu.Lock()
	s.rec.requests, s.rec.messages, s.rec.sent = nil, nil, nil
	s.rec.mu.Unlock()
}
