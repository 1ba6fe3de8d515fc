package omni_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/cometd"
	"github.com/omnisdk/omni/omnitest"
)

// TestAPIErrorText: the GWS code is GWSStatusCode (HTTPStatus is the HTTP
// one); a code the documentation does not name is printed once.
func TestAPIErrorText(t *testing.T) {
	for _, tt := range []struct {
		err  *omni.APIError
		want string
	}{
		{&omni.APIError{HTTPStatus: 200, Method: "POST", URL: "https://h/api/v2/me", GWSStatusCode: 99},
			"omni: POST https://h/api/v2/me: HTTP 200, statusCode 99"},
		{&omni.APIError{HTTPStatus: 200, Method: "POST", URL: "https://h/api/v2/me", GWSStatusCode: omni.StatusInvalidState, GWSStatusMessage: "not now"},
			"omni: POST https://h/api/v2/me: HTTP 200, statusCode 2 (parameter not valid for the current state): not now"},
		{&omni.APIError{HTTPStatus: 307, Method: "GET", URL: "https://h/x"}, "omni: GET https://h/x: HTTP 307"},
	} {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

// TestWaitOnClosedClientIsErrClientClosed: the closed-client error is
// exported for errors.Is.
func TestWaitOnClosedClientIsErrClientClosed(t *testing.T) {
	_, c := simClient(t)
	c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := c.Facebook.SendAndWait(ctx, "A", seedFacebook)
	if !errors.Is(err, omni.ErrClientClosed) {
		t.Errorf("err = %v, want ErrClientClosed", err)
	}
}

// TestNilOptionIsAnErrorEverywhere: one rule for a nil option in omni,
// cometd and omnitest: an error naming its position.
func TestNilOptionIsAnErrorEverywhere(t *testing.T) {
	_, err := omni.NewClient("https://h/api/v2", omni.WithBasicAuth("u", "p"), nil)
	if err == nil || err.Error() != "omni: NewClient: option 1 is nil" {
		t.Errorf("omni: %v", err)
	}
	_, err = cometd.NewClient("https://h/cometd", nil)
	if err == nil || err.Error() != "cometd: option 0 is nil" {
		t.Errorf("cometd: %v", err)
	}
	srv, err := omnitest.Start("127.0.0.1:0", omnitest.WithCSRF(), nil)
	if err == nil || err.Error() != "omnitest: option 1 is nil" {
		t.Errorf("omnitest: %v", err)
	}
	if srv != nil {
		srv.Close()
	}
}
