package omni_test

import (
	"strings"
	"testing"

	"github.com/omnisdk/omni"
)

// A credential that cannot be sent as it is is refused by NewClient, not by
// the first request (outside review: an API key with a line break was
// accepted, and every send then failed locally while saying it may have
// reached the server); the message never quotes the secret.
func TestNewClientRefusesUnsendableCredentials(t *testing.T) {
	for name, opt := range map[string]omni.Option{
		"key with CR LF":        omni.WithMessenger("https://api.example", omni.AppKey("key\r\nX-Evil: 1")),
		"blank key":             omni.WithMessenger("https://api.example", omni.AppKey("   ")),
		"key with a space":      omni.WithMessenger("https://api.example", omni.AppKey("key ")),
		"bearer with a tab":     omni.WithMessenger("https://api.example", omni.BearerToken("tok\ten")),
		"basic user with colon": omni.WithMessenger("https://api.example", omni.MessengerBasicAuth("a:b", "pw")),
		"GWS user with colon":   omni.WithBasicAuth("agent:x", "pw"),
	} {
		gws := omni.WithBasicAuth("agent", "pw")
		if name == "GWS user with colon" {
			gws = opt
		}
		c, err := omni.NewClient("https://gws.example/api/v2", gws, opt)
		if err == nil {
			c.Close()
			t.Errorf("%s: NewClient accepted it", name)
			continue
		}
		if !strings.Contains(err.Error(), "credentials") && !strings.Contains(err.Error(), "username") {
			t.Errorf("%s: %v, want the credential's rule", name, err)
		}
		for _, secret := range []string{"key\r\n", "X-Evil", "tok\ten"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("%s: the error quotes the secret: %v", name, err)
			}
		}
	}
	c, err := omni.NewClient("https://gws.example/api/v2", omni.WithBasicAuth("agent", "pw"),
		omni.WithMessenger("https://api.example", omni.AppKey("0123456789abcdef-ok_key")))
	if err != nil {
		t.Fatalf("a valid key: %v", err)
	}
	c.Close()
}
