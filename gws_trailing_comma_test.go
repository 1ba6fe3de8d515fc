package omni_test

import (
	"context"
	"errors"
	"testing"

	"github.com/omnisdk/omni"
)

// The documents' replies with a trailing comma (Twitter Create's
// {"statusCode":0,"referenceId":10,}, Save's, the supervisor's
// {"statusCode":"0",}) are read as the JSON they mean (sixth outside
// review: an accepted operation failed as a *DecodeError). A comma inside
// a string is left alone, and what is not JSON for another reason is
// still a *DecodeError.
func TestGWSRepliesWithATrailingComma(t *testing.T) {
	ctx := context.Background()
	fs := newFakeServer(t, reply(200, `{"statusCode":0,"referenceId":10,}`))
	r, err := newGWS(t, fs).Twitter.Create(ctx, omni.TwitterCreate{QueuePath: "/queues/out"})
	if err != nil || r.ReferenceID != 10 {
		t.Errorf("Create = %+v, %v; want referenceId 10", r, err)
	}
	fs = newFakeServer(t, reply(200, "{\"statusCode\":\"0\" ,\n}"))
	if err := newGWS(t, fs).Agent.Ready(ctx, "chat"); err != nil {
		t.Errorf("Ready = %v; want nil", err)
	}
	fs = newFakeServer(t, reply(200, `{"statusCode":6,"statusMessage":"no such item: a,}b",}`))
	_, err = newGWS(t, fs).Twitter.Cancel(ctx, "X")
	var ae *omni.APIError
	if !errors.As(err, &ae) || ae.GWSStatusCode != omni.StatusNotFound || ae.GWSStatusMessage != "no such item: a,}b" ||
		string(ae.Body) != `{"statusCode":6,"statusMessage":"no such item: a,}b",}` {
		t.Errorf("Cancel = %v (body %s); want the statusCode 6 *APIError with its message and body as sent", err, ae.Body)
	}
	// "{," and "[," are not trailing commas.
	fs = newFakeServer(t, reply(200, `{"statusCode":0,"referenceId":10,"e":{,}}`))
	if _, err = newGWS(t, fs).Twitter.Create(ctx, omni.TwitterCreate{QueuePath: "/queues/out"}); !errors.As(err, new(*omni.DecodeError)) {
		t.Errorf("Create of {,} = %v; want a *DecodeError", err)
	}
	fs = newFakeServer(t, reply(200, `{"statusCode":0,"referenceId":10,,}`))
	_, err = newGWS(t, fs).Twitter.Create(ctx, omni.TwitterCreate{QueuePath: "/queues/out"})
	var de *omni.DecodeError
	if !errors.As(err, &de) || string(de.Body) != `{"statusCode":0,"referenceId":10,,}` {
		t.Errorf("Create of a double comma = %v; want a *DecodeError with the body as sent", err)
	}
}
