package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	built     string
	buildErr  error
)

// buildBinary builds anxin once as a deploy would (CGO off), and copies it
// alone into a fresh directory for the test.
func buildBinary(t *testing.T) (dir, bin string) {
	t.Helper()
	buildOnce.Do(func() {
		tmp, err := os.MkdirTemp("", "anxin-build")
		if err != nil {
			buildErr = err
			return
		}
		built = filepath.Join(tmp, "anxin")
		cmd := exec.Command("go", "build", "-o", built, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	dir = t.TempDir()
	bin = filepath.Join(dir, "anxin")
	b, err := os.ReadFile(built)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, bin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built != "" {
		os.RemoveAll(filepath.Dir(built))
	}
	os.Exit(code)
}

func TestBinaryAloneServesDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir, bin := buildBinary(t)
	cmd := exec.Command(bin, "serve", "--demo", "--db", "./x.db", "--addr", "127.0.0.1:0")
	cmd.Dir = dir
	cmd.Env = []string{"PATH=/usr/bin:/bin"} // nothing of this machine's setup
	stdout, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	addr := regexp.MustCompile(`serving (http://\S+)`)
	lines := bufio.NewScanner(stdout)
	var base, printed string
	deadline := time.After(90 * time.Second)
	found := make(chan string)
	go func() {
		for lines.Scan() {
			printed += lines.Text() + "\n"
			if m := addr.FindStringSubmatch(lines.Text()); m != nil {
				found <- m[1]
				return
			}
		}
		close(found)
	}()
	select {
	case base = <-found:
	case <-deadline:
		t.Fatalf("no serving line in 90 s; stderr:\n%s", stderr.String())
	}
	if base == "" {
		t.Fatalf("the server stopped; stderr:\n%s", stderr.String())
	}
	if !strings.Contains(printed, "agent1@anxin.demo") || !strings.Contains(printed, "anxin-demo-2026") {
		t.Errorf("the demo logins were not printed:\n%s", printed)
	}
	res, err := http.Get(base + "/healthz")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %v %v", res, err)
	}
	res, err = http.Get(base + "/login")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("login page: %v %v", res, err)
	}
	for _, f := range []string{"x.db", "session.key", "photos"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("expected %s beside the database: %v", f, err)
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("no graceful shutdown within 15 s of SIGTERM")
	}
}

func TestBadInput(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir, bin := buildBinary(t)
	notDB := filepath.Join(dir, "notes.txt")
	os.WriteFile(notDB, []byte("not a database"), 0o600)
	blocker := filepath.Join(dir, "afile")
	os.WriteFile(blocker, []byte("x"), 0o600)
	entries := func() int { es, _ := os.ReadDir(dir); return len(es) }
	before := entries()

	tests := []struct {
		name string
		args []string
		code int
		says string
	}{
		{"unknown flag", []string{"serve", "--nope"}, 2, "flag provided but not defined: -nope"},
		{"unknown command", []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"not sqlite", []string{"migrate", "--db", notDB}, 1, "is not an SQLite database"},
		{"unwritable location", []string{"migrate", "--db", filepath.Join(blocker, "sub", "x.db")}, 1, "not a directory"},
		{"bad role", []string{"user", "add", "--email", "a@b.c", "--role", "boss", "--db", filepath.Join(dir, "never.db")}, 2, "--role must be"},
		{"bad zone", []string{"serve", "--tz", "Mars/Olympus", "--db", filepath.Join(dir, "never.db")}, 2, "unknown time zone"},
		{"certificate without key", []string{"serve", "--tls-cert", "cert.pem", "--db", filepath.Join(dir, "never.db")}, 2, "--tls-cert and --tls-key go together"},
		{"missing certificate", []string{"serve", "--tls-cert", "cert.pem", "--tls-key", "key.pem", "--db", filepath.Join(dir, "never.db")}, 1, "cannot use the TLS certificate"},
		{"bad proxy", []string{"serve", "--trusted-proxies", "10.0.0.0/8,10.1.2.3/33", "--db", filepath.Join(dir, "never.db")}, 2, `"10.1.2.3/33" is not an address or CIDR prefix`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(bin, tt.args...)
			cmd.Dir = dir
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			}
			msg := strings.TrimSpace(stderr.String())
			if code != tt.code || !strings.Contains(msg, tt.says) || strings.Count(msg, "\n") != 0 {
				t.Fatalf("exit %d with %q; want exit %d and one line saying %q", code, msg, tt.code, tt.says)
			}
		})
	}
	if got, _ := os.ReadFile(notDB); string(got) != "not a database" {
		t.Error("the non-database file was changed")
	}
	if entries() != before {
		t.Error("a failed command left files behind")
	}
}

func TestUserAdd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir, bin := buildBinary(t)
	db := filepath.Join(dir, "a.db")
	run := func(stdin string, args ...string) (string, error) {
		cmd := exec.Command(bin, append(args, "--db", db)...)
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run("", "seed", "--demo"); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	out, err := run("", "user", "add", "--email", "new@anxin.demo", "--role", "agent")
	if err != nil || !regexp.MustCompile(`password: \S{20,}`).MatchString(out) {
		t.Fatalf("user add with a generated password: %v\n%s", err, out)
	}
	out, err = run("a-long-enough-password\n", "user", "add", "--email", "m@anxin.demo", "--role", "merchant", "--merchant", "yiwu-home")
	if err != nil || strings.Contains(out, "password:") {
		t.Fatalf("user add with a password from stdin: %v\n%s", err, out)
	}
	if out, err = run("", "user", "add", "--email", "new@anxin.demo", "--role", "agent"); err == nil || !strings.Contains(out, "already exists") {
		t.Fatalf("a duplicate user: %v\n%s", err, out)
	}
	if out, err = run("a-long-enough-password\n", "user", "add", "--email", "x@anxin.demo", "--role", "merchant", "--merchant", "nope"); err == nil || !strings.Contains(out, "unknown merchant") {
		t.Fatalf("an unknown merchant: %v\n%s", err, out)
	}
}
