package cometd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// wsTransport is the websocket transport: one socket carries every message
// both ways; each batch is one text frame holding a JSON array. The socket is
// dialled on first use and again after it dropped or was reset. Like
// longPolling it is given everything it uses when it is built.
type wsTransport struct {
	url     string
	hc      *http.Client      // for the upgrade request (and its cookie jar)
	pacer   *pacer            // read pacing of the sockets (readpacing.go); nil for none
	header  func(http.Header) // sets the upgrade request's headers
	maxSize int64             // read limit of a frame
	// ctx bounds the reader goroutines, which wg counts.
	ctx context.Context
	wg  *sync.WaitGroup
	// receive handles each message of a frame, in order.
	receive func(*Message)
	// written records that msgs went out on s: a drop of s fails the
	// requests among them still waiting for a reply.
	written func(msgs []*Message, s *wsSocket)
	// failed fails the requests written on s and still waiting.
	failed func(s *wsSocket, err error)
	// tooLarge announces a frame refused for its size; the socket is then
	// dropped, and the session unconnected (unconnected is always true).
	tooLarge func(err error, unconnected bool)

	mu   sync.Mutex // guards sock, stopped, readers, readerGone and every wsSocket's err; held while dialling
	sock *wsSocket  // the open socket, if any
	// readers counts the running readers: sock's (it ends only after sock
	// is dropped) and those of dropped sockets still handing over.
	readers int
	// readerGone is closed when a reader ends, if settle waits; nil
	// otherwise (no channel per idle session).
	readerGone chan struct{}
	stopped    bool
	wmu        sync.Mutex // serialises writes
}

// wsSocket is one websocket connection of the transport. Requests are
// failed by the socket they were written on, not by transport: when a
// socket drops, the requests already written on its successor (a batch
// queued behind the write that failed, say) must not be failed with the
// old socket's error, which would make a caller that retries send them
// twice.
type wsSocket struct {
	conn *websocket.Conn
	err  error // why it takes no more writes; nil while it does
	over bool  // closed, its requests failed (or left to the client's stop)
	// grace closes it after a failed write, if its reader has not failed
	// by then (retire).
	grace *time.Timer
	// paced is its connection's read pacing (readpacing.go), nil if none:
	// told of each frame's start and of the replies awaited on it.
	paced *pacedBody
}

// retireGrace bounds how long a socket whose write failed is left to its
// reader (retire). The reader fails on the broken connection as soon as it
// has read what arrived before the break, in microseconds; the bound is
// for a reader held up by a full delivery queue.
const retireGrace = time.Second

func (t *wsTransport) name() string      { return WebSocket }
func (t *wsTransport) synchronous() bool { return false }

// stop closes the socket; the transport cannot be used again. The client
// fails every waiting request itself when it stops.
func (t *wsTransport) stop() {
	t.mu.Lock()
	s := t.sock
	t.sock, t.stopped = nil, true
	if s != nil {
		if s.err == nil {
			s.err = &wsError{err: ErrClosed}
		}
		s.over = true
		if s.grace != nil {
			s.grace.Stop()
		}
	}
	t.mu.Unlock()
	if s != nil {
		_ = s.conn.CloseNow()
	}
}

// reset closes the socket, if any; the next send dials a new one.
// Requests waiting on the old socket fail.
func (t *wsTransport) reset() { t.dropCurrent(errors.New("socket closed by the client")) }

// send writes msgs as one frame; replies arrive through the reader.
//
// The requests of msgs are recorded as written on the socket (t.written)
// only once the write is done: a drop during the write leaves them to
// send, which settles them with the write's outcome (the write's own
// error, such as the client's deadline cutting it off, rather than
// whatever the reader saw first on the socket it closed). A failed write
// was not taken whole by the kernel, so the server cannot have read the
// frame: its error says so by not wrapping ErrNoReply. Once written, a
// request the socket's end leaves unanswered fails with ErrNoReply
// (closedBeforeReply): the server may have got it.
func (t *wsTransport) send(ctx context.Context, msgs []*Message) error {
	s, err := t.dial(ctx)
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
	interrupt := context.AfterFunc(ctx, func() { _ = s.conn.CloseNow() })
	t.wmu.Lock()
	werr := s.conn.Write(context.Background(), websocket.MessageText, b)
	t.wmu.Unlock()
	interrupted := !interrupt()
	if werr != nil {
		err := werr
		if interrupted { // ctx ended during the write: the client's delay, or its stop
			err = fmt.Errorf("%w (%w)", context.Cause(ctx), werr)
		}
		err = &wsError{err: err}
		if interrupted { // the socket is closed already: fail what it holds
			t.drop(s, err)
			return err
		}
		if t.retire(s, err) {
			return err
		}
		// The socket had failed already (its reader failed, such as on
		// a frame over WithMaxMessageSize): that is the batch's cause too.
		cause, _ := t.ended(s)
		return cause
	}
	// Recorded first, checked second: a drop after the record fails the
	// requests itself; one before it is seen by the check, and the caller
	// settles them. A socket only retired still reads: the replies, or its
	// drop, settle them.
	t.written(msgs, s)
	if cause, over := t.ended(s); over {
		return closedBeforeReply(cause)
	}
	return nil
}

// ended returns why s takes no more writes (nil while it does) and whether
// it is closed, its requests failed.
func (t *wsTransport) ended(s *wsSocket) (cause error, over bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return s.err, s.over
}

