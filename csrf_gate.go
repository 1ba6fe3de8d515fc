package omni

import (
	"context"
	"time"
)

// The CSRF gate. GWS starts an HTTP session for every request that comes
// without a valid one, and the CSRF token it hands out belongs to one
// session. When concurrent requests meet an expired (or not yet started)
// session, each answer can set another session cookie; a token fetched
// while some of them are still in flight would be paired, in the jar, with
// a session started after it. So a refresh closes the gate (requests not
// yet sent wait), waits until the requests in flight have their answers
// (their cookies are in the jar), and only then fetches the token: the
// token and the jar's session then match for every request sent after the
// gate opens.

// enter waits while a refresh holds the gate, then counts an attempt in
// flight (sent, its answer not in yet; a retry's wait between attempts is
// not counted). It returns the epoch the attempt is counted in, for leave.
// It fails only when ctx ends first: nothing was sent.
func (s *csrfState) enter(ctx context.Context) (epoch int, err error) {
	s.mu.Lock()
	for s.gate != nil {
		g := s.gate
		s.mu.Unlock()
		select {
		case <-g:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
		s.mu.Lock()
	}
	s.inflight++
	epoch = s.epoch
	s.mu.Unlock()
	return epoch, nil
}

// leave ends an attempt counted by enter in epoch; its answer (and
// Set-Cookie) has arrived or it failed. An attempt of an epoch a refresh
// stopped waiting for is no longer counted.
func (s *csrfState) leave(epoch int) {
	s.mu.Lock()
	if epoch == s.epoch {
		s.inflight--
		if s.inflight == 0 && s.idle != nil {
			close(s.idle)
			s.idle = nil
		}
	}
	s.mu.Unlock()
}

// lockRefresh takes the refresh lock (one refresh at a time), or fails
// when ctx ends first.
func (s *csrfState) lockRefresh(ctx context.Context) error {
	select {
	case s.refreshing <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *csrfState) unlockRefresh() { <-s.refreshing }

// quiesceMax bounds the wait for the requests in flight: a request whose
// answer does not come (a server that hangs, a caller without a deadline)
// must not hold every GWS request of the client. After it the token is
// fetched anyway, and the attempts still in flight are not waited for
// again by later refreshes (a new epoch starts: each refresh would
// otherwise wait its full bound for the same hung request); a late answer
// that replaces the session then costs that request's callers one more
// try. The wait is also at most half of what is
// left of the refreshing caller's deadline, so that its fetch and retry
// still fit.
var quiesceMax = time.Second

// quiesce closes the gate and waits until no request is in flight, at most
// quiesceMax; the returned open reopens it. The caller holds the refresh
// lock. When ctx ends first the gate is reopened and ctx.Err returned.
func (s *csrfState) quiesce(ctx context.Context) (open func(), err error) {
	g := make(chan struct{})
	s.mu.Lock()
	s.gate = g
	var idle chan struct{}
	if s.inflight > 0 {
		idle = make(chan struct{})
		s.idle = idle
	}
	s.mu.Unlock()
	open = func() {
		s.mu.Lock()
		s.gate, s.idle = nil, nil
		s.mu.Unlock()
		close(g)
	}
	if idle != nil {
		wait := quiesceMax
		if d, ok := ctx.Deadline(); ok && time.Until(d)/2 < wait {
			wait = time.Until(d) / 2
		}
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-idle:
		case <-t.C:
			s.mu.Lock()
			s.epoch++
			s.inflight, s.idle = 0, nil
			s.mu.Unlock()
		case <-ctx.Done():
			open()
			return nil, ctx.Err()
		}
	}
	return open, nil
}
