package cometd_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/omnisdk/omni/cometd"
)

// demoServer is a tiny long-polling Bayeux server for the examples: one
// session at a time, publishes are echoed to the subscriber.
type demoServer struct {
	mu      sync.Mutex
	subs    map[string]bool
	queue   []map[string]any
	wake    chan struct{}
	lastExt json.RawMessage
}

func (s *demoServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var in []struct {
		Channel      string          `json:"channel"`
		ID           string          `json:"id"`
		Subscription string          `json:"subscription"`
		Data         json.RawMessage `json:"data"`
		Ext          json.RawMessage `json:"ext"`
	}
	if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&in) != nil {
		http.Error(w, "long-polling only", http.StatusBadRequest)
		return
	}
	var out []map[string]any
	for _, m := range in {
		reply := map[string]any{"channel": m.Channel, "id": m.ID, "successful": true}
		s.mu.Lock()
		switch m.Channel {
		case "/meta/handshake":
			s.lastExt = m.Ext
			reply["clientId"], reply["version"] = "demo", "1.0"
			reply["supportedConnectionTypes"] = []string{"long-polling"}
		case "/meta/connect":
			t := time.NewTimer(time.Second)
			for len(s.queue) == 0 {
				wake := s.wake
				s.mu.Unlock()
				select {
				case <-wake:
				case <-t.C:
				case <-r.Context().Done():
				}
				s.mu.Lock()
				if r.Context().Err() != nil || len(s.queue) == 0 {
					break
				}
			}
			t.Stop()
			reply["advice"] = map[string]any{"reconnect": "retry", "interval": 0, "timeout": 1000}
			out = append(out, reply)
			out, reply = append(out, s.queue...), nil
			s.queue = nil
		case "/meta/subscribe":
			s.subs[m.Subscription] = true
		case "/meta/unsubscribe", "/meta/disconnect":
		default:
			for sub := range s.subs {
				if cometd.Match(sub, m.Channel) {
					s.queue = append(s.queue, map[string]any{"channel": m.Channel, "data": m.Data})
					close(s.wake)
					s.wake = make(chan struct{})
					break
				}
			}
		}
		s.mu.Unlock()
		if reply != nil {
			out = append(out, reply)
		}
	}
	_ = json.NewEncoder(w).Encode(out)
}

// startDemo starts the demo server.
func startDemo() (*httptest.Server, *demoServer) {
	d := &demoServer{subs: map[string]bool{}, wake: make(chan struct{})}
	return httptest.NewServer(d), d
}

func Example() {
	srv, _ := startDemo()
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	c, err := cometd.NewClient(srv.URL+"/cometd", cometd.WithTransports(cometd.LongPolling))
	if err != nil {
		panic(err)
	}
	defer c.Close()

	// State listeners hear of every change, in order with the handlers.
	connected := make(chan struct{})
	var once sync.Once
	c.OnState(func(ch cometd.StateChange) {
		if ch.To == cometd.StateConnected {
			once.Do(func() { close(connected) })
		}
	})

	got := make(chan string, 1)
	// Subscribe handshakes first; the handler runs on the client's
	// delivery goroutine.
	if _, err := c.Subscribe(ctx, "/chat/*", func(m *cometd.Message) {
		got <- m.Channel + " " + string(m.Data)
	}); err != nil {
		panic(err)
	}
	if err := c.Publish(ctx, "/chat/room1", map[string]string{"text": "hello"}); err != nil {
		panic(err)
	}
	fmt.Println(<-got)
	<-connected
	fmt.Println(c.State(), c.Transport())
	if err := c.Disconnect(ctx); err != nil {
		panic(err)
	}
	<-c.Done()
	fmt.Println(c.State())
	// Output:
	// /chat/room1 {"text":"hello"}
	// connected long-polling
	// disconnected
}

// tokenAuth is a custom extension that adds credentials to the handshake.
type tokenAuth struct{ token string }

