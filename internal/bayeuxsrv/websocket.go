package bayeuxsrv

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// writeTimeout bounds one websocket frame write; a peer that does not read
// for this long is dropped.
const writeTimeout = 10 * time.Second

// wsConn is one websocket. The handler goroutine reads and processes frames;
// one pump goroutine writes every outgoing frame, answers held connects when
// their timeout passes and pushes data messages as they are queued.
type wsConn struct {
	srv    *Server
	c      *websocket.Conn
	r      *http.Request
	ctx    context.Context
	cancel context.CancelFunc
	wake   chan struct{} // capacity 1; also the bound session's notify channel

	mu      sync.Mutex
	out     [][]byte   // replies waiting to be written, in order
	pending *wsPending // the held /meta/connect, if any
	sess    *session   // the session this socket delivers for
}

// wsPending is a /meta/connect held on a websocket.
type wsPending struct {
	m         *inbound
	sess      *session
	deadline  time.Time
	immediate bool
	seq       int // the session's connect count when this one arrived
}

// serveWebSocket upgrades the request and serves the socket until it ends.
func (s *Server) serveWebSocket(w http.ResponseWriter, r *http.Request) {
	if !s.opts.offers(WebSocket) {
		http.Error(w, "websocket transport not offered", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		http.Error(w, "bayeux server closed", http.StatusServiceUnavailable)
		return
	}
	s.wg.Add(1) // hijacked handlers are not tracked by http.Server; Close waits for them
	s.mu.Unlock()
	defer s.wg.Done()

	// Bayeux clients are not browsers and often send no or a foreign Origin.
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		s.log.Debug("bayeuxsrv: websocket upgrade failed", "err", err)
		return // Accept wrote the response
	}
	c.SetReadLimit(s.opts.MaxMessageSize)
	ctx, cancel := context.WithCancel(context.Background())
	wc := &wsConn{srv: s, c: c, r: r, ctx: ctx, cancel: cancel, wake: make(chan struct{}, 1)}

	pumpDone := make(chan struct{})
	go func() {
		defer close(pumpDone)
		wc.pump()
	}()
	wc.readLoop()
	cancel()
	<-pumpDone
	_ = c.CloseNow()
	wc.unbind()
}

// readLoop reads frames until the socket fails or is closed.
func (wc *wsConn) readLoop() {
	for {
		_, data, err := wc.c.Read(wc.ctx)
		if err != nil {
			// Includes an oversized frame: the library has already closed
			// the socket with status 1009.
			return
		}
		msgs, raws, err := parseBatch(data)
		if err != nil {
			_ = wc.c.Close(websocket.StatusUnsupportedData, "invalid Bayeux message")
			return
		}
		b := &batch{r: wc.r}
		for i, m := range msgs {
			wc.srv.observe(Inbound, raws[i])
			wc.srv.handle(b, m)
		}
		wc.mu.Lock()
		wc.out = append(wc.out, b.replies...)
		if b.handshook != nil {
			wc.bindLocked(b.handshook)
		}
		if b.connect != nil {
			wc.holdLocked(b.connect, b.connSess)
		}
		wc.mu.Unlock()
		wc.poke()
	}
}

func (wc *wsConn) poke() {
	select {
	case wc.wake <- struct{}{}:
	default:
	}
}

// bindLocked makes ss deliver through this socket.
func (wc *wsConn) bindLocked(ss *session) {
	if wc.sess == ss {
		return
	}
	if old := wc.sess; old != nil {
		old.mu.Lock()
		if old.notify == wc.wake {
			old.notify = nil
		}
		old.mu.Unlock()
	}
	wc.sess = ss
	ss.mu.Lock()
	ss.notify = wc.wake
	ss.mu.Unlock()
}

// holdLocked registers a /meta/connect; the pump answers it.
func (wc *wsConn) holdLocked(m *inbound, ss *session) {
	if old := wc.pending; old != nil { // a newer connect releases the held one
		wc.pending = nil
		old.sess.mu.Lock()
		old.sess.holds--
		if old.sess.gone != alive {
			wc.out = append(wc.out, goneReply(old.m, old.sess.gone))
		} else {
			wc.out = append(wc.out, wc.srv.finishConnectLocked(old.m, old.sess, false)...)
		}
		old.sess.mu.Unlock()
	}
	wc.bindLocked(ss)
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.gone != alive {
		wc.out = append(wc.out, goneReply(m, ss.gone))
		return
	}
	ss.applyAckLocked(m)
	immediate := ss.connects == 0 || m.wantsImmediate()
	ss.connects++
	ss.wakeLocked(releaseReplaced) // releases a long-polling connect held for the session
	ss.holds++
	wc.pending = &wsPending{m: m, sess: ss, deadline: time.Now().Add(wc.srv.opts.Timeout), immediate: immediate, seq: ss.connects}
}

