package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// Stamped at build time (see the Makefile's LDFLAGS):
//
//	-ldflags "-X main.version=v1.2.0 -X main.commit=<sha> -X main.buildDate=2026-01-02T03:04:05Z"
//
// What is not stamped is read from the module's build info: a `go build` in
// a git checkout records the commit and its time, `go install ...@v1.2.0`
// the module version.
var (
	version   = "dev"
	commit    = ""
	buildDate = ""
)

// buildStamp is what `anxin version` prints.
type buildStamp struct {
	Version, Commit, Date, Go string
	Modified                  bool // built from a work tree with changes not committed
}

func stamp() buildStamp {
	b := buildStamp{Version: version, Commit: commit, Date: buildDate,
		Go: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return b.withUnknowns()
	}
	if b.Version == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		b.Version = info.Main.Version
	}
	var vcsTime string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			if b.Commit == "" {
				b.Commit = s.Value
			}
		case "vcs.time":
			vcsTime = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true" && commit == ""
		}
	}
	if b.Date == "" && vcsTime != "" {
		b.Date = vcsTime + " (commit time)"
	}
	return b.withUnknowns()
}

func (b buildStamp) withUnknowns() buildStamp {
	if b.Commit == "" {
		b.Commit = "unknown"
	}
	if b.Date == "" {
		b.Date = "unknown"
	}
	return b
}

func printVersion(w io.Writer) {
	b := stamp()
	c := b.Commit
	if b.Modified {
		c += " (modified)"
	}
	fmt.Fprintf(w, "anxin %s\ncommit: %s\nbuilt:  %s\ngo:     %s\n", b.Version, c, b.Date, b.Go)
}
