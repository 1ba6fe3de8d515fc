package omnitest

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omnisdk/omni/internal/bayeuxsrv"
)

// ErrClosed is returned by Restart on a closed Server.
var ErrClosed = errors.New("omnitest: server closed")

// maxBody caps the request bodies the simulator reads (GWS, Messenger).
const maxBody = 4 << 20

// Server is a running simulator: GWS, its CometD endpoint and the Infobip
// Messenger endpoint on one HTTP listener. Create it with NewServer (tests)
// or Start (programs); it is safe for concurrent use.
type Server struct {
	cfg  config
	addr string // host:port, fixed for the life of the Server

	life sync.Mutex // serialises Restart and Close

	// The current Messenger API and pushes (infobip_messages.go,
	// infobip_push.go); not guarded by mu.
	ibOnce sync.Once
	ib     *infobipState

	mu         sync.Mutex // guards everything below
	gen        *generation
	closed     bool
	sessions   map[string]*httpSession
	refFloor   int64 // first referenceId of a new HTTP session is refFloor+1
	seq        int64 // source of generated ids
	faults     []*faultEntry
	t          testing.TB // set by NewServer: refused faults fail the test
	fbSessions map[string]*fbSession
	signedIn   bool
	auth       authState                // what GWS requires now (runtime.go)
	tlsConfig  *tls.Config              // set by StartTLS (tls.go)
	clock      Clock                    // immutable after Start (clock.go)
	timers     timerSet                 // scheduled notifications (clock.go)
	scripts    map[Route][]*scriptEntry // scripted outcomes (outcome.go)
	msgFaults  []*msgFaultEntry         // message faults (msgfault.go)
	held       map[string][]heldMessage // messages ReorderMessage holds back

	rec     recorder
	reports reportBook // delivery state of Messenger sends (readback_messenger.go)
	store   gwsStore   // GWS resources created by sends (readback_gws.go)
	lc      lifecycle  // agent session and customer-started interactions (lifecycle.go)
}

// generation is one incarnation of the listener: Restart replaces it.
type generation struct {
	ln     net.Listener
	hs     *http.Server
	bayeux *bayeuxsrv.Server
	stop   chan struct{} // closed when this generation shuts down
	served chan struct{} // closed when Serve has returned
	track  tracker
	conns  connSet // the HTTP connections open, with their states
}

// NewServer starts a Server on 127.0.0.1 at a free port and closes it when
// the test ends. It fails the test if the server cannot start.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := Start("127.0.0.1:0", opts...)
	if err != nil {
		t.Fatalf("omnitest: %v", err)
	}
	s.t = t
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// Start starts a Server listening on addr ("127.0.0.1:0" picks a free port).
// The caller must Close it.
func Start(addr string, opts ...Option) (*Server, error) { return start(addr, false, opts) }

func start(addr string, useTLS bool, opts []Option) (*Server, error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:        cfg,
		sessions:   make(map[string]*httpSession),
		fbSessions: make(map[string]*fbSession),
	}
	s.auth = authState{basic: s.cfg.basicAuth, user: s.cfg.basicUser, pass: s.cfg.basicPass, csrf: s.cfg.csrf}
	s.clock = s.cfg.clock
	s.rec.clock = s.clock
	if useTLS {
		conf, err := newTLSConfig()
		if err != nil {
			return nil, err
		}
		s.tlsConfig = conf
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("omnitest: listen: %w", err)
	}
	s.addr = ln.Addr().String()
	s.gen = s.startGeneration(ln)
	return s, nil
}

func (s *Server) startGeneration(ln net.Listener) *generation {
	if s.tlsConfig != nil {
		ln = tls.NewListener(ln, s.tlsConfig)
	}
	g := &generation{
		ln:     ln,
		stop:   make(chan struct{}),
		served: make(chan struct{}),
	}
	g.bayeux = bayeuxsrv.New(bayeuxsrv.Options{
		Timeout:    s.cfg.cometdTimeout,
		Transports: s.cfg.transports,
		Authorize:  s.authorizeHandshake,
		Owner:      s.userName, // the agent a session's notifications are for (lifecycle)
		OnMessage:  s.rec.addMessage,
		Logger:     s.cfg.logger,
	})
	g.hs = &http.Server{
		Handler:           g.conns.handler(s.cfg.wrap(s.handlerFor(g))),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.cfg.logger.Handler(), slog.LevelDebug),
		ConnState:         g.conns.track,
		ConnContext:       g.conns.context,
	}
	go func() {
		defer close(g.served)
		_ = g.hs.Serve(ln)
	}()
	return g
}

