package storetest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/jackc/pgx/v5/pgconn"
)

// The store's tests run on either engine. By default they run on SQLite,
// on files in t.TempDir(). With ANXIN_TEST_ENGINE=postgres they run on the
// PostgreSQL server ANXIN_TEST_POSTGRES names (a URL whose user may create
// databases): every database path a test opens becomes a database of its
// own there, named after the path (so that a test that reopens a path
// reopens its database), dropped when the test ends.

// OnPostgres tells whether the tests run on PostgreSQL.
func OnPostgres() bool { return os.Getenv("ANXIN_TEST_ENGINE") == "postgres" }

// SQLiteOnly skips a test of what only SQLite has (its file, its WAL, its
// online backup) when the tests run on PostgreSQL.
func SQLiteOnly(tb testing.TB, why string) {
	tb.Helper()
	if OnPostgres() {
		tb.Skip("SQLite only: " + why)
	}
}

var (
	adminOnce sync.Once
	admin     *sql.DB
	adminErr  error
	dsns      sync.Map // *store.Store -> its PostgreSQL URL
)

// Database is what a test opens as the database at path: the path itself,
// or with ANXIN_TEST_ENGINE=postgres the URL of the database that stands
// for it (created empty, dropped when tb ends).
func Database(tb testing.TB, path string) string {
	tb.Helper()
	if OnPostgres() {
		return postgresFor(tb, path)
	}
	return path
}

// postgresFor is the URL of the PostgreSQL database that stands for the
// database file path, created empty if it is not there yet, and dropped
// when tb ends.
func postgresFor(tb testing.TB, path string) string {
	tb.Helper()
	server := os.Getenv("ANXIN_TEST_POSTGRES")
	if server == "" {
		tb.Fatal("ANXIN_TEST_ENGINE=postgres needs ANXIN_TEST_POSTGRES, the URL of a server where the tests may create databases")
	}
	admin := adminDB(tb)
	sum := sha256.Sum256([]byte(filepath.Clean(path)))
	name := "anxin_t_" + hex.EncodeToString(sum[:10])
	if store.IsPostgres(path) {
		// A store's Path (its URL without the password): a test
		// reopening the database it had open.
		u, err := url.Parse(path)
		if err != nil {
			tb.Fatal(err)
		}
		name = strings.TrimPrefix(u.Path, "/")
	}
	ctx := context.Background()
	_, err := admin.ExecContext(ctx, `CREATE DATABASE `+name)
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &pe) && pe.Code == "42P04": // a reopening: it is there
	case err != nil:
		tb.Fatalf("create database %s: %v", name, err)
	default:
		tb.Cleanup(func() {
			if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
				tb.Errorf("drop database %s: %v", name, err)
			}
		})
	}
	return serverURL(tb, name)
}

// Fixture is the database a generator built as a SQLite file at path
// (DueDatabase, BenchDatabase), for MustOpenWith(tb, path, ...) to open:
// the file itself, or with ANXIN_TEST_ENGINE=postgres the database that
// stands for path, filled from the file by store.Copy (as anxin copy moves
// a deployment), so that the test runs on the same data on either engine.
func Fixture(tb testing.TB, path string) string {
	tb.Helper()
	if !OnPostgres() {
		return path
	}
	to := postgresFor(tb, path)
	if _, err := store.Copy(context.Background(), path, to, Config(anxin.NewManualClock(Epoch)), store.CopyOptions{}); err != nil {
		tb.Fatalf("moving the fixture %s to PostgreSQL: %v", path, err)
	}
	return path
}

