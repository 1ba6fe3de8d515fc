package bayeuxsrv

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// batch is the state of one inbound request (long-polling body or websocket frame).
type batch struct {
	r         *http.Request // the HTTP request (the upgrade request for websocket)
	replies   [][]byte      // replies to non-connect messages, in order
	sess      *session      // the last live session named in the batch
	connect   *inbound      // the connect to answer last, if any
	connSess  *session
	handshook *session // session created by a handshake in this batch
}

// handle processes one inbound message except the hold of a connect, which
// the transport does after the whole batch.
func (s *Server) handle(b *batch, m *inbound) {
	switch m.Channel {
	case "":
		b.add(&reply{ID: m.ID, Error: errMissingChannel})
	case metaHandshake:
		b.add(s.handshake(b, m))
	case metaConnect:
		s.connect(b, m)
	case metaSubscribe, metaUnsubscribe:
		b.add(s.subscribe(b, m))
	case metaDisconnect:
		b.add(s.disconnect(b, m))
	default:
		if isMeta(m.Channel) {
			b.add(&reply{Channel: m.Channel, ID: m.ID, Error: errUnknownMeta})
			return
		}
		b.add(s.publish(b, m))
	}
}

func (b *batch) add(r *reply) { b.replies = append(b.replies, mustMarshal(r)) }

func unknownClient(m *inbound) *reply {
	return &reply{
		Channel: m.Channel,
		ID:      m.ID,
		Error:   errUnknownClient,
		Advice:  &advice{Reconnect: "handshake", Interval: 0},
	}
}

func (s *Server) handshake(b *batch, m *inbound) *reply {
	rep := &reply{
		Channel:                  metaHandshake,
		ID:                       m.ID,
		Version:                  "1.0",
		MinimumVersion:           "1.0",
		SupportedConnectionTypes: s.opts.Transports,
	}
	refuse := func(msg string) *reply {
		rep.Error = msg
		rep.Advice = &advice{Reconnect: "none", Interval: 0}
		return rep
	}
	if s.opts.Authorize != nil {
		if err := s.opts.Authorize(b.r); err != nil {
			return refuse("403::" + err.Error())
		}
	}
	switch {
	case strings.TrimSpace(m.Version) == "":
		return refuse(missing("version"))
	case len(m.SupportedConnectionTypes) == 0:
		return refuse(missing("supportedConnectionTypes"))
	}
	if !s.negotiate(m.SupportedConnectionTypes) {
		return refuse(errNoTransport)
	}
	ss := newSession(m.extBool("ack"), s.opts.MaxQueue, time.Now())
	if s.opts.Owner != nil {
		ss.owner = s.opts.Owner(b.r)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		// A closing server (the old generation during a restart) is not
		// gone for good: a handshake later may succeed, so no "none".
		rep.Error = errServerClosed
		rep.Advice = &advice{Reconnect: "handshake", Interval: 0}
		return rep
	}
	s.sessions[ss.id] = ss
	s.mu.Unlock()

	rep.Successful = true
	rep.ClientID = ss.id
	rep.Advice = s.connectAdvice()
	if ss.ack {
		rep.Ext = map[string]any{"ack": true}
	}
	b.sess, b.handshook = ss, ss
	return rep
}

// negotiate reports whether the client's transports and the server's share
// one (handshake refuses a handshake that lists none).
func (s *Server) negotiate(client []string) bool {
	for _, c := range client {
		if s.opts.offers(c) {
			return true
		}
	}
	return false
}

// connect validates a /meta/connect and defers it to the end of the batch.
func (s *Server) connect(b *batch, m *inbound) {
	ss := s.lookup(m.ClientID)
	switch {
	case ss == nil:
		b.add(unknownClient(m))
	case m.ConnectionType == "":
		b.add(&reply{Channel: metaConnect, ID: m.ID, ClientID: ss.id, Error: missing("connectionType")})
	case !s.opts.offers(m.ConnectionType):
		b.add(&reply{Channel: metaConnect, ID: m.ID, ClientID: ss.id, Error: errBadConnType,
			Advice: &advice{Reconnect: "handshake", Interval: 0}})
	case b.connect != nil:
		b.add(&reply{Channel: metaConnect, ID: m.ID, ClientID: ss.id, Error: errExtraConnect})
	default:
		b.connect, b.connSess, b.sess = m, ss, ss
	}
}

