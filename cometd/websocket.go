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
// dialled on first use and again after it dropped or was reset. Like
// longPolling it is given everything it uses when it is built.
type wsTransport struct {
	url     string
	hc      *http.Client      // for the upgrade request (and its cookie jar)
	header  func(http.Header) // sets the upgrade request's headers
	maxSize int64             // read limit of a frame
	// ctx bounds the reader goroutines, which wg counts.
	ctx context.Context
	wg  *sync.WaitGroup
	// receive handles each message of a frame, in order.
	receive func(*Message)
	// failed fails the requests waiting for a reply on this transport.
	failed func(err error)

	mu      sync.Mutex // guards conn, stopped; held while dialling
	conn    *websocket.Conn
	stopped bool
	wmu     sync.Mutex // serialises writes
}

func (t *wsTransport) name() string      { return WebSocket }
func (t *wsTransport) synchronous() bool { return false }

// stop closes the socket; the transport cannot be used again.
func (t *wsTransport) stop() {
	t.mu.Lock()
	conn := t.conn
	t.conn, t.stopped = nil, true
	t.mu.Unlock()
	if conn != nil {
		_ = conn.CloseNow()
	}
}

// reset closes the socket, if any; the next send dials a new one.
// Requests waiting on the old socket fail.
func (t *wsTransport) reset() { t.dropCurrent(errors.New("socket closed by the client")) }

// send writes msgs as one frame; replies arrive through the reader.
func (t *wsTransport) send(ctx context.Context, msgs []*Message) error {
	conn, err := t.dial(ctx)
	if err != nil {
		return err
	}
	b, err := json.Marshal(msgs)
	if err != nil {
		return fmt.Errorf("cometd: encoding messages: %w", err)
	}
	t.wmu.Lock()
	err = conn.Write(ctx, websocket.MessageText, b)
	t.wmu.Unlock()
	if err != nil {
		t.mu.Lock()
		dropped := t.conn != conn
		t.mu.Unlock()
		if dropped {
			// The socket was dropped while being written to (its reader
			// failed, such as on a frame over WithMaxMessageSize): the
			// requests on it were failed then, with that cause.
			return nil
		}
		err = &wsError{err: err}
		t.drop(conn, err)
		return err
	}
	return nil
}

// dial returns the open socket, dialling it if needed.
func (t *wsTransport) dial(ctx context.Context) (*websocket.Conn, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return nil, ErrClosed
	}
	if t.conn != nil {
		return t.conn, nil
	}
	h := http.Header{}
	if t.header != nil {
		t.header(h)
	}
	conn, resp, err := websocket.Dial(ctx, t.url, &websocket.DialOptions{
		HTTPClient: t.hc,
		HTTPHeader: h,
	})
	if err != nil {
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			return nil, &upgradeError{status: resp.StatusCode, err: err}
		}
		return nil, &wsError{err: err}
	}
	conn.SetReadLimit(t.maxSize)
	t.conn = conn
	t.wg.Add(1)
	go t.read(conn)
	return conn, nil
}

// read hands every frame of conn to t.receive until the socket fails.
func (t *wsTransport) read(conn *websocket.Conn) {
	defer t.wg.Done()
	for {
		_, b, err := conn.Read(t.ctx)
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
		for _, m := range msgs {
			t.receive(m)
		}
	}
}

// drop forgets a failed socket and fails the requests waiting on it. Only
// the call that finds conn current fails them: a socket already replaced
// (reset, a new dial) had its requests failed then, and failing again would
// hit the requests sent on its successor.
func (t *wsTransport) drop(conn *websocket.Conn, err error) {
	t.mu.Lock()
	current := t.conn == conn
	if current {
		t.conn = nil
	}
	t.mu.Unlock()
	_ = conn.CloseNow()
	if current {
		t.failed(err)
	}
}

// dropCurrent closes the current socket, if any, so the next send dials a
// new one; requests waiting on the old socket fail with a *wsError of why.
func (t *wsTransport) dropCurrent(why error) {
	t.mu.Lock()
	conn := t.conn
	t.mu.Unlock()
	if conn != nil {
		t.drop(conn, &wsError{err: why})
	}
}
