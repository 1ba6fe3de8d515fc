package cometd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// msg is a message as the fake server sees it.
type msg = map[string]any

// wireRecord is one request body (long-polling) or frame (websocket).
type wireRecord struct {
	transport string
	body      string
	header    http.Header
}

// fake is a scripted Bayeux server for tests: a small but complete server
// whose behaviour tests change through hooks.
type fake struct {
	t   testing.TB
	srv *httptest.Server

	mu         sync.Mutex
	transports []string // advertised connection types
	ws         bool     // accept websocket upgrades
	ack        bool     // support the ack extension
	ackBatch   int64    // > 0: answer ext.ack in the newer form {"enabled":true,"batch":ackBatch}
	replyLast  bool     // put a connect's reply after the messages it carries
	holdMs     int64    // advice.timeout and how long connects are held
	seq        int
	clients    map[string]*fakeClient
	refuse     map[string]string // subscription → error
	records    []wireRecord
	messages   []msg // every inbound message
	// hook may answer a message itself (handled true).
	hook func(m msg) (replies []msg, handled bool)
	// httpHook may answer an HTTP request itself (handled true).
	httpHook func(w http.ResponseWriter, r *http.Request) bool
	wake     chan struct{}
	closing  chan struct{}
	wsConns  map[*websocket.Conn]bool
	wsWrite  map[*websocket.Conn]func([]msg) // writes a frame on the socket
	wg       sync.WaitGroup
}

// fakeClient is a session of the fake server.
type fakeClient struct {
	subs   map[string]bool
	queue  []msg
	batch  int64 // ack batch counter
	acked  int64
	ackOn  bool
	unsent map[int64][]msg
}

// newFake starts a fake server; it is closed by t.Cleanup.
func newFake(t testing.TB) *fake {
	f := &fake{
		t:          t,
		transports: []string{WebSocket, LongPolling},
		ws:         true,
		holdMs:     5000,
		clients:    map[string]*fakeClient{},
		refuse:     map[string]string{},
		wake:       make(chan struct{}),
		closing:    make(chan struct{}),
		wsConns:    map[*websocket.Conn]bool{},
		wsWrite:    map[*websocket.Conn]func([]msg){},
	}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.close)
	return f
}

// url is the Bayeux endpoint.
func (f *fake) url() string { return f.srv.URL + "/cometd" }

// close releases held connects, closes sockets and stops the server.
func (f *fake) close() {
	f.mu.Lock()
	select {
	case <-f.closing:
		f.mu.Unlock()
		return
	default:
	}
	close(f.closing)
	for c := range f.wsConns {
		_ = c.CloseNow()
	}
	f.mu.Unlock()
	f.srv.Close()
	f.wg.Wait()
}

// pushWS writes out as one frame on every open websocket, outside any
// reply (as Faye delivers a message), and reports how many sockets it
// reached.
func (f *fake) pushWS(out []msg) int {
	f.mu.Lock()
	var writes []func([]msg)
	for _, w := range f.wsWrite {
		writes = append(writes, w)
	}
	f.mu.Unlock()
	for _, w := range writes {
		w(out)
	}
	return len(writes)
}

// set runs fn with the server locked.
func (f *fake) set(fn func(f *fake)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

// wakeLocked releases held connects so they look at their queues.
func (f *fake) wakeLocked() {
	close(f.wake)
	f.wake = make(chan struct{})
}

// publish delivers data to every session subscribed to channel.
func (f *fake) publish(channel string, data any) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.publishLocked(channel, data)
}

func (f *fake) publishLocked(channel string, data any) int {
	n := 0
	for _, c := range f.clients {
		for s := range c.subs {
			if Match(s, channel) {
				c.queue = append(c.queue, msg{"channel": channel, "data": data})
				n++
				break
			}
		}
	}
	f.wakeLocked()
	return n
}

// dropSessions forgets every session: their next message gets 402.
func (f *fake) dropSessions() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clients = map[string]*fakeClient{}
	f.wakeLocked()
}

// recorded returns the inbound messages on channel.
func (f *fake) recorded(channel string) []msg {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []msg
	for _, m := range f.messages {
		if m["channel"] == channel {
			out = append(out, m)
		}
	}
	return out
}

// wire returns the raw request bodies / frames.
func (f *fake) wire() []wireRecord {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]wireRecord(nil), f.records...)
}

