package bayeuxsrv

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestLongPollMaxMessageSize(t *testing.T) {
	env := newEnv(t, Options{MaxMessageSize: 1024})
	big := `[{"channel":"/meta/handshake","id":"` + strings.Repeat("x", 2000) + `"}]`
	code, _, _, err := env.postRaw([]byte(big))
	if err != nil || code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d err %v", code, err)
	}
	// Without Content-Length (chunked) the cap still applies.
	req, _ := http.NewRequest(http.MethodPost, env.hs.URL, struct{ *strings.Reader }{strings.NewReader(big)})
	req.ContentLength = -1
	resp, err := env.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked status %d", resp.StatusCode)
	}
}

func TestQueueOverflowDropsOldest(t *testing.T) {
	var logs bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, nil))
	env := newEnv(t, Options{MaxQueue: 3, Logger: logger, Timeout: time.Hour})
	id := env.handshake(t, nil)
	env.subscribe(t, id, "/x")
	env.firstConnect(t, id)
	for i := range 6 {
		env.srv.Publish("/x", i)
	}
	if got := mustJSON(data(env.post(t, connectMsg("c", id)))); got != `[3,4,5]` {
		t.Fatalf("delivered %s", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if n := strings.Count(logs.String(), "queue full"); n != 1 {
		t.Fatalf("overflow logged %d times:\n%s", n, logs.String())
	}
	if strings.Contains(logs.String(), id) {
		t.Fatal("clientId in logs")
	}
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestOnMessageSeesBothDirections(t *testing.T) {
	type seen struct {
		dir Direction
		m   string
	}
	var mu sync.Mutex
	var got []seen
	env := newEnv(t, Options{OnMessage: func(dir Direction, m json.RawMessage) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, seen{dir, string(m)})
	}})
	id := env.handshake(t, nil)
	env.subscribe(t, id, "/x")
	env.srv.Publish("/x", "d")
	env.post(t, connectMsg("c", id))

	ws := env.dial(t)
	ws.handshake(nil)

	mu.Lock()
	defer mu.Unlock()
	var in, out []string
	for _, s := range got {
		var m msg
		if err := json.Unmarshal([]byte(s.m), &m); err != nil {
			t.Fatalf("hook got non-JSON %q", s.m)
		}
		ch := m["channel"].(string)
		if s.dir == Inbound {
			in = append(in, ch)
		} else {
			out = append(out, ch)
		}
	}
	wantIn := "/meta/handshake /meta/subscribe /meta/connect /meta/handshake"
	wantOut := "/meta/handshake /meta/subscribe /x /meta/connect /meta/handshake"
	if strings.Join(in, " ") != wantIn || strings.Join(out, " ") != wantOut {
		t.Fatalf("inbound %v\noutbound %v", in, out)
	}
	if Inbound.String() != "inbound" || Outbound.String() != "outbound" {
		t.Fatal("Direction.String")
	}
}
