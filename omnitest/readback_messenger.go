package omnitest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// Read-back routes of the Messenger endpoint.
const (
	// RouteMessengerReports is GET /facebook/1/reports.
	RouteMessengerReports Route = "messenger.reports"
	// RouteMessengerLogs is GET /facebook/1/logs.
	RouteMessengerLogs Route = "messenger.logs"
)

const (
	messengerReportsPath = "/facebook/1/reports"
	messengerLogsPath    = "/facebook/1/logs"
	defaultReportsLimit  = 50
	maxReportsLimit      = 1000
)

// messengerReadRoute maps a Messenger read-back path to its route.
func messengerReadRoute(path string) (Route, bool) {
	switch path {
	case messengerReportsPath:
		return RouteMessengerReports, true
	case messengerLogsPath:
		return RouteMessengerLogs, true
	}
	return "", false
}

// WithPendingReads sets how many reads (reports or logs) show a Messenger
// message as PENDING (1 PENDING / 7 PENDING_ENROUTE) before it shows as
// DELIVERED (3 DELIVERED / 5 DELIVERED_TO_HANDSET). The default is 1: the
// first read of a message sees it pending, every later one delivered. 0
// makes messages delivered at once. Negative values count as 0.
func WithPendingReads(n int) Option {
	return func(c *config) { c.pendingReads = max(n, 0) }
}

// reportBook is the delivery state of every message the Messenger endpoint
// accepted. Unlike the service, which returns each report once, the
// simulator returns a message's report on every read, so tests can read
// back as often as they like.
type reportBook struct {
	mu      sync.Mutex
	entries []*reportEntry
}

type reportEntry struct {
	messageID string
	from, to  string
	text      string // the text of a TEXT message
	sentAt    time.Time
	doneAt    time.Time // set when it turned delivered
	reads     int       // how many reads have returned it
}

// add records an accepted message.
func (b *reportBook) add(id, from, to string, message json.RawMessage, at time.Time) {
	var m struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	_ = json.Unmarshal(message, &m) // validated already
	e := &reportEntry{messageID: id, from: from, to: to, sentAt: at}
	if m.Type == "TEXT" {
		e.text = m.Text
	}
	b.mu.Lock()
	b.entries = append(b.entries, e)
	b.mu.Unlock()
}

// reportJSON is a delivery report or log entry on the wire.
type reportJSON struct {
	BulkID       string          `json:"bulkId,omitempty"`
	MessageID    string          `json:"messageId"`
	To           string          `json:"to"`
	From         string          `json:"from,omitempty"`
	Text         string          `json:"text,omitempty"`
	SentAt       string          `json:"sentAt"`
	DoneAt       string          `json:"doneAt,omitempty"`
	MessageCount int             `json:"messageCount"`
	Price        priceJSON       `json:"price"`
	Status       messengerStatus `json:"status"`
	Error        errorJSON       `json:"error"`
}

type priceJSON struct {
	PricePerMessage float64 `json:"pricePerMessage"`
	Currency        string  `json:"currency"`
}

