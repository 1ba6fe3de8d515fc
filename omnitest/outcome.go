package omnitest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Notice is one notification a scripted outcome publishes: Data (anything
// that marshals to a JSON object) on Channel, After the send's answer. The
// notices of one outcome are published in the order of their After, those
// with the same After in the order given, on either clock.
type Notice struct {
	Channel string
	Data    any
	After   time.Duration // on the server's Clock; 0 publishes right after the answer

	to string // the agent whose CometD sessions get it; "" for every session
}

// Send is what an outcome knows of the request it answers.
type Send struct {
	Route       Route
	ReferenceID int64
	// ID is the resource id of the path (the {id} of /me/facebook/{id}).
	ID string
	// Resource is the resource as the default notification carries it
	// (facebook, twitter or facebooksession object), for builders that
	// change a field of it.
	Resource any
	// Default is what the route publishes when nothing is scripted.
	Default []Notice

	to      string // the agent the request's notices go to; "" for every session
	channel string // RouteInteractionCollection: the topic of the resource
	item    bool   // an operation on a customer-started interaction or draft
}

// Outcome decides what notifications a processed request publishes; give
// it to Server.Script. Build one with Sent, Failed, NoNotification or
// Notify, and combine with Then, After, Times and Always.
type Outcome struct {
	name   string
	build  func(Send) ([]Notice, error)
	ends   outcomeEnd // how the request ends, by its last Sent or Failed part
	times  int        // uses asked for (1 by default)
	count  string     // the Times and Always calls as made, for String
	misuse string
}

// outcomeEnd says whether an outcome's last Sent or Failed part succeeded:
// a request that ends failed leaves its resource as it was.
type outcomeEnd int

const (
	endUnsaid outcomeEnd = iota // no Sent or Failed part: as by default
	endSent
	endFailed
)

// Sent is the default outcome: the route's documented state change (for a
// Facebook send FacebookStateChangeMessage StatusChange with state Sent).
func Sent() Outcome {
	return Outcome{name: "Sent()", ends: endSent, times: 1, build: func(s Send) ([]Notice, error) { return s.Default, nil }}
}

// Failed reports the request as accepted and then failed, with message, in
// the route's documented shape: FacebookStateChangeMessage or
// FacebooksessionStateChangeMessage with notificationType Error (the
// message in errorMessage, the field TwitterOperationResponse uses; the
// GWS documents give no field for it), and for a Tweet send a
// TwitterOperationResponse with success "false" and errorMessage (for an
// operation on a customer-started Tweet or its draft a
// TwitterStateChangeMessage of type Error with the tweet, as the documents
// describe the failures of interaction operations).
//
// A request whose outcome ends with Failed (its last Sent or Failed part)
// changes nothing: a read of the resource afterwards finds it as it was
// before the request (not found if the simulator held none), and the Error
// notification carries it as it was (for a send to an id the simulator
// held nothing for, in state Composing).
func Failed(message string) Outcome {
	return Outcome{name: fmt.Sprintf("Failed(%q)", message), ends: endFailed, times: 1, build: func(s Send) ([]Notice, error) {
		nb, _ := routeOutcomes(s.Route)
		if nb.failed == nil {
			return nil, fmt.Errorf("route %q has no documented failure notification", s.Route)
		}
		return []Notice{nb.failed(s, message)}, nil
	}}
}

// NoNotification publishes nothing: the notification GWS never sent.
func NoNotification() Outcome {
	return Outcome{name: "NoNotification()", times: 1, build: func(Send) ([]Notice, error) { return nil, nil }}
}

// Notify publishes what build returns, the extension point for shapes the
// other builders do not cover: build gets the Send and may use the exported
// notification builders (FacebookStateChange, TwitterOperationResponse, ...)
// or any data of its own.
func Notify(name string, build func(Send) []Notice) Outcome {
	if build == nil {
		return Outcome{name: "Notify(" + name + ")", times: 1, misuse: "Notify needs a build function, not nil",
			build: func(Send) ([]Notice, error) { return nil, nil }}
	}
	return Outcome{name: "Notify(" + name + ")", times: 1, build: func(s Send) ([]Notice, error) { return build(s), nil }}
}

// Then publishes next's notifications after those of the receiver (several
// notifications for one request, such as Sent().Then(Sent()) for a
// duplicate). Each part's After counts from the part before it: next's
// notifications are delayed by the receiver's last one, so
// Failed("x").After(time.Second).Then(Sent()) publishes the failure and
// then Sent, both a second after the answer, and
// Sent().Then(Sent().After(time.Second)) publishes the second Sent a
// second after the first. After on the whole, (a.Then(b)).After(d), delays
// both parts by d.
func (o Outcome) Then(next Outcome) Outcome {
	first, second := o.build, next.build
	o.name += ".Then(" + next.String() + ")"
	if next.ends != endUnsaid {
		o.ends = next.ends
	}
	if o.misuse == "" {
		o.misuse = next.misuse
	}
	if next.count != "" {
		o.note("Times and Always count the whole outcome: call them after Then, not inside it")
	}
	o.build = func(s Send) ([]Notice, error) {
		a, err := first(s)
		if err != nil {
			return nil, err
		}
		b, err := second(s)
		var base time.Duration // when the receiver's last notification goes out
		for _, n := range a {
			base = max(base, n.After)
		}
		out := append([]Notice(nil), a...)
		for _, n := range b {
			n.After += base
			out = append(out, n)
		}
		return out, err
	}
	return o
}

// After delays every notification of o by d more, on the server's Clock
// (with a FakeClock, they are published when the test advances it).
func (o Outcome) After(d time.Duration) Outcome {
	if d < 0 {
		o.note("After must not be negative")
	}
	inner := o.build
	o.name += fmt.Sprintf(".After(%v)", d)
	o.build = func(s Send) ([]Notice, error) {
		ns, err := inner(s)
		out := make([]Notice, len(ns))
		for i, n := range ns {
			n.After += d
			out[i] = n
		}
		return out, err
	}
	return o
}

// Times makes o answer the next n requests of its route (default 1).
// Script refuses n < 1, and Times combined with Always (in either order).
func (o Outcome) Times(n int) Outcome {
	if why := timesMisuse(n, o.count); why != "" {
		o.note(why)
	}
	o.times = n
	o.count += fmt.Sprintf(".Times(%d)", n)
	return o
}

// Always makes o answer every later request of its route, until
// ClearScripts. Script refuses it combined with Times.
func (o Outcome) Always() Outcome {
	if why := alwaysMisuse(o.count); why != "" {
		o.note(why)
	}
	o.count += ".Always()"
	return o
}

func (o *Outcome) note(msg string) {
	if o.misuse == "" {
		o.misuse = msg
	}
}

// String describes o as built, such as `Failed("Page not found").Times(2)`.
func (o Outcome) String() string {
	if o.build == nil {
		return "Outcome{}"
	}
	return o.name + o.count
}

// routeNotices is what a scriptable route publishes by default and on
// failure. A file adding a route whose requests publish notifications
// registers it with registerOutcomes and runs its notifications through
// Server.outcome.
type routeNotices struct {
	failed func(s Send, message string) Notice
}

var outcomeTable = struct {
	sync.RWMutex
	m map[Route]routeNotices
}{m: map[Route]routeNotices{
	RouteFacebookSend: {failed: func(s Send, msg string) Notice {
		return FacebookStateChange(s.ReferenceID, "Error", s.Resource).withError(msg)
	}},
	RouteTwitterSend: {failed: func(s Send, msg string) Notice {
		if s.item { // the documents: interaction operations fail with notificationType Error
			return TwitterStateChange(s.ReferenceID, "Error", s.Resource).withError(msg)
		}
		return TwitterOperationResponse(s.ReferenceID, false, msg)
	}},
	RouteFacebookSession: {failed: func(s Send, msg string) Notice {
		return FacebookSessionStateChange(s.ReferenceID, "Error", s.Resource).withError(msg)
	}},
	RouteInteractionCollection: {failed: func(s Send, msg string) Notice {
		switch {
		case s.Resource == nil: // Follow, Unfollow
			return TwitterOperationResponse(s.ReferenceID, false, msg)
		case s.channel == ChannelTwitter:
			return TwitterStateChange(s.ReferenceID, "Error", s.Resource).withError(msg)
		}
		return FacebookStateChange(s.ReferenceID, "Error", s.Resource).withError(msg)
	}},
}}

// registerOutcomes makes route scriptable.
func registerOutcomes(route Route, n routeNotices) {
	outcomeTable.Lock()
	defer outcomeTable.Unlock()
	outcomeTable.m[route] = n
}

func routeOutcomes(route Route) (routeNotices, bool) {
	outcomeTable.RLock()
	defer outcomeTable.RUnlock()
	n, ok := outcomeTable.m[route]
	return n, ok
}

type scriptEntry struct {
	o    Outcome
	left int
}

// Script queues o for route: the next processed request of route (or the
// next n, see Times; every one, see Always) publishes o's notifications
// instead of the default. Scripts of a route are used in the order given;
// faults apply first (a faulted request that is not processed uses no
// script). The scriptable routes are those of sends and operations:
// RouteFacebookSend, RouteTwitterSend, RouteFacebookSession (operations on
// customer-started interactions and their drafts included) and
// RouteInteractionCollection (Create, Follow, Unfollow). Script refuses any
// other route (the agent's channel states are faulted with FailChannel and
// the message faults instead) and a misbuilt outcome.
func (s *Server) Script(route Route, o Outcome) error {
	why := ""
	_, scriptable := routeOutcomes(route)
	switch {
	case o.build == nil:
		why = "the zero Outcome does nothing"
	case !scriptable:
		why = fmt.Sprintf("the route's outcomes are not scriptable (scriptable: %s)", scriptableRoutes())
	case o.misuse != "":
		why = o.misuse
	}
	if why != "" {
		err := &FaultError{Route: route, Fault: o.String(), Reason: why, op: "Script"}
		if s.t != nil {
			s.t.Errorf("%v", err)
		}
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.scripts == nil {
		s.scripts = make(map[Route][]*scriptEntry)
	}
	s.scripts[route] = append(s.scripts[route], &scriptEntry{o: o, left: usesLeft(o.times, o.count)})
	return nil
}

// ClearScripts removes every scripted outcome, Always ones included.
func (s *Server) ClearScripts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scripts = nil
}

// PendingScripts returns the scripted outcomes not used up, per route.
func (s *Server) PendingScripts() map[Route][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[Route][]string)
	for r, es := range s.scripts {
		for _, e := range es {
			out[r] = append(out[r], e.o.String())
		}
	}
	return out
}

