package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
)

var keyPattern = regexp.MustCompile(`(?m)^axk_[A-Z2-7]{26}$`)

func TestAPIKeyCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir, bin := buildBinary(t)
	db := filepath.Join(dir, "a.db")
	run := func(args ...string) (string, int) {
		cmd := exec.Command(bin, append(args, "--db", db)...)
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		}
		return string(out), code
	}
	out, code := run("apikey", "create", "--name", "抖店对接", "--all-merchants")
	key := keyPattern.FindString(out)
	if code != 0 || key == "" || !strings.Contains(out, "shown once") || !strings.Contains(out, "for every merchant") {
		t.Fatalf("create: exit %d\n%s", code, out)
	}
	// A key for one merchant, named by its code.
	st, err := store.Open(context.Background(), db, store.Config{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.CreateMerchant(context.Background(), anxin.Merchant{Code: "yuyan-beauty", Name: "玉颜美妆旗舰店"})
	if err = errors.Join(err, st.Close()); err != nil {
		t.Fatal(err)
	}
	if out, code = run("apikey", "create", "--name", "玉颜ERP", "--merchant", "yuyan-beauty"); code != 0 ||
		!strings.Contains(out, "for merchant yuyan-beauty") {
		t.Fatalf("create for a merchant: exit %d\n%s", code, out)
	}
	out, code = run("apikey", "list")
	if code != 0 || !strings.Contains(out, "抖店对接") || !strings.Contains(out, key[:10]) || strings.Contains(out, key) {
		t.Fatalf("list (the prefix, never the key): exit %d\n%s", code, out)
	}
	if out, code = run("apikey", "revoke", "--id", "1"); code != 0 || !strings.Contains(out, "revoked API key 1") {
		t.Fatalf("revoke: exit %d\n%s", code, out)
	}
	out, _ = run("apikey", "list")
	if !regexp.MustCompile(`抖店对接\s+\S+\s+all merchants\s+\S+ \S+\s+-\s+\d{4}-`).MatchString(out) {
		t.Fatalf("list after revoking shows no scope or revocation time:\n%s", out)
	}
	if !regexp.MustCompile(`玉颜ERP\s+\S+\s+yuyan-beauty\s`).MatchString(out) {
		t.Fatalf("list does not show the merchant key's scope:\n%s", out)
	}
	for _, bad := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"apikey"}, 2, "create, list or revoke"},
		{[]string{"apikey", "create"}, 2, "--name is required"},
		{[]string{"apikey", "create", "--name", "x"}, 2, "--merchant CODE or --all-merchants"},
		{[]string{"apikey", "create", "--name", "x", "--merchant", "yuyan-beauty", "--all-merchants"}, 2, "--merchant CODE or --all-merchants"},
		{[]string{"apikey", "create", "--name", "x", "--merchant", "nobody"}, 1, "unknown merchant"},
		{[]string{"apikey", "revoke", "--id", "x"}, 2, "--id must be"},
		{[]string{"apikey", "revoke", "--id", "99"}, 1, "not found"},
		{[]string{"serve", "--refund-provider", "paypal"}, 2, "--refund-provider must be builtin or webhook"},
		{[]string{"serve", "--api-rate", "fast"}, 2, "--api-rate must be"},
	} {
		out, code := run(bad.args...)
		if code != bad.code || !strings.Contains(out, bad.says) {
			t.Errorf("%v: exit %d %q; want exit %d saying %q", bad.args, code, out, bad.code, bad.says)
		}
	}
}

// TestBinaryServesAPI runs the binary with demo data, makes a key with the
// CLI beside it, opens a ticket through the API, and sees the workers at
// work: the built-in provider pays every refund, the scheduler leaves no
// passed deadline behind.
func TestBinaryServesAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir, bin := buildBinary(t)
	cmd := exec.Command(bin, "serve", "--demo", "--db", "./x.db", "--addr", "127.0.0.1:0")
	cmd.Dir = dir
	cmd.Env = []string{"PATH=/usr/bin:/bin"}
	stdout, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	found := make(chan string, 1)
	go func() {
		lines := bufio.NewScanner(stdout)
		for lines.Scan() {
			if m := regexp.MustCompile(`serving (http://\S+)`).FindStringSubmatch(lines.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	var base string
	select {
	case base = <-found:
	case <-time.After(90 * time.Second):
		t.Fatalf("no serving line; stderr:\n%s", stderr.String())
	}
	out, err := exec.Command(bin, "apikey", "create", "--name", "shop", "--all-merchants", "--db", filepath.Join(dir, "x.db")).CombinedOutput()
	key := keyPattern.FindString(string(out))
	if err != nil || key == "" {
		t.Fatalf("apikey create beside the server: %v\n%s", err, out)
	}
	call := func(method, path, body string) (int, []byte) {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var b bytes.Buffer
		b.ReadFrom(res.Body)
		return res.StatusCode, b.Bytes()
	}
	now := time.Now().UTC()
	claim := fmt.Sprintf(`{"merchant": "dounan-flowers", "service": "fresh_spoiled", "order": {"id": "DY1", "product": "玫瑰",
		"paid_fen": 8990, "ordered_at": %q, "shipped_at": %q, "received_at": %q}, "buyer": {"phone": "13800138000"}}`,
		now.Add(-72*time.Hour).Format(time.RFC3339), now.Add(-48*time.Hour).Format(time.RFC3339), now.Add(-time.Hour).Format(time.RFC3339))
	status, body := call("POST", "/api/v1/tickets", claim)
	var tk struct {
		ID    int64
		State string
	}
	json.Unmarshal(body, &tk)
	if status != http.StatusCreated || tk.State != "refunding" {
		t.Fatalf("an instant-refund claim: %d %s", status, body)
	}
	// The built-in provider pays it, and the demo's refunds, within moments.
	var left []byte
	for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(100 * time.Millisecond) {
		_, left = call("GET", "/api/v1/tickets?state=refunding", "")
		if bytes.Contains(left, []byte(`"tickets":[]`)) {
			break
		}
	}
	if !bytes.Contains(left, []byte(`"tickets":[]`)) {
		t.Fatalf("refunds still unpaid: %.300s", left)
	}
	if _, body := call("GET", fmt.Sprintf("/api/v1/tickets/%d", tk.ID), ""); !bytes.Contains(body, []byte(`"state":"refunded"`)) {
		t.Fatalf("the API ticket: %s", body)
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
		t.Fatal("no graceful shutdown within 15 s")
	}
	if !strings.Contains(stderr.String(), "scheduler: caught up") || strings.Contains(stderr.String(), "caught up\" timeouts=0 ") {
		t.Errorf("the scheduler did not catch up the demo's passed deadlines; stderr:\n%s", stderr.String())
	}
}
