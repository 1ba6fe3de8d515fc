package bayeuxsrv

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

type wsClient struct {
	t *testing.T
	c *websocket.Conn
}

func (e *testEnv) dial(t *testing.T) *wsClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(e.hs.URL, "http")+"/cometd", &websocket.DialOptions{HTTPClient: e.hc})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.CloseNow() })
	return &wsClient{t: t, c: c}
}

func (w *wsClient) send(msgs ...msg) {
	w.t.Helper()
	b, _ := json.Marshal(msgs)
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	if err := w.c.Write(ctx, websocket.MessageText, b); err != nil {
		w.t.Fatal(err)
	}
}

// read returns the messages of the next frame.
func (w *wsClient) read() []msg {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	_, b, err := w.c.Read(ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	var out []msg
	if err := json.Unmarshal(b, &out); err != nil {
		w.t.Fatalf("frame %s: %v", b, err)
	}
	return out
}

// readUntil reads frames until one contains a message on channel with id; all
// holds every message of the frames read.
func (w *wsClient) readUntil(channel, id string) (all []msg, hit msg) {
	w.t.Helper()
	for {
		frame := w.read()
		all = append(all, frame...)
		for _, m := range frame {
			if m["channel"] == channel && m["id"] == id {
				hit = m
			}
		}
		if hit != nil {
			return all, hit
		}
	}
}

func (w *wsClient) handshake(ext msg) string {
	w.t.Helper()
	m := msg{"id": "hs", "channel": "/meta/handshake", "version": "1.0", "supportedConnectionTypes": []string{"websocket"}}
	if ext != nil {
		m["ext"] = ext
	}
	w.send(m)
	_, r := w.readUntil("/meta/handshake", "hs")
	if r["successful"] != true {
		w.t.Fatalf("handshake %v", r)
	}
	return r["clientId"].(string)
}

func wsConnect(id, clientID string) msg {
	return msg{"id": id, "channel": "/meta/connect", "clientId": clientID, "connectionType": "websocket"}
}

func TestWebSocketEndToEnd(t *testing.T) {
	env := newEnv(t, Options{Timeout: time.Hour})
	ws := env.dial(t)
	id := ws.handshake(nil)
	ws.send(msg{"id": "s", "channel": "/meta/subscribe", "clientId": id, "subscription": "/x/*"})
	if _, r := ws.readUntil("/meta/subscribe", "s"); r["successful"] != true {
		t.Fatalf("subscribe %v", r)
	}
	first := wsConnect("c1", id)
	first["advice"] = msg{"timeout": 0}
	ws.send(first)
	if _, r := ws.readUntil("/meta/connect", "c1"); r["successful"] != true {
		t.Fatalf("first connect %v", r)
	}
	ws.send(wsConnect("c2", id))
	waitHeld(t, env.srv, id, 1)
	env.srv.Publish("/x/a", 1)
	env.srv.Publish("/x/b", 2)
	var got []any
	for len(got) < 2 {
		frame := ws.read()
		for _, m := range frame {
			if m["channel"] == "/meta/connect" {
				t.Fatalf("connect answered before its timeout: %v", frame)
			}
		}
		got = append(got, data(frame)...)
	}
	if mustJSON(got) != `[1,2]` {
		t.Fatalf("data %s", mustJSON(got))
	}
	waitHeld(t, env.srv, id, 1) // still held: data was pushed without the connect reply

	// A client publish over the socket is broadcast, including to the publisher.
	ws.send(msg{"id": "p", "channel": "/x/c", "clientId": id, "data": "mine"})
	all, r := ws.readUntil("/x/c", "p")
	if r["successful"] != true {
		t.Fatalf("publish reply %v", r)
	}
	for len(data(all)) == 0 {
		all = append(all, ws.read()...)
	}
	if mustJSON(data(all)) != `["mine"]` {
		t.Fatalf("own copy %v", all)
	}

	// A new connect releases the held one; disconnect answers the new one.
	ws.send(wsConnect("c3", id))
	if _, r := ws.readUntil("/meta/connect", "c2"); r["successful"] != true {
		t.Fatalf("released connect %v", r)
	}
	ws.send(msg{"id": "d", "channel": "/meta/disconnect", "clientId": id})
	all, _ = ws.readUntil("/meta/disconnect", "d")
	if len(all) == 0 {
		t.Fatal("no disconnect reply")
	}
	for !containsID(all, "c3") {
		all = append(all, ws.read()...)
	}
	if n := env.srv.SessionCount(); n != 0 {
		t.Fatalf("SessionCount = %d", n)
	}
	_ = ws.c.Close(websocket.StatusNormalClosure, "")
}

func containsID(ms []msg, id string) bool {
	for _, m := range ms {
		if m["id"] == id {
			return true
		}
	}
	return false
}

func TestWebSocketConnectTimeout(t *testing.T) {
	env := newEnv(t, Options{Timeout: 200 * time.Millisecond})
	ws := env.dial(t)
	id := ws.handshake(nil)
	ws.send(wsConnect("c1", id)) // first: at once
	ws.readUntil("/meta/connect", "c1")
	ws.send(wsConnect("c2", id))
	if _, r := ws.readUntil("/meta/connect", "c2"); r["successful"] != true || mustJSON(r["advice"]) !=
		`{"interval":0,"maxInterval":10000,"reconnect":"retry","timeout":200}` {
		t.Fatalf("timeout reply %v", r)
	}
}

func TestWebSocketAck(t *testing.T) {
	env := newEnv(t, Options{Timeout: time.Hour})
	ws := env.dial(t)
	id := ws.handshake(msg{"ack": true})
	ws.send(msg{"id": "s", "channel": "/meta/subscribe", "clientId": id, "subscription": "/x"})
	ws.readUntil("/meta/subscribe", "s")
	m := wsConnect("c1", id)
	m["ext"] = msg{"ack": -1}
	ws.send(m)
	if _, r := ws.readUntil("/meta/connect", "c1"); mustJSON(r["ext"]) != `{"ack":1}` {
		t.Fatalf("first connect %v", r)
	}
	m = wsConnect("c2", id)
	m["ext"] = msg{"ack": 1}
	ws.send(m)
	waitHeld(t, env.srv, id, 1)
	env.srv.Publish("/x", "a")
	all, r := ws.readUntil("/meta/connect", "c2")
	if mustJSON(data(all)) != `["a"]` || mustJSON(r["ext"]) != `{"ack":2}` {
		t.Fatalf("batch 2: %v", all)
	}
	// Batch 2 reported lost: re-sent at once with the next connect.
	m = wsConnect("c3", id)
	m["ext"] = msg{"ack": 1}
	ws.send(m)
	all, r = ws.readUntil("/meta/connect", "c3")
	if mustJSON(data(all)) != `["a"]` || mustJSON(r["ext"]) != `{"ack":3}` {
		t.Fatalf("re-delivery: %v", all)
	}
}

func TestWebSocketMaxMessageSize(t *testing.T) {
	env := newEnv(t, Options{MaxMessageSize: 1024})
	ws := env.dial(t)
	big := `[{"channel":"/meta/handshake","id":"` + strings.Repeat("x", 2000) + `"}]`
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	if err := ws.c.Write(ctx, websocket.MessageText, []byte(big)); err != nil {
		t.Fatal(err)
	}
	_, _, err := ws.c.Read(ctx)
	if got := websocket.CloseStatus(err); got != websocket.StatusMessageTooBig {
		t.Fatalf("close status %v (err %v)", got, err)
	}
}

func TestWebSocketServerClose(t *testing.T) {
	env := newEnv(t, Options{Timeout: time.Hour})
	ws := env.dial(t)
	id := ws.handshake(nil)
	ws.send(wsConnect("c1", id))
	ws.readUntil("/meta/connect", "c1")
	ws.send(wsConnect("c2", id))
	waitHeld(t, env.srv, id, 1)

	closed := make(chan struct{})
	go func() {
		defer close(closed)
		env.srv.Close()
	}()
	if _, r := ws.readUntil("/meta/connect", "c2"); r["error"] != "402::Unknown client" {
		t.Fatalf("held connect at Close: %v", r)
	}
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	_, _, err := ws.c.Read(ctx)
	if got := websocket.CloseStatus(err); got != websocket.StatusGoingAway {
		t.Fatalf("close status %v (err %v)", got, err)
	}
	select {
	case <-closed:
	case <-time.After(guard):
		t.Fatal("Close did not return")
	}
}

func TestWebSocketDropSessionsAndRehandshake(t *testing.T) {
	env := newEnv(t, Options{Timeout: time.Hour})
	ws := env.dial(t)
	id := ws.handshake(nil)
	ws.send(wsConnect("c1", id))
	ws.readUntil("/meta/connect", "c1")
	ws.send(wsConnect("c2", id))
	waitHeld(t, env.srv, id, 1)
	env.srv.DropSessions()
	if _, r := ws.readUntil("/meta/connect", "c2"); r["error"] != "402::Unknown client" {
		t.Fatalf("held connect after drop: %v", r)
	}
	id2 := ws.handshake(nil)
	ws.send(msg{"id": "s", "channel": "/meta/subscribe", "clientId": id2, "subscription": "/x"})
	ws.readUntil("/meta/subscribe", "s")
	ws.send(wsConnect("c3", id2))
	ws.readUntil("/meta/connect", "c3")
	env.srv.Publish("/x", "again")
	var got []any
	for len(got) == 0 {
		got = data(ws.read())
	}
	if mustJSON(got) != `["again"]` {
		t.Fatalf("data %v", got)
	}
}

func TestWebSocketNotOffered(t *testing.T) {
	env := newEnv(t, Options{Transports: []string{LongPolling}})
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	_, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(env.hs.URL, "http"), &websocket.DialOptions{HTTPClient: env.hc})
	if err == nil || resp == nil || resp.StatusCode != 400 {
		t.Fatalf("dial: resp %v err %v", resp, err)
	}
}

func TestWebSocketInvalidFrame(t *testing.T) {
	env := newEnv(t, Options{})
	ws := env.dial(t)
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	if err := ws.c.Write(ctx, websocket.MessageText, []byte("not json")); err != nil {
		t.Fatal(err)
	}
	_, _, err := ws.c.Read(ctx)
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.StatusUnsupportedData {
		t.Fatalf("err %v", err)
	}
}
