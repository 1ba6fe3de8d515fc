package omni

import (
	"crypto/tls"
	"net/http"
)

// newTLSConfig is the TLS set-up of the client's own transport: TLS 1.2 or
// newer, certificates verified.
func newTLSConfig() *tls.Config { return &tls.Config{MinVersion: tls.VersionTLS12} }

// hardenTLS gives the client's own transport (a clone of
// http.DefaultTransport) a TLS config of its own that requires TLS 1.2 or
// newer and verifies certificates. The clone may carry a config already
// (net/http adds one to DefaultTransport once it has been used for HTTP/2),
// so an existing config is cloned and tightened rather than kept as is.
// Transports a caller passes with WithHTTPClient are never touched.
func hardenTLS(tr *http.Transport) {
	cfg := newTLSConfig()
	if tr.TLSClientConfig != nil {
		cfg = tr.TLSClientConfig.Clone()
		if cfg.MinVersion < tls.VersionTLS12 {
			cfg.MinVersion = tls.VersionTLS12
		}
	}
	cfg.InsecureSkipVerify = false
	tr.TLSClientConfig = cfg
}
