package omni

import (
	"errors"
	"net/http"
	"net/url"
)

// wireClient returns the *http.Client requests actually go through. The
// SDK's own client is used as is (it follows no redirect). A caller's hc is
// wrapped, never changed: its Transport and Jar are read on every request
// (so httpmock.ActivateNonDefault(hc) works before or after NewClient), its
// Timeout and CheckRedirect apply, but a redirect to another host or scheme
// is never followed, so credentials, the CSRF token and the body never
// travel there, nor one that would change the request's method (net/http
// turns a POST into a bodiless GET on 301, 302 and 303, whose answer would
// pass for the send's): the 3xx answer is returned (an *APIError). Closing the
// wrapper's idle connections (go-retryablehttp does after a failure) leaves
// the caller's transport alone.
func wireClient(hc *http.Client, own bool) *http.Client {
	if own {
		return hc
	}
	return &http.Client{
		Transport: callerTransport{hc},
		Jar:       callerJar{hc},
		Timeout:   hc.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.URL.Host != via[0].URL.Host || req.URL.Scheme != via[0].URL.Scheme || req.Method != via[0].Method {
				return http.ErrUseLastResponse
			}
			if hc.CheckRedirect != nil {
				return hc.CheckRedirect(req, via)
			}
			if len(via) >= 10 {
				return errors.New("stopped after 10 redirects")
			}
			return nil
		},
	}
}

// callerTransport is the caller's client's transport, read at each request.
type callerTransport struct{ hc *http.Client }

func (t callerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if rt := t.hc.Transport; rt != nil {
		return rt.RoundTrip(r)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// callerJar is the caller's client's cookie jar, read at each request; none
// when the caller's client has none.
type callerJar struct{ hc *http.Client }

func (j callerJar) SetCookies(u *url.URL, cookies []*http.Cookie) {
	if jar := j.hc.Jar; jar != nil {
		jar.SetCookies(u, cookies)
	}
}

func (j callerJar) Cookies(u *url.URL) []*http.Cookie {
	if jar := j.hc.Jar; jar != nil {
		return jar.Cookies(u)
	}
	return nil
}