// stopGeneration shuts g down and waits for everything it started. With
// settle (Restart), the clients are first let close their idle connections
// (connSet.settle).
func stopGeneration(g *generation, settle bool) {
	close(g.stop) // releases Hang faults and latency waits
	if settle {
		_ = g.ln.Close() // no new connection while the idle ones close
		g.conns.settle(idleSettle)
	}
	_ = g.hs.Close()   // listener and every tracked connection
	g.bayeux.Close()   // held connects, websockets
	<-g.served         // Serve has returned
	g.track.waitIdle() // every handler has returned
}

// URL returns the GWS base URL (https with NewTLSServer), context path and /api/v2 included, e.g.
// http://127.0.0.1:PORT/api/v2.
func (s *Server) URL() string { return s.scheme() + "://" + s.addr + s.cfg.contextPath + "/api/v2" }

// MessengerURL returns the Messenger base URL (https with NewTLSServer), e.g. http://127.0.0.1:PORT.
func (s *Server) MessengerURL() string { return s.scheme() + "://" + s.addr }

// NotificationsURL returns the CometD endpoint, URL()+"/notifications".
func (s *Server) NotificationsURL() string { return s.URL() + "/notifications" }

// Addr returns the listener's host:port; it does not change across Restart.
func (s *Server) Addr() string { return s.addr }

// Close stops the listener, drops every connection, releases held requests
// and waits for every goroutine the server started. It is idempotent.
func (s *Server) Close() error {
	s.life.Lock()
	defer s.life.Unlock()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	g := s.gen
	s.mu.Unlock()
	s.timers.stop()
	stopGeneration(g, false)
	s.infobip().closePushes()
	return nil
}

// Restart simulates a server restart: it closes the listener and every
// connection, forgets CometD sessions and HTTP sessions (JSESSIONID, CSRF
// tokens), and listens again on the same address. A connection kept alive
// between two requests is closed first, and Restart waits (up to a second)
// until the client has closed it too, so that a request sent once Restart
// has returned goes out on a new connection, as it would long after a real
// restart, instead of failing on the old one; requests in progress (a held
// /meta/connect, say) are cut off. What a contact center
// keeps in its records survives: the interactions (posts, Tweets,
// facebooksessions with their participants and message logs), records,
// pending faults and the referenceId counter; the first referenceId of any
// later session is higher than every one issued before.
func (s *Server) Restart() error {
	s.life.Lock()
	defer s.life.Unlock()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	g := s.gen
	s.mu.Unlock()
	stopGeneration(g, true)

	var ln net.Listener
	var err error
	for range 50 { // the port may linger briefly after close
		if ln, err = net.Listen("tcp", s.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		return fmt.Errorf("omnitest: restart: listen %s: %w", s.addr, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, hs := range s.sessions {
		s.refFloor = max(s.refFloor, hs.nextRef-1)
	}
	s.sessions = make(map[string]*httpSession)
	s.gen = s.startGeneration(ln)
	return nil
}

// DropSessions forgets every CometD session: the clients' next requests get
// "402::Unknown client" with advice reconnect "handshake".
func (s *Server) DropSessions() {
	s.mu.Lock()
	g := s.gen
	s.mu.Unlock()
	g.bayeux.DropSessions()
}

// CometDSessions returns the number of live CometD sessions.
func (s *Server) CometDSessions() int {
	s.mu.Lock()
	g := s.gen
	s.mu.Unlock()
	return g.bayeux.SessionCount()
}

func (s *Server) nextID() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	return s.seq
}

// handlerFor is the root handler of generation g.
func (s *Server) handlerFor(g *generation) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !g.track.enter() {
			resetConn(w)
			return
		}
		defer g.track.leave()
		s.serve(g, w, r)
	})
}

