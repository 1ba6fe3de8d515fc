package bayeuxsrv

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"testing"
	"time"
)

func TestHandshakeReplyShape(t *testing.T) {
	env := newEnv(t, Options{Timeout: 200 * time.Millisecond, MaxInterval: 5 * time.Second})
	body := `[{"id":"7","channel":"/meta/handshake","version":"1.0","minimumVersion":"1.0",` +
		`"supportedConnectionTypes":["websocket","long-polling","callback-polling"],"advice":{"timeout":60000,"interval":0}}]`
	code, b, hdr, err := env.postRaw([]byte(body))
	if err != nil || code != http.StatusOK {
		t.Fatalf("status %d err %v", code, err)
	}
	if ct := hdr.Get("Content-Type"); ct != "application/json;charset=UTF-8" {
		t.Errorf("Content-Type %q", ct)
	}
	var out []msg
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 {
		t.Fatalf("replies: %s", b)
	}
	id, _ := out[0]["clientId"].(string)
	if len(id) != 32 {
		t.Fatalf("clientId %q", id)
	}
	want := msg{
		"channel": "/meta/handshake", "id": "7", "successful": true, "version": "1.0", "minimumVersion": "1.0",
		"supportedConnectionTypes": []any{"websocket", "long-polling"}, "clientId": id,
		"advice": msg{"reconnect": "retry", "interval": 0.0, "timeout": 200.0, "maxInterval": 5000.0},
	}
	if !reflect.DeepEqual(out[0], want) {
		t.Fatalf("reply\n got %v\nwant %v", out[0], want)
	}
	var cookie bool
	for _, c := range (&http.Response{Header: hdr}).Cookies() {
		cookie = cookie || (c.Name == "BAYEUX_BROWSER" && c.Value != "")
	}
	if !cookie {
		t.Error("no BAYEUX_BROWSER cookie")
	}
	if n := env.srv.SessionCount(); n != 1 {
		t.Errorf("SessionCount = %d", n)
	}
}

func TestHandshakeSingleObjectAndAckExt(t *testing.T) {
	env := newEnv(t, Options{})
	code, b, _, err := env.postRaw([]byte(`{"id":"1","channel":"/meta/handshake","version":"1.0","supportedConnectionTypes":["long-polling"],"ext":{"ack":true}}`))
	if err != nil || code != http.StatusOK {
		t.Fatalf("status %d err %v", code, err)
	}
	var out []msg
	if err := json.Unmarshal(b, &out); err != nil || len(out) != 1 {
		t.Fatalf("reply %s: %v", b, err)
	}
	if out[0]["successful"] != true || !reflect.DeepEqual(out[0]["ext"], msg{"ack": true}) {
		t.Fatalf("reply %v", out[0])
	}
}

func TestHandshakeNoCommonTransport(t *testing.T) {
	env := newEnv(t, Options{Transports: []string{"websocket"}})
	out := env.post(t, msg{"id": "1", "channel": "/meta/handshake", "version": "1.0",
		"supportedConnectionTypes": []string{"long-polling", "callback-polling"}})
	want := msg{"channel": "/meta/handshake", "id": "1", "successful": false, "error": "400::No common transport",
		"version": "1.0", "minimumVersion": "1.0", "supportedConnectionTypes": []any{"websocket"},
		"advice": msg{"reconnect": "none", "interval": 0.0}}
	if len(out) != 1 || !reflect.DeepEqual(out[0], want) {
		t.Fatalf("reply\n got %v\nwant %v", out, want)
	}
	if n := env.srv.SessionCount(); n != 0 {
		t.Errorf("SessionCount = %d", n)
	}
}

