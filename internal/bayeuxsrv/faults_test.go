package bayeuxsrv

import (
	"context"
	"testing"
	"time"
)

// A cut drops the held connect without an answer; the session keeps what
// was published after the cut for the client's next connect.
func TestCutConnectionsLongPolling(t *testing.T) {
	env := newEnv(t, Options{Timeout: time.Hour})
	id := env.handshake(t, nil)
	env.subscribe(t, id, "/x")
	env.firstConnect(t, id)
	held := env.postAsync(connectMsg("c1", id))
	waitHeld(t, env.srv, id, 1)
	env.srv.CutConnections()
	if n := env.srv.Publish("/x", 1); n != 1 {
		t.Fatalf("Publish after the cut reached %d sessions", n)
	}
	select {
	case r := <-held:
		if r.err == nil {
			t.Fatalf("the cut connect was answered: %v", r.msgs)
		}
	case <-time.After(guard):
		t.Fatal("the held connect was not cut")
	}
	out := env.post(t, connectMsg("c2", id))
	if mustJSON(data(out)) != `[1]` {
		t.Fatalf("next connect %v", out)
	}
}

func TestCutConnectionsWebSocket(t *testing.T) {
	env := newEnv(t, Options{Timeout: time.Hour})
	ws := env.dial(t)
	id := ws.handshake(nil)
	ws.send(msg{"id": "s", "channel": "/meta/subscribe", "clientId": id, "subscription": "/x"})
	ws.readUntil("/meta/subscribe", "s")
	first := wsConnect("c1", id)
	first["advice"] = msg{"timeout": 0}
	ws.send(first)
	ws.readUntil("/meta/connect", "c1")
	ws.send(wsConnect("c2", id))
	waitHeld(t, env.srv, id, 1)
	env.srv.CutConnections()
	env.srv.Publish("/x", 1)
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	if _, b, err := ws.c.Read(ctx); err == nil {
		t.Fatalf("a cut socket delivered %s", b)
	}
	waitHeld(t, env.srv, id, 0)
	// A new socket for the same session gets the message.
	ws2 := env.dial(t)
	ws2.send(wsConnect("c3", id)) // held; the queued message is pushed at once
	if got := ws2.read(); mustJSON(data(got)) != `[1]` {
		t.Fatalf("after reconnecting %v", got)
	}
}

func TestStallLongPolling(t *testing.T) {
	env := newEnv(t, Options{Timeout: time.Hour})
	id := env.handshake(t, nil)
	env.subscribe(t, id, "/x")
	env.firstConnect(t, id)
	env.srv.Stall()
	held := env.postAsync(connectMsg("c1", id))
	env.srv.Publish("/x", 1) // releases the connect, whose answer is then held
	select {
	case r := <-held:
		t.Fatalf("answered while stalled: %v", r)
	default:
	}
	env.srv.Resume()
	if out := await(t, held); mustJSON(data(out)) != `[1]` {
		t.Fatalf("after Resume %v", out)
	}
}
