package bayeuxsrv

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Server is an in-process Bayeux 1.0 server. It is an http.Handler: mount it
// at the CometD endpoint. Create it with New and stop it with Close.
type Server struct {
	opts Options
	log  *slog.Logger

	mu       sync.RWMutex
	sessions map[string]*session
	subs     map[string]map[*session]struct{} // pattern → subscribers
	closed   bool

	done chan struct{} // closed by Close

	faultMu sync.Mutex
	cut     chan struct{} // closed and replaced by CutConnections
	stall   chan struct{} // non-nil while stalled; closed by Resume
	wg      sync.WaitGroup
}

// New returns a running Server. It starts one goroutine that expires idle
// sessions; Close stops it.
func New(opts Options) *Server {
	opts = opts.withDefaults()
	s := &Server{
		opts:     opts,
		log:      opts.Logger,
		sessions: make(map[string]*session),
		subs:     make(map[string]map[*session]struct{}),
		done:     make(chan struct{}),
		cut:      make(chan struct{}),
	}
	s.wg.Add(1)
	go s.sweep()
	return s
}

// ServeHTTP serves one Bayeux request: a POST whose body is a JSON array of
// messages (long-polling) or a GET with "Upgrade: websocket" (websocket). The
// request path is not inspected, so ".../handshake"-style suffixes work too.
// After Close every request gets 503.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case s.isClosed():
		http.Error(w, "bayeux server closed", http.StatusServiceUnavailable)
	case isUpgrade(r):
		s.serveWebSocket(w, r)
	case r.Method == http.MethodPost:
		s.serveLongPoll(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func isUpgrade(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

func (s *Server) isClosed() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.closed
}

// Publish delivers data on channel to every session subscribed to it,
// directly or through a wildcard, and returns how many sessions it was queued
// for (a session counts once however many of its subscriptions match). data
// is marshalled once; a json.RawMessage is sent as is. It returns 0 for an
// invalid channel name, data that cannot be marshalled, or a closed server.
func (s *Server) Publish(channel string, data any) int {
	if !validChannel(channel) || isWildcard(channel) {
		return 0
	}
	msg, err := publishMessage(channel, data)
	if err != nil {
		s.log.Warn("bayeuxsrv: cannot marshal published data", "channel", channel, "err", err)
		return 0
	}
	return s.deliver(channel, msg, nil)
}

// PublishTo is Publish to the sessions whose owner (Options.Owner) is owner only.
func (s *Server) PublishTo(owner, channel string, data any) int {
	if !validChannel(channel) || isWildcard(channel) {
		return 0
	}
	msg, err := publishMessage(channel, data)
	if err != nil {
		s.log.Warn("bayeuxsrv: cannot marshal published data", "channel", channel, "err", err)
		return 0
	}
	return s.deliver(channel, msg, &owner)
}

// deliver queues a prepared data message for every session matching channel
// (of owner only, when owner is not nil).
func (s *Server) deliver(channel string, msg []byte, owner *string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return 0
	}
	var sets []map[*session]struct{}
	for _, p := range patternsFor(channel) {
		if set := s.subs[p]; len(set) > 0 {
			sets = append(sets, set)
		}
	}
	var seen map[*session]struct{}
	if len(sets) > 1 {
		seen = make(map[*session]struct{})
	}
	n := 0
	for _, set := range sets {
		for ss := range set {
			if owner != nil && ss.owner != *owner {
				continue
			}
			if seen != nil {
				if _, dup := seen[ss]; dup {
					continue
				}
				seen[ss] = struct{}{}
			}
			ok, overflow := ss.enqueue(msg)
			if overflow {
				s.log.Warn("bayeuxsrv: session queue full, dropping oldest messages", "limit", s.opts.MaxQueue)
			}
			if ok {
				n++
			}
		}
	}
	return n
}

// DropSessions forgets every session, as a server restart would: held
// connects are answered with "402::Unknown client" and advice reconnect
// "handshake", and so is every later request naming one of those clientIds.
func (s *Server) DropSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ss := range s.sessions {
		s.removeLocked(ss, goneDropped)
	}
}

// SessionCount returns the number of live sessions.
func (s *Server) SessionCount() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.sessions)
}

// Close ends every session (held connects are answered with
// "402::Unknown client"), closes every websocket, stops the expiry goroutine
// and waits for the goroutines the Server started. Later requests get 503.
// Close is idempotent.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	// End the sessions before signalling done: a held connect woken by done
	// must find its session gone and answer 402, not a successful reply.
	for _, ss := range s.sessions {
		s.removeLocked(ss, goneClosed)
	}
	close(s.done)
	s.mu.Unlock()
	s.wg.Wait() // websocket pumps see done, send close frames and end their sockets
}

// lookup returns the live session with that id, or nil.
func (s *Server) lookup(id string) *session {
	if id == "" {
		return nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.sessions[id]
}

// removeLocked deletes a session and its subscriptions and ends it.
// The caller holds s.mu for writing.
func (s *Server) removeLocked(ss *session, why goneReason) {
	if s.sessions[ss.id] != ss {
		return
	}
	delete(s.sessions, ss.id)
	for p := range ss.subs {
		if set := s.subs[p]; set != nil {
			delete(set, ss)
			if len(set) == 0 {
				delete(s.subs, p)
			}
		}
	}
	ss.mu.Lock()
	ss.endLocked(why)
	ss.mu.Unlock()
}

// sweep expires sessions that have not connected for MaxInterval.
func (s *Server) sweep() {
	defer s.wg.Done()
	every := s.opts.MaxInterval / 4
	every = min(max(every, 5*time.Millisecond), time.Second)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case now := <-t.C:
			s.expire(now)
		}
	}
}

func (s *Server) expire(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ss := range s.sessions {
		ss.mu.Lock()
		dead := ss.holds == 0 && now.Sub(ss.lastSeen) > s.opts.MaxInterval
		ss.mu.Unlock()
		if dead {
			s.removeLocked(ss, goneExpired)
		}
	}
}

// observe passes one message to the OnMessage hook.
func (s *Server) observe(dir Direction, m []byte) {
	if s.opts.OnMessage != nil {
		s.opts.OnMessage(dir, json.RawMessage(m))
	}
}

// connectAdvice is the advice sent with successful handshake and connect replies.
func (s *Server) connectAdvice() *advice {
	return &advice{
		Reconnect:   "retry",
		Interval:    s.opts.Interval.Milliseconds(),
		Timeout:     millis(s.opts.Timeout.Milliseconds()),
		MaxInterval: millis(s.opts.MaxInterval.Milliseconds()),
	}
}
