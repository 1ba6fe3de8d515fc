package bayeuxsrv

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"
)

// goneReason says why a session ended; zero means it is alive.
type goneReason int

const (
	alive goneReason = iota
	goneDisconnect
	goneDropped
	goneExpired
	goneClosed
)

// releaseReason says why a held long-polling connect was woken.
type releaseReason int

const (
	releaseData     releaseReason = iota + 1 // messages were queued
	releaseReplaced                          // a newer connect arrived for the session
	releaseGone                              // the session ended
)

// waiter is one held long-polling /meta/connect. ch is closed exactly once,
// under session.mu, after reason is set.
type waiter struct {
	ch     chan struct{}
	reason releaseReason
}

// session is one Bayeux client. Its subscription set is guarded by Server.mu;
// everything else by session.mu. Lock order: Server.mu, then wsConn.mu, then
// session.mu.
type session struct {
	id    string
	ack   bool   // ack extension negotiated at handshake; immutable
	owner string // Options.Owner of the handshake request; immutable

	subs map[string]struct{} // guarded by Server.mu

	mu         sync.Mutex
	queue      [][]byte // undelivered data messages, oldest first
	maxQueue   int
	overflowed bool // overflow already logged
	gone       goneReason
	held       *waiter       // held long-polling connect, if any
	notify     chan struct{} // websocket pump wake-up, if bound to a socket
	holds      int           // connects currently held (LP or websocket); no expiry while > 0
	connects   int           // connects seen so far
	lastSeen   time.Time     // last connect reply (or handshake)
	batch      int64         // last ack batch id sent
	unacked    []ackBatch    // batches sent but not yet acknowledged
}

func newSession(ack bool, maxQueue int, now time.Time) *session {
	return &session{
		id:       newID(),
		ack:      ack,
		subs:     make(map[string]struct{}),
		maxQueue: maxQueue,
		lastSeen: now,
	}
}

// newID returns a random 128-bit identifier in hex.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// enqueue appends a data message and wakes whoever delivers for the session.
// It reports whether the session was alive. The caller must not hold s.mu.
// It returns true when the oldest message had to be dropped for the first
// time, so the caller can log it once.
func (s *session) enqueue(msg []byte) (ok, firstOverflow bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gone != alive {
		return false, false
	}
	if len(s.queue) >= s.maxQueue {
		drop := len(s.queue) - s.maxQueue + 1
		s.queue = append(s.queue[:0], s.queue[drop:]...)
		if !s.overflowed {
			s.overflowed = true
			firstOverflow = true
		}
	}
	s.queue = append(s.queue, msg)
	s.wakeLocked(releaseData)
	return true, firstOverflow
}

// wakeLocked releases a held long-polling connect and pokes a bound websocket.
func (s *session) wakeLocked(r releaseReason) {
	if w := s.held; w != nil {
		s.held = nil
		w.reason = r
		close(w.ch)
	}
	if s.notify != nil {
		select {
		case s.notify <- struct{}{}:
		default:
		}
	}
}

// endLocked marks the session gone and wakes every waiter.
func (s *session) endLocked(r goneReason) {
	if s.gone != alive {
		return
	}
	s.gone = r
	s.queue = nil
	s.unacked = nil
	s.wakeLocked(releaseGone)
}

// drainLocked takes every queued message.
func (s *session) drainLocked() [][]byte {
	q := s.queue
	s.queue = nil
	return q
}

// piggyback returns queued messages that may ride on the reply to a
// non-connect request: only when no connect is held (a held connect gets them)
// and the ack extension is off (acked messages travel only in connect replies).
func (s *session) piggyback() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gone != alive || s.ack || s.holds > 0 {
		return nil
	}
	return s.drainLocked()
}

// requeue puts msgs, taken from the queue but never written (the socket was
// cut first), back at its head, ahead of what was queued since. The caller
// must not hold s.mu.
func (s *session) requeue(msgs [][]byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gone != alive || len(msgs) == 0 {
		return
	}
	s.queue = append(append([][]byte(nil), msgs...), s.queue...)
	if over := len(s.queue) - s.maxQueue; over > 0 {
		s.queue = s.queue[over:]
	}
	s.wakeLocked(releaseData)
}
