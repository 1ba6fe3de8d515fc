package bayeuxsrv

import (
	"reflect"
	"testing"
	"time"
)

func TestSubscribeReplyAndForbidden(t *testing.T) {
	env := newEnv(t, Options{})
	id := env.handshake(t, nil)
	r := env.subscribe(t, id, "/v2/me/facebook")
	want := msg{"channel": "/meta/subscribe", "id": "sub", "clientId": id, "successful": true, "subscription": "/v2/me/facebook"}
	if !reflect.DeepEqual(r, want) {
		t.Fatalf("reply\n got %v\nwant %v", r, want)
	}
	r = env.subscribe(t, id, []string{"/a", "/b/*"})
	if r["successful"] != true || !reflect.DeepEqual(r["subscription"], []any{"/a", "/b/*"}) {
		t.Fatalf("array subscribe %v", r)
	}
	for sub, errText := range map[string]string{
		"/meta/**":    "403:/meta/**:Forbidden channel",
		"/meta/xyz":   "403:/meta/xyz:Forbidden channel",
		"no-slash":    "400:no-slash:Invalid channel",
		"/a/*/b":      "400:/a/*/b:Invalid channel",
		"/double//sl": "400:/double//sl:Invalid channel",
	} {
		r := env.subscribe(t, id, sub)
		if r["successful"] != false || r["error"] != errText {
			t.Errorf("subscribe %q: %v", sub, r)
		}
	}
	if r := env.subscribe(t, id, 42); r["error"] != "400::Invalid subscription" {
		t.Errorf("numeric subscription: %v", r)
	}
}

func TestWildcardSubscriptions(t *testing.T) {
	env := newEnv(t, Options{Timeout: 200 * time.Millisecond})
	one := env.handshake(t, nil)   // /v2/me/*
	deep := env.handshake(t, nil)  // /v2/**
	exact := env.handshake(t, nil) // /v2/me/twitter and /v2/** (counted once)
	env.subscribe(t, one, "/v2/me/*")
	env.subscribe(t, deep, "/v2/**")
	env.subscribe(t, exact, []string{"/v2/me/twitter", "/v2/**"})
	cases := []struct {
		channel string
		want    int
	}{
		{"/v2/me/facebook", 3},
		{"/v2/me/twitter", 3},
		{"/v2/me/facebook/deep", 2},
		{"/v2", 0},
		{"/other", 0},
		{"/v2/me/*", 0}, // publishing to a wildcard is refused
	}
	for _, c := range cases {
		if n := env.srv.Publish(c.channel, c.channel); n != c.want {
			t.Errorf("Publish(%q) = %d, want %d", c.channel, n, c.want)
		}
	}
	check := func(id, want string) {
		t.Helper()
		if got := mustJSON(data(env.post(t, connectMsg("c", id)))); got != want {
			t.Errorf("delivered %s, want %s", got, want)
		}
	}
	check(one, `["/v2/me/facebook","/v2/me/twitter"]`)
	check(deep, `["/v2/me/facebook","/v2/me/twitter","/v2/me/facebook/deep"]`)
	check(exact, `["/v2/me/facebook","/v2/me/twitter","/v2/me/facebook/deep"]`)
}

func TestUnsubscribe(t *testing.T) {
	env := newEnv(t, Options{})
	id := env.handshake(t, nil)
	env.subscribe(t, id, []string{"/a", "/b/**"})
	out := env.post(t, msg{"id": "u", "channel": "/meta/unsubscribe", "clientId": id, "subscription": "/b/**"})
	want := []msg{{"channel": "/meta/unsubscribe", "id": "u", "clientId": id, "successful": true, "subscription": "/b/**"}}
	if !reflect.DeepEqual(out, want) {
		t.Fatalf("reply\n got %v\nwant %v", out, want)
	}
	if n := env.srv.Publish("/b/c", 1); n != 0 {
		t.Errorf("Publish after unsubscribe = %d", n)
	}
	if n := env.srv.Publish("/a", 1); n != 1 {
		t.Errorf("Publish to kept subscription = %d", n)
	}
	env.srv.mu.RLock()
	_, left := env.srv.subs["/b/**"]
	env.srv.mu.RUnlock()
	if left {
		t.Error("empty subscriber set kept in the index")
	}
}

func TestClientPublishBroadcast(t *testing.T) {
	env := newEnv(t, Options{Timeout: time.Hour})
	pub := env.handshake(t, nil)
	sub := env.handshake(t, nil)
	env.subscribe(t, pub, "/chat/*")
	env.subscribe(t, sub, "/chat/room")
	env.firstConnect(t, sub)
	held := env.postAsync(connectMsg("h", sub))
	waitHeld(t, env.srv, sub, 1)
	env.firstConnect(t, pub)
	// The publisher has no held connect, so its own copy rides on the publish reply.
	out := env.post(t, msg{"id": "p", "channel": "/chat/room", "clientId": pub, "data": msg{"text": "hi"}})
	if r := byChannel(t, out, "/chat/room"); r["id"] != "p" || r["successful"] != true {
		t.Fatalf("publish reply %v", out)
	}
	if got := mustJSON(data(out)); got != `[{"text":"hi"}]` {
		t.Fatalf("publisher's copy %s", got)
	}
	if got := mustJSON(data(await(t, held))); got != `[{"text":"hi"}]` {
		t.Fatalf("subscriber got %s", got)
	}
	out = env.post(t, msg{"id": "w", "channel": "/chat/*", "clientId": pub, "data": 1})
	if out[0]["error"] != "400:/chat/*:Invalid channel" {
		t.Fatalf("publish to wildcard: %v", out)
	}
}

func TestServiceChannelNotBroadcast(t *testing.T) {
	env := newEnv(t, Options{})
	pub := env.handshake(t, nil)
	sub := env.handshake(t, nil)
	env.subscribe(t, sub, "/service/**")
	out := env.post(t, msg{"id": "s", "channel": "/service/echo", "clientId": pub, "data": "x"})
	want := []msg{{"channel": "/service/echo", "id": "s", "clientId": pub, "successful": true}}
	if !reflect.DeepEqual(out, want) {
		t.Fatalf("reply\n got %v\nwant %v", out, want)
	}
	if got := data(env.post(t, connectMsg("c", sub))); len(got) != 0 {
		t.Fatalf("service message broadcast: %v", got)
	}
}
