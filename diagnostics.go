package omni

import (
	"context"
	"net/http"
)

// ServerVersion asks GWS for its version (GET {base}/diagnostics/version),
// such as "8.5.200.50". It is a cheap way to check the URL and credentials.
func (c *Client) ServerVersion(ctx context.Context) (string, error) {
	var out struct {
		Version string `json:"version"`
	}
	if err := c.do(ctx, &call{ep: c.gws, method: http.MethodGet, path: "diagnostics/version"}, &out); err != nil {
		return "", err
	}
	return out.Version, nil
}
