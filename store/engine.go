package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// The two engines. SQLite is the default: one file, nothing to install.
// PostgreSQL is for a desk that must survive the loss of a machine, or runs
// several nodes on one database. Every use case is the same code on both:
// the queries are written once, in the SQL both speak, with SQLite's
// placeholders (pgconn.go numbers them for PostgreSQL). Where the engines
// differ, the two statements stand side by side, chosen by s.pg.
//
// Several nodes on one PostgreSQL database write as one node does: each
// batch of the writer (write.go) first takes writerLock for its
// transaction, so batches of all the nodes take turns, and a use case that
// reads and then writes sees what every earlier one committed, as on SQLite.

// Advisory lock keys, one per kind of work that must run on one node at a
// time (PostgreSQL's pg_advisory_lock takes any bigint).
const (
	writerLock  int64 = 0x616e78696e_01 // "anxin" 1: a batch of writes
	migrateLock int64 = 0x616e78696e_02 // "anxin" 2: bringing the schema up to date
)

// openPostgres opens the PostgreSQL database the URL names, bringing its
// schema up to date.
func openPostgres(ctx context.Context, url string, cfg Config) (*Store, error) {
	name := redactDSN(url)
	write, err := pgDB(url, false)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", name, err)
	}
	write.SetMaxOpenConns(1) // the writer's, as on SQLite
	write.SetConnMaxIdleTime(0)
	if err := write.PingContext(ctx); err != nil {
		return nil, fmt.Errorf("store: cannot open %s: %w", name, errors.Join(err, write.Close()))
	}
	s := &Store{db: write, path: name, dsn: url, pg: true, cfg: cfg.withDefaults("anxin")}
	if err := s.prepare(ctx); err != nil {
		return nil, errors.Join(err, write.Close())
	}
	read, err := pgDB(url, true)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", name, errors.Join(err, write.Close()))
	}
	read.SetMaxOpenConns(8)
	read.SetMaxIdleConns(8)
	s.node = newNodeID()
	s.start(read)
	s.listen()
	return s, nil
}

// pgDB is a pool of connections to url; readOnly ones refuse to write, as
// SQLite's read pool does (query_only).
func pgDB(url string, readOnly bool) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	if readOnly {
		cfg.RuntimeParams["default_transaction_read_only"] = "on"
	}
	// A node that stops answering must not hold the others up: its
	// locks (the writers' turn, the scheduler's lead) go with its
	// connections, and another node is to take the scheduler over within
	// 10 s of losing one. The server asks an idle connection's far end
	// after 3 s and gives it up after three unanswered asks 2 s apart, and
	// gives up a connection whose data goes unacknowledged for 9 s (a
	// machine lost or cut off: 9 s, not Linux's two hours; a killed
	// process's connections close at once). A transaction left idle for
	// 10 s (a batch's statements follow one another within milliseconds:
	// its process is frozen) is ended. Where the URL sets one of these,
	// it wins.
	for k, v := range map[string]string{"application_name": "anxin", "tcp_keepalives_idle": "3",
		"tcp_keepalives_interval": "2", "tcp_keepalives_count": "3", "tcp_user_timeout": "9000",
		"idle_in_transaction_session_timeout": "10s"} {
		if _, set := cfg.RuntimeParams[k]; !set {
			cfg.RuntimeParams[k] = v
		}
	}
	return sql.OpenDB(pgConnector{stdlib.GetConnector(*cfg)}), nil
}

// OpenPostgresDB opens a pool of connections to the PostgreSQL database url
// names, whose queries are written as the store's are, with SQLite's
// placeholders; readOnly ones refuse to write. For tests and tools that
// read or copy what no method shows.
func OpenPostgresDB(url string, readOnly bool) (*sql.DB, error) { return pgDB(url, readOnly) }

// ErrPostgresBackup is the answer of backup, restore and check on
// PostgreSQL: its own tools do that (pg_dump, pg_basebackup and
// replication), as the README says.
var ErrPostgresBackup = errors.New("store: on PostgreSQL, back up and restore with PostgreSQL's own tools " +
	"(pg_dump and pg_restore, or pg_basebackup and replication: see the README); " +
	"anxin backup, restore and check work on SQLite files")

// knownMigrations are this binary's migrations for the store's engine.
func (s *Store) knownMigrations() []string {
	if s.pg {
		return knownPGMigrations()
	}
	return knownMigrations()
}

// IsPostgres tells a PostgreSQL URL (postgres:// or postgresql://), which
// Open takes as the database, from a SQLite file's path.
func IsPostgres(db string) bool { return isPostgres(db) }

// RedactURL is a PostgreSQL URL without its password, to be printed.
func RedactURL(url string) string { return redactDSN(url) }

// Postgres tells whether the store is on PostgreSQL.
func (s *Store) Postgres() bool { return s.pg }
