package bayeuxsrv

import (
	"context"
	"errors"
	"io"
	"net/http"
	"time"
)

// browserCookie is the cookie CometD servers set at handshake to tell
// browser tabs apart. It carries no authority here.
const browserCookie = "BAYEUX_BROWSER"

// serveLongPoll handles one long-polling POST.
func (s *Server) serveLongPoll(w http.ResponseWriter, r *http.Request) {
	limit := s.opts.MaxMessageSize
	if r.ContentLength > limit {
		http.Error(w, "message too large", http.StatusRequestEntityTooLarge)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "message too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read request", http.StatusBadRequest)
		return
	}
	msgs, raws, err := parseBatch(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	cut := s.cutSignal()
	b := &batch{r: r}
	for i, m := range msgs {
		s.observe(Inbound, raws[i])
		s.handle(b, m)
	}
	out := b.replies
	switch {
	case b.connect != nil:
		held, ok := s.holdConnect(r.Context(), cut, b.connect, b.connSess)
		if !ok {
			abort()
		}
		out = append(out, held...)
	case b.sess != nil:
		// Stalled, nothing is taken from the queue until delivery resumes,
		// and nothing at all if the client has gone meanwhile.
		if s.waitUnstalled(r.Context().Done(), cut) && r.Context().Err() == nil {
			out = append(out, b.sess.piggyback()...)
		}
	}
	if b.handshook != nil {
		if _, err := r.Cookie(browserCookie); err != nil {
			http.SetCookie(w, &http.Cookie{Name: browserCookie, Value: newID(), Path: "/", HttpOnly: true})
		}
	}
	if !s.waitUnstalled(r.Context().Done(), cut) {
		select {
		case <-s.done: // closing: answer what there is
		default:
			abort()
		}
	}
	for _, m := range out {
		s.observe(Outbound, m)
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(encodeArray(out))
}

// holdConnect answers a long-polling /meta/connect: at once for the first
// connect of a session, for advice.timeout 0 or when messages are queued;
// otherwise after Timeout, when messages arrive, when a newer connect replaces
// it, when the session ends, when ctx ends or when the server closes. It
// returns the queued data messages followed by the connect reply.
//
// While delivery is stalled (Stall) the messages stay queued until Resume:
// they are taken only once the answer can be written, and not at all when
// the client gave up on this connect meanwhile (its network-delay timeout),
// so that its next connect gets them instead of a response nobody reads.
func (s *Server) holdConnect(ctx context.Context, cut <-chan struct{}, m *inbound, ss *session) ([][]byte, bool) {
	ss.mu.Lock()
	if ss.gone != alive {
		why := ss.gone
		ss.mu.Unlock()
		return [][]byte{goneReply(m, why)}, true
	}
	ss.applyAckLocked(m)
	immediate := ss.connects == 0 || m.wantsImmediate() || len(ss.queue) > 0
	ss.connects++
	mine := ss.connects
	ss.wakeLocked(releaseReplaced) // a newer connect releases a held one
	w := &waiter{ch: make(chan struct{})}
	if !immediate {
		ss.held = w
	}
	ss.holds++ // also while stalled: no expiry of a session whose connect waits
	ss.mu.Unlock()

	withData, cutNow := true, false
	if !immediate {
		timer := time.NewTimer(s.opts.Timeout)
		select {
		case <-w.ch:
		case <-timer.C:
		case <-ctx.Done():
			withData = false // the client is gone; keep its messages for the next connect
		case <-cut:
			cutNow = true // CutConnections: no answer; the messages stay queued
		case <-s.done:
		}
		timer.Stop()
	}
	if withData && !cutNow && !s.waitUnstalled(ctx.Done(), cut) {
		select {
		case <-s.done: // closing: answer what there is
		case <-cut:
			cutNow = true
		default:
			withData = false // the client is gone
		}
	}

	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.holds--
	if ss.held == w {
		ss.held = nil
	}
	if ctx.Err() != nil || ss.connects != mine {
		// Gone while stalled or just now, or replaced by a newer connect
		// (the client gave up on this one): the newer connect takes them.
		withData = false
	}
	cutNow = cutNow || isCut(cut) // a wake by data published after the cut must not beat it
	if cutNow {
		ss.lastSeen = time.Now()
		return nil, false
	}
	if ss.gone != alive {
		return [][]byte{goneReply(m, ss.gone)}, true
	}
	if w.reason == releaseReplaced {
		withData = false
	}
	return s.finishConnectLocked(m, ss, withData), true
}

// finishConnectLocked builds the data + reply of a connect and restarts the
// session's expiry clock.
func (s *Server) finishConnectLocked(m *inbound, ss *session, withData bool) [][]byte {
	msgs, ext := ss.takeBatchLocked(withData)
	ss.lastSeen = time.Now()
	return append(msgs, s.connectReply(m, ss, ext))
}
