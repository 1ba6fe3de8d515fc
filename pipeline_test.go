package omni_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jarcoal/httpmock"
	"go.uber.org/goleak"

	"github.com/omnisdk/omni"
)

// closeTracker is a response body that records Close.
type closeTracker struct {
	io.Reader
	closed atomic.Bool
}

func (b *closeTracker) Close() error { b.closed.Store(true); return nil }

// TestAnswerAsContextEndsIsNotThrownAway: the context ends just as the
// response comes in (a custom transport, httpmock): the send the server
// accepted is reported as such, and the body is closed.
func TestAnswerAsContextEndsIsNotThrownAway(t *testing.T) {
	hc := &http.Client{}
	httpmock.ActivateNonDefault(hc)
	t.Cleanup(httpmock.DeactivateAndReset)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	body := &closeTracker{Reader: strings.NewReader(`{"statusCode":0,"referenceId":57}`)}
	httpmock.RegisterResponder(http.MethodPost, "https://gws.example.com/api/v2/me/facebook/X",
		func(*http.Request) (*http.Response, error) {
			cancel() // the caller gives up as the answer arrives
			return &http.Response{StatusCode: 200, Header: http.Header{}, Body: body}, nil
		})
	c, err := omni.NewClient("https://gws.example.com/api/v2", omni.WithBasicAuth("a", "b"), omni.WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Facebook.Send(ctx, "X", seedFacebook)
	if err != nil || res.ReferenceID != 57 {
		t.Errorf("Send = %+v, %v; want the accepted send (referenceId 57)", res, err)
	}
	if !body.closed.Load() {
		t.Error("the response body was not closed")
	}
}

// TestMessengerAnswerWithoutMessageID: a 200 whose body is empty, {} or
// null is a *DecodeError, not a SentMessage with an empty MessageID.
func TestMessengerAnswerWithoutMessageID(t *testing.T) {
	for _, b := range []string{"", "{}", "null"} {
		fs := newFakeServer(t, reply(200, b))
		out, err := newMessenger(t, fs).Messenger.SendSingle(context.Background(), single(omni.TextMessage("hi")))
		var de *omni.DecodeError
		if !errors.As(err, &de) || !strings.Contains(err.Error(), "response has no messageId") || string(de.Body) != b {
			t.Errorf("body %q: SendSingle = %+v, %v; want a *DecodeError", b, out, err)
		}
	}
}

// TestTransportErrorSaysWhetherTheRequestMayHaveArrived: a refused dial
// never reached the server; a connection broken after the request was
// written may have.
func TestTransportErrorSaysWhetherTheRequestMayHaveArrived(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	refused, err := omni.NewClient("http://"+addr+"/api/v2", omni.WithBasicAuth("u", "p"), fastRetry)
	if err != nil {
		t.Fatal(err)
	}
	_, err = refused.Facebook.Send(context.Background(), "X", seedFacebook)
	var te *omni.TransportError
	if !errors.As(err, &te) || te.MayHaveReachedServer {
		t.Errorf("refused: err = %#v, want a *TransportError with MayHaveReachedServer false", err)
	}
	fs := newFakeServer(t, hangUp)
	_, err = newGWS(t, fs).Facebook.Send(context.Background(), "X", seedFacebook)
	if !errors.As(err, &te) || !te.MayHaveReachedServer {
		t.Errorf("hang-up: err = %#v, want a *TransportError with MayHaveReachedServer true", err)
	}
}

// TestCloseClosesTheSDKsIdleConnections: after Close no goroutine of the
// SDK's own transport is left (a user's goleak check passes); a transport
// the user passed in keeps its connections.
func TestCloseClosesTheSDKsIdleConnections(t *testing.T) {
	fs := newFakeServer(t, ok200)
	before := goleak.IgnoreCurrent()
	c := newGWS(t, fs)
	if _, err := c.Facebook.Send(context.Background(), "X", seedFacebook); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if err := goleak.Find(before); err != nil {
		t.Errorf("after Close: %v", err)
	}

	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr}
	c = newGWS(t, fs, omni.WithHTTPClient(hc))
	if _, err := c.Facebook.Send(context.Background(), "X", seedFacebook); err != nil {
		t.Fatal(err)
	}
	c.Close()
	var reused bool
	trace := &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) { reused = i.Reused }}
	req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), http.MethodGet, fs.URL, nil)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !reused {
		t.Error("Close closed the connections of the user's transport")
	}
}
