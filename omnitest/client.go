package omnitest

import (
	"net/http"
	"net/http/cookiejar"
	"testing"
	"time"

	"github.com/omnisdk/omni"
	bayeux "github.com/omnisdk/omni/cometd"
)

// Test-speed waits of the clients NewClient and ClientOptions configure.
// The retry table (which failures are retried) is the production one; only
// the waits between attempts are short. A Retry-After header is still waited
// out as sent: use RetryAfter(0) to exercise that path without waiting.
const (
	testRetryMinWait = time.Millisecond
	testRetryMaxWait = 20 * time.Millisecond
	testCometDStep   = 5 * time.Millisecond
	testCometDMax    = 50 * time.Millisecond
)

// defaultGWSUser and defaultGWSPassword are the credentials NewClient sends
// when the server checks none.
const (
	defaultGWSUser     = "agent"
	defaultGWSPassword = "omnitest"
	defaultAppKey      = "omnitest"
)

// NewClient returns an omni.Client wired to s, like httptest's
// Server.Client: GWS at URL(), Messenger at MessengerURL(), the credentials
// the server currently requires (WithBasicAuth, WithMessengerAPIKey, ...,
// RequireBasicAuth), test-speed retry and CometD backoff waits, and an
// *http.Client of its own (cookie jar; trusting the certificate of a TLS
// server). opts are applied after those, so any of them can be overridden.
//
// The client is closed when the test ends, before the server is (t.Cleanup
// runs in reverse order and NewServer registered first): its SendAndWait
// subscription disconnects and its idle connections close, so a goleak check
// at the end of the test finds nothing left. Subscriptions the test opened
// itself with Subscribe are the test's to close. NewClient fails the test if
// the client cannot be built.
func (s *Server) NewClient(t testing.TB, opts ...omni.Option) *omni.Client {
	t.Helper()
	hc := s.httpClient()
	all := append(s.clientOptions(hc), opts...)
	c, err := omni.NewClient(s.URL(), all...)
	if err != nil {
		t.Fatalf("omnitest: NewClient: %v", err)
	}
	t.Cleanup(func() {
		_ = c.Close()
		hc.CloseIdleConnections()
	})
	return c
}

// ClientOptions returns the options NewClient uses, for a program without
// a *testing.T: omni.NewClient(s.URL(), s.ClientOptions()...). The caller
// closes the client (Close) before the server, and may call
// CloseIdleConnections on its HTTPClient().
func (s *Server) ClientOptions() []omni.Option { return s.clientOptions(s.httpClient()) }

func (s *Server) clientOptions(hc *http.Client) []omni.Option {
	user, pass, msg := s.clientCredentials()
	return []omni.Option{
		omni.WithHTTPClient(hc),
		omni.WithBasicAuth(user, pass),
		omni.WithMessenger(s.MessengerURL(), msg),
		omni.WithRetry(omni.RetryPolicy{MinWait: testRetryMinWait, MaxWait: testRetryMaxWait}),
		omni.WithCometDOptions(bayeux.WithBackoff(testCometDStep, testCometDMax)),
	}
}

// httpClient is a client of its own for one omni.Client: a cookie jar (GWS
// sessions), the TLS server's certificate trusted, no redirects followed.
func (s *Server) httpClient() *http.Client {
	jar, _ := cookiejar.New(nil) // never fails without options
	tr := &http.Transport{ForceAttemptHTTP2: false, MaxIdleConnsPerHost: 16}
	if s.tlsConfig != nil {
		tr.TLSClientConfig = s.clientTLS()
	}
	return &http.Client{
		Jar:       jar,
		Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// clientCredentials are the credentials the server accepts right now.
func (s *Server) clientCredentials() (user, pass string, msg omni.MessengerCredentials) {
	s.mu.Lock()
	defer s.mu.Unlock()
	user, pass = defaultGWSUser, defaultGWSPassword
	if s.auth.basic {
		user, pass = s.auth.user, s.auth.pass
	}
	switch {
	case len(s.cfg.msgKeys) > 0:
		msg = omni.AppKey(s.cfg.msgKeys[0])
	case len(s.cfg.msgBasic) > 0:
		msg = omni.MessengerBasicAuth(s.cfg.msgBasic[0][0], s.cfg.msgBasic[0][1])
	case len(s.cfg.msgTokens) > 0:
		msg = omni.BearerToken(s.cfg.msgTokens[0])
	default:
		msg = omni.AppKey(defaultAppKey)
	}
	return user, pass, msg
}
