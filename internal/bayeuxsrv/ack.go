package bayeuxsrv

// The acknowledgement extension (ext.ack).
//
// A client that sends ext:{ack:true} in its handshake gets ext:{ack:true} in
// the reply. From then on every /meta/connect reply carries ext.ack = N, a
// batch id that increases by one per connect reply, and the data messages in
// that reply form batch N. The server keeps each non-empty batch until a later
// connect carries ext.ack >= N (the client saw it). When a connect names an
// older batch than the last one sent, the unacknowledged batches were lost in
// transit: their messages are put back at the head of the queue and sent again,
// in their original order, ahead of newer messages. A connect without ext.ack
// acknowledges everything (nothing is kept for a client that never answers).
// While the extension is on, data messages travel only in connect replies.

// ackBatch is one sent, unacknowledged batch.
type ackBatch struct {
	id   int64
	msgs [][]byte
}

// applyAckLocked processes the ext.ack a client sent on a /meta/connect.
func (s *session) applyAckLocked(m *inbound) {
	if !s.ack || len(s.unacked) == 0 {
		return
	}
	n, ok := m.extInt("ack")
	if !ok {
		s.unacked = nil
		return
	}
	var resend [][]byte
	for _, b := range s.unacked {
		if b.id > n {
			resend = append(resend, b.msgs...)
		}
	}
	s.unacked = nil
	if len(resend) == 0 {
		return
	}
	s.queue = append(resend, s.queue...)
	if over := len(s.queue) - s.maxQueue; over > 0 {
		s.queue = s.queue[over:]
	}
}

// takeBatchLocked takes the queued messages for a connect reply and, with
// the ack extension, numbers the batch and remembers it. withData false sends
// an empty batch (for a connect that is superseded or whose client left).
func (s *session) takeBatchLocked(withData bool) (msgs [][]byte, ext map[string]any) {
	if withData {
		msgs = s.drainLocked()
	}
	if !s.ack {
		return msgs, nil
	}
	s.batch++
	if len(msgs) > 0 {
		s.unacked = append(s.unacked, ackBatch{id: s.batch, msgs: msgs})
	}
	return msgs, map[string]any{"ack": s.batch}
}
