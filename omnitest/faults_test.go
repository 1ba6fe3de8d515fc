package omnitest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestStatusFault(t *testing.T) {
	s := NewServer(t)
	c := newClient(t)
	s.Inject(RouteFacebookSend, Status(503).RetryAfter(2*time.Second).Times(2))
	s.Inject(RouteMessengerSend, Status(429).RetryAfter(2*time.Second))
	s.Inject(RouteNotifications, Status(500))
	s.Inject(RouteVersion, Status(401))

	send := func() *response {
		return c.do(http.MethodPost, s.URL()+"/me/facebook/X1", fixture(t, "facebook_send_request.json"))
	}
	for range 2 {
		r := send()
		expect(t, r, 503, `{"statusCode":4,"statusMessage":"Service Unavailable"}`)
		if r.Header.Get("Retry-After") != "2" {
			t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
		}
	}
	expect(t, send(), 200, `{"statusCode":0,"referenceId":1}`) // the faulted sends used no referenceId

	r := c.do(http.MethodPost, s.MessengerURL()+"/facebook/1/single", fixture(t, "messenger_text_request.json"), "Authorization", "App k")
	expect(t, r, 429, `{"requestError":{"serviceException":{"messageId":"TOO_MANY_REQUESTS","text":"Too many requests"}}}`)
	if r.Header.Get("Retry-After") != "2" {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	if len(s.MessengerMessages()) != 0 {
		t.Fatal("a faulted Messenger send was recorded as sent")
	}
	r = c.do(http.MethodPost, s.NotificationsURL(), `[{"channel":"/meta/handshake","id":"1","version":"1.0","supportedConnectionTypes":["long-polling"]}]`)
	if r.Status != 500 {
		t.Fatalf("cometd fault: %d %s", r.Status, r.Body)
	}
	expect(t, c.do(http.MethodGet, s.URL()+"/diagnostics/version", ""), 401, `{"statusCode":20,"statusMessage":"User not authenticated"}`)
	expect(t, c.do(http.MethodGet, s.URL()+"/diagnostics/version", ""), 200, `{"statusCode":0,"version":"8.5.200.50"}`)
}

func TestFaultOrderAndRouteAny(t *testing.T) {
	s := NewServer(t)
	c := newClient(t)
	s.Inject(RouteAny, Status(502))
	s.Inject(RouteVersion, Status(503))
	s.Inject(RouteMe, Status(504))
	v := s.URL() + "/diagnostics/version"
	expect(t, c.do(http.MethodGet, s.URL()+"/me", ""), 502, `{"statusCode":4,"statusMessage":"Bad Gateway"}`)
	expect(t, c.do(http.MethodGet, v, ""), 503, `{"statusCode":4,"statusMessage":"Service Unavailable"}`)
	expect(t, c.do(http.MethodGet, v, ""), 200, `{"statusCode":0,"version":"8.5.200.50"}`)
	expect(t, c.do(http.MethodGet, s.URL()+"/me", ""), 504, `{"statusCode":4,"statusMessage":"Gateway Timeout"}`)
}

func TestResetBeforeBody(t *testing.T) {
	s := NewServer(t)
	c := newClient(t)
	s.Inject(RouteFacebookSend, ResetBeforeBody())
	_, err := c.doErr(http.MethodPost, s.URL()+"/me/facebook/X1", fixture(t, "facebook_send_request.json"))
	if err == nil {
		t.Fatal("no error from a reset connection")
	}
	reqs := s.Requests()
	if len(reqs) != 1 || reqs[0].Body != nil || reqs[0].Route != RouteFacebookSend {
		t.Fatalf("records %+v", reqs)
	}
	expect(t, c.do(http.MethodPost, s.URL()+"/me/facebook/X1", fixture(t, "facebook_send_request.json")), 200, `{"statusCode":0,"referenceId":1}`)
}

func TestResetAfterProcessing(t *testing.T) {
	s := NewServer(t, WithCometDTimeout(100*time.Millisecond))
	c := newClient(t)
	bc := newCometD(c, s.NotificationsURL())
	bc.start(ChannelFacebook)
	s.Inject(RouteFacebookSend, ResetAfterProcessing())
	if _, err := c.doErr(http.MethodPost, s.URL()+"/me/facebook/X1", fixture(t, "facebook_send_request.json")); err == nil {
		t.Fatal("no error from a reset connection")
	}
	// The send counted: its notification is published and it used referenceId 1.
	_, data := bc.nextData()
	if m := decodeMap(t, data); m["referenceId"] != float64(1) {
		t.Fatalf("notification %s", data)
	}
	expect(t, c.do(http.MethodPost, s.URL()+"/me/facebook/X1", fixture(t, "facebook_send_request.json")), 200, `{"statusCode":0,"referenceId":2}`)

	s.Inject(RouteMessengerSend, ResetAfterProcessing())
	if _, err := c.doErr(http.MethodPost, s.MessengerURL()+"/facebook/1/single", fixture(t, "messenger_text_request.json"), "Authorization", "App k"); err == nil {
		t.Fatal("no error from a reset connection")
	}
	if n := len(s.MessengerMessages()); n != 1 {
		t.Fatalf("%d messenger messages recorded, want 1", n)
	}
}

func TestHang(t *testing.T) {
	s := NewServer(t)
	c := newClient(t)
	s.Inject(RouteFacebookSend, Hang())
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL()+"/me/facebook/X1", strings.NewReader(fixture(t, "facebook_send_request.json")))
		resp, err := c.hc.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	waitFor(t, func() bool { return len(s.Requests()) == 1 })
	select {
	case err := <-errc:
		t.Fatalf("hung request returned: %v", err)
	default:
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}

	// Close releases a hung request too.
	s.Inject(RouteVersion, Hang())
	go func() {
		_, err := c.doErr(http.MethodGet, s.URL()+"/diagnostics/version", "")
		errc <- err
	}()
	waitFor(t, func() bool { return len(s.Requests()) == 2 })
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err == nil {
		t.Fatal("no error from a request hung until Close")
	}
}