// collect gathers what is due: queued replies, the held connect's reply if
// it is due, and (without the ack extension) data messages as they come. It
// returns the messages to write and when the held connect falls due.
func (wc *wsConn) collect(now time.Time, cut <-chan struct{}) (msgs [][]byte, next time.Time, cutNow bool) {
	wc.mu.Lock()
	defer wc.mu.Unlock()
	msgs = wc.out
	wc.out = nil
	// taken is the data a finished held connect took from its session's
	// queue; if the cut is seen after that, it goes back (requeue).
	var taken [][]byte
	var takenFrom *session
	if p := wc.pending; p != nil {
		ss := p.sess
		ss.mu.Lock()
		if isCut(cut) { // checked under the session lock that publishing takes
			ss.mu.Unlock()
			return nil, time.Time{}, true
		}
		switch {
		case ss.gone != alive:
			ss.holds--
			wc.pending = nil
			msgs = append(msgs, goneReply(p.m, ss.gone))
		case p.immediate || !now.Before(p.deadline) || (ss.ack && len(ss.queue) > 0):
			ss.holds--
			wc.pending = nil
			// A connect replaced by a newer one (on another socket or by
			// long-polling) leaves the messages queued for that one.
			reply := wc.srv.finishConnectLocked(p.m, ss, ss.connects == p.seq)
			if n := len(reply) - 1; n > 0 && !ss.ack { // with ack the batch is kept until acknowledged
				taken, takenFrom = reply[:n], ss
			}
			msgs = append(msgs, reply...)
		default:
			next = p.deadline
		}
		ss.mu.Unlock()
	}
	if hook := testHookConnectTaken.Load(); hook != nil {
		(*hook)()
	}
	if ss := wc.sess; ss != nil {
		ss.mu.Lock()
		if isCut(cut) {
			ss.mu.Unlock()
			if takenFrom != nil {
				takenFrom.requeue(taken)
			}
			return nil, time.Time{}, true
		}
		// Only the socket the session delivers through drains its queue:
		// a socket the client has left for a newer one may be unread.
		if ss.gone == alive && !ss.ack && ss.notify == wc.wake {
			msgs = append(msgs, ss.drainLocked()...)
		}
		ss.mu.Unlock()
	}
	return msgs, next, false
}

// pump writes everything the socket has to send until the socket ends.
func (wc *wsConn) pump() {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	cut := wc.srv.cutSignal()
	for {
		closing := false
		select {
		case <-wc.ctx.Done():
			return
		case <-cut:
			wc.cut()
			return
		case <-wc.srv.done:
			closing = true
		case <-wc.wake:
		case <-timer.C:
		}
		if !closing && !wc.srv.waitUnstalled(wc.ctx.Done(), cut) {
			select {
			case <-cut:
				wc.cut()
				return
			case <-wc.ctx.Done():
				return
			default:
				closing = true // the server is closing
			}
		}
		msgs, next, cutNow := wc.collect(time.Now(), cut)
		if cutNow {
			wc.cut()
			return
		}
		if err := wc.write(msgs); err != nil {
			wc.cancel()
			return
		}
		if closing {
			_ = wc.c.Close(websocket.StatusGoingAway, "server closing")
			return
		}
		if next.IsZero() {
			timer.Stop()
		} else {
			timer.Reset(time.Until(next))
		}
	}
}

// write sends msgs as one JSON array frame.
// cut drops the socket without a close frame (CutConnections).
func (wc *wsConn) cut() {
	wc.cancel()
	_ = wc.c.CloseNow()
}

func (wc *wsConn) write(msgs [][]byte) error {
	if len(msgs) == 0 {
		return nil
	}
	for _, m := range msgs {
		wc.srv.observe(Outbound, m)
	}
	ctx, cancel := context.WithTimeout(wc.ctx, writeTimeout)
	defer cancel()
	return wc.c.Write(ctx, websocket.MessageText, encodeArray(msgs))
}

// unbind detaches the socket from its session when the socket ends; the
// session lives on until it expires or reconnects (e.g. by long-polling).
func (wc *wsConn) unbind() {
	wc.mu.Lock()
	defer wc.mu.Unlock()
	if p := wc.pending; p != nil {
		wc.pending = nil
		p.sess.mu.Lock()
		p.sess.holds--
		p.sess.mu.Unlock()
	}
	if ss := wc.sess; ss != nil {
		wc.sess = nil
		ss.mu.Lock()
		if ss.notify == wc.wake {
			ss.notify = nil
		}
		ss.lastSeen = time.Now()
		ss.mu.Unlock()
	}
}

// testHookConnectTaken, if set (by tests), runs in collect after a held
// connect was answered and before the socket's own queue is looked at.
var testHookConnectTaken atomic.Pointer[func()]
