package omnitest

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/omnisdk/omni/internal/bayeuxsrv"
)

// AnyChannel matches every channel in InjectMessage.
const AnyChannel = "/**"

type msgFaultKind int

const (
	msgDrop msgFaultKind = iota + 1
	msgDelay
	msgDuplicate
	msgReorder
)

// MessageFault is a misbehaviour of the notification stream, applied where
// the simulator publishes, so it acts the same over websocket and
// long-polling (an HTTP fault on RouteNotifications does nothing to an open
// websocket). Build one with DropMessage, DelayMessage, DuplicateMessage or
// ReorderMessage and give it to InjectMessage; by default it applies to the
// next message on its channel (see Times, Always). For the transport itself
// see CutConnections and StallDelivery.
type MessageFault struct {
	kind   msgFaultKind
	delay  time.Duration
	times  int    // uses asked for (1 by default)
	count  string // the Times and Always calls as made, for String
	misuse string
}

// DropMessage loses the message: no session gets it, and Publish (and the
// journal's Publication.Delivered) says 0.
func DropMessage() MessageFault { return MessageFault{kind: msgDrop, times: 1} }

// DelayMessage publishes the message d later on the server's Clock (with a
// FakeClock, when the test advances past it). Publish returns 0: nothing
// was delivered yet.
func DelayMessage(d time.Duration) MessageFault {
	f := MessageFault{kind: msgDelay, delay: d, times: 1}
	if d <= 0 {
		f.misuse = fmt.Sprintf("DelayMessage(%v): the delay must be positive", d)
	}
	return f
}

// DuplicateMessage delivers the message twice in a row.
func DuplicateMessage() MessageFault { return MessageFault{kind: msgDuplicate, times: 1} }

// ReorderMessage holds the message back and delivers it right after the
// next message published on the same channel, so the two arrive swapped. A
// message held when the server closes is lost.
func ReorderMessage() MessageFault { return MessageFault{kind: msgReorder, times: 1} }

// Times makes the fault apply to the next n messages of its channel.
// InjectMessage refuses n < 1, and Times combined with Always (in either
// order).
func (f MessageFault) Times(n int) MessageFault {
	if why := timesMisuse(n, f.count); why != "" && f.misuse == "" {
		f.misuse = why
	}
	f.times = n
	f.count += fmt.Sprintf(".Times(%d)", n)
	return f
}

// Always makes the fault apply to every message of its channel until
// ClearFaults. InjectMessage refuses it combined with Times.
func (f MessageFault) Always() MessageFault {
	if why := alwaysMisuse(f.count); why != "" && f.misuse == "" {
		f.misuse = why
	}
	f.count += ".Always()"
	return f
}

// String describes f as built, such as "DelayMessage(1s).Times(2)".
func (f MessageFault) String() string {
	var s string
	switch f.kind {
	case msgDrop:
		s = "DropMessage()"
	case msgDelay:
		s = fmt.Sprintf("DelayMessage(%v)", f.delay)
	case msgDuplicate:
		s = "DuplicateMessage()"
	case msgReorder:
		s = "ReorderMessage()"
	default:
		return "MessageFault{}"
	}
	return s + f.count
}

type msgFaultEntry struct {
	channel string
	f       MessageFault
	left    int
}

type heldMessage struct {
	req   *Request
	to    string // the agent it is for, "" for every session
	raw   json.RawMessage
	fault string
}

// InjectMessage queues f for the next message published on channel (such
// as ChannelFacebook) or on AnyChannel. Like Inject it refuses what cannot
// apply (a meta channel such as /meta/connect, which carries no
// notification; a misbuilt fault), with a *FaultError (and, on a NewServer server, a test failure).
// The faults show in PendingMessageFaults and count for
// AssertFaultsConsumed.
func (s *Server) InjectMessage(channel string, f MessageFault) error {
	why := ""
	switch {
	case f.kind == 0:
		why = "the zero MessageFault does nothing"
	case !strings.HasPrefix(channel, "/") || (strings.Contains(channel, "*") && channel != AnyChannel):
		why = "channel must be a channel name such as /v2/me/facebook, or AnyChannel"
	case channel == "/meta" || strings.HasPrefix(channel, "/meta/"):
		why = "a meta channel carries the protocol, not notifications: message faults apply to notification channels such as /v2/me/facebook"
	case f.misuse != "":
		why = f.misuse
	}
	if why != "" {
		err := &FaultError{Route: Route(channel), Fault: f.String(), Reason: why, op: "InjectMessage"}
		if s.t != nil {
			s.t.Errorf("%v", err)
		}
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgFaults = append(s.msgFaults, &msgFaultEntry{channel: channel, f: f, left: usesLeft(f.times, f.count)})
	return nil
}

// PendingMessageFaults returns the message faults not used up, oldest
// first; Route holds the channel.
func (s *Server) PendingMessageFaults() []PendingFault {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]PendingFault, 0, len(s.msgFaults))
	for _, e := range s.msgFaults {
		out = append(out, PendingFault{Route: Route(e.channel), Fault: e.f.String(), Left: e.left})
	}
	return out
}

