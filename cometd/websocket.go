package cometd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/coder/websocket"
)

// wsTransport is the websocket transport: one socket carries every message
// both ways; each batch is one text frame holding a JSON array. The socket is
// dialled on first use and again after it dropped.
type wsTransport struct {
	c   *Client
	url string

	mu     sync.Mutex // guards conn, closed; held while dialling
	conn   *websocket.Conn
	closed bool
	wmu    sync.Mutex // serialises writes
}

func (t *wsTransport) name() string      { return WebSocket }
func (t *wsTransport) synchronous() bool { return false }

// close closes the socket; the transport cannot be used again.
func (t *wsTransport) close() {
	t.mu.Lock()
	conn := t.conn
	t.conn, t.closed = nil, true
	t.mu.Unlock()
	if conn != nil {
		_ = conn.CloseNow()
	}
}

// send writes msgs as one frame; replies arrive through the reader.
func (t *wsTransport) send(ctx context.Context, msgs []*Message) ([]*Message, error) {
	conn, err := t.dial(ctx)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(msgs)
	if err != nil {
		return nil, fmt.Errorf("cometd: encoding messages: %w", err)
	}
	t.wmu.Lock()
	err = conn.Write(ctx, websocket.MessageText, b)
	t.wmu.Unlock()
	if err != nil {
		err = &wsError{err: err}
		t.drop(conn, err)
		return nil, err
	}
	return nil, nil
}

// dial returns the open socket, dialling it if needed.
func (t *wsTransport) dial(ctx context.Context) (*websocket.Conn, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil, ErrClosed
	}
	if t.conn != nil {
		return t.conn, nil
	}
	h := http.Header{}
	if t.c.cfg.header != nil {
		t.c.cfg.header(h)
	}
	conn, resp, err := websocket.Dial(ctx, t.url, &websocket.DialOptions{
		HTTPClient: t.c.hc,
		HTTPHeader: h,
	})
	if err != nil {
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			return nil, &upgradeError{status: resp.StatusCode, err: err}
		}
		return nil, &wsError{err: err}
	}
	conn.SetReadLimit(t.c.cfg.maxMessageSize)
	t.conn = conn
	t.c.wg.Add(1)
	go t.read(conn)
	return conn, nil
}

// read hands every frame of conn to the client until the socket fails.
func (t *wsTransport) read(conn *websocket.Conn) {
	defer t.c.wg.Done()
	for {
		_, b, err := conn.Read(t.c.ctx)
		if err != nil {
			if errors.Is(err, websocket.ErrMessageTooBig) {
				err = fmt.Errorf("%w: %w", ErrMessageTooLarge, err)
			}
			t.drop(conn, &wsError{err: err})
			return
		}
		msgs, err := DecodeMessages(b)
		if err != nil {
			t.drop(conn, &wsError{err: fmt.Errorf("decoding frame: %w", err)})
			return
		}
		t.c.receive(msgs)
	}
}

// drop forgets a failed socket and fails the requests waiting on it.
func (t *wsTransport) drop(conn *websocket.Conn, err error) {
	t.mu.Lock()
	if t.conn == conn {
		t.conn = nil
	}
	t.mu.Unlock()
	_ = conn.CloseNow()
	t.c.failPending(t, err)
}

// dropCurrent closes the current socket, if any, so the next send dials a
// new one; requests waiting on the old socket fail.
func (t *wsTransport) dropCurrent() {
	t.mu.Lock()
	conn := t.conn
	t.mu.Unlock()
	if conn != nil {
		t.drop(conn, &wsError{err: errors.New("socket abandoned")})
	}
}