func scriptableRoutes() string {
	outcomeTable.RLock()
	defer outcomeTable.RUnlock()
	var names []string
	for _, r := range Routes() {
		if _, ok := outcomeTable.m[r]; ok {
			names = append(names, string(r))
		}
	}
	return strings.Join(names, ", ")
}

// takeScript consumes one use of route's oldest script.
func (s *Server) takeScript(route Route) (Outcome, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	es := s.scripts[route]
	if len(es) == 0 {
		return Outcome{}, false
	}
	e := es[0]
	if e.left != always {
		e.left--
		if e.left <= 0 {
			s.scripts[route] = es[1:]
		}
	}
	return e.o, true
}

// script is the outcome a route handler took for its request: a scripted
// one, or none (the default).
type script struct {
	o        Outcome
	scripted bool
}

// scriptFor takes the next script of route. A route handler takes it
// before it changes anything, since a request whose outcome fails leaves
// its resource as it was.
func (s *Server) scriptFor(route Route) script {
	o, ok := s.takeScript(route)
	return script{o, ok}
}

// fails reports whether the request ends failed (see Failed).
func (sc script) fails() bool { return sc.scripted && sc.o.ends == endFailed }

// outcome publishes what the request's outcome says: sc's notifications, or
// send.Default when nothing was scripted. req is the journal record the
// notifications are added to. Route handlers call it after writing their
// answer.
func (s *Server) outcome(req *Request, send Send, sc script) {
	notices := send.Default
	if sc.scripted {
		ns, err := sc.o.build(send)
		if err != nil {
			s.cfg.logger.Warn("omnitest: scripted outcome cannot apply", "route", send.Route, "outcome", sc.o.String(), "err", err)
		}
		notices = ns
	}
	if send.to != "" {
		notices = slices.Clone(notices)
		for i := range notices {
			if notices[i].to == "" {
				notices[i].to = send.to
			}
		}
	}
	s.publishNotices(req, notices, 0)
}

// publishNotices publishes notices in the order of their After (stable),
// the first ones once elapsed (the time already waited) has reached their
// After, and schedules the rest as one chain: separate timers due at
// nearly the same time could run in either order on the real clock.
func (s *Server) publishNotices(req *Request, notices []Notice, elapsed time.Duration) {
	notices = slices.Clone(notices)
	slices.SortStableFunc(notices, func(a, b Notice) int { return cmp.Compare(a.After, b.After) })
	for i, n := range notices {
		if n.After > elapsed {
			rest := notices[i:]
			s.after(n.After-elapsed, func() { s.publishNotices(req, rest, n.After) })
			return
		}
		s.publishTo(req, n.to, n.Channel, n.Data)
	}
}
