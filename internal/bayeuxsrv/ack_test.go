package bayeuxsrv

import (
	"testing"
	"time"
)

func ackConnect(id, clientID string, ack any) msg {
	m := connectMsg(id, clientID)
	if ack != nil {
		m["ext"] = msg{"ack": ack}
	}
	return m
}

func TestAckRedelivery(t *testing.T) {
	env := newEnv(t, Options{Timeout: 200 * time.Millisecond})
	id := env.handshake(t, msg{"ack": true})
	env.subscribe(t, id, "/x")

	// While the extension is on, data never rides on non-connect replies.
	env.srv.Publish("/x", "a")
	if out := env.subscribe(t, id, "/y"); out["successful"] != true {
		t.Fatal(out)
	}

	out := env.post(t, ackConnect("1", id, -1))
	c := byChannel(t, out, "/meta/connect")
	if mustJSON(c["ext"]) != `{"ack":1}` || mustJSON(data(out)) != `["a"]` {
		t.Fatalf("batch 1: %v", out)
	}
	env.srv.Publish("/x", "b")
	out = env.post(t, ackConnect("2", id, 1)) // batch 1 received
	if c := byChannel(t, out, "/meta/connect"); mustJSON(c["ext"]) != `{"ack":2}` || mustJSON(data(out)) != `["b"]` {
		t.Fatalf("batch 2: %v", out)
	}
	// Pretend batch 2 was lost: the client still reports 1.
	env.srv.Publish("/x", "c")
	out = env.post(t, ackConnect("3", id, 1))
	if c := byChannel(t, out, "/meta/connect"); mustJSON(c["ext"]) != `{"ack":3}` || mustJSON(data(out)) != `["b","c"]` {
		t.Fatalf("re-delivery: %v", out)
	}
	// Acknowledging 3 clears everything; an empty connect times out with batch 4.
	out = env.post(t, ackConnect("4", id, 3))
	if c := byChannel(t, out, "/meta/connect"); mustJSON(c["ext"]) != `{"ack":4}` || len(data(out)) != 0 {
		t.Fatalf("empty batch: %v", out)
	}
	ss := env.srv.lookup(id)
	ss.mu.Lock()
	n := len(ss.unacked)
	ss.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d unacked batches kept", n)
	}
}

func TestAckWithoutExtensionNoExt(t *testing.T) {
	env := newEnv(t, Options{})
	id := env.handshake(t, nil)
	out := env.post(t, ackConnect("1", id, 5))
	if _, ok := out[0]["ext"]; ok {
		t.Fatalf("ext without negotiation: %v", out)
	}
}