func TestHandshakeAuthorize(t *testing.T) {
	var seen string
	env := newEnv(t, Options{Authorize: func(r *http.Request) error {
		seen = r.Header.Get("X-Token")
		return errors.New("bad token")
	}})
	out := env.post(t, msg{"id": "1", "channel": "/meta/handshake", "version": "1.0",
		"supportedConnectionTypes": []string{"long-polling"}})
	if len(out) != 1 || out[0]["successful"] != false || out[0]["error"] != "403::bad token" ||
		!reflect.DeepEqual(out[0]["advice"], msg{"reconnect": "none", "interval": 0.0}) {
		t.Fatalf("reply %v", out)
	}
	if _, ok := out[0]["clientId"]; ok {
		t.Error("refused handshake carries a clientId")
	}
	if seen != "" {
		t.Errorf("header %q", seen)
	}
	if n := env.srv.SessionCount(); n != 0 {
		t.Errorf("SessionCount = %d", n)
	}
}

func TestBadRequests(t *testing.T) {
	env := newEnv(t, Options{})
	for _, body := range []string{``, `nope`, `[1]`, `[{"channel":5}]`, `["x"]`} {
		code, _, _, err := env.postRaw([]byte(body))
		if err != nil || code != http.StatusBadRequest {
			t.Errorf("body %q: status %d err %v", body, code, err)
		}
	}
	resp, err := env.hc.Get(env.hs.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET status %d", resp.StatusCode)
	}
	out := env.post(t, msg{"id": "1"}, msg{"id": "2", "channel": "/meta/nope", "clientId": "x"})
	if len(out) != 2 || out[0]["error"] != "400::Missing channel" || out[1]["error"] != "400::Unknown meta channel" {
		t.Fatalf("replies %v", out)
	}
	if code, b, _, err := env.postRaw([]byte(`[]`)); err != nil || code != http.StatusOK || string(b) != "[]" {
		t.Fatalf("empty batch: %d %s %v", code, b, err)
	}
}

// TestRequiredFieldsMissing: Bayeux 1.0 requires version and
// supportedConnectionTypes in a handshake, connectionType in a connect and
// data in a publish; Faye refuses each, and so does this server (it used to
// accept them all, so a client that forgot one passed here only).
func TestRequiredFieldsMissing(t *testing.T) {
	env := newEnv(t, Options{})
	for _, tc := range []struct {
		m    msg
		want string
	}{
		{msg{"id": "1", "channel": "/meta/handshake", "supportedConnectionTypes": []string{"long-polling"}}, "400:version:Missing required parameter"},
		{msg{"id": "1", "channel": "/meta/handshake", "version": "  ", "supportedConnectionTypes": []string{"long-polling"}}, "400:version:Missing required parameter"},
		{msg{"id": "1", "channel": "/meta/handshake", "version": "1.0"}, "400:supportedConnectionTypes:Missing required parameter"},
		{msg{"id": "1", "channel": "/meta/handshake", "version": "1.0", "supportedConnectionTypes": []string{}}, "400:supportedConnectionTypes:Missing required parameter"},
	} {
		out := env.post(t, tc.m)
		if len(out) != 1 || out[0]["successful"] != false || out[0]["error"] != tc.want || out[0]["clientId"] != nil {
			t.Errorf("%v: replies %v, want error %q and no clientId", tc.m, out, tc.want)
		}
	}
	if n := env.srv.SessionCount(); n != 0 {
		t.Errorf("SessionCount = %d after refused handshakes", n)
	}
	id := env.handshake(t, nil)
	out := env.post(t, msg{"id": "2", "channel": "/meta/connect", "clientId": id})
	if len(out) != 1 || out[0]["successful"] != false || out[0]["error"] != "400:connectionType:Missing required parameter" {
		t.Errorf("connect without connectionType: %v", out)
	}
	out = env.post(t, msg{"id": "3", "channel": "/x", "clientId": id})
	if len(out) != 1 || out[0]["successful"] != false || out[0]["error"] != "400:data:Missing required parameter" {
		t.Errorf("publish without data: %v", out)
	}
	out = env.post(t, msg{"id": "4", "channel": "/x", "clientId": id, "data": nil})
	if len(out) != 1 || out[0]["successful"] != true {
		t.Errorf("publish with data null: %v", out)
	}
}
