package cometd

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// The client's websocket read path per frame, as Faye sends a burst (one
// frame per message): the client's way of reading a frame (readFrame, a
// pooled buffer, a context that is never done) against coder/websocket's
// Conn.Read under a cancellable context (what it did before). The frames
// come from memory (memWSConn), so only the reading side is measured.
//
//	go test -run '^$' -bench WebSocketFrameRead -benchmem ./cometd/
func BenchmarkWebSocketFrameRead(b *testing.B) {
	frame := []byte(`[{"channel":"/bench/go/10000/0","data":{"seq":1234,"ts":1764628800123456}}]`)
	for _, v := range []struct {
		name string
		read func(ctx context.Context, c *websocket.Conn) error
	}{
		{"pooled", func(_ context.Context, c *websocket.Conn) error {
			p, err := readFrame(c)
			if err != nil {
				return err
			}
			_, err = DecodeMessages(*p)
			putFrame(p)
			return err
		}},
		{"conn.Read", func(ctx context.Context, c *websocket.Conn) error {
			_, f, err := c.Read(ctx)
			if err != nil {
				return err
			}
			_, err = DecodeMessages(f)
			return err
		}},
	} {
		b.Run(v.name, func(b *testing.B) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			mc := &memWSConn{frames: unmaskedFrames(frame, b.N), ready: make(chan struct{})}
			hc := &http.Client{Transport: &http.Transport{
				DialContext: func(context.Context, string, string) (net.Conn, error) { return mc, nil },
			}}
			c, _, err := websocket.Dial(ctx, "ws://bench.invalid/cometd", &websocket.DialOptions{HTTPClient: hc})
			if err != nil {
				b.Fatal(err)
			}
			defer c.CloseNow()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := v.read(ctx, c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// unmaskedFrames returns n server-to-client text frames of payload.
func unmaskedFrames(payload []byte, n int) []byte {
	var h []byte
	switch {
	case len(payload) < 126:
		h = []byte{0x81, byte(len(payload))}
	default:
		h = []byte{0x81, 126, byte(len(payload) >> 8), byte(len(payload))}
	}
	f := append(h, payload...)
	return bytes.Repeat(f, n)
}

// memWSConn is a net.Conn that answers a websocket upgrade request and then
// reads frames from memory; what the client writes is discarded.
type memWSConn struct {
	frames []byte
	in     bytes.Buffer
	out    io.Reader
	ready  chan struct{} // closed once out is set
}

func (m *memWSConn) Write(p []byte) (int, error) {
	if m.out != nil {
		return len(p), nil
	}
	m.in.Write(p)
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(m.in.Bytes())))
	if err != nil {
		return len(p), nil // the request is not complete yet
	}
	sum := sha1.Sum([]byte(req.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	resp := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
		base64.StdEncoding.EncodeToString(sum[:]) + "\r\n\r\n"
	m.out = io.MultiReader(bytes.NewReader([]byte(resp)), bytes.NewReader(m.frames))
	close(m.ready)
	return len(p), nil
}

func (m *memWSConn) Read(p []byte) (int, error) {
	<-m.ready // the upgrade request was written
	return m.out.Read(p)
}

func (m *memWSConn) Close() error                     { return nil }
func (m *memWSConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (m *memWSConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (m *memWSConn) SetDeadline(time.Time) error      { return nil }
func (m *memWSConn) SetReadDeadline(time.Time) error  { return nil }
func (m *memWSConn) SetWriteDeadline(time.Time) error { return nil }
