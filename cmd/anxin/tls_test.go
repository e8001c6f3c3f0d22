package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// selfSigned writes a self-signed certificate for 127.0.0.1 and localhost,
// with the serial number given, and its key, into dir; it returns their
// paths and the certificate.
func selfSigned(t *testing.T, dir string, serial int64) (certPath, keyPath string, cert *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: "anxin test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ = x509.ParseCertificate(der)
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPath, keyPath = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	// Written beside and renamed into place, as a renewal agent does.
	for path, block := range map[string]*pem.Block{certPath: {Type: "CERTIFICATE", Bytes: der}, keyPath: {Type: "PRIVATE KEY", Bytes: kder}} {
		if err := os.WriteFile(path+".new", pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(path+".new", path); err != nil {
			t.Fatal(err)
		}
	}
	return certPath, keyPath, cert
}

// TestServeTLSAndMetrics runs serve with --tls-cert, --tls-key and
// --metrics-addr: pages come over HTTPS with HSTS and Secure cookies, plain
// HTTP on that port is refused, and the metrics, on their own port, count
// the pages and read the database.
func TestServeTLSAndMetrics(t *testing.T) {
	dir := t.TempDir()
	certPath, keyPath, cert := selfSigned(t, dir, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, []string{"--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--tls-cert", certPath,
			"--tls-key", keyPath, "--db", filepath.Join(dir, "anxin.db")}, &stdout, &stderr)
	}()
	addrs := regexp.MustCompile(`serving https://(\S+) [\s\S]*metrics at http://(\S+)/metrics`)
	var m []string
	for m == nil {
		select {
		case err := <-done:
			t.Fatalf("serve ended: %v\n%s", err, stderr.String())
		case <-time.After(10 * time.Millisecond):
			m = addrs.FindStringSubmatch(stdout.String())
		}
	}
	site, metricsAt := "https://"+m[1], "http://"+m[2]+"/metrics"

	roots := x509.NewCertPool()
	roots.AddCert(cert)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	res, err := client.Get(site + "/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Strict-Transport-Security") == "" || res.TLS == nil {
		t.Fatalf("login page over TLS: %s, HSTS %q", res.Status, res.Header.Get("Strict-Transport-Security"))
	}
	for _, ck := range res.Cookies() {
		if !ck.Secure {
			t.Errorf("cookie %s without Secure", ck.Name)
		}
	}
	if res, err := http.Get("http://" + m[1] + "/login"); err == nil {
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("plain HTTP to the TLS port: %s", res.Status)
		}
	}

	res, err = http.Get(metricsAt)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, series := range []string{
		`anxin_http_request_duration_seconds_count{method="GET",route="/login",status="200"} 1`,
		`anxin_tickets_open{state="pending_merchant"} 0`,
		`anxin_scheduler_lag_seconds 0`,
		`anxin_build_info{`,
		`go_goroutines `,
	} {
		if !strings.Contains(string(body), series) {
			t.Errorf("the metrics lack %s", series)
		}
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stderr.String(), "plain HTTP") {
		t.Errorf("warned of plain HTTP while serving TLS:\n%s", stderr.String())
	}
}

// TestRenewedCertificateIsTakenUp: a certificate renewed in its files is
// served from the next connection, without a restart; a renewal that
// cannot be read leaves the one in use.
func TestRenewedCertificateIsTakenUp(t *testing.T) {
	dir := t.TempDir()
	certPath, keyPath, _ := selfSigned(t, dir, 1)
	c, err := loadCertFiles(certPath, keyPath, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	c.checkEvery = 0 // look at the files at every connection
	serial := func() int64 {
		t.Helper()
		got, err := c.get(nil)
		if err != nil {
			t.Fatal(err)
		}
		x, err := x509.ParseCertificate(got.Certificate[0])
		if err != nil {
			t.Fatal(err)
		}
		return x.SerialNumber.Int64()
	}
	if serial() != 1 {
		t.Fatal("not the certificate given")
	}
	selfSigned(t, dir, 2)
	if s := serial(); s != 2 {
		t.Fatalf("serving certificate %d after the renewal, want 2", s)
	}
	if err := os.WriteFile(certPath, []byte("half a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	if s := serial(); s != 2 {
		t.Fatalf("serving certificate %d after a broken renewal, want 2 still", s)
	}
	if _, err := loadCertFiles(certPath, keyPath, nil); err == nil {
		t.Fatal("a broken certificate was accepted at start")
	}
}
