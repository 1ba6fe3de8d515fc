package bayeuxsrv

import (
	"encoding/json"
	"testing"
	"time"
)

// A cut that lands while the pump is collecting, after a held connect's
// reply took the session's queued messages and before they were written,
// must leave those messages queued for the session's next connect: the
// socket is dropped, the session survives with its queued messages.
// (Seen as whole batches of notifications lost to a client over websocket
// under repeated CutConnections.)
func TestCutWhileCollectingKeepsTakenMessages(t *testing.T) {
	srv := New(Options{})
	defer srv.Close()
	ss := newSession(false, 100, time.Now())
	ss.connects = 1
	ss.holds = 1
	ss.queue = [][]byte{[]byte(`{"channel":"/a","data":1}`), []byte(`{"channel":"/a","data":2}`)}
	wc := &wsConn{srv: srv, wake: make(chan struct{}, 1)}
	m := &inbound{Channel: metaConnect, ID: json.RawMessage(`"7"`), ClientID: ss.id}
	wc.pending = &wsPending{m: m, sess: ss, deadline: time.Now().Add(-time.Second), seq: 1}
	wc.sess = ss
	ss.notify = wc.wake

	cut := make(chan struct{})
	hook := func() { close(cut) }
	testHookConnectTaken.Store(&hook)
	defer testHookConnectTaken.Store(nil)

	msgs, _, cutNow := wc.collect(time.Now(), cut)
	if !cutNow || len(msgs) != 0 {
		t.Fatalf("collect = %d messages, cut %v; want the cut seen and nothing to write", len(msgs), cutNow)
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if len(ss.queue) != 2 || string(ss.queue[0]) != `{"channel":"/a","data":1}` || string(ss.queue[1]) != `{"channel":"/a","data":2}` {
		t.Fatalf("queue after the cut = %q; want both messages, in order", ss.queue)
	}
}
