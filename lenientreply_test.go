package omni_test

import (
	"context"
	"errors"
	"testing"

	"github.com/omnisdk/omni"
)

// TestReplyDecodedAsLenientlyAsNotifications: a send GWS accepted is not
// failed because referenceId or statusCode came as a numeric string.
func TestReplyDecodedAsLenientlyAsNotifications(t *testing.T) {
	for body, want := range map[string]int64{
		`{"statusCode":0,"referenceId":"12"}`:   12,
		`{"statusCode":"0","referenceId":12}`:   12,
		`{"statusCode":"0","referenceId":"12"}`: 12,
		`{"statusCode":0,"referenceId":12.0}`:   12,
	} {
		fs := newFakeServer(t, reply(200, body))
		res, err := newGWS(t, fs).Facebook.Send(context.Background(), "X", seedFacebook)
		if err != nil || res.ReferenceID != want {
			t.Errorf("%s: Send = %+v, %v; want ReferenceID %d", body, res, err, want)
		}
	}
	// A numeric-string statusCode other than 0 is still the GWS failure.
	fs := newFakeServer(t, reply(200, `{"statusCode":"6","statusMessage":"no such"}`))
	_, err := newGWS(t, fs).Facebook.Send(context.Background(), "X", seedFacebook)
	var ae *omni.APIError
	if !errors.As(err, &ae) || ae.GWSStatusCode != omni.StatusNotFound || ae.GWSStatusMessage != "no such" {
		t.Errorf(`statusCode "6": err = %v, want the *APIError with GWSStatusCode 6`, err)
	}
	// A statusCode that is no number cannot be read.
	fs = newFakeServer(t, reply(200, `{"statusCode":"ok","referenceId":1}`))
	_, err = newGWS(t, fs).Facebook.Send(context.Background(), "X", seedFacebook)
	var de *omni.DecodeError
	if !errors.As(err, &de) {
		t.Errorf(`statusCode "ok": err = %v, want a *DecodeError`, err)
	}
}
