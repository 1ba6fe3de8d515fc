package omni_test

import (
	"context"
	"errors"
	"testing"

	"github.com/omnisdk/omni"
)

// TestSentinelsFollowTheHTTPStatus: the HTTP status decides the sentinel,
// a vendor code refines only within it; HTTP 600/999 is not ErrServer.
func TestSentinelsFollowTheHTTPStatus(t *testing.T) {
	all := []error{omni.ErrUnauthorized, omni.ErrForbidden, omni.ErrNotFound, omni.ErrRateLimited,
		omni.ErrValidation, omni.ErrServer, omni.ErrInvalidState}
	infobip := func(id string) string {
		return `{"requestError":{"serviceException":{"messageId":"` + id + `","text":"t"}}}`
	}
	tests := []struct {
		name      string
		messenger bool
		status    int
		body      string
		want      []error
	}{
		{"HTTP 600", false, 600, `{"statusCode":4,"statusMessage":"x"}`, nil},
		{"HTTP 999", false, 999, `{}`, nil},
		{"HTTP 400 with UNAUTHORIZED", true, 400, infobip("UNAUTHORIZED"), []error{omni.ErrValidation}},
		{"HTTP 500 with TOO_MANY_REQUESTS", true, 500, infobip("TOO_MANY_REQUESTS"), []error{omni.ErrServer}},
		{"HTTP 404 with GWS statusCode 20", false, 404, `{"statusCode":20}`, []error{omni.ErrNotFound}},
		{"HTTP 503 with GWS statusCode 6", false, 503, `{"statusCode":6}`, []error{omni.ErrServer}},
		{"HTTP 400 with GWS statusCode 2 (the state, not the input)", false, 400, `{"statusCode":2}`, []error{omni.ErrInvalidState}},
		{"HTTP 409 with validationErrors", true, 409, `{"requestError":{"serviceException":{"messageId":"BAD_REQUEST","validationErrors":{"to":["bad"]}}}}`, []error{omni.ErrValidation}},
		{"HTTP 200 with GWS statusCode 20", false, 200, `{"statusCode":20}`, []error{omni.ErrUnauthorized}},
		{"HTTP 200 with GWS statusCode 4", false, 200, `{"statusCode":4}`, []error{omni.ErrServer}},
		{"HTTP 429 with TOO_MANY_REQUESTS", true, 429, infobip("TOO_MANY_REQUESTS"), []error{omni.ErrRateLimited}},
	}
	for _, tt := range tests {
		fs := newFakeServer(t, reply(tt.status, tt.body))
		var err error
		if tt.messenger {
			_, err = newMessenger(t, fs, omni.WithRetry(omni.RetryPolicy{MaxAttempts: 1})).Messenger.SendSingle(context.Background(), single(omni.TextMessage("hi")))
		} else {
			_, err = newGWS(t, fs, omni.WithRetry(omni.RetryPolicy{MaxAttempts: 1})).Facebook.Send(context.Background(), "X", seedFacebook)
		}
		var ae *omni.APIError
		if !errors.As(err, &ae) {
			t.Errorf("%s: err = %v, want an *APIError", tt.name, err)
			continue
		}
		for _, s := range all {
			want := false
			for _, w := range tt.want {
				want = want || w == s
			}
			if errors.Is(err, s) != want {
				t.Errorf("%s: errors.Is(err, %v) = %v, want %v", tt.name, s, !want, want)
			}
		}
	}
}
