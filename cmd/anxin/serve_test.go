package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a buffer the server writes to while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// serveLog starts serve with args until it says it is serving, stops it,
// and returns what it logged.
func serveLog(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	args = append(args, "--db", filepath.Join(t.TempDir(), "anxin.db"))
	go func() { done <- serve(ctx, args, &stdout, &stderr) }()
	for !strings.Contains(stdout.String(), "is serving") {
		select {
		case err := <-done:
			t.Fatalf("serve ended: %v\n%s", err, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return stderr.String()
}

func TestServeWarnsAboutPlainHTTPOnTheNetwork(t *testing.T) {
	const warning = "serving plain HTTP on an address other machines reach"
	if log := serveLog(t, "--addr", "0.0.0.0:0"); !strings.Contains(log, warning) {
		t.Fatalf("serving on every address without TLS: no warning in\n%s", log)
	}
	if log := serveLog(t, "--addr", "127.0.0.1:0"); strings.Contains(log, warning) {
		t.Fatalf("serving on loopback warned:\n%s", log)
	}
	if log := serveLog(t, "--addr", "0.0.0.0:0", "--trusted-proxies", "10.0.0.5"); strings.Contains(log, warning) {
		t.Fatalf("serving behind a named proxy warned:\n%s", log)
	}
}

func TestParsePrefixes(t *testing.T) {
	got, err := parsePrefixes(" 10.0.0.5, 192.168.0.0/16,::1 ,fd00::/8,")
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.5/32"), netip.MustParsePrefix("192.168.0.0/16"),
		netip.MustParsePrefix("::1/128"), netip.MustParsePrefix("fd00::/8")}
	if len(got) != len(want) {
		t.Fatalf("%v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%v, want %v", got, want)
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "example.com", "10.0.0"} {
		if _, err := parsePrefixes(bad); err == nil {
			t.Errorf("%q was taken", bad)
		}
	}
}

func TestServerHasTimeouts(t *testing.T) {
	hs := httpServer(http.NotFoundHandler(), slog.Default())
	if hs.ReadHeaderTimeout <= 0 || hs.ReadTimeout <= 0 || hs.IdleTimeout <= 0 {
		t.Fatalf("read-header %v, read %v, idle %v: each must be set", hs.ReadHeaderTimeout, hs.ReadTimeout, hs.IdleTimeout)
	}
	if hs.WriteTimeout != 0 {
		t.Fatal("a write timeout would cut the live pages' event streams")
	}
}

// TestServeServiceHours: --service-hours takes "HH:MM-HH:MM" and refuses
// hours that close before they open, before anything is created.
func TestServeServiceHours(t *testing.T) {
	serveLog(t, "--addr", "127.0.0.1:0", "--service-hours", "09:00-21:30")
	for _, bad := range []string{"23:00-08:00", "8-23", "08:00-25:00"} {
		var stdout, stderr syncBuffer
		db := filepath.Join(t.TempDir(), "anxin.db")
		err := serve(context.Background(), []string{"--addr", "127.0.0.1:0", "--db", db, "--service-hours", bad}, &stdout, &stderr)
		var usage usageError
		if !errors.As(err, &usage) || !strings.Contains(err.Error(), "--service-hours") {
			t.Errorf("--service-hours %s: %v", bad, err)
		}
		if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("--service-hours %s left a database behind: %v", bad, err)
		}
	}
}

// TestServeRefundUndo: --refund-undo (ANXIN_REFUND_UNDO) is a duration from
// 0 (hand every refund over at once) to an hour; anything else is refused
// before anything is created.
func TestServeRefundUndo(t *testing.T) {
	for _, bad := range []string{"-1s", "2h", "ten"} {
		var stdout, stderr syncBuffer
		db := filepath.Join(t.TempDir(), "anxin.db")
		err := serve(context.Background(), []string{"--addr", "127.0.0.1:0", "--db", db, "--refund-undo", bad}, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), "refund-undo") {
			t.Errorf("--refund-undo %s: %v", bad, err)
		}
		if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("--refund-undo %s left a database behind: %v", bad, err)
		}
	}
}

// TestServeOnPostgresNeedsASharedSessionKey: on PostgreSQL every node must
// sign sessions with the same key, so serve refuses to start without
// ANXIN_SESSION_KEY (it would make a key file of its own); and scheduled
// backups, which copy a SQLite file, are refused there too. Both in one
// line, before the database is touched (no server is needed to see it).
func TestServeOnPostgresNeedsASharedSessionKey(t *testing.T) {
	t.Setenv("ANXIN_SESSION_KEY", "")
	url := "postgres://anxin@127.0.0.1:1/anxin"
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--db", url}, "ANXIN_SESSION_KEY"},
		{[]string{"--db", url, "--backup-dir", t.TempDir()}, "pg_dump"},
	} {
		var stdout, stderr syncBuffer
		err := serve(context.Background(), append([]string{"--addr", "127.0.0.1:0"}, c.args...), &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("serve %v: %v, want one line naming %s", c.args, err, c.want)
		}
	}
}
