package omnitest

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"sync"
	"time"
)

// idleSettle bounds how long Restart waits for clients to close their idle
// connections: a Go client closes one within microseconds of seeing the
// server's end of it; one that never does is closed at the bound.
const idleSettle = time.Second

// connSet follows a generation's HTTP connections (http.Server's ConnState
// and ConnContext hooks, and handler around its handler).
type connSet struct {
	mu     sync.Mutex
	conns  map[net.Conn]*connUse // open and not hijacked
	closed chan struct{}         // signalled on every close, while settle waits
}

// connUse is what a connection is doing.
type connUse struct {
	handling bool // a handler is running on it
	answered bool // and it flushed its answer (GWS's answer before its notifications)
}

type connKey struct{}

// context is the http.Server's ConnContext hook: it gives handler the
// request's connection.
func (cs *connSet) context(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, c)
}

// track is the http.Server's ConnState hook.
func (cs *connSet) track(c net.Conn, st http.ConnState) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	switch st {
	case http.StateNew:
		if cs.conns == nil {
			cs.conns = map[net.Conn]*connUse{}
		}
		cs.conns[c] = &connUse{}
	case http.StateHijacked, http.StateClosed:
		delete(cs.conns, c)
		if cs.closed != nil {
			select {
			case cs.closed <- struct{}{}:
			default:
			}
		}
	}
}

// handler notes, around h, when a handler runs on a connection and when it
// has flushed its answer.
func (cs *connSet) handler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := r.Context().Value(connKey{}).(net.Conn)
		cs.note(c, func(u *connUse) { u.handling, u.answered = true, false })
		defer cs.note(c, func(u *connUse) { u.handling = false })
		h.ServeHTTP(&connWriter{ResponseWriter: w, cs: cs, c: c}, r)
	})
}

// note changes what c is doing, if c is followed.
func (cs *connSet) note(c net.Conn, fn func(*connUse)) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if u := cs.conns[c]; u != nil {
		fn(u)
	}
}

// connWriter is a handler's ResponseWriter: Flush marks the answer given.
type connWriter struct {
	http.ResponseWriter
	cs *connSet
	c  net.Conn
}

func (w *connWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		// Noted before the answer leaves: once the client has it, a
		// Restart it calls must see the connection answered.
		w.cs.note(w.c, func(u *connUse) { u.answered = true })
		f.Flush()
	}
}

func (w *connWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, http.ErrNotSupported
	}
	return hj.Hijack()
}

// Unwrap lets http.ResponseController reach the connection.
func (w *connWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// settle ends the server's side of every connection that holds no request
// still unanswered (idle, or whose handler has flushed its answer and goes
// on publishing): a TCP FIN, or a TLS close_notify, which a client sees as
// the server closing a kept-alive connection. The client drops the
// connection from its pool and closes its side, and the server's read of
// the next request then ends, closing the connection. settle returns when
// all of those are closed, or after bound; the caller closes what is left,
// with the requests still unanswered (held CometD connects, say).
func (cs *connSet) settle(bound time.Duration) {
	cs.mu.Lock()
	cs.closed = make(chan struct{}, 1)
	var ended []net.Conn
	for c, u := range cs.conns {
		cw, ok := c.(interface{ CloseWrite() error })
		if ok && (!u.handling || u.answered) && cw.CloseWrite() == nil { // TLS: not before its handshake
			ended = append(ended, c)
		}
	}
	cs.mu.Unlock()
	deadline := time.NewTimer(bound)
	defer deadline.Stop()
	for {
		cs.mu.Lock()
		left := 0
		for _, c := range ended {
			if cs.conns[c] != nil {
				left++
			}
		}
		cs.mu.Unlock()
		if left == 0 {
			return
		}
		select {
		case <-cs.closed:
		case <-deadline.C:
			return
		}
	}
}
