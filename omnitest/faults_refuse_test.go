package omnitest

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// recordingTB captures what a helper reports instead of failing the test.
type recordingTB struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recordingTB) reported() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errs...)
}

// Each of these was accepted silently before and did something else than
// asked (or nothing at all).
func TestInjectRefusesWhatCannotApply(t *testing.T) {
	s, err := Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cases := []struct {
		route  Route
		f      Fault
		reason string
	}{
		{"gws.facebok.send", Status(503), "unknown route"},
		{RouteFacebookSend, Fault{}, "the zero Fault does nothing"},
		{RouteFacebookSend, Status(503).Times(0), "Times(0): n must be at least 1 (Always never runs out)"},
		{RouteFacebookSend, Status(503).Times(-2), "Times(-2): n must be at least 1 (Always never runs out)"},
		{RouteFacebookSend, ResetBeforeBody().RetryAfter(time.Second), "RetryAfter applies to Status faults only"},
		{RouteFacebookSend, Status(503).RetryAfter(time.Millisecond), "RetryAfter(1ms): Retry-After is whole seconds on the wire"},
		{RouteFacebookSend, Status(503).RetryAfter(-time.Second), "RetryAfter must not be negative"},
		{RouteFacebookSend, Status(0), "HTTP status 0 is outside 100..599"},
		{RouteFacebookSend, Status(99), "HTTP status 99 is outside 100..599"},
		{RouteFacebookSend, Status(1000), "HTTP status 1000 is outside 100..599"},
		{RouteFacebookSend, Status(200), "HTTP status 200 is not an error; add GWS(code, message) for a GWS error with it"},
		{RouteMessengerSend, Status(200).GWS(2, "x"), "GWS sets a GWS envelope: use it on a GWS route"},
		{RouteFacebookSend, Status(400).GWS(0, "ok"), "GWS statusCode 0 is not an error code (1 or more)"},
		{RouteFacebookSend, Hang().GWS(4, "x"), "GWS applies to Status faults only"},
	}
	for _, tc := range cases {
		err := s.Inject(tc.route, tc.f)
		var fe *FaultError
		if !errors.As(err, &fe) || !errors.Is(err, ErrInvalidFault) {
			t.Errorf("Inject(%q, %s) = %v, want a *FaultError", tc.route, tc.f, err)
			continue
		}
		if !strings.HasPrefix(fe.Reason, tc.reason) {
			t.Errorf("Inject(%q, %s): reason %q, want %q", tc.route, tc.f, fe.Reason, tc.reason)
		}
	}
	if p := s.PendingFaults(); len(p) != 0 {
		t.Fatalf("refused faults were queued: %v", p)
	}
	// Nothing refused is applied: the next send is served normally.
	expect(t, newClient(t).do(http.MethodPost, s.URL()+"/me/facebook/X1", fixture(t, "facebook_send_request.json")),
		200, `{"statusCode":0,"referenceId":1}`)
}

// Each of these was queued silently before; now the test that injects it
// fails. (Written against the API of the time, so it runs on both.)
func TestInjectSilentMistakesFailTheTest(t *testing.T) {
	for _, tc := range []struct {
		route Route
		f     Fault
	}{
		{"gws.facebok.send", Status(503)},
		{RouteFacebookSend, Status(503).Times(0)},
		{RouteFacebookSend, ResetBeforeBody().RetryAfter(time.Second)},
		{RouteFacebookSend, Status(0)},
		{RouteFacebookSend, Status(200)},
	} {
		rec := &recordingTB{TB: t}
		s := NewServer(rec)
		s.Inject(tc.route, tc.f)
		if got := rec.reported(); len(got) != 1 || !strings.HasPrefix(got[0], "omnitest: Inject(") {
			t.Errorf("Inject(%q, %v): reported %q, want one refusal", tc.route, tc.f, got)
		}
	}
}

func TestInjectRefusalFailsTheTest(t *testing.T) {
	rec := &recordingTB{TB: t}
	s := NewServer(rec)
	err := s.Inject(RouteFacebookSend, Status(503).Times(0))
	got := rec.reported()
	if err == nil || len(got) != 1 || got[0] != err.Error() {
		t.Fatalf("Inject = %v; reported %q", err, got)
	}
	want := `omnitest: Inject("gws.facebook.send", Status(503).Times(0)): Times(0): n must be at least 1 (Always never runs out)`
	if got[0] != want {
		t.Fatalf("reported %q\nwant     %q", got[0], want)
	}
}