// ServeHTTP serves long-polling POSTs and websocket upgrades.
func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	hook := f.httpHook
	ws := f.ws
	f.mu.Unlock()
	if hook != nil && hook(w, r) {
		return
	}
	if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		if !ws {
			http.Error(w, "websocket not supported", http.StatusBadRequest)
			return
		}
		f.serveWS(w, r)
		return
	}
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	body, _ := io.ReadAll(r.Body)
	var in []msg
	if err := json.Unmarshal(body, &in); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.records = append(f.records, wireRecord{transport: LongPolling, body: string(body), header: r.Header.Clone()})
	f.mu.Unlock()
	out := f.process(r.Context(), in)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// serveWS serves one websocket: each frame's messages are processed; held
// connects are answered from their own goroutine.
func (f *fake) serveWS(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	select {
	case <-f.closing:
		f.mu.Unlock()
		http.Error(w, "closing", http.StatusServiceUnavailable)
		return
	default:
	}
	f.wg.Add(1)
	f.mu.Unlock()
	defer f.wg.Done()
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	f.mu.Lock()
	f.wsConns[conn] = true
	select {
	case <-f.closing:
		_ = conn.CloseNow()
	default:
	}
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.wsConns, conn)
		f.mu.Unlock()
		_ = conn.CloseNow()
	}()
	conn.SetReadLimit(-1)
	var wmu sync.Mutex
	write := func(out []msg) {
		if len(out) == 0 {
			return
		}
		b, _ := json.Marshal(out)
		wmu.Lock()
		defer wmu.Unlock()
		_ = conn.Write(context.Background(), websocket.MessageText, b)
	}
	f.mu.Lock()
	f.wsWrite[conn] = write
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.wsWrite, conn)
		f.mu.Unlock()
	}()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for {
		_, b, err := conn.Read(ctx)
		if err != nil {
			return
		}
		var in []msg
		if err := json.Unmarshal(b, &in); err != nil {
			return
		}
		f.mu.Lock()
		f.records = append(f.records, wireRecord{transport: WebSocket, body: string(b), header: r.Header.Clone()})
		f.mu.Unlock()
		var now []msg
		for _, m := range in {
			if m["channel"] == ChannelConnect {
				m := m
				f.wg.Add(1)
				go func() {
					defer f.wg.Done()
					write(f.handle(ctx, m))
				}()
				continue
			}
			now = append(now, f.handle(ctx, m)...)
		}
		write(now)
	}
}

// process answers the messages of one request.
func (f *fake) process(ctx context.Context, in []msg) []msg {
	var out []msg
	for _, m := range in {
		out = append(out, f.handle(ctx, m)...)
	}
	return out
}

// unknown is the reply to a message from an unknown session.
func unknown(m msg) msg {
	return msg{"channel": m["channel"], "id": m["id"], "successful": false,
		"error": "402::Unknown client", "advice": msg{"reconnect": "handshake", "interval": 0}}
}