func (s *Server) takeMessageFault(channel string) (MessageFault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, e := range s.msgFaults {
		if e.channel != channel && e.channel != AnyChannel {
			continue
		}
		if e.left != always {
			e.left--
			if e.left <= 0 {
				s.msgFaults = append(s.msgFaults[:i], s.msgFaults[i+1:]...)
			}
		}
		return e.f, true
	}
	return MessageFault{}, false
}

// Publish delivers data on channel to every CometD client subscribed to it,
// message faults applied, and returns how many sessions it was handed to:
// 0 tells a test that nobody was subscribed yet or that a fault dropped,
// delayed or held it.
func (s *Server) Publish(channel string, data any) int { return s.publish(nil, channel, data) }

// publish is Publish on behalf of the request req (nil for none), which the
// journal credits with the notification.
func (s *Server) publish(req *Request, channel string, data any) int {
	return s.publishTo(req, "", channel, data)
}

// publishTo is publish to the CometD sessions of agent to only (the user
// name their handshake carried), or to every session for "".
func (s *Server) publishTo(req *Request, to, channel string, data any) int {
	raw, err := json.Marshal(data)
	if err != nil {
		s.cfg.logger.Warn("omnitest: cannot marshal a notification", "channel", channel, "err", err)
		return 0
	}
	f, faulty := s.takeMessageFault(channel)
	if !faulty {
		return s.deliverNow(req, to, channel, raw, "")
	}
	name := f.String()
	switch f.kind {
	case msgDrop:
		s.rec.published(req, Publication{Channel: channel, Data: raw, Fault: name, Time: s.clock.Now()})
		return 0
	case msgDelay:
		s.after(f.delay, func() { s.deliverNow(req, to, channel, raw, name) })
		return 0
	case msgReorder:
		s.mu.Lock()
		if s.held == nil {
			s.held = make(map[string][]heldMessage)
		}
		s.held[channel] = append(s.held[channel], heldMessage{req: req, to: to, raw: raw, fault: name})
		s.mu.Unlock()
		return 0
	}
	n := s.deliverNow(req, to, channel, raw, name) // msgDuplicate
	s.deliver(to, channel, raw)
	return n
}

// deliverNow hands raw to the sessions, records it, then delivers what
// ReorderMessage held back on channel.
func (s *Server) deliverNow(req *Request, to, channel string, raw json.RawMessage, fault string) int {
	n := s.deliver(to, channel, raw)
	s.rec.published(req, Publication{Channel: channel, Data: raw, Delivered: n, Fault: fault, Time: s.clock.Now()})
	s.mu.Lock()
	held := s.held[channel]
	delete(s.held, channel)
	s.mu.Unlock()
	for _, h := range held {
		m := s.deliver(h.to, channel, h.raw)
		s.rec.published(h.req, Publication{Channel: channel, Data: h.raw, Delivered: m, Fault: h.fault, Time: s.clock.Now()})
	}
	return n
}

func (s *Server) deliver(to, channel string, raw json.RawMessage) int {
	s.mu.Lock()
	g := s.gen
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return 0
	}
	if to != "" {
		return g.bayeux.PublishTo(to, channel, raw)
	}
	return g.bayeux.Publish(channel, raw)
}

// CutConnections drops every CometD connection at once, as a network
// failure would: websockets close without a close frame, held long-polling
// connects end without an answer. CometD sessions survive with their queued
// messages, so a client that reconnects and keeps its clientId gets them;
// that includes messages a connect reply had taken but not yet written when
// the cut came. Messages already written to a socket are in flight, as on a
// real network: without the acknowledgement extension (cometd.AckExtension,
// which the simulator supports) a cut may lose them.
func (s *Server) CutConnections() { s.bayeuxServer().CutConnections() }

// StallDelivery stops all CometD traffic while connections stay open: a
// websocket writes nothing, a long-polling answer is held; messages queue.
// ResumeDelivery writes everything held. A client sees a silent server,
// which is what its network-delay timeout is for. Held messages stay queued
// for the session, not for a connection: when the client gives up on a
// connect during the stall and connects again, ResumeDelivery writes them
// to the newer connect, on either transport.
func (s *Server) StallDelivery() { s.bayeuxServer().Stall() }

// ResumeDelivery ends StallDelivery.
func (s *Server) ResumeDelivery() { s.bayeuxServer().Resume() }

func (s *Server) bayeuxServer() *bayeuxsrv.Server {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gen.bayeux
}
