package bayeuxsrv

import "net/http"

// CutConnections drops every transport connection at once, as a network
// failure would: websockets are closed without a close frame and held
// long-polling connects are aborted without an answer. Sessions survive,
// with their queued messages, so a client that reconnects with its clientId
// gets them; a message a socket was writing when cut may be lost, as on a
// real network.
//
// A message published after CutConnections returns is never written to a
// connection that existed before: the cut is signalled under the server's
// lock that publishing takes, and every drain of a queue checks it.
func (s *Server) CutConnections() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	close(s.cut)
	s.cut = make(chan struct{})
}

// isCut reports whether cut is closed.
func isCut(cut <-chan struct{}) bool {
	select {
	case <-cut:
		return true
	default:
		return false
	}
}

// Stall stops all delivery: websockets write nothing and long-polling
// answers are held, while connections stay open and messages queue up (a
// stuck network path). Resume ends it. Stall on a stalled server does
// nothing.
func (s *Server) Stall() {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	if s.stall == nil {
		s.stall = make(chan struct{})
	}
}

// Resume ends a Stall: everything held is written.
func (s *Server) Resume() {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	if s.stall != nil {
		close(s.stall)
		s.stall = nil
	}
}

func (s *Server) cutSignal() <-chan struct{} {
	s.faultMu.Lock()
	defer s.faultMu.Unlock()
	return s.cut
}

// waitUnstalled returns true once delivery may go on, false if quit, the
// connection's cut or the server's end came first.
func (s *Server) waitUnstalled(quit, cut <-chan struct{}) bool {
	s.faultMu.Lock()
	st := s.stall
	s.faultMu.Unlock()
	if st == nil {
		return true
	}
	select {
	case <-st:
		return true
	case <-quit:
	case <-cut:
	case <-s.done:
	}
	return false
}

// abort ends a long-polling request without an answer (CutConnections).
func abort() { panic(http.ErrAbortHandler) }
