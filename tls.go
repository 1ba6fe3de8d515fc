package omni

import "crypto/tls"

// newTLSConfig is the TLS set-up of the client's own transport: TLS 1.2 or
// newer, certificates verified.
func newTLSConfig() *tls.Config { return &tls.Config{MinVersion: tls.VersionTLS12} }