// handle answers one message.
func (f *fake) handle(ctx context.Context, m msg) []msg {
	f.mu.Lock()
	f.messages = append(f.messages, m)
	hook := f.hook
	f.mu.Unlock()
	if hook != nil {
		if out, ok := hook(m); ok {
			return out
		}
	}
	ch, _ := m["channel"].(string)
	id := m["id"]
	cid, _ := m["clientId"].(string)
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.clients[cid]
	if ch != ChannelHandshake && c == nil {
		return []msg{unknown(m)}
	}
	switch ch {
	case ChannelHandshake:
		f.seq++
		cid = fmt.Sprintf("c%d", f.seq)
		f.clients[cid] = &fakeClient{subs: map[string]bool{}, unsent: map[int64][]msg{}}
		r := msg{"channel": ch, "id": id, "successful": true, "clientId": cid, "version": "1.0",
			"supportedConnectionTypes": f.transports,
			"advice":                   msg{"reconnect": "retry", "interval": 0, "timeout": f.holdMs}}
		if ext, _ := m["ext"].(map[string]any); f.ack && ext != nil && ext["ack"] == true {
			r["ext"] = msg{"ack": true}
			f.clients[cid].ackOn = true
			if f.ackBatch > 0 {
				r["ext"] = msg{"ack": msg{"enabled": true, "batch": f.ackBatch}}
				f.clients[cid].batch = f.ackBatch
			}
		}
		return []msg{r}
	case ChannelConnect:
		if ext, _ := m["ext"].(map[string]any); ext != nil {
			if n, ok := ext["ack"].(float64); ok {
				c.acked = int64(n)
			}
		}
		immediate := false
		if adv, _ := m["advice"].(map[string]any); adv != nil && adv["timeout"] == float64(0) {
			immediate = true
		}
		deadline := time.NewTimer(time.Duration(f.holdMs) * time.Millisecond)
		defer deadline.Stop()
		for !immediate && len(c.queue) == 0 {
			wake := f.wake
			f.mu.Unlock()
			select {
			case <-wake:
			case <-deadline.C:
				immediate = true
			case <-ctx.Done():
				immediate = true
			case <-f.closing:
				immediate = true
			}
			f.mu.Lock()
			if f.clients[cid] != c {
				return []msg{unknown(m)}
			}
		}
		r := msg{"channel": ch, "id": id, "successful": true, "advice": msg{"reconnect": "retry", "interval": 0, "timeout": f.holdMs}}
		out := append([]msg{r}, c.queue...)
		if f.replyLast { // as CometD's server writes a batch: the messages, then the reply
			out = append(append([]msg(nil), c.queue...), r)
		}
		c.queue = nil
		if c.ackOn {
			c.batch++
			r["ext"] = msg{"ack": c.batch}
		}
		return out
	case ChannelSubscribe:
		sub, _ := m["subscription"].(string)
		if e, ok := f.refuse[sub]; ok {
			return []msg{{"channel": ch, "id": id, "successful": false, "subscription": sub, "error": e}}
		}
		c.subs[sub] = true
		return []msg{{"channel": ch, "id": id, "successful": true, "subscription": sub}}
	case ChannelUnsubscribe:
		sub, _ := m["subscription"].(string)
		delete(c.subs, sub)
		return []msg{{"channel": ch, "id": id, "successful": true, "subscription": sub}}
	case ChannelDisconnect:
		delete(f.clients, cid)
		f.wakeLocked()
		return []msg{{"channel": ch, "id": id, "successful": true}}
	default:
		f.publishLocked(ch, m["data"])
		return []msg{{"channel": ch, "id": id, "successful": true}}
	}
}

// eventually polls cond until it holds or a generous deadline passes.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// newTestClient returns a client for f, closed by t.Cleanup, with small
// backoff values and a recorder of the client's waits.
func newTestClient(t testing.TB, f *fake, opts ...Option) (*Client, *waits) {
	t.Helper()
	opts = append([]Option{WithBackoff(10*time.Millisecond, 50*time.Millisecond)}, opts...)
	c, err := NewClient(f.url(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	w := &waits{}
	c.wait = func(ctx context.Context, d time.Duration) bool {
		w.add(d)
		return sleepCtx(ctx, d)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c, w
}

// waits records the delays the client waited.
type waits struct {
	mu sync.Mutex
	ds []time.Duration
}

func (w *waits) add(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if d > 0 {
		w.ds = append(w.ds, d)
	}
}

func (w *waits) get() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.ds...)
}

// stateRecorder collects state changes.
type stateRecorder struct {
	mu  sync.Mutex
	evs []StateChange
}

func recordStates(c *Client) *stateRecorder {
	r := &stateRecorder{}
	c.OnState(func(ev StateChange) {
		r.mu.Lock()
		r.evs = append(r.evs, ev)
		r.mu.Unlock()
	})
	return r
}

func (r *stateRecorder) get() []StateChange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]StateChange(nil), r.evs...)
}

// find returns the first recorded change satisfying pred.
func (r *stateRecorder) find(pred func(StateChange) bool) (StateChange, bool) {
	for _, ev := range r.get() {
		if pred(ev) {
			return ev, true
		}
	}
	return StateChange{}, false
}

// collector collects delivered messages.
type collector struct {
	mu   sync.Mutex
	msgs []*Message
}

func (c *collector) handler(m *Message) {
	c.mu.Lock()
	c.msgs = append(c.msgs, m)
	c.mu.Unlock()
}

func (c *collector) data() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, m := range c.msgs {
		out = append(out, string(m.Data))
	}
	return out
}

func (c *collector) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.msgs)
}