type errorJSON struct {
	GroupID     int    `json:"groupId"`
	GroupName   string `json:"groupName"`
	ID          int    `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Permanent   bool   `json:"permanent"`
}

var (
	deliveredToHandset = messengerStatus{GroupID: 3, GroupName: "DELIVERED", ID: 5, Name: "DELIVERED_TO_HANDSET",
		Description: "Message delivered to handset"}
	noError = errorJSON{GroupName: "OK", Name: "NO_ERROR", Description: "No Error"}
)

// status is the entry's status at its next read.
func (e *reportEntry) status(pendingReads int) messengerStatus {
	if e.reads < pendingReads {
		return pendingEnroute
	}
	return deliveredToHandset
}

// messengerFilter is the query of a reports or logs read.
type messengerFilter struct {
	from, to, bulkID string
	messageIDs       map[string]bool
	generalStatus    string
	since, until     time.Time
	limit            int
}

func (f *messengerFilter) match(e *reportEntry, st messengerStatus) bool {
	sent := e.sentAt.Truncate(time.Millisecond) // the precision of the layout
	switch {
	case f.from != "" && e.from != f.from,
		f.to != "" && e.to != f.to,
		f.bulkID != "", // single sends have no bulk
		len(f.messageIDs) > 0 && !f.messageIDs[e.messageID],
		f.generalStatus != "" && st.GroupName != f.generalStatus,
		!f.since.IsZero() && sent.Before(f.since),
		!f.until.IsZero() && sent.After(f.until):
		return false
	}
	return true
}

// parseMessengerFilter reads the query; logs allows the log-only parameters.
// It returns the validation errors in the service's shape.
func parseMessengerFilter(q url.Values, logs bool) (*messengerFilter, map[string][]string) {
	bad := map[string][]string{}
	f := &messengerFilter{bulkID: q.Get("bulkId"), limit: defaultReportsLimit}
	if ids := q["messageId"]; len(ids) > 0 {
		f.messageIDs = make(map[string]bool, len(ids))
		for _, id := range ids {
			f.messageIDs[id] = true
		}
	}
	if v, ok := q["limit"]; ok {
		n, err := strconv.Atoi(v[0])
		if err != nil || n < 1 || n > maxReportsLimit {
			bad["limit"] = []string{"must be between 1 and 1000"}
		}
		f.limit = n
	}
	if logs {
		f.from, f.to = q.Get("from"), q.Get("to")
		switch g := q.Get("generalStatus"); g {
		case "", "PENDING", "UNDELIVERABLE", "DELIVERED", "EXPIRED", "REJECTED":
			f.generalStatus = g
		default:
			bad["generalStatus"] = []string{"must be one of PENDING, UNDELIVERABLE, DELIVERED, EXPIRED, REJECTED"}
		}
		for _, p := range []struct {
			name string
			dst  *time.Time
		}{{"sentSince", &f.since}, {"sentUntil", &f.until}} {
			if v := q.Get(p.name); v != "" {
				t, err := time.Parse(timestampLayout, v)
				if err != nil {
					bad[p.name] = []string{"must be a date in the format " + timestampLayout}
				}
				*p.dst = t
			}
		}
	}
	if len(bad) > 0 {
		return nil, bad
	}
	return f, nil
}

// read returns the latest matching entries (at most f.limit, in send order)
// and counts the read against each of them.
func (b *reportBook) read(f *messengerFilter, pendingReads int, logs bool) []reportJSON {
	b.mu.Lock()
	defer b.mu.Unlock()
	var picked []*reportEntry
	for _, e := range b.entries {
		if f.match(e, e.status(pendingReads)) {
			picked = append(picked, e)
		}
	}
	if len(picked) > f.limit {
		picked = picked[len(picked)-f.limit:]
	}
	now := time.Now()
	out := make([]reportJSON, 0, len(picked))
	for _, e := range picked {
		st := e.status(pendingReads)
		if st.GroupID == deliveredToHandset.GroupID && e.doneAt.IsZero() {
			e.doneAt = now
		}
		e.reads++
		r := reportJSON{
			MessageID:    e.messageID,
			To:           e.to,
			SentAt:       e.sentAt.Format(timestampLayout),
			MessageCount: 1,
			Price:        priceJSON{Currency: "EUR"},
			Status:       st,
			Error:        noError,
		}
		if !e.doneAt.IsZero() {
			r.DoneAt = e.doneAt.Format(timestampLayout)
		}
		if logs {
			r.From, r.Text = e.from, e.text
		}
		out = append(out, r)
	}
	return out
}

// serveMessengerRead serves GET /facebook/1/reports and /facebook/1/logs
// with the same authentication as the send endpoint.
func (s *Server) serveMessengerRead(w http.ResponseWriter, r *http.Request, route Route) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeMessengerError(w, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "Method not allowed", nil)
		return
	}
	if !s.messengerAuthorized(r.Header.Get("Authorization")) {
		writeMessengerError(w, http.StatusUnauthorized, "UNAUTHORIZED", msgInvalidLogin, nil)
		return
	}
	logs := route == RouteMessengerLogs
	f, bad := parseMessengerFilter(r.URL.Query(), logs)
	if bad != nil {
		writeMessengerError(w, http.StatusBadRequest, "BAD_REQUEST", "Bad request", bad)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Results []reportJSON `json:"results"`
	}{s.reports.read(f, s.cfg.pendingReads, logs)})
}
