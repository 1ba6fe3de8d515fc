package cometd

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, channel string
		want             bool
	}{
		{"/foo", "/foo", true},
		{"/foo", "/foo/bar", false},
		{"/foo/*", "/foo/bar", true},
		{"/foo/*", "/foo", false},
		{"/foo/*", "/foo/bar/baz", false},
		{"/foo/*", "/foobar/x", false},
		{"/foo/**", "/foo/bar", true},
		{"/foo/**", "/foo/bar/baz", true},
		{"/foo/**", "/foo", false},
		{"/foo/**", "/foox/bar", false},
		{"/**", "/a/b/c", true},
		{"/*", "/a", true},
		{"/*", "/a/b", false},
		{"/v2/me/*", "/v2/me/facebook", true},
		{"/v2/me/**", "/v2/me/facebook/x", true},
		{"/foo/*/bar", "/foo/x/bar", false}, // wildcards only as the last segment
		{"/foo/*", "/foo/", false},
	}
	for _, tt := range tests {
		if got := Match(tt.pattern, tt.channel); got != tt.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tt.pattern, tt.channel, got, tt.want)
		}
	}
	// patternsFor agrees with Match.
	for _, ch := range []string{"/a", "/a/b", "/a/b/c"} {
		for _, p := range patternsFor(ch) {
			if !Match(p, ch) {
				t.Errorf("patternsFor(%q) gave %q which does not match", ch, p)
			}
		}
	}
}

func TestParseError(t *testing.T) {
	tests := []struct {
		in   string
		want Error
	}{
		{"402::Unknown client", Error{Code: 402, Message: "Unknown client", Raw: "402::Unknown client"}},
		{"403:token,x:Invalid token", Error{Code: 403, Args: []string{"token", "x"}, Message: "Invalid token", Raw: "403:token,x:Invalid token"}},
		{"oops", Error{Message: "oops", Raw: "oops"}},
		{"abc:d:e", Error{Message: "abc:d:e", Raw: "abc:d:e"}},
		{"401::a:b", Error{Code: 401, Message: "a:b", Raw: "401::a:b"}},
	}
	for _, tt := range tests {
		if got := ParseError(tt.in); !reflect.DeepEqual(*got, tt.want) {
			t.Errorf("ParseError(%q) = %+v, want %+v", tt.in, *got, tt.want)
		}
	}
}

func TestSubscribeRefused(t *testing.T) {
	f := newFake(t)
	f.set(func(f *fake) { f.refuse["/secret"] = "403:/secret:Forbidden" })
	c, _ := newTestClient(t, f, WithTransports(LongPolling))
	_, err := c.Subscribe(ctxT(t), "/secret", func(*Message) {})
	var be *Error
	if !errors.As(err, &be) || be.Code != 403 || be.Message != "Forbidden" {
		t.Fatalf("Subscribe = %v", err)
	}
	if c.Err() != nil {
		t.Fatal("a refused subscription must not stop the client")
	}
}

func TestSubscribeValidation(t *testing.T) {
	f := newFake(t)
	c, _ := newTestClient(t, f)
	for _, ch := range []string{"", "foo", "/meta/connect", "/a//b", "/a/*/b", "/a/"} {
		if _, err := c.Subscribe(ctxT(t), ch, func(*Message) {}); err == nil {
			t.Errorf("Subscribe(%q) succeeded", ch)
		}
	}
	if err := c.Publish(ctxT(t), "/a/*", 1); err == nil {
		t.Error("Publish to a wildcard succeeded")
	}
	if len(f.wire()) != 0 {
		t.Fatal("invalid calls reached the server")
	}
}