// A background /meta/connect used to take a RouteAny fault meant for REST.
func TestRouteAnySparesCometD(t *testing.T) {
	s := NewServer(t)
	c := newClient(t)
	s.Inject(RouteAny, Status(502))
	b := newCometD(c, s.NotificationsURL())
	b.handshake() // would fail with the 502 if CometD took the fault
	expect(t, c.do(http.MethodGet, s.URL()+"/diagnostics/version", ""), 502, `{"statusCode":4,"statusMessage":"Bad Gateway"}`)
}

func TestAlwaysAndPendingFaults(t *testing.T) {
	s := NewServer(t)
	c := newClient(t)
	s.Inject(RouteVersion, Status(503).Always())
	s.Inject(RouteMe, Status(404).Times(2))
	v := s.URL() + "/diagnostics/version"
	for range 3 {
		expect(t, c.do(http.MethodGet, v, ""), 503, `{"statusCode":4,"statusMessage":"Service Unavailable"}`)
	}
	expect(t, c.do(http.MethodGet, s.URL()+"/me", ""), 404, `{"statusCode":6,"statusMessage":"Resource not found"}`)
	want := []PendingFault{
		{Route: RouteVersion, Fault: "Status(503).Always()", Left: -1},
		{Route: RouteMe, Fault: "Status(404).Times(2)", Left: 1},
	}
	if got := s.PendingFaults(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("PendingFaults = %v, want %v", got, want)
	}
	rec := &recordingTB{TB: t}
	s.AssertFaultsConsumed(rec)
	if got := rec.reported(); len(got) != 1 || got[0] != `omnitest: fault Status(404).Times(2) on route "gws.me" was not consumed (1 use(s) left)` {
		t.Fatalf("AssertFaultsConsumed reported %q", got)
	}
	s.ClearFaults()
	expect(t, c.do(http.MethodGet, v, ""), 200, `{"statusCode":0,"version":"8.5.200.50"}`)
}

// Status(400) used to answer statusCode 4 (internal error), which matched
// both a validation and a server error. (Runs against the old API too.)
func TestStatusFaultGWSBody(t *testing.T) {
	s := NewServer(t)
	c := newClient(t)
	v := s.URL() + "/diagnostics/version"
	cases := []struct {
		f      Fault
		status int
		body   string
	}{
		{Status(400), 400, `{"statusCode":10,"statusMessage":"Input validation error"}`},
		{Status(409), 409, `{"statusCode":2,"statusMessage":"Conflict"}`},
		{Status(429), 429, `{"statusCode":2,"statusMessage":"Too Many Requests"}`},
		{Status(500), 500, `{"statusCode":4,"statusMessage":"Internal Server Error"}`},
	}
	for _, tc := range cases {
		s.Inject(RouteVersion, tc.f)
		expect(t, c.do(http.MethodGet, v, ""), tc.status, tc.body)
	}
}

func TestStatusFaultChosenGWSCode(t *testing.T) {
	s := NewServer(t)
	c := newClient(t)
	v := s.URL() + "/diagnostics/version"
	s.Inject(RouteVersion, Status(200).GWS(2, "Invalid state"))
	expect(t, c.do(http.MethodGet, v, ""), 200, `{"statusCode":2,"statusMessage":"Invalid state"}`)
	s.Inject(RouteVersion, Status(503).GWS(12, "Unable to retrieve resource"))
	expect(t, c.do(http.MethodGet, v, ""), 503, `{"statusCode":12,"statusMessage":"Unable to retrieve resource"}`)
}

// A status whose answer has no body (1xx, 204, 304) cannot carry the GWS
// envelope GWS(code, message) promises; Inject used to accept it.
func TestInjectRefusesBodylessStatus(t *testing.T) {
	s, err := Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, code := range []int{100, 101, 204, 304} {
		f := Status(code).GWS(4, "boom")
		err := s.Inject(RouteVersion, f)
		want := fmt.Sprintf(`omnitest: Inject("gws.version", Status(%d).GWS(4, "boom")): HTTP status %d carries no body, so no error body can be sent with it`, code, code)
		if !errors.Is(err, ErrInvalidFault) || err.Error() != want {
			t.Errorf("Inject(%s) = %v\nwant %s", f, err, want)
		}
	}
	if p := s.PendingFaults(); len(p) != 0 {
		t.Fatalf("refused faults were queued: %v", p)
	}
	if err := s.Inject(RouteVersion, Status(200).GWS(4, "boom")); err != nil {
		t.Fatalf("200 with a GWS error is a GWS answer: %v", err)
	}
}
