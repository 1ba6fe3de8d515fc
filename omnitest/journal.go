package omnitest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"slices"
)

// RequestFilter selects records in Server.Requests.
type RequestFilter func(*Request) bool

// ByRoute selects the requests of route.
func ByRoute(route Route) RequestFilter { return func(r *Request) bool { return r.Route == route } }

// ByMethod selects the requests with HTTP method m.
func ByMethod(m string) RequestFilter { return func(r *Request) bool { return r.Method == m } }

// ByStatus selects the requests answered with HTTP status code (0: no
// answer; 101 selects a websocket upgrade while the socket is still open).
func ByStatus(code int) RequestFilter {
	return func(r *Request) bool { return r.Status == code && (code != 0 || r.Done) }
}

// ByGWSCode selects the GWS answers with statusCode code.
func ByGWSCode(code int) RequestFilter { return func(r *Request) bool { return r.GWSCode == code } }

// ByReferenceID selects the GWS answer that handed out referenceId ref.
func ByReferenceID(ref int64) RequestFilter {
	return func(r *Request) bool { return r.ReferenceID == ref }
}

// ByFault selects the requests f was applied to (compared as Fault.String
// describes them); Faulted selects every faulted request.
func ByFault(f Fault) RequestFilter {
	want := f.String()
	return func(r *Request) bool { return r.Fault == want }
}

// Faulted selects the requests a fault was applied to.
func Faulted() RequestFilter { return func(r *Request) bool { return r.Fault != "" } }

// Requests returns a copy of every HTTP request received so far that
// matches all filters, in arrival order:
//
//	srv.Requests(omnitest.ByRoute(omnitest.RouteFacebookSend), omnitest.ByStatus(200))
//
// The client may hold an answer before the server has finished the request
// (a send publishes its notification after answering): use WaitRequest to
// read a request's outcome, Notifications included.
func (s *Server) Requests(filters ...RequestFilter) []Request {
	s.rec.mu.Lock()
	defer s.rec.mu.Unlock()
	var out []Request
	for _, r := range s.rec.requests {
		if matches(r, filters) {
			out = append(out, copyRequest(r))
		}
	}
	return out
}

// WaitRequest waits until a request matching all filters is done (its
// handler returned) and returns the first such, or ctx's error. Its
// Notifications then hold everything it published at once; a delayed one
// (Outcome.After, DelayMessage) is added when published.
//
//	r, err := srv.WaitRequest(ctx, omnitest.ByRoute(omnitest.RouteFacebookSend))
func (s *Server) WaitRequest(ctx context.Context, filters ...RequestFilter) (Request, error) {
	for {
		s.rec.mu.Lock()
		for _, r := range s.rec.requests {
			if r.Done && matches(r, filters) {
				c := copyRequest(r)
				s.rec.mu.Unlock()
				return c, nil
			}
		}
		if s.rec.finished == nil {
			s.rec.finished = make(chan struct{})
		}
		ch := s.rec.finished
		s.rec.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return Request{}, ctx.Err()
		}
	}
}

func matches(r *Request, filters []RequestFilter) bool {
	for _, f := range filters {
		if f != nil && !f(r) {
			return false
		}
	}
	return true
}

func copyRequest(r *Request) Request {
	c := *r
	c.Header = r.Header.Clone()
	c.Body = slices.Clone(r.Body)
	c.Notifications = slices.Clone(r.Notifications)
	for i := range c.Notifications {
		c.Notifications[i].Data = slices.Clone(c.Notifications[i].Data)
	}
	return c
}

// finish records how req was answered.
func (rc *recorder) finish(req *Request, w *answerRecorder, fault string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	req.Done = true
	if rc.finished != nil {
		close(rc.finished)
		rc.finished = nil
	}
	req.Status = w.status
	req.Fault = fault
	if w.gws {
		if code, ref, ok := gwsEnvelope(w.body.Bytes()); ok {
			req.GWSCode, req.ReferenceID = code, ref
		}
	}
	req.ProcessedReferenceID = w.processedRef
}

// upgraded records a websocket upgrade's 101 as soon as it is written, so
// that the journal reads 101 while the socket is open.
func (rc *recorder) upgraded(req *Request) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	req.Status = http.StatusSwitchingProtocols
}

// gwsEnvelope reads the statusCode and referenceId of a GWS JSON answer.
func gwsEnvelope(body []byte) (code int, ref int64, ok bool) {
	if len(body) == 0 {
		return 0, 0, false
	}
	var env struct {
		StatusCode  *int  `json:"statusCode"`
		ReferenceID int64 `json:"referenceId"`
	}
	if json.Unmarshal(body, &env) != nil || env.StatusCode == nil {
		return 0, 0, false
	}
	return *env.StatusCode, env.ReferenceID, true
}

// published adds a notification to the request that caused it.
func (rc *recorder) published(req *Request, p Publication) {
	if req == nil {
		return
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	req.Notifications = append(req.Notifications, p)
}

type requestKey struct{}

// requestOf returns the record of the request ctx belongs to, or nil.
func requestOf(ctx context.Context) *Request {
	req, _ := ctx.Value(requestKey{}).(*Request)
	return req
}

// maxJournalBody bounds the part of a GWS answer kept to read its
// statusCode and referenceId.
const maxJournalBody = 64 << 10

// answerRecorder notes the status and the start of the body written to w.
type answerRecorder struct {
	http.ResponseWriter
	gws          bool // keep the body, to read the GWS envelope
	status       int
	body         bytes.Buffer
	processedRef int64     // ResetAfterProcessing: the referenceId nobody was told
	rec          *recorder // with req, told of a 101 when it is written
	req          *Request
}

func (a *answerRecorder) WriteHeader(code int) {
	if a.status == 0 {
		a.status = code
		if code == http.StatusSwitchingProtocols && a.rec != nil && a.req != nil {
			a.rec.upgraded(a.req)
		}
	}
	a.ResponseWriter.WriteHeader(code)
}

func (a *answerRecorder) Write(p []byte) (int, error) {
	if a.status == 0 {
		a.status = http.StatusOK
	}
	if a.gws && a.body.Len() < maxJournalBody {
		a.body.Write(p[:min(len(p), maxJournalBody-a.body.Len())])
	}
	return a.ResponseWriter.Write(p)
}

// Flush passes through, for answers flushed before a notification.
func (a *answerRecorder) Flush() {
	if f, ok := a.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack passes through (websocket upgrades, dropped connections); a
// websocket upgrade records 101, a drop leaves the status 0.
func (a *answerRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := a.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, http.ErrNotSupported
	}
	return hj.Hijack()
}

// Unwrap lets http.ResponseController reach the connection.
func (a *answerRecorder) Unwrap() http.ResponseWriter { return a.ResponseWriter }