func TestMalformedJSON(t *testing.T) {
	s := NewServer(t)
	c := newClient(t)
	s.Inject(RouteFacebookSend, MalformedJSON())
	s.Inject(RouteMessengerSend, MalformedJSON())
	expect(t, c.do(http.MethodPost, s.URL()+"/me/facebook/X1", fixture(t, "facebook_send_request.json")), 200, `{"statusCode":0,"referenceId":`)
	expect(t, c.do(http.MethodPost, s.MessengerURL()+"/facebook/1/single", fixture(t, "messenger_text_request.json"), "Authorization", "App k"), 200, `{"to":"`)
	expect(t, c.do(http.MethodPost, s.URL()+"/me/facebook/X1", fixture(t, "facebook_send_request.json")), 200, `{"statusCode":0,"referenceId":1}`)
}

func TestLatency(t *testing.T) {
	s := NewServer(t, WithLatency(time.Hour))
	c := newClient(t)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL()+"/diagnostics/version", nil)
		resp, err := c.hc.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		errc <- err
	}()
	waitFor(t, func() bool { return len(s.Requests()) == 1 })
	cancel() // the delay is context-aware
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
}

func TestLatencyAnswers(t *testing.T) {
	s := NewServer(t, WithLatency(time.Millisecond))
	expect(t, newClient(t).do(http.MethodGet, s.URL()+"/diagnostics/version", ""), 200, `{"statusCode":0,"version":"8.5.200.50"}`)
}

func TestRestart(t *testing.T) {
	s := NewServer(t, WithCometDTimeout(100*time.Millisecond), WithCSRF())
	c := newClient(t)
	addr, url := s.Addr(), s.URL()
	r := c.do(http.MethodGet, s.URL()+"/me", "")
	token := r.Header.Get("X-CSRF-TOKEN")
	send := func(tok string) *response {
		return c.do(http.MethodPost, s.URL()+"/me/facebook/X1", fixture(t, "facebook_send_request.json"), "X-CSRF-TOKEN", tok)
	}
	expect(t, send(token), 200, `{"statusCode":0,"referenceId":1}`)
	bc := newCometD(c, s.NotificationsURL())
	bc.start(ChannelFacebook)
	s.Inject(RouteVersion, Status(503))

	if err := s.Restart(); err != nil {
		t.Fatal(err)
	}
	c.tr.CloseIdleConnections() // a restart breaks kept-alive connections; don't race on noticing it
	if s.Addr() != addr || s.URL() != url {
		t.Fatalf("address changed: %s → %s", addr, s.Addr())
	}
	if s.CometDSessions() != 0 {
		t.Fatal("CometD sessions survived Restart")
	}
	// The HTTP session is gone: the old cookie and token are refused.
	expect(t, send(token), 403, `{"statusCode":3,"statusMessage":"Missing or invalid Csrf token"}`)
	// The CometD session is gone.
	if rep := bc.connect(); rep["error"] != "402::Unknown client" {
		t.Fatalf("connect after Restart: %v", rep)
	}
	// Faults survive; referenceIds keep increasing.
	r = c.do(http.MethodGet, s.URL()+"/diagnostics/version", "")
	expect(t, r, 503, `{"statusCode":4,"statusMessage":"Service Unavailable"}`)
	r = c.do(http.MethodGet, s.URL()+"/me", "")
	expect(t, send(r.Header.Get("X-CSRF-TOKEN")), 200, `{"statusCode":0,"referenceId":2}`)
	if n := len(s.Requests()); n != 10 {
		t.Fatalf("%d requests recorded, want 10", n)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Restart(); !errors.Is(err, ErrClosed) {
		t.Fatalf("Restart after Close: %v", err)
	}
}

func TestReset(t *testing.T) {
	s := NewServer(t)
	newClient(t).do(http.MethodGet, s.URL()+"/diagnostics/version", "")
	s.Reset()
	if len(s.Requests()) != 0 || len(s.Messages()) != 0 || len(s.MessengerMessages()) != 0 {
		t.Fatal("records survived Reset")
	}
}

func TestStartErrors(t *testing.T) {
	s := NewServer(t)
	if _, err := Start(s.Addr()); err == nil {
		t.Fatal("Start on a busy address succeeded")
	}
}

// waitFor polls cond until it holds or the guard expires.
func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(guard)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met before the guard")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