// connectReply is the reply to a connect that was answered normally.
func (s *Server) connectReply(m *inbound, ss *session, ext map[string]any) []byte {
	return mustMarshal(&reply{
		Channel:    metaConnect,
		ID:         m.ID,
		ClientID:   ss.id,
		Successful: true,
		Advice:     s.connectAdvice(),
		Ext:        ext,
	})
}

// goneReply answers a held connect whose session ended: a disconnect ends
// the connect loop, anything else asks for a new handshake.
func goneReply(m *inbound, why goneReason) []byte {
	if why == goneDisconnect {
		return mustMarshal(&reply{Channel: metaConnect, ID: m.ID, Successful: true,
			Advice: &advice{Reconnect: "none", Interval: 0}})
	}
	return mustMarshal(unknownClient(m))
}

// parseSubscription accepts a channel name or an array of names.
func parseSubscription(raw json.RawMessage) ([]string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, false
	}
	var list []string
	if raw[0] == '[' {
		if json.Unmarshal(raw, &list) != nil || len(list) == 0 {
			return nil, false
		}
	} else {
		var one string
		if json.Unmarshal(raw, &one) != nil {
			return nil, false
		}
		list = []string{one}
	}
	return list, true
}

func (s *Server) subscribe(b *batch, m *inbound) *reply {
	ss := s.lookup(m.ClientID)
	if ss == nil {
		return unknownClient(m)
	}
	b.sess = ss
	rep := &reply{Channel: m.Channel, ID: m.ID, ClientID: ss.id, Subscription: m.Subscription}
	list, ok := parseSubscription(m.Subscription)
	if !ok {
		rep.Error = errBadSubscription
		return rep
	}
	for _, ch := range list {
		switch {
		case !validChannel(ch):
			rep.Error = "400:" + ch + ":Invalid channel"
			return rep
		case isMeta(ch) && m.Channel == metaSubscribe:
			rep.Error = "403:" + ch + ":Forbidden channel"
			return rep
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sessions[ss.id] != ss {
		return unknownClient(m)
	}
	for _, ch := range list {
		if m.Channel == metaSubscribe {
			s.addSubLocked(ss, ch)
		} else {
			s.removeSubLocked(ss, ch)
		}
	}
	rep.Successful = true
	return rep
}

func (s *Server) addSubLocked(ss *session, pattern string) {
	ss.subs[pattern] = struct{}{}
	set := s.subs[pattern]
	if set == nil {
		set = make(map[*session]struct{})
		s.subs[pattern] = set
	}
	set[ss] = struct{}{}
}

func (s *Server) removeSubLocked(ss *session, pattern string) {
	delete(ss.subs, pattern)
	if set := s.subs[pattern]; set != nil {
		delete(set, ss)
		if len(set) == 0 {
			delete(s.subs, pattern)
		}
	}
}

func (s *Server) disconnect(b *batch, m *inbound) *reply {
	ss := s.lookup(m.ClientID)
	if ss == nil {
		return unknownClient(m)
	}
	s.mu.Lock()
	s.removeLocked(ss, goneDisconnect)
	s.mu.Unlock()
	return &reply{Channel: metaDisconnect, ID: m.ID, ClientID: ss.id, Successful: true}
}

// publish handles a message a client sent on a non-meta channel: /service
// channels are acknowledged only, others are broadcast to subscribers.
func (s *Server) publish(b *batch, m *inbound) *reply {
	ss := s.lookup(m.ClientID)
	if ss == nil {
		return unknownClient(m)
	}
	b.sess = ss
	rep := &reply{Channel: m.Channel, ID: m.ID, ClientID: ss.id}
	if !validChannel(m.Channel) || isWildcard(m.Channel) {
		rep.Error = "400:" + m.Channel + ":Invalid channel"
		return rep
	}
	if len(m.Data) == 0 { // "data":null is data, as for Faye; no data field is not
		rep.Error = missing("data")
		return rep
	}
	if !isService(m.Channel) {
		s.deliver(m.Channel, dataMessage(m.Channel, m.Data), nil)
	}
	rep.Successful = true
	return rep
}
