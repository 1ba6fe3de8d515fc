package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// The floor reader is the least a Bayeux client can do: it speaks just
// enough of the protocol to subscribe and keep a /meta/connect outstanding,
// counts the data messages in each reply by a byte search, and decodes
// nothing until the run is over. Its throughput is the rate at which the
// server itself can deliver on this machine: an upper bound for any client.

// floorChunk is one reply or frame as it arrived.
type floorChunk struct {
	at   time.Time
	body []byte
}

// benchFloor measures the floor reader receiving n server-side publishes.
func benchFloor(t *testing.T, p *Peer, transport, channel string, n int) benchResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	var f floorConn
	var err error
	if transport == WebSocket {
		f, err = dialFloorWS(ctx, p.URL())
	} else {
		f, err = newFloorLP(p.URL())
	}
	if err != nil {
		t.Fatalf("floor reader: %v", err)
	}
	defer f.close()
	clientID, err := floorHandshake(ctx, f, transport)
	if err != nil {
		t.Fatalf("floor reader: %v", err)
	}
	sub := fmt.Sprintf(`[{"channel":"/meta/subscribe","clientId":%q,"subscription":%q,"id":"2"}]`, clientID, channel)
	if _, err := f.exchange(ctx, []byte(sub)); err != nil {
		t.Fatalf("floor reader: subscribe: %v", err)
	}
	connect := []byte(fmt.Sprintf(`[{"channel":"/meta/connect","clientId":%q,"connectionType":%q,"id":"3"}]`, clientID, transport))
	chunks := make([]floorChunk, 0, 1024)
	srv := markServer(p) // before the publish starts
	published := make(chan struct{})
	go func() {
		defer close(published)
		p.Publish(channel, n, nil)
	}()
	runtime.GC()
	cpu0 := processCPU()
	seen := 0
	for seen < n {
		body, err := f.exchange(ctx, connect)
		if err != nil {
			t.Fatalf("floor reader: after %d of %d messages: %v", seen, n, err)
		}
		chunks = append(chunks, floorChunk{at: time.Now(), body: body})
		seen += bytes.Count(body, []byte(`"seq"`))
	}
	cpu := processCPU() - cpu0
	server := srv.since(p, benchResult{})
	<-published
	r := floorResult(t, chunks, n)
	r.CPU, r.ServerCPU, r.Softirq, r.Segments = cpu, server.ServerCPU, server.Softirq, server.Segments
	return r
}

// floorResult decodes the chunks after the run and computes the figures.
func floorResult(t *testing.T, chunks []floorChunk, n int) benchResult {
	t.Helper()
	var lat []time.Duration
	first, next, inOrder := -1.0, 0, true
	var last time.Time
	for _, c := range chunks {
		var msgs []struct {
			Channel string `json:"channel"`
			Data    *struct {
				Seq int     `json:"seq"`
				TS  float64 `json:"ts"`
			} `json:"data"`
		}
		if err := json.Unmarshal(c.body, &msgs); err != nil {
			t.Fatalf("floor reader: decoding %q: %v", c.body, err)
		}
		for _, m := range msgs {
			if m.Data == nil || strings.HasPrefix(m.Channel, "/meta/") {
				continue
			}
			lat = append(lat, c.at.Sub(time.UnixMicro(int64(m.Data.TS))))
			if first < 0 || m.Data.TS < first {
				first = m.Data.TS
			}
			inOrder = inOrder && m.Data.Seq == next
			next = m.Data.Seq + 1
			last = c.at
		}
	}
	slices.Sort(lat)
	elapsed := float64(last.UnixNano())/1e3 - first
	return benchResult{MsgsPerSec: float64(len(lat)) / (elapsed / 1e6), P50: percentile(lat, 50),
		P99: percentile(lat, 99), InOrder: inOrder && len(lat) == n}
}

// floorConn sends one request body and returns the next reply body.
type floorConn interface {
	exchange(ctx context.Context, body []byte) ([]byte, error)
	close()
}

// floorHandshake handshakes and returns the clientId.
func floorHandshake(ctx context.Context, f floorConn, transport string) (string, error) {
	hs := fmt.Sprintf(`[{"channel":"/meta/handshake","version":"1.0","supportedConnectionTypes":[%q],"id":"1"}]`, transport)
	b, err := f.exchange(ctx, []byte(hs))
	if err != nil {
		return "", fmt.Errorf("handshake: %w", err)
	}
	var r []struct {
		ClientID   string `json:"clientId"`
		Successful bool   `json:"successful"`
	}
	if err := json.Unmarshal(b, &r); err != nil || len(r) == 0 || !r[0].Successful {
		return "", fmt.Errorf("handshake reply %q: %v", b, err)
	}
	return r[0].ClientID, nil
}

// floorLP is the long-polling floor transport: one POST per exchange.
type floorLP struct {
	url string
	hc  *http.Client
}

func newFloorLP(url string) (*floorLP, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	return &floorLP{url: url, hc: &http.Client{Jar: jar, Transport: &http.Transport{}}}, nil
}

func (f *floorLP) exchange(ctx context.Context, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json;charset=UTF-8")
	resp, err := f.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("status %d", resp.StatusCode)
	}
	return b, err
}

func (f *floorLP) close() { f.hc.CloseIdleConnections() }

// floorWS is the websocket floor transport. An exchange writes the body
// (if any) and returns the next frame; a frame that answers a connect makes
// the next exchange send the connect again, others make it only read.
type floorWS struct {
	conn    *websocket.Conn
	pending bool // a connect is outstanding: read without writing
}

func dialFloorWS(ctx context.Context, url string) (*floorWS, error) {
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(url, "http"), nil)
	if err != nil {
		return nil, err
	}
	conn.SetReadLimit(64 << 20)
	return &floorWS{conn: conn}, nil
}

func (f *floorWS) exchange(ctx context.Context, body []byte) ([]byte, error) {
	if !f.pending {
		if err := f.conn.Write(ctx, websocket.MessageText, body); err != nil {
			return nil, err
		}
	}
	_, b, err := f.conn.Read(ctx)
	if err != nil {
		return nil, err
	}
	// Keep a connect outstanding: only a frame with its reply needs a new one.
	f.pending = bytes.Contains(body, []byte(`"/meta/connect"`)) && !bytes.Contains(b, []byte(`"/meta/connect"`))
	return b, nil
}

func (f *floorWS) close() { _ = f.conn.CloseNow() }
