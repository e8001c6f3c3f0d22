package main

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestVersionPrintsWhatWasStamped(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	// Built as `make release` builds it: the flags stamp every field.
	bin := filepath.Join(t.TempDir(), "anxin")
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, "-ldflags",
		"-s -w -X main.version=v1.4.2 -X main.commit=0123456789abcdef0123456789abcdef01234567 -X main.buildDate=2026-03-04T05:06:07Z", ".")
	cmd.Env = append(cmd.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatal(err)
	}
	want := "anxin v1.4.2\n" +
		"commit: 0123456789abcdef0123456789abcdef01234567\n" +
		"built:  2026-03-04T05:06:07Z\n" +
		"go:     " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + "\n"
	if string(out) != want {
		t.Errorf("anxin version printed\n%s\nwant\n%s", out, want)
	}
}

func TestVersionUnstamped(t *testing.T) {
	// A test binary carries no stamp and no VCS information: every field
	// is still printed, the unknown ones saying so.
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "anxin ") || !strings.HasPrefix(lines[1], "commit: ") ||
		!strings.HasPrefix(lines[2], "built:  ") || lines[3] != "go:     "+runtime.Version()+" "+runtime.GOOS+"/"+runtime.GOARCH {
		t.Errorf("anxin version printed %q", out.String())
	}
	for _, l := range lines {
		if strings.HasSuffix(l, ": ") || strings.HasSuffix(l, ":  ") {
			t.Errorf("an empty field: %q", l)
		}
	}
}
