package omni

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
)

// MessengerCredentials authenticates Messenger requests. Build one with
// AppKey, MessengerBasicAuth, IBSSOToken or BearerToken. Its String method
// never reveals the secret.
type MessengerCredentials interface {
	apply(h http.Header)
	check() error
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
	return nil
}

func (b *basicAuth) String() string { return "Basic " + b.username + ":[redacted]" }

// GoString hides the password from %#v.
func (b *basicAuth) GoString() string { return b.String() }

type schemeToken struct{ scheme, token string }

func (t schemeToken) apply(h http.Header) { h.Set("Authorization", t.scheme+" "+t.token) }

func (t schemeToken) check() error {
	if t.token == "" {
		return fmt.Errorf("omni: %s credentials must not be empty", t.scheme)
	}
	return nil
}

func (t schemeToken) String() string { return t.scheme + " [redacted]" }

// GoString hides the token from %#v.
func (t schemeToken) GoString() string { return t.String() }

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
