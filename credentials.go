package omni

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/omnisdk/omni/internal/safefmt"
)

// MessengerCredentials authenticates Messenger requests. Build one with
// AppKey, MessengerBasicAuth, IBSSOToken or BearerToken. Its String method
// never reveals the secret.
type MessengerCredentials interface {
	apply(h http.Header)
	check() error
	secrets() []string
	fmt.Stringer
}

type basicAuth struct{ username, password string }

func (b *basicAuth) apply(h http.Header) {
	h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(b.username+":"+b.password)))
}

func (b *basicAuth) check() error {
	if b.username == "" {
		return errors.New("omni: Basic credentials need a username")
	}
	if err := checkBasic(b.username); err != nil {
		return fmt.Errorf("omni: Basic credentials: %w", err)
	}
	return nil
}

// checkBasic refuses a Basic username the scheme cannot carry: a colon
// would split it at the server (RFC 7617), and control characters are
// never part of a user name.
func checkBasic(username string) error {
	if strings.Contains(username, ":") {
		return errors.New("the username must not contain a colon")
	}
	if hasControl(username) {
		return errors.New("the username must not contain control characters")
	}
	return nil
}

// hasControl reports whether s holds an ASCII control character (tab
// included) or DEL, which an HTTP header value cannot carry as such.
func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return true
		}
	}
	return false
}

func (b *basicAuth) String() string { return "Basic " + b.username + ":[redacted]" }

// secrets are what must never be shown: the password and the header's
// encoding of it.
func (b *basicAuth) secrets() []string {
	up := []byte(b.username + ":" + b.password)
	return []string{b.password, base64.StdEncoding.EncodeToString(up), base64.URLEncoding.EncodeToString(up)}
}

// GoString hides the password from %#v.
func (b *basicAuth) GoString() string { return b.String() }

// Format prints String for every verb, never a field (see safefmt.Redacted).
func (b *basicAuth) Format(f fmt.State, verb rune) { safefmt.Redacted(f, verb, b.String()) }

type schemeToken struct{ scheme, token string }

func (t schemeToken) apply(h http.Header) { h.Set("Authorization", t.scheme+" "+t.token) }

// check refuses a token that cannot be sent as it is: empty or blank, or
// holding a control character or a leading or trailing space, which
// net/http would refuse (or a server trim) only once a request is made.
// The message never quotes the token.
func (t schemeToken) check() error {
	switch {
	case strings.TrimSpace(t.token) == "":
		return fmt.Errorf("omni: %s credentials must not be empty or blank", t.scheme)
	case hasControl(t.token):
		return fmt.Errorf("omni: %s credentials must not contain control characters (such as a line break)", t.scheme)
	case strings.TrimSpace(t.token) != t.token:
		return fmt.Errorf("omni: %s credentials must not start or end with a space", t.scheme)
	}
	return nil
}

func (t schemeToken) String() string { return t.scheme + " [redacted]" }

func (t schemeToken) secrets() []string { return []string{t.token} }

// GoString hides the token from %#v.
func (t schemeToken) GoString() string { return t.String() }

// Format prints String for every verb, never a field (see safefmt.Redacted).
// The token credentials stay values, comparable with ==.
func (t schemeToken) Format(f fmt.State, verb rune) { safefmt.Redacted(f, verb, t.String()) }

// AppKey authenticates with an Infobip API key ("Authorization: App <key>"),
// the form the vendor recommends.
func AppKey(key string) MessengerCredentials { return schemeToken{"App", key} }

// MessengerBasicAuth authenticates Messenger requests with HTTP Basic.
func MessengerBasicAuth(username, password string) MessengerCredentials {
	return &basicAuth{username: username, password: password}
}

// IBSSOToken authenticates with a session token from POST /auth/1/session
// ("Authorization: IBSSO <token>").
func IBSSOToken(token string) MessengerCredentials { return schemeToken{"IBSSO", token} }

// BearerToken authenticates with an OAuth access token ("Authorization: Bearer <token>").
func BearerToken(token string) MessengerCredentials { return schemeToken{"Bearer", token} }

// minRedacted is the shortest secret redacted from server text: replacing a
// shorter one would mangle ordinary words and ids ("test", "PENDING") and
// still give it away by its gaps.
const minRedacted = 8

// redactor returns a function that replaces, in the server's words an
// error or a send's result carries (*APIError's messages, messageId and
// body, *DecodeError's body, *RejectedError's and *MessagesError's fields,
// *OperationError's message, a *SentMessage's or *MessagesResponse's), each of secrets with
// "[redacted]": a server that echoes the Authorization header or the
// password must not put them in an error string or a result. A secret is
// also found in the other forms a server may give it (see scrubber). The
// function keeps the secrets in its closure, so no value the SDK returns
// prints them.
func redactor(secrets []string) func(any) {
	sc := newScrubber(secrets)
	if sc == nil {
		return nil
	}
	str, byt := sc.str, sc.body
	// A status's text is the server's words, its names too (they are
	// vocabulary, such as PENDING_ACCEPTED, but a server may put anything
	// there); its numbers and the answer's ids, which the caller looks
	// messages up by, stay as sent.
	status := func(st *DeliveryStatus) {
		st.Description, st.Action = str(st.Description), str(st.Action)
		st.Name, st.GroupName = str(st.Name), str(st.GroupName)
	}
	var walk func(x any)
	walk = func(x any) {
		switch e := x.(type) {
		case nil:
			return
		case *SentMessage: // a success: ids stay as sent
			status(&e.Status)
			return
		case *MessagesResponse:
			for i := range e.Messages {
				status(&e.Messages[i].Status)
				e.Messages[i].Details = byt(e.Messages[i].Details)
			}
			return
		case *MessagesError:
			e.ErrorCode, e.Description, e.Action = str(e.ErrorCode), str(e.Description), str(e.Action)
			for i := range e.Violations {
				e.Violations[i].Property, e.Violations[i].Violation = str(e.Violations[i].Property), str(e.Violations[i].Violation)
			}
			for i := range e.Resources {
				e.Resources[i].Name, e.Resources[i].URL = str(e.Resources[i].Name), str(e.Resources[i].URL)
			}
		case *APIError:
			e.GWSStatusMessage, e.Text, e.Body = str(e.GWSStatusMessage), str(e.Text), byt(e.Body)
			e.MessageID, e.RequestID = str(e.MessageID), str(e.RequestID)
			for k, vs := range e.ValidationErrors {
				for i := range vs {
					vs[i] = str(vs[i])
				}
				if rk := str(k); rk != k {
					delete(e.ValidationErrors, k)
					e.ValidationErrors[rk] = vs
				}
			}
		case *DecodeError:
			e.Body = byt(e.Body)
		case *OperationError: // a notification's errorMessage
			e.Message = str(e.Message)
			if e.Notification != nil {
				// The notification is shared with the handlers that got
				// it: the error gets a scrubbed copy, decoded again.
				h := e.Notification.Header()
				if clean := byt(bytes.Clone(h.Raw)); !bytes.Equal(clean, h.Raw) {
					if n, err := DecodeNotification(h.Channel, clean); err == nil {
						e.Notification = n
					}
				}
			}
		case *RejectedError: // an error: its string shows the answer's ids too
			status(&e.Sent.Status)
			e.Sent.MessageID, e.Sent.To = str(e.Sent.MessageID), str(e.Sent.To)
		}
		switch u := x.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		}
	}
	return walk
}