// Outgoing adds ext.authentication to /meta/handshake.
func (a tokenAuth) Outgoing(m *cometd.Message) {
	if m.Channel == cometd.ChannelHandshake {
		_ = m.SetExt("authentication", map[string]string{"token": a.token})
	}
}

// Incoming does nothing.
func (tokenAuth) Incoming(*cometd.Message) {}

func ExampleExtension() {
	srv, demo := startDemo()
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	c, err := cometd.NewClient(srv.URL+"/cometd",
		cometd.WithTransports(cometd.LongPolling),
		cometd.WithExtension(tokenAuth{token: "s3cr3t"}))
	if err != nil {
		panic(err)
	}
	defer c.Close()
	if err := c.Handshake(ctx); err != nil {
		panic(err)
	}
	demo.mu.Lock()
	fmt.Println(string(demo.lastExt))
	demo.mu.Unlock()
	// Output:
	// {"authentication":{"token":"s3cr3t"}}
}

func ExampleClient_OnState() {
	srv, _ := startDemo()
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	c, err := cometd.NewClient(srv.URL+"/cometd", cometd.WithTransports(cometd.LongPolling))
	if err != nil {
		panic(err)
	}
	defer c.Close()
	connected := make(chan struct{})
	var once sync.Once
	c.OnState(func(ev cometd.StateChange) {
		fmt.Println(ev.From, "->", ev.To)
		if ev.To == cometd.StateConnected {
			once.Do(func() { close(connected) })
		}
	})
	if err := c.Handshake(ctx); err != nil {
		panic(err)
	}
	<-connected
	// Output:
	// unconnected -> handshaking
	// handshaking -> handshaken
	// handshaken -> connecting
	// connecting -> connected
}

func ExampleParseError() {
	e := cometd.ParseError("403:token:Invalid token")
	fmt.Println(e.Code, e.Args, e.Message)
	// Output: 403 [token] Invalid token
}

func ExampleWithHandshakeAuth() {
	srv, demo := startDemo()
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	issued := 0
	// A token refresher: called before every handshake, with refresh set
	// after a 401/403 so that it fetches a new token.
	tokens := func(ctx context.Context, refresh bool) (cometd.Credentials, error) {
		if refresh || issued == 0 {
			issued++ // a real provider would call its token endpoint with ctx
		}
		tok := fmt.Sprintf("token-%d", issued)
		return cometd.Credentials{
			Header: http.Header{"Authorization": {"Bearer " + tok}},
			Ext:    map[string]any{"authentication": map[string]string{"token": tok}},
		}, nil
	}
	c, err := cometd.NewClient(srv.URL+"/cometd",
		cometd.WithTransports(cometd.LongPolling),
		cometd.WithHandshakeAuth(tokens))
	if err != nil {
		panic(err)
	}
	defer c.Close()
	if err := c.Handshake(ctx); err != nil {
		panic(err)
	}
	demo.mu.Lock()
	fmt.Println(string(demo.lastExt))
	demo.mu.Unlock()
	// Output:
	// {"authentication":{"token":"token-1"}}
}

func ExampleSubscription_Ready() {
	srv, _ := startDemo()
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	c, err := cometd.NewClient(srv.URL+"/cometd", cometd.WithTransports(cometd.LongPolling))
	if err != nil {
		panic(err)
	}
	defer c.Close()
	sub, err := c.Subscribe(ctx, "/chat/room", func(*cometd.Message) {})
	if err != nil {
		panic(err)
	}
	// Before sending something whose answer arrives on the subscription:
	// after a re-handshake, Ready waits until the server holds it again.
	if err := sub.Ready(ctx); err != nil {
		panic(err)
	}
	fmt.Println(sub.State())
	_ = c.Close()
	<-sub.Done()
	fmt.Println(sub.State(), sub.Err())
	// Output:
	// active
	// ended cometd: client closed
}
