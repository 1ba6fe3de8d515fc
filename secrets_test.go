package omni_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/omnisdk/omni"
	"github.com/omnisdk/omni/cometd"
)

// Secrets used below; none may appear in an error string, a log line or a
// formatted value.
var secrets = []string{
	"gws-password-XYZ", "app-key-SECRET", "ibsso-token-SECRET", "bearer-token-SECRET",
	"csrf-token-SECRET", "jsession-SECRET",
	"Z3dzLXBhc3N3b3JkLVhZWg", // base64 of the password, as in the Basic header
}

func TestNoSecretsInErrorsLogsOrValues(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	calls := 0
	fs := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		calls++
		http.SetCookie(w, &http.Cookie{Name: "JSESSIONID", Value: "jsession-SECRET", Path: "/"})
		w.Header().Set("X-CSRF-HEADER", "X-CSRF-TOKEN")
		w.Header().Set("X-CSRF-TOKEN", "csrf-token-SECRET")
		switch {
		case r.Method == http.MethodGet:
			io.WriteString(w, `{"statusCode":0}`)
		case calls%3 == 1:
			w.WriteHeader(403)
			io.WriteString(w, `{"statusCode":3,"statusMessage":"Missing or invalid Csrf token"}`)
		case calls%3 == 2:
			w.WriteHeader(503)
		default:
			w.WriteHeader(401)
			io.WriteString(w, `{"statusCode":20,"statusMessage":"User not authenticated"}`)
		}
	})
	var texts []string
	for _, creds := range []omni.MessengerCredentials{omni.AppKey("app-key-SECRET"), omni.IBSSOToken("ibsso-token-SECRET"),
		omni.BearerToken("bearer-token-SECRET"), omni.MessengerBasicAuth("u", "gws-password-XYZ")} {
		c, err := omni.NewClient(fs.URL+"/api/v2", omni.WithBasicAuth("agent1", "gws-password-XYZ"),
			omni.WithMessenger(fs.URL, creds), omni.WithLogger(logger), omni.WithRetryUnsafeSends(true), fastRetry)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		for i := 0; i < 3; i++ {
			_, err = c.Facebook.Send(ctx, "X", seedFacebook)
			texts = append(texts, errorForms(err)...)
			_, err = c.Messenger.SendSingle(ctx, single(omni.TextMessage("hi")))
			texts = append(texts, errorForms(err)...)
			_, err = c.ServerVersion(ctx)
			texts = append(texts, errorForms(err)...)
		}
		// Every verb, not only %v: %s and %q of a *Client printed its
		// endpoints' secrets (sixth outside review of this session).
		texts = append(texts, fmt.Sprintf("%v %+v %#v %s %q %x %X %d", c, c, c, c, c, c, c, c),
			fmt.Sprintf("%v %+v %v", c.Facebook, c.Messenger, *c.Agent),
			fmt.Sprintf("%v %+v %#v %s", creds, creds, creds, creds))
	}
	// A transport failure and a bad URL carrying credentials.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	c, _ := omni.NewClient("http://"+addr, omni.WithBasicAuth("a", "gws-password-XYZ"), omni.WithLogger(logger), fastRetry)
	_, err := c.Facebook.Send(context.Background(), "X", seedFacebook)
	texts = append(texts, errorForms(err)...)
	_, err = omni.NewClient("https://a:gws-password-XYZ@h/api/v2", omni.WithBasicAuth("a", "b"))
	texts = append(texts, errorForms(err)...)

	if logs.Len() == 0 {
		t.Fatal("no log lines were written: the scan would prove nothing")
	}
	texts = append(texts, logs.String())
	all := strings.Join(texts, "\n")
	for _, s := range secrets {
		if strings.Contains(all, s) {
			t.Errorf("secret %q leaked", s)
		}
	}
}

func errorForms(err error) []string {
	if err == nil {
		return nil
	}
	return []string{err.Error(), fmt.Sprintf("%v %+v %#v", err, err, err)}
}

// Credential values print as [redacted] with every verb, %d and %p too
// (seventh outside review of this session: those printed the fields).
func TestCredentialsPrintRedactedWithEveryVerb(t *testing.T) {
	const secret = "EveryVerbSecret123"
	values := map[string]any{
		"AppKey":              omni.AppKey(secret),
		"BearerToken":         omni.BearerToken(secret),
		"IBSSOToken":          omni.IBSSOToken(secret),
		"MessengerBasicAuth":  omni.MessengerBasicAuth("user", secret),
		"cometd.Credentials":  cometd.Credentials{Header: http.Header{"Authorization": {"Bearer " + secret}}, Ext: map[string]any{"token": secret}},
		"*cometd.Credentials": &cometd.Credentials{Header: http.Header{"Authorization": {"Bearer " + secret}}},
	}
	// Nor do slog's JSON handler or encoding/json (ninth outside review of
	// this session: cometd.Credentials printed its header and ext there).
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("creds", "values", values)
	encoded, _ := json.Marshal(values)
	if strings.Contains(logged.String(), secret) || strings.Contains(string(encoded), secret) {
		t.Error("a JSON log record or encoding shows the secret")
	}
	// The token credentials stay comparable values, and format as strings
	// do (eighth outside review of this session: pointers made equal keys
	// unequal, and %q and widths were lost).
	if omni.AppKey(secret) != omni.AppKey(secret) || omni.BearerToken(secret) != omni.BearerToken(secret) {
		t.Error("equal token credentials compare unequal")
	}
	if got := fmt.Sprintf("%q|%16s|%#v", omni.AppKey(secret), omni.AppKey(secret), omni.AppKey(secret)); got != `"App [redacted]"|  App [redacted]|App [redacted]` {
		t.Errorf("formatting gives %s", got)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x", "%X", "%p", "%t", "%e"} {
		for name, v := range values {
			if verb == "%p" && !strings.HasPrefix(name, "*") && name != "MessengerBasicAuth" {
				continue // %p of a value that is not a pointer never reaches a Formatter; go vet reports it
			}
			if out := fmt.Sprintf(verb, v); strings.Contains(out, secret) || strings.Contains(out, fmt.Sprintf("%x", secret)) {
				t.Errorf("%s of %s shows the secret", verb, name)
			}
		}
	}
}
