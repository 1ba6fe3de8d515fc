package cometd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// longPolling is the long-polling transport: every batch is an HTTP POST of
// a JSON array, answered by a JSON array.
type longPolling struct {
	url     string
	hc      *http.Client
	header  func(http.Header)
	maxSize int64
	// receive handles each message of a reply as soon as it is decoded, so
	// the handlers start on a large reply while the rest is decoded.
	receive func(*Message)
	// tooLarge announces a reply refused for its size; unconnected says
	// it was a connect's.
	tooLarge func(err error, unconnected bool)
}

func (t *longPolling) name() string      { return LongPolling }
func (t *longPolling) synchronous() bool { return true }
func (t *longPolling) reset()            {}

// send POSTs msgs and hands the messages of the reply to t.receive, in
// order, before it returns. A malformed reply is an error, after the
// messages before the fault were handed over. A failure once the request
// may have gone out wraps ErrNoReply (lostReply): only a connection that
// could not be opened says the server cannot have got it.
func (t *longPolling) send(ctx context.Context, msgs []*Message) error {
	body, err := json.Marshal(msgs)
	if err != nil {
		return fmt.Errorf("cometd: encoding messages: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("cometd: building request: %w", err)
	}
	if t.header != nil {
		t.header(req.Header)
	}
	req.Header.Set("Content-Type", "application/json;charset=UTF-8")
	resp, err := t.hc.Do(req)
	if err != nil {
		if notSent(err) {
			return err
		}
		return lostReply("the request failed", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return &StatusError{StatusCode: resp.StatusCode}
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, t.maxSize+1))
	if err != nil {
		return lostReply("reading the reply", err)
	}
	if int64(len(b)) > t.maxSize {
		// A connect (sent alone) refused so leaves the session unconnected.
		t.tooLarge(ErrMessageTooLarge, msgs[0].Channel == ChannelConnect)
		return lostReply("the reply", ErrMessageTooLarge)
	}
	if err := decodeEach(b, t.receive); err != nil {
		return lostReply("decoding the reply", err)
	}
	return nil
}