// serve records the request, applies latency and faults, dispatches, and
// records the outcome.
func (s *Server) serve(g *generation, w http.ResponseWriter, r *http.Request) {
	route, sub := s.classify(r.URL.Path)
	route = readRoute(r.Method, route, sub)
	f, faulty := s.takeFault(route)
	fault := ""
	if faulty {
		fault = f.String()
	}
	aw := &answerRecorder{ResponseWriter: w, gws: routeVendor(route) == vendorGWS}
	var req *Request
	defer func() {
		if req != nil {
			s.rec.finish(req, aw, fault)
		}
	}()
	if faulty && f.kind == faultResetBeforeBody {
		req = s.rec.addRequest(r, route, nil)
		resetConn(w)
		return
	}
	var body []byte
	if !isWebSocketUpgrade(r) {
		var err error
		body, err = io.ReadAll(io.LimitReader(r.Body, maxBody))
		if err != nil {
			req = s.rec.addRequest(r, route, body)
			resetConn(w)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	req = s.rec.addRequest(r, route, body)
	aw.rec, aw.req = &s.rec, req
	r = r.WithContext(context.WithValue(r.Context(), requestKey{}, req))
	if !s.delay(r.Context(), g) {
		resetConn(w)
		return
	}
	if faulty {
		switch f.kind {
		case faultStatus:
			writeStatusFault(aw, route, f)
			return
		case faultHang:
			hang(r.Context(), g.stop, w)
			return
		case faultMalformed:
			aw.gws = false // the body is cut short on purpose
			writeMalformed(aw, route)
			return
		case faultResetAfterProcessing:
			// Processed in full into a writer that sends nothing. The
			// journal describes the answer the client got, none (Status 0,
			// GWSCode -1, ReferenceID 0), and keeps the referenceId the
			// server gave the request in ProcessedReferenceID.
			dw := &answerRecorder{ResponseWriter: newDiscardWriter(), gws: aw.gws}
			s.dispatch(g, dw, r, route, sub, body)
			if _, ref, ok := gwsEnvelope(dw.body.Bytes()); ok {
				aw.processedRef = ref
			}
			resetConn(w)
			return
		}
	}
	s.dispatch(g, aw, r, route, sub, body)
}

func (s *Server) dispatch(g *generation, w http.ResponseWriter, r *http.Request, route Route, sub string, body []byte) {
	switch route {
	case RouteNotifications:
		s.ensureSession(w, r)
		g.bayeux.ServeHTTP(w, r)
	case RouteMessengerSend, RouteMessengerUnknown:
		s.serveMessenger(w, r, route, body)
	case RouteMessengerMessages, RouteMessengerMessageLogs, RouteMessengerMessageReports:
		s.serveMessages(w, r, route, body)
	case RouteMessengerReports, RouteMessengerLogs:
		s.serveMessengerRead(w, r, route)
	default:
		s.serveGWS(w, r, route, sub, body)
	}
}

// delay waits for the configured latency; false means the wait was cut
// short by the request's end or the server stopping.
func (s *Server) delay(ctx context.Context, g *generation) bool {
	return s.sleep(s.cfg.latency, ctx.Done(), g.stop)
}

// classify maps a request path to its route and, for GWS, the path below
// {ctx}/api/v2.
func (s *Server) classify(path string) (Route, string) {
	base := s.cfg.contextPath + "/api/v2"
	if path == base || strings.HasPrefix(path, base+"/") {
		sub := strings.TrimPrefix(path, base)
		return gwsRoute(sub), sub
	}
	if route, ok := messagesRoute(path); ok {
		return route, ""
	}
	if path == messengerSendPath {
		return RouteMessengerSend, ""
	}
	if route, ok := messengerReadRoute(path); ok {
		return route, ""
	}
	return RouteMessengerUnknown, ""
}

func isWebSocketUpgrade(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// tracker counts running handlers of one generation so that stopping can
// wait for them.
type tracker struct {
	mu      sync.Mutex
	n       int
	closing bool
	idle    chan struct{}
}

func (t *tracker) enter() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closing {
		return false
	}
	t.n++
	return true
}

func (t *tracker) leave() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n--
	if t.n == 0 && t.closing {
		close(t.idle)
	}
}

func (t *tracker) waitIdle() {
	t.mu.Lock()
	t.closing = true
	t.idle = make(chan struct{})
	if t.n == 0 {
		close(t.idle)
	}
	idle := t.idle
	t.mu.Unlock()
	<-idle
}

// discardWriter is the ResponseWriter given to a request whose answer is
// never sent (ResetAfterProcessing).
type discardWriter struct{ h http.Header }

func newDiscardWriter() *discardWriter { return &discardWriter{h: make(http.Header)} }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}
