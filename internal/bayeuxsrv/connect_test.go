package bayeuxsrv

import (
	"net/http"
	"reflect"
	"testing"
	"time"
)

func TestFirstConnectImmediate(t *testing.T) {
	env := newEnv(t, Options{Timeout: time.Hour})
	id := env.handshake(t, nil)
	out := env.post(t, connectMsg("2", id))
	want := msg{"channel": "/meta/connect", "id": "2", "clientId": id, "successful": true,
		"advice": msg{"reconnect": "retry", "interval": 0.0, "timeout": 3600000.0, "maxInterval": 10000.0}}
	if len(out) != 1 || !reflect.DeepEqual(out[0], want) {
		t.Fatalf("reply\n got %v\nwant %v", out, want)
	}
	// advice.timeout 0 is answered at once as well.
	m := connectMsg("3", id)
	m["advice"] = msg{"timeout": 0}
	if out := env.post(t, m); len(out) != 1 || out[0]["successful"] != true {
		t.Fatalf("reply %v", out)
	}
}

func TestConnectHeldThenReleasedByPublish(t *testing.T) {
	env := newEnv(t, Options{Timeout: time.Hour})
	id := env.handshake(t, nil)
	if r := env.subscribe(t, id, "/v2/me/facebook"); r["successful"] != true {
		t.Fatalf("subscribe %v", r)
	}
	env.firstConnect(t, id)
	ch := env.postAsync(connectMsg("5", id))
	waitHeld(t, env.srv, id, 1)
	if n := env.srv.Publish("/v2/me/facebook", msg{"n": 1}); n != 1 {
		t.Fatalf("Publish = %d", n)
	}
	if n := env.srv.Publish("/v2/me/facebook", msg{"n": 2}); n != 1 {
		t.Fatalf("Publish = %d", n)
	}
	out := await(t, ch)
	var all []any
	all = append(all, data(out)...)
	if len(all) < 2 { // the second message may follow in the next connect
		out2 := env.post(t, connectMsg("6", id))
		all = append(all, data(out2)...)
	}
	if mustJSON(all) != `[{"n":1},{"n":2}]` {
		t.Fatalf("data %s", mustJSON(all))
	}
	last := out[len(out)-1]
	if last["channel"] != "/meta/connect" || last["id"] != "5" || last["successful"] != true {
		t.Fatalf("connect reply must be last: %v", out)
	}
}

func TestConnectQueuedDataInOrder(t *testing.T) {
	env := newEnv(t, Options{Timeout: time.Hour})
	id := env.handshake(t, nil)
	env.subscribe(t, id, "/x")
	env.firstConnect(t, id)
	for i := range 5 {
		if n := env.srv.Publish("/x", i); n != 1 {
			t.Fatalf("Publish = %d", n)
		}
	}
	out := env.post(t, connectMsg("3", id)) // queued data → answered at once
	if mustJSON(data(out)) != `[0,1,2,3,4]` {
		t.Fatalf("data %v", out)
	}
	if out[len(out)-1]["channel"] != "/meta/connect" {
		t.Fatalf("connect reply not last: %v", out)
	}
	raw := dataMessage("/x", []byte(`{"a": 1}`))
	if string(raw) != `{"channel":"/x","data":{"a":1}}` {
		t.Fatalf("wire form %s", raw)
	}
}

func TestConnectTimeout(t *testing.T) {
	env := newEnv(t, Options{Timeout: 200 * time.Millisecond})
	id := env.handshake(t, nil)
	env.firstConnect(t, id)
	out := env.post(t, connectMsg("3", id))
	if len(out) != 1 || out[0]["successful"] != true || out[0]["id"] != "3" {
		t.Fatalf("reply %v", out)
	}
}

func TestNewConnectReleasesHeld(t *testing.T) {
	env := newEnv(t, Options{Timeout: time.Hour})
	id := env.handshake(t, nil)
	env.subscribe(t, id, "/x")
	env.firstConnect(t, id)
	first := env.postAsync(connectMsg("a", id))
	waitHeld(t, env.srv, id, 1)
	second := env.postAsync(connectMsg("b", id))
	out := await(t, first)
	if len(out) != 1 || out[0]["id"] != "a" || out[0]["successful"] != true {
		t.Fatalf("released connect %v", out)
	}
	waitHeld(t, env.srv, id, 1)
	env.srv.Publish("/x", "hi")
	out = await(t, second)
	if mustJSON(data(out)) != `["hi"]` || out[len(out)-1]["id"] != "b" {
		t.Fatalf("second connect %v", out)
	}
}

