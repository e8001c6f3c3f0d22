package main

import (
	"crypto/sha256"
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// certFiles is the certificate serve presents (--tls-cert, --tls-key). It
// is read again when its files change, so that a renewed certificate
// (certbot, an internal CA's agent) is taken up without a restart: the
// files are looked at, at most every checkEvery, when a connection opens.
// A renewal that cannot be read (half-written, key and certificate that do
// not match) is reported and the certificate in use is kept.
type certFiles struct {
	certPath, keyPath string
	log               *slog.Logger
	checkEvery        time.Duration

	mu      sync.Mutex
	cert    *tls.Certificate
	stamp   string // a hash of the files when last read
	checked time.Time
}

func loadCertFiles(certPath, keyPath string, log *slog.Logger) (*certFiles, error) {
	c := &certFiles{certPath: certPath, keyPath: keyPath, log: log, checkEvery: 10 * time.Second}
	stamp, err := c.stampNow()
	if err != nil {
		return nil, err
	}
	cert, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		return nil, fmt.Errorf("cannot use the TLS certificate: %w", err)
	}
	c.cert, c.stamp, c.checked = &cert, stamp, time.Now()
	return c, nil
}

// stampNow is a hash of the files' contents (their times may not change
// between two quick writes; a few kilobytes are read in microseconds).
func (c *certFiles) stampNow() (string, error) {
	h := sha256.New()
	for _, p := range []string{c.certPath, c.keyPath} {
		b, err := os.ReadFile(p)
		if err != nil {
			return "", fmt.Errorf("cannot use the TLS certificate: %w", err)
		}
		h.Write(b)
		h.Write([]byte{0})
	}
	return string(h.Sum(nil)), nil
}

// get is tls.Config.GetCertificate.
func (c *certFiles) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.checked) < c.checkEvery {
		return c.cert, nil
	}
	c.checked = time.Now()
	stamp, err := c.stampNow()
	if err != nil || stamp == c.stamp {
		return c.cert, nil // gone for a moment (being replaced), or unchanged
	}
	cert, err := tls.LoadX509KeyPair(c.certPath, c.keyPath)
	if err != nil {
		c.log.Warn("the TLS certificate's files changed but cannot be used; serving the previous one", "err", err)
		return c.cert, nil // and tried again when the files change again
	}
	c.stamp = stamp
	c.cert = &cert
	c.log.Info("TLS certificate reloaded", "cert", c.certPath)
	return c.cert, nil
}

// tlsConfig serves the certificate over TLS 1.2 and later (Go's default
// cipher suites, HTTP/2 offered).
func (c *certFiles) tlsConfig() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: c.get}
}
