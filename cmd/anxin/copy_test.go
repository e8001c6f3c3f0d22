package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// anxin copy, from the demo deployment into new PostgreSQL databases (it
// needs a server: ANXIN_TEST_POSTGRES).
func TestCopyCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	to := storetest.FreshPostgres(t)
	dir, bin := buildBinary(t)
	db := filepath.Join(dir, "data", "anxin.db")
	if code, out, errs := runBin(t, bin, "seed", "--demo", "--db", db); code != 0 {
		t.Fatalf("seed: exit %d\n%s%s", code, out, errs)
	}
	files := photoFiles(t, filepath.Join(dir, "data", "photos"))

	// Mistakes in the command line: exit 2, one line.
	for _, bad := range []struct {
		args []string
		says string
	}{
		{[]string{"copy", "--from", db}, "--to postgres://... is required"},
		{[]string{"copy", "--from", db, "--to", filepath.Join(dir, "other.db")}, "--to must be a PostgreSQL URL"},
		{[]string{"copy", "--from", to, "--to", to}, "--from must be a SQLite file"},
		{[]string{"copy", "--from", db, "--to", to, "--tz", "Mars/Olympus"}, "unknown time zone"},
	} {
		code, _, errs := runBin(t, bin, bad.args...)
		if code != 2 || !strings.Contains(errs, bad.says) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%v: exit %d %q; want exit 2 saying %q", bad.args[1:], code, errs, bad.says)
		}
	}

	// A server still on the source: refused, one line.
	base, stop := startServe(t, bin, dir, "--db", db)
	if code, _, errs := runBin(t, bin, "copy", "--from", db, "--to", to); code != 1 || !strings.Contains(errs, "in use") ||
		strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Fatalf("a copy while serve runs on the source: exit %d %q (serve at %s)", code, errs, base)
	}
	stop()

	code, out, errs := runBin(t, bin, "copy", "--from", db, "--to", to)
	if code != 0 || !strings.Contains(out, "copied and checked in") || strings.Contains(out, "PROBLEM") {
		t.Fatalf("copy: exit %d\n%s%s", code, out, errs)
	}
	if strings.Contains(out+errs, "anxin:anxin@") {
		t.Errorf("the password was printed:\n%s", out)
	}
	// Both sides, table by table, the same.
	m := regexp.MustCompile(`(?m)^  tickets +(\S+) +(\S+)$`).FindStringSubmatch(out)
	if m == nil || m[1] != m[2] || m[1] == "0" {
		t.Errorf("the tickets' counts: %q\n%s", m, out)
	}
	if rows := regexp.MustCompile(`(?m)^  [a-z_]+ +[0-9,]+ +[0-9,]+`).FindAllString(out, -1); len(rows) < 35 {
		t.Errorf("%d tables counted on both sides:\n%s", len(rows), out)
	}
	money := regexp.MustCompile(`(?m)^  money .*$`).FindAllString(out, -1)
	if len(money) != 2 || money[0] != money[1] || !strings.Contains(money[0], "succeeded ¥") {
		t.Errorf("the sums of money, source and destination: %q", money)
	}
	for _, want := range []string{
		fmt.Sprintf("photos    %s files", thousands(int64(files))),
		"in photo_files",
		"search    " + m[1] + " tickets",
		"counted afresh: as the source's",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the copy did not print %q:\n%s", want, out)
		}
	}

	// Again, into the database it filled (named by ANXIN_TO): refused.
	cmd := exec.Command(bin, "copy", "--from", db)
	cmd.Env = append(os.Environ(), "ANXIN_TO="+to)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(stderr.String(), "is not empty") ||
		!strings.Contains(stderr.String(), m[1]+" tickets") {
		t.Fatalf("a second copy: %v %q", err, stderr.String())
	}

	// A photo file gone: the copy stops naming it, and goes on past it
	// with --skip-missing-photos.
	var photo string
	filepath.WalkDir(filepath.Join(dir, "data", "photos"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && photo == "" {
			photo = p
		}
		return err
	})
	if err := os.Remove(photo); err != nil {
		t.Fatal(err)
	}
	other := storetest.FreshPostgres(t)
	if code, _, errs := runBin(t, bin, "copy", "--from", db, "--to", other); code != 1 ||
		!strings.Contains(errs, filepath.Base(photo)) || !strings.Contains(errs, "--skip-missing-photos") {
		t.Fatalf("a copy with a photo file missing: exit %d %q", code, errs)
	}
	code, out, errs = runBin(t, bin, "copy", "--from", db, "--to", other, "--skip-missing-photos")
	if code != 0 || !strings.Contains(out, "SKIPPED") || !strings.Contains(out, filepath.Base(photo)) ||
		!strings.Contains(out, fmt.Sprintf("photos    %s files", thousands(int64(files-1)))) {
		t.Fatalf("a copy past a missing photo file: exit %d\n%s%s", code, out, errs)
	}
}