// closedBeforeReply is the error of a request written on a socket that
// closed before the request's reply came: it wraps ErrNoReply, since the
// server may have got the request, and the socket's cause.
func closedBeforeReply(cause error) error {
	if w, ok := cause.(*wsError); ok {
		cause = w.err
	}
	return &wsError{err: lostReply("the socket closed before the reply", cause)}
}

// dial returns the open socket, dialling it if needed.
func (t *wsTransport) dial(ctx context.Context) (*wsSocket, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return nil, ErrClosed
	}
	if t.sock != nil {
		return t.sock, nil
	}
	h := http.Header{}
	if t.header != nil {
		t.header(h)
	}
	var paced *pacedBody
	conn, resp, err := websocket.Dial(ctx, t.url, &websocket.DialOptions{
		HTTPClient: upgradeClient(t.hc, t.pacer, &paced),
		HTTPHeader: h,
	})
	if err != nil {
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			return nil, &upgradeError{status: resp.StatusCode, err: err}
		}
		return nil, &wsError{err: err}
	}
	conn.SetReadLimit(t.maxSize)
	t.sock = &wsSocket{conn: conn, paced: paced}
	t.readers++
	t.wg.Add(1)
	go t.read(t.sock)
	return t.sock, nil
}

// settle waits until the readers of the sockets dropped before have handed
// over everything they read, or ctx ends. A /meta/connect is made (its
// extensions run) only then: with the ack extension it acknowledges the
// batches received, and a reader still handing over a batch (waiting for
// room in the delivery queue, or reading what arrived before a failed
// write) has not counted it yet, so the server would send that batch again
// on the new socket, and the client deliver it twice (outside review).
// Other messages do not wait: a handler that publishes while the old
// reader waits for the handlers to make room must not wait for that
// reader.
func (t *wsTransport) settle(ctx context.Context) error {
	for {
		t.mu.Lock()
		old := t.readers
		if t.sock != nil {
			old-- // the open socket's own
		}
		if old <= 0 {
			t.mu.Unlock()
			return nil
		}
		if t.readerGone == nil {
			t.readerGone = make(chan struct{})
		}
		gone := t.readerGone
		t.mu.Unlock()
		select {
		case <-gone:
		case <-ctx.Done():
			return &wsError{err: fmt.Errorf("waiting for the previous socket's reader: %w", ctx.Err())}
		}
	}
}

// read hands every frame of s to t.receive until the socket fails.
//
// Two per-frame costs are avoided; both showed in the CPU profile of a Faye
// burst (one websocket frame per message). The frames are read with a
// context that is never done, and t.ctx ending closes the socket instead,
// once per socket: with a cancellable context coder/websocket registers and
// removes a context.AfterFunc for every frame header and payload it reads
// (two allocations and two locks of t.ctx's parent each). And the frame is
// read into a pooled buffer rather than a new one grown by io.ReadAll:
// DecodeMessages copies everything it keeps (TestDecodeMessagesKeepsNoInput).
func (t *wsTransport) read(s *wsSocket) {
	defer t.wg.Done()
	defer func() {
		t.mu.Lock()
		t.readers--
		if t.readerGone != nil {
			close(t.readerGone)
			t.readerGone = nil
		}
		t.mu.Unlock()
	}()
	stop := context.AfterFunc(t.ctx, func() { _ = s.conn.CloseNow() })
	defer stop()
	for {
		if s.paced != nil {
			s.paced.atFrameStart()
		}
		frame, err := readFrame(s.conn)
		if err != nil {
			if errors.Is(err, websocket.ErrMessageTooBig) {
				err = fmt.Errorf("%w: %w", ErrMessageTooLarge, err)
				t.tooLarge(&wsError{err: err}, true)
			} else if cerr := t.ctx.Err(); cerr != nil {
				err = cerr // as when t.ctx was the read's context
			}
			t.drop(s, &wsError{err: err})
			return
		}
		msgs, err := DecodeMessages(*frame)
		putFrame(frame)
		if err != nil {
			t.drop(s, &wsError{err: fmt.Errorf("decoding frame: %w", err)})
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

// retire takes s out of use after a write on it failed, but leaves it to
// its reader: what the server sent before the break (replies to requests
// written earlier, which the server has, and events) is still read, and
// the reader's own failure on the broken connection then drops s. Closing
// it at once, as drop does, threw those replies away and failed requests
// the server had answered. retireGrace bounds the wait. It reports whether
// s was open: the write's error is then s's cause.
func (t *wsTransport) retire(s *wsSocket, err error) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.sock == s {
		t.sock = nil
	}
	if s.err != nil {
		return false
	}
	s.err = err
	s.grace = time.AfterFunc(retireGrace, func() { t.drop(s, err) })
	return true
}

// drop forgets a failed socket, closes it and fails the requests written on
// it (closedBeforeReply of s's first cause), once. It reports whether s was
// open (not retired or dropped before).
func (t *wsTransport) drop(s *wsSocket, err error) bool {
	t.mu.Lock()
	first := s.err == nil
	if first {
		s.err = err
	}
	if t.sock == s {
		t.sock = nil
	}
	fail, cause := !s.over, s.err
	s.over = true
	if s.grace != nil {
		s.grace.Stop()
	}
	t.mu.Unlock()
	_ = s.conn.CloseNow()
	if fail {
		t.failed(s, closedBeforeReply(cause))
	}
	return first
}

// dropCurrent closes the current socket, if any, so the next send dials a
// new one; requests waiting on the old socket fail with a *wsError of why.
func (t *wsTransport) dropCurrent(why error) {
	t.mu.Lock()
	s := t.sock
	t.mu.Unlock()
	if s != nil {
		t.drop(s, &wsError{err: why})
	}
}