// FreshPostgres is the URL of a new, empty database on the server
// ANXIN_TEST_POSTGRES names, dropped when tb ends, for tests that run on
// PostgreSQL whatever ANXIN_TEST_ENGINE says (several nodes on one
// database). Without a server named, tb is skipped, or fails when
// ANXIN_POSTGRES_REQUIRED=1.
func FreshPostgres(tb testing.TB) string {
	tb.Helper()
	if os.Getenv("ANXIN_TEST_POSTGRES") == "" {
		if os.Getenv("ANXIN_POSTGRES_REQUIRED") == "1" {
			tb.Fatal("ANXIN_POSTGRES_REQUIRED=1, but ANXIN_TEST_POSTGRES names no PostgreSQL server")
		}
		tb.Skip("ANXIN_TEST_POSTGRES is not set: no PostgreSQL server " +
			"(e.g. ANXIN_TEST_POSTGRES=postgres://anxin:anxin@127.0.0.1:5432/postgres)")
	}
	random := make([]byte, 16)
	_, _ = rand.Read(random)
	return postgresFor(tb, "fresh/"+hex.EncodeToString(random))
}

// MustBenchPostgres is the URL of the n-ticket benchmark database on the
// PostgreSQL server ANXIN_TEST_POSTGRES names: the SQLite one
// (MustBenchDatabase) moved there by store.Copy, as anxin copy does, the
// first time, into anxin_bench_v3_<n>, which is kept for later runs (drop it
// to build it again). Without a server the benchmark is skipped.
func MustBenchPostgres(b *testing.B, n int) string {
	b.Helper()
	if os.Getenv("ANXIN_TEST_POSTGRES") == "" {
		b.Skip("ANXIN_TEST_POSTGRES is not set: no PostgreSQL server to benchmark")
	}
	name := fmt.Sprintf("anxin_bench_v3_%d", n)
	ctx := context.Background()
	db := adminDB(b)
	var found bool
	if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = ?)`, name).Scan(&found); err != nil {
		b.Fatal(err)
	}
	if found {
		return serverURL(b, name)
	}
	src := MustBenchDatabase(b, n)
	building := name + "_building" // what a build that stopped half-way left is dropped
	for _, q := range []string{`DROP DATABASE IF EXISTS ` + building + ` WITH (FORCE)`, `CREATE DATABASE ` + building} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	start := time.Now()
	if _, err := store.Copy(ctx, src, serverURL(b, building), Config(anxin.NewManualClock(Epoch)), store.CopyOptions{}); err != nil {
		b.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `ALTER DATABASE `+building+` RENAME TO `+name); err != nil {
		b.Fatal(err)
	}
	b.Logf("copied the %d-ticket benchmark database to PostgreSQL in %v", n, time.Since(start).Round(time.Second))
	return serverURL(b, name)
}

// CopyPostgres is a new database made from the one at src (as its
// template), for a benchmark that changes it; dropped when tb ends. No
// connection to src may be open meanwhile.
func CopyPostgres(tb testing.TB, src string) string {
	tb.Helper()
	u, err := url.Parse(src)
	if err != nil {
		tb.Fatal(err)
	}
	random := make([]byte, 8)
	_, _ = rand.Read(random)
	name := "anxin_t_" + hex.EncodeToString(random)
	db := adminDB(tb)
	if _, err := db.ExecContext(context.Background(), `CREATE DATABASE `+name+` TEMPLATE `+strings.TrimPrefix(u.Path, "/")); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if _, err := db.ExecContext(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			tb.Errorf("drop database %s: %v", name, err)
		}
	})
	return serverURL(tb, name)
}

// adminDB is the connection to ANXIN_TEST_POSTGRES that makes and drops
// the tests' databases.
func adminDB(tb testing.TB) *sql.DB {
	tb.Helper()
	adminOnce.Do(func() {
		admin, adminErr = store.OpenPostgresDB(os.Getenv("ANXIN_TEST_POSTGRES"), false)
		if adminErr == nil {
			admin.SetMaxOpenConns(2)
		}
	})
	if adminErr != nil {
		tb.Fatal(adminErr)
	}
	return admin
}

// serverURL is ANXIN_TEST_POSTGRES naming the database name instead.
func serverURL(tb testing.TB, name string) string {
	tb.Helper()
	u, err := url.Parse(os.Getenv("ANXIN_TEST_POSTGRES"))
	if err != nil {
		tb.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}
