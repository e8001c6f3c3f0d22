// Command anxin is the Anxin after-sales helpdesk: one binary with its
// database, pages and static files inside.
//
//	anxin serve [--addr A] [--db PATH] [--demo] [--tls-cert F --tls-key F] [--metrics-addr A]
//	anxin migrate [--db PATH]
//	anxin seed --demo [--db PATH]
//	anxin user add --email E --role agent|merchant|admin [--merchant CODE] [--name N]
//	anxin apikey create --name NAME --merchant CODE | --all-merchants; list; revoke --id N
//	anxin backup --to DIR [--db PATH]
//	anxin restore --from DIR/anxin-YYYYMMDD-HHMMSS [--db PATH] [--force]
//	anxin check [--db PATH] [--backup DIR]
//	anxin copy --from PATH --to postgres://... [--photos DIR] [--skip-missing-photos]
//	anxin version
//
// Every flag has an ANXIN_* environment equivalent (--db is ANXIN_DB).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // the zone database, for hosts that have none
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "anxin:", oneLine(err))
		var u usageError
		if errors.As(err, &u) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

const usage = `usage: anxin <command> [flags]

commands:
  serve     start the helpdesk (--addr, --db, --demo, --tls-cert/--tls-key, --metrics-addr, --backup-dir, ...)
  migrate   bring the database schema up to date (--db)
  seed      fill an empty database with demo data (--demo, --db)
  user add  create a login (--email, --role, --merchant, --name); password from stdin or generated
  apikey    intake API keys: create --name NAME --merchant CODE|--all-merchants (printed once), list, revoke --id N
  backup    write a verified backup of the database and its photos, while serve runs (--to DIR, --db)
  restore   put a backup back into a stopped deployment (--from DIR/anxin-..., --db, --force)
  check     check a database (--db) or a backup (--backup DIR): integrity, foreign keys, photos
  copy      move a stopped SQLite deployment into a new PostgreSQL database and check both sides
            (--from PATH, --to postgres://..., --photos DIR, --skip-missing-photos)
  version   print the version, commit, build date and Go version

Every flag has an ANXIN_* environment equivalent, e.g. ANXIN_DB for --db.`

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg + " (see anxin help)" }

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return usageError{"no command given"}
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		return serve(ctx, rest, stdout, stderr)
	case "migrate":
		return migrate(ctx, rest, stdout)
	case "seed":
		return seed(ctx, rest, stdout)
	case "user":
		if len(rest) == 0 || rest[0] != "add" {
			return usageError{`the user command takes "add"`}
		}
		return userAdd(ctx, rest[1:], stdin, stdout)
	case "apikey":
		return apikey(ctx, rest, stdout)
	case "backup":
		return backup(ctx, rest, stdout)
	case "restore":
		return restore(ctx, rest, stdout)
	case "check":
		return check(ctx, rest, stdout)
	case "copy":
		return copyCmd(ctx, rest, stdout)
	case "version", "--version", "-version":
		printVersion(stdout)
		return nil
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	default:
		return usageError{fmt.Sprintf("unknown command %q", cmd)}
	}
}

// flags is a command's flag set whose defaults come from ANXIN_* variables.
type flags struct{ *flag.FlagSet }

func newFlags(name string) flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return flags{fs}
}

func envName(flagName string) string {
	return "ANXIN_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func (f flags) str(name, def, help string) *string {
	if v, ok := os.LookupEnv(envName(name)); ok {
		def = v
	}
	return f.String(name, def, help)
}

func (f flags) boolean(name string, def bool, help string) *bool {
	if v, ok := os.LookupEnv(envName(name)); ok {
		def = v == "1" || strings.EqualFold(v, "true") || strings.EqualFold(v, "yes")
	}
	return f.Bool(name, def, help)
}

func (f flags) integer(name string, def int, help string) *int {
	if v, ok := os.LookupEnv(envName(name)); ok {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
			def = n
		}
	}
	return f.Int(name, def, help)
}

func (f flags) duration(name string, def time.Duration, help string) *time.Duration {
	if v, ok := os.LookupEnv(envName(name)); ok {
		if d, err := time.ParseDuration(strings.TrimSpace(v)); err == nil {
			def = d
		}
	}
	return f.Duration(name, def, help)
}

func (f flags) parse(args []string) error {
	if err := f.Parse(args); err != nil {
		return usageError{f.Name() + ": " + err.Error()}
	}
	if f.NArg() > 0 {
		return usageError{fmt.Sprintf("%s: unexpected argument %q", f.Name(), f.Arg(0))}
	}
	return nil
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
