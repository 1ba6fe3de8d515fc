package omnitest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"testing"
	"time"
)

// NewTLSServer is NewServer over HTTPS (and wss for CometD websocket), like
// httptest.NewTLSServer: URL and MessengerURL are https, the certificate is
// self-signed for 127.0.0.1, ::1 and localhost and made at start, and
// NewClient's clients trust it (Certificate gives it to other clients).
func NewTLSServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s, err := StartTLS("127.0.0.1:0", opts...)
	if err != nil {
		t.Fatalf("omnitest: %v", err)
	}
	s.t = t
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// StartTLS is Start over HTTPS; see NewTLSServer.
func StartTLS(addr string, opts ...Option) (*Server, error) { return start(addr, true, opts) }

// Certificate returns the TLS server's certificate, or nil for a plain
// HTTP server.
func (s *Server) Certificate() *x509.Certificate {
	if s.tlsConfig == nil {
		return nil
	}
	return s.tlsConfig.Certificates[0].Leaf
}

func (s *Server) scheme() string {
	if s.tlsConfig != nil {
		return "https"
	}
	return "http"
}

// clientTLS trusts exactly the server's certificate.
func (s *Server) clientTLS() *tls.Config {
	pool := x509.NewCertPool()
	pool.AddCert(s.Certificate())
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

// newTLSConfig makes a fresh self-signed certificate for loopback.
func newTLSConfig() (*tls.Config, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("omnitest: TLS key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(now.UnixNano()),
		Subject:               pkix.Name{Organization: []string{"omnitest"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("omnitest: TLS certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("omnitest: TLS certificate: %w", err)
	}
	cert := tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}}, nil
}
