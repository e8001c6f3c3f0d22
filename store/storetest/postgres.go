package storetest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

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
	adminOnce.Do(func() {
		admin, adminErr = store.OpenPostgresDB(server, false)
		if adminErr == nil {
			admin.SetMaxOpenConns(2)
		}
	})
	if adminErr != nil {
		tb.Fatal(adminErr)
	}
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
	u, err := url.Parse(server)
	if err != nil {
		tb.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
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
