package main

import (
	"bufio"
	"bytes"
	"database/sql"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin/store"
)

// startServe runs the binary's serve with args until it says it is serving,
// and returns its address and a stop that ends it with SIGTERM.
func startServe(t *testing.T, bin, dir string, args ...string) (base string, stop func()) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Dir = dir
	stdout, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		lines := bufio.NewScanner(stdout)
		for lines.Scan() {
			if m := regexp.MustCompile(`serving (http://\S+)`).FindStringSubmatch(lines.Text()); m != nil {
				found <- m[1]
			}
		}
		close(found)
	}()
	select {
	case base = <-found:
	case <-time.After(90 * time.Second):
	}
	if base == "" {
		cmd.Process.Kill()
		t.Fatalf("serve did not start; stderr:\n%s", stderr.String())
	}
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			t.Errorf("serve: %v\n%s", err, stderr.String())
		}
	}
	t.Cleanup(stop)
	return base, stop
}

// runBin runs the binary and returns its exit code, stdout and stderr.
func runBin(t *testing.T, bin string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

func TestBackupRestoreAndCheckAroundARunningServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir, bin := buildBinary(t)
	db := filepath.Join(dir, "data", "anxin.db")
	scheduled := filepath.Join(dir, "scheduled")
	base, stop := startServe(t, bin, dir, "--demo", "--db", db, "--backup-dir", scheduled, "--backup-keep", "3")

	// serve takes its first scheduled backup at once.
	deadline := time.Now().Add(60 * time.Second)
	for {
		if list, _ := store.ListBackups(scheduled); len(list) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("serve --backup-dir took no backup within a minute")
		}
		time.Sleep(100 * time.Millisecond)
	}

	// A backup of the live database, while the server runs.
	backups := filepath.Join(dir, "backups-by-hand")
	code, out, errs := runBin(t, bin, "backup", "--to", backups, "--db", db)
	if code != 0 || !strings.Contains(out, "written and verified") {
		t.Fatalf("backup: exit %d\n%s%s", code, out, errs)
	}
	m := regexp.MustCompile(`verified: (\S+)`).FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, fmt.Sprintf("photos    %d files", photoFiles(t, filepath.Join(filepath.Dir(db), "photos")))) {
		t.Fatalf("backup printed:\n%s", out)
	}
	path := m[1]
	if code, out, errs = runBin(t, bin, "check", "--db", db); code != 0 || !strings.Contains(out, "ok: integrity_check") {
		t.Fatalf("check of the live database: exit %d\n%s%s", code, out, errs)
	}
	if code, out, errs = runBin(t, bin, "check", "--backup", path); code != 0 {
		t.Fatalf("check of the backup: exit %d\n%s%s", code, out, errs)
	}

	// Restore refuses the live database: it exists, and the server has it.
	if code, _, errs = runBin(t, bin, "restore", "--from", path, "--db", db); code != 1 || !strings.Contains(errs, "--force") {
		t.Fatalf("restore over an existing database: exit %d %s", code, errs)
	}
	if code, _, errs = runBin(t, bin, "restore", "--from", path, "--db", db, "--force"); code != 1 || !strings.Contains(errs, "in use") {
		t.Fatalf("restore while the server runs: exit %d %s", code, errs)
	}
	if res, err := http.Get(base + "/healthz"); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("the server after the refused restores: %v %v", res, err)
	}
	stop()
	code, out, errs = runBin(t, bin, "restore", "--from", path, "--db", db, "--force")
	if code != 0 || !strings.Contains(out, "is kept as") {
		t.Fatalf("restore into the stopped deployment: exit %d\n%s%s", code, out, errs)
	}
	if code, out, errs = runBin(t, bin, "check", "--db", db); code != 0 {
		t.Fatalf("check of the restored database: exit %d\n%s%s", code, out, errs)
	}

	// check fails on a missing photo, with one line on stderr.
	var photo string
	filepath.WalkDir(filepath.Join(dir, "data", "photos"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && photo == "" {
			photo = p
		}
		return err
	})
	os.Remove(photo)
	code, out, errs = runBin(t, bin, "check", "--db", db)
	if code != 1 || !strings.Contains(out, "PROBLEM") || !strings.Contains(out, "is missing") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Fatalf("check with a photo missing: exit %d\n%s%s", code, out, errs)
	}
}

func TestMigrateBacksUpFirst(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir, bin := buildBinary(t)
	db := filepath.Join(dir, "anxin.db")
	if code, out, errs := runBin(t, bin, "migrate", "--db", db); code != 0 {
		t.Fatalf("migrate: %d %s%s", code, out, errs)
	}
	// As a binary before 0016 left it.
	raw, err := sql.Open("sqlite", "file:"+db)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DROP TABLE backups`, `DELETE FROM schema_migrations WHERE name LIKE '%0016_backups%'`} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	if code, out, errs := runBin(t, bin, "migrate", "--db", db); code != 0 {
		t.Fatalf("migrate: %d %s%s", code, out, errs)
	}
	list, err := store.ListBackups(filepath.Join(dir, "backups"))
	if err != nil || len(list) != 1 || list[0].Manifest.Kind != store.BackupPreMigrate {
		t.Fatalf("backups before migrating: %+v %v", list, err)
	}
	if code, _, _ := runBin(t, bin, "migrate", "--db", db); code != 0 {
		t.Fatal("migrate again")
	}
	if list, _ := store.ListBackups(filepath.Join(dir, "backups")); len(list) != 1 {
		t.Fatalf("%d backups after a migrate with nothing to do", len(list))
	}

	// A database from a newer version: one line naming both.
	raw, _ = sql.Open("sqlite", "file:"+db)
	raw.Exec(`INSERT INTO schema_migrations (name, applied_at) VALUES ('migrations/0042_later.sql', 0)`)
	raw.Close()
	code, _, errs := runBin(t, bin, "migrate", "--db", db)
	if code != 1 || !strings.Contains(errs, "0042_later") || !strings.Contains(errs, "version dev") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Fatalf("a newer database: exit %d %q", code, errs)
	}
}

// photoFiles counts the photo files under dir: every one a backup copies.
func photoFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