func TestUnknownClient(t *testing.T) {
	env := newEnv(t, Options{})
	want := func(channel, id string) msg {
		return msg{"channel": channel, "id": id, "successful": false, "error": "402::Unknown client",
			"advice": msg{"reconnect": "handshake", "interval": 0.0}}
	}
	out := env.post(t,
		connectMsg("1", "nope"),
		msg{"id": "2", "channel": "/meta/subscribe", "clientId": "nope", "subscription": "/x"},
		msg{"id": "3", "channel": "/meta/unsubscribe", "clientId": "nope", "subscription": "/x"},
		msg{"id": "4", "channel": "/x", "clientId": "nope", "data": 1},
		msg{"id": "5", "channel": "/meta/disconnect", "clientId": "nope"},
	)
	wantAll := []msg{want("/meta/connect", "1"), want("/meta/subscribe", "2"), want("/meta/unsubscribe", "3"),
		want("/x", "4"), want("/meta/disconnect", "5")}
	if !reflect.DeepEqual(out, wantAll) {
		t.Fatalf("replies\n got %v\nwant %v", out, wantAll)
	}
}

func TestDropSessions(t *testing.T) {
	env := newEnv(t, Options{Timeout: time.Hour})
	id := env.handshake(t, nil)
	env.subscribe(t, id, "/x")
	env.firstConnect(t, id)
	held := env.postAsync(connectMsg("h", id))
	waitHeld(t, env.srv, id, 1)
	env.srv.DropSessions()
	out := await(t, held)
	if len(out) != 1 || out[0]["error"] != "402::Unknown client" || out[0]["id"] != "h" ||
		!reflect.DeepEqual(out[0]["advice"], msg{"reconnect": "handshake", "interval": 0.0}) {
		t.Fatalf("held connect after drop: %v", out)
	}
	if n := env.srv.SessionCount(); n != 0 {
		t.Fatalf("SessionCount = %d", n)
	}
	if n := env.srv.Publish("/x", 1); n != 0 {
		t.Fatalf("Publish after drop = %d", n)
	}
	out = env.post(t, connectMsg("n", id))
	if out[0]["error"] != "402::Unknown client" {
		t.Fatalf("connect after drop: %v", out)
	}
	// A new handshake works.
	id2 := env.handshake(t, nil)
	if id2 == id {
		t.Fatal("clientId reused")
	}
}

func TestSessionExpiry(t *testing.T) {
	env := newEnv(t, Options{Timeout: time.Hour, MaxInterval: 100 * time.Millisecond})
	idle := env.handshake(t, nil)
	busy := env.handshake(t, nil)
	env.firstConnect(t, busy)
	held := env.postAsync(connectMsg("h", busy))
	waitHeld(t, env.srv, busy, 1)
	waitFor(t, "idle session to expire", func() bool { return env.srv.lookup(idle) == nil })
	if env.srv.lookup(busy) == nil {
		t.Fatal("session with a held connect expired")
	}
	out := env.post(t, connectMsg("1", idle))
	if out[0]["error"] != "402::Unknown client" {
		t.Fatalf("connect after expiry: %v", out)
	}
	env.srv.Close()
	if out := await(t, held); out[0]["error"] != "402::Unknown client" {
		t.Fatalf("held connect at Close: %v", out)
	}
}

func TestDisconnect(t *testing.T) {
	env := newEnv(t, Options{Timeout: time.Hour})
	id := env.handshake(t, nil)
	env.subscribe(t, id, "/x")
	env.firstConnect(t, id)
	held := env.postAsync(connectMsg("h", id))
	waitHeld(t, env.srv, id, 1)
	out := env.post(t, msg{"id": "d", "channel": "/meta/disconnect", "clientId": id})
	if !reflect.DeepEqual(out, []msg{{"channel": "/meta/disconnect", "id": "d", "clientId": id, "successful": true}}) {
		t.Fatalf("disconnect reply %v", out)
	}
	out = await(t, held)
	if len(out) != 1 || out[0]["successful"] != true || out[0]["id"] != "h" ||
		!reflect.DeepEqual(out[0]["advice"], msg{"reconnect": "none", "interval": 0.0}) {
		t.Fatalf("held connect after disconnect: %v", out)
	}
	if n := env.srv.SessionCount(); n != 0 {
		t.Fatalf("SessionCount = %d", n)
	}
	if n := env.srv.Publish("/x", 1); n != 0 {
		t.Fatalf("Publish = %d", n)
	}
}

func TestCloseReleasesHeldConnects(t *testing.T) {
	env := newEnv(t, Options{Timeout: time.Hour})
	var helds []<-chan result
	for range 3 {
		id := env.handshake(t, nil)
		env.firstConnect(t, id)
		helds = append(helds, env.postAsync(connectMsg("h", id)))
		waitHeld(t, env.srv, id, 1)
	}
	env.srv.Close()
	for _, h := range helds {
		if out := await(t, h); out[0]["error"] != "402::Unknown client" {
			t.Fatalf("held connect at Close: %v", out)
		}
	}
	code, _, _, err := env.postRaw([]byte(`[]`))
	if err != nil || code != http.StatusServiceUnavailable {
		t.Fatalf("after Close: %d %v", code, err)
	}
	env.srv.Close() // idempotent
}

func TestUnsupportedConnectionType(t *testing.T) {
	env := newEnv(t, Options{Transports: []string{"long-polling"}})
	id := env.handshake(t, nil)
	m := connectMsg("1", id)
	m["connectionType"] = "callback-polling"
	out := env.post(t, m)
	if out[0]["error"] != "400::Unsupported connection type" {
		t.Fatalf("reply %v", out)
	}
}
