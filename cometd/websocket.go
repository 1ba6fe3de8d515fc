package cometd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
	// failed fails the requests waiting for a reply on this transport,
	// but those of except.
	failed func(err error, except []*Message)

	mu      sync.Mutex // guards conn, stopped, writing, dropErr; held while dialling
	conn    *websocket.Conn
	stopped bool
	// writing is the batch being written to conn: a drop meanwhile leaves
	// its requests to send, which settles them with the write's outcome
	// (the write's own error, such as the client's deadline cutting it off,
	// rather than whatever the reader saw first on the socket it closed).
	writing []*Message
	dropErr error      // why the last socket was dropped
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
	// ctx ending closes the socket, as coder/websocket does when the
	// context of a Write ends during it; the Write itself gets a context
	// that is never done, because coder/websocket keeps the context of the
	// last Write until the next one: an idle session would hold its last
	// connect's timer context (timer, done channel: about 350 bytes in
	// bench/scale's heap profile) for as long as the connect is held.
	if err := ctx.Err(); err != nil {
		return &wsError{err: err} // nothing written: the socket stays
	}
	interrupt := context.AfterFunc(ctx, func() { _ = conn.CloseNow() })
	t.wmu.Lock()
	t.mu.Lock()
	t.writing = msgs
	t.mu.Unlock()
	werr := conn.Write(context.Background(), websocket.MessageText, b)
	interrupted := !interrupt()
	err = nil
	if werr != nil {
		err = werr
		if interrupted { // ctx ended during the write: the client's delay, or its stop
			err = fmt.Errorf("%w (%w)", context.Cause(ctx), werr)
		}
		err = &wsError{err: err}
	}
	t.mu.Lock()
	t.writing = nil
	first := err != nil && t.conn == conn
	if first {
		t.conn, t.dropErr = nil, err
	}
	current, cause := t.conn == conn, t.dropErr
	t.mu.Unlock()
	t.wmu.Unlock()
	if first {
		_ = conn.CloseNow()
		t.failed(err, msgs) // msgs get err from the caller
	}
	switch {
	case err != nil && (first || interrupted):
		return err
	case !current && cause != nil:
		// The socket was dropped while being written to (its reader
		// failed, such as on a frame over WithMaxMessageSize): that is
		// the batch's cause too.
		return cause
	case err != nil:
		return err
	case !current:
		return &wsError{err: errors.New("socket closed during the write")}
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
//
// Two per-frame costs are avoided; both showed in the CPU profile of a Faye
// burst (one websocket frame per message). The frames are read with a
// context that is never done, and t.ctx ending closes the socket instead,
// once per socket: with a cancellable context coder/websocket registers and
// removes a context.AfterFunc for every frame header and payload it reads
// (two allocations and two locks of t.ctx's parent each). And the frame is
// read into a pooled buffer rather than a new one grown by io.ReadAll:
// DecodeMessages copies everything it keeps (TestDecodeMessagesKeepsNoInput).
func (t *wsTransport) read(conn *websocket.Conn) {
	defer t.wg.Done()
	stop := context.AfterFunc(t.ctx, func() { _ = conn.CloseNow() })
	defer stop()
	for {
		frame, err := readFrame(conn)
		if err != nil {
			if errors.Is(err, websocket.ErrMessageTooBig) {
				err = fmt.Errorf("%w: %w", ErrMessageTooLarge, err)
			} else if cerr := t.ctx.Err(); cerr != nil {
				err = cerr // as when t.ctx was the read's context
			}
			t.drop(conn, &wsError{err: err})
			return
		}
		msgs, err := DecodeMessages(*frame)
		putFrame(frame)
		if err != nil {
			t.drop(conn, &wsError{err: fmt.Errorf("decoding frame: %w", err)})
			return
		}
		for _, m := range msgs {
			t.receive(m)
		}
	}
}

// framePool holds frame buffers for readFrame; a buffer is back in it as
// soon as its frame is decoded, so an idle socket holds none.
var framePool = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

// maxPooledFrame is the largest buffer put back in framePool: a rare huge
// frame's memory is left to the garbage collector.
const maxPooledFrame = 1 << 20

// readFrame reads the next frame of conn (up to its read limit) into a
// buffer from framePool; the caller gives it back with putFrame.
func readFrame(conn *websocket.Conn) (*[]byte, error) {
	_, r, err := conn.Reader(context.Background())
	if err != nil {
		return nil, err
	}
	p := framePool.Get().(*[]byte)
	b := (*p)[:0]
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // grow
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			*p = b
			if err == io.EOF {
				return p, nil
			}
			putFrame(p)
			return nil, err
		}
	}
}

// putFrame gives a buffer from readFrame back to framePool.
func putFrame(p *[]byte) {
	if cap(*p) <= maxPooledFrame {
		*p = (*p)[:0]
		framePool.Put(p)
	}
}

// drop forgets a failed socket and fails the requests waiting on it. Only
// the call that finds conn current fails them: a socket already replaced
// (reset, a new dial) had its requests failed then, and failing again would
// hit the requests sent on its successor. The batch being written then is
// left to send, which settles it.
func (t *wsTransport) drop(conn *websocket.Conn, err error) {
	t.mu.Lock()
	first := t.conn == conn
	var writing []*Message
	if first {
		t.conn, t.dropErr = nil, err
		writing = t.writing
	}
	t.mu.Unlock()
	_ = conn.CloseNow()
	if first {
		t.failed(err, writing)
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