func TestPublishAck(t *testing.T) {
	f := newFake(t)
	f.set(func(f *fake) {
		f.hook = func(m msg) ([]msg, bool) {
			if m["channel"] == "/nope" {
				return []msg{{"channel": "/nope", "id": m["id"], "successful": false, "error": "403::denied"}}, true
			}
			return nil, false
		}
	})
	c, _ := newTestClient(t, f, WithTransports(LongPolling))
	ctx := ctxT(t)
	if err := c.Publish(ctx, "/chat", map[string]string{"text": "hi"}); err != nil {
		t.Fatal(err)
	}
	pubs := wireMessages(t, f, "/chat")
	var m Message
	_ = json.Unmarshal([]byte(pubs[0]), &m)
	want := `{"channel":"/chat","id":"` + m.ID + `","clientId":"c1","data":{"text":"hi"}}`
	if pubs[0] != want {
		t.Fatalf("publish on the wire:\n got %s\nwant %s", pubs[0], want)
	}
	err := c.Publish(ctx, "/nope", json.RawMessage(`[1,2]`))
	var be *Error
	if !errors.As(err, &be) || be.Code != 403 {
		t.Fatalf("refused publish = %v", err)
	}
}

func TestUnsubscribeStopsDelivery(t *testing.T) {
	f := newFake(t)
	c, _ := newTestClient(t, f, WithTransports(LongPolling))
	ctx := ctxT(t)
	var a, b collector
	sa, err := c.Subscribe(ctx, "/n", a.handler)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := c.Subscribe(ctx, "/n", b.handler)
	if err != nil {
		t.Fatal(err)
	}
	if sa.Channel() != "/n" {
		t.Fatal(sa.Channel())
	}
	f.publish("/n", 1)
	eventually(t, "both got 1", func() bool { return a.len() == 1 && b.len() == 1 })
	if err := sa.Unsubscribe(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(f.recorded(ChannelUnsubscribe)); n != 0 {
		t.Fatalf("%d /meta/unsubscribe sent while another subscription remains", n)
	}
	f.publish("/n", 2)
	eventually(t, "b got 2", func() bool { return b.len() == 2 })
	if err := sb.Unsubscribe(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(f.recorded(ChannelUnsubscribe)); n != 1 {
		t.Fatalf("%d /meta/unsubscribe sent, want 1", n)
	}
	if f.publish("/n", 3) != 0 {
		t.Fatal("server still has the subscription")
	}
	// Use a sync point: a message on another channel arrives after anything on /n.
	var z collector
	if _, err := c.Subscribe(ctx, "/z", z.handler); err != nil {
		t.Fatal(err)
	}
	f.publish("/z", 0)
	eventually(t, "z", func() bool { return z.len() == 1 })
	if a.len() != 1 || b.len() != 2 {
		t.Fatalf("deliveries after unsubscribe: a=%v b=%v", a.data(), b.data())
	}
	if err := sa.Unsubscribe(ctx); err != nil {
		t.Fatal("second Unsubscribe:", err)
	}
}

func TestBatching(t *testing.T) {
	f := newFake(t)
	release := make(chan struct{})
	f.set(func(f *fake) {
		f.hook = func(m msg) ([]msg, bool) {
			if m["channel"] == "/hold" {
				<-release
			}
			return nil, false
		}
	})
	c, _ := newTestClient(t, f, WithTransports(LongPolling))
	ctx := ctxT(t)
	if err := c.Handshake(ctx); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	go func() { errs <- c.Publish(ctx, "/hold", 0) }()
	eventually(t, "held publish", func() bool { return len(f.recorded("/hold")) == 1 })
	for i := 1; i <= 3; i++ {
		go func() { errs <- c.Publish(ctx, "/batch", i) }()
	}
	eventually(t, "3 queued", func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return len(c.outbox) == 3
	})
	close(release)
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	var batches []int
	for _, r := range f.wire() {
		var ms []Message
		_ = json.Unmarshal([]byte(r.body), &ms)
		if len(ms) > 0 && ms[0].Channel == "/batch" {
			batches = append(batches, len(ms))
		}
	}
	if !reflect.DeepEqual(batches, []int{3}) {
		t.Fatalf("batches of /batch publishes: %v, want one POST with 3", batches)
	}
}

func TestSubscribeSharesSessionWithHandshake(t *testing.T) {
	f := newFake(t)
	c, _ := newTestClient(t, f, WithTransports(LongPolling))
	// Concurrent first calls handshake once.
	errs := make(chan error, 3)
	for range 3 {
		go func() {
			_, err := c.Subscribe(ctxT(t), "/s", func(*Message) {})
			errs <- err
		}()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := len(f.recorded(ChannelHandshake)); n != 1 {
		t.Fatalf("%d handshakes", n)
	}
	_ = context.Background
}
