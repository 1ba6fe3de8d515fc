package omni

import (
	"fmt"

	"github.com/omnisdk/omni/internal/safefmt"
)

// String names the client's endpoints, such as
// "omni.Client{GWS: https://gws.example.com/api/v2/, Messenger: none}".
// It never shows a credential.
func (c *Client) String() string {
	if c == nil {
		return "omni.Client(nil)"
	}
	base := func(ep *endpoint) string {
		if ep == nil {
			return "none"
		}
		return ep.base
	}
	return fmt.Sprintf("omni.Client{GWS: %s, Messenger: %s}", base(c.gws), base(c.messenger))
}

// Format prints String for every verb (%s, %v, %+v, %#v, %q, %x, ...), so
// that no verb prints the client's fields, credentials among them.
func (c *Client) Format(f fmt.State, verb rune) { safefmt.Redacted(f, verb, c.String()) }
