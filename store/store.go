// Package store keeps Anxin's data in SQLite (modernc.org/sqlite, pure Go),
// or in PostgreSQL (jackc/pgx) when it is opened with a postgres:// URL.
//
// Writes go through one connection with _txlock=immediate, so a transaction
// that reads and then writes never fails with SQLITE_BUSY; reads use their own
// pool. Every state change is one transaction that compares-and-sets the
// ticket's version and appends its event. On PostgreSQL each batch of writes
// first takes a transaction-scoped advisory lock, so that the writers of
// several nodes on one database take turns as one node's batches do
// (engine.go).
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/photo"
	"golang.org/x/crypto/bcrypt"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql migrations/postgres/*.sql
var migrations embed.FS

// Store is the database. Its methods are safe for concurrent use.
type Store struct {
	db   *sql.DB // the write connection, owned by the writer goroutine
	rdb  *sql.DB // the read pool
	path string  // the SQLite file, or the PostgreSQL URL without its password
	dsn  string  // what Open was given
	pg   bool    // on PostgreSQL

	writes     chan writeReq // people's writes
	background chan writeReq // the system's own, taken when no person waits
	closing    chan struct{}
	writerDone chan struct{}
	closeOnce  sync.Once
	stmts      map[string]*sql.Stmt // the writer's prepared statements
	reads      sync.Map             // query -> *sql.Stmt on the read pool
	hub        noticeHub
	unprepared []string

	hooks *hooks // wake-ups and caches of the API, webhooks and scheduler

	lead leader // the scheduler's lead among nodes on PostgreSQL (leader.go)

	// On PostgreSQL, what the other nodes commit is heard (notify.go).
	node      string // this node's name in its notifications
	listener  listener
	listening atomic.Bool

	// files is held for reading from writing a photo's files until its row
	// is committed, and for writing while files of deleted photos are
	// removed: a file is never removed between an upload finding it on
	// disk and its row being written.
	files sync.RWMutex

	// dummyHash is compared against when a login names no account, so
	// that it takes as long as one that does: made at the store's cost on
	// the first such login, not by every binary and test at start.
	dummyHash func() []byte

	cfg Config
}

// Config is how a store runs. It is given to Open and never changes
// afterwards; its zero value is a store for production.
type Config struct {
	// Clock is where every "now" comes from; default the wall clock.
	Clock anxin.Clock
	// Photos are the upload limits and the sizes photos are kept in;
	// zero fields take photo.DefaultOptions().
	Photos photo.Options
	// PhotoDir is where photos are kept; default "photos" beside the database.
	PhotoDir string
	// BcryptCost is the cost of new password hashes; default
	// bcrypt.DefaultCost (tests lower it).
	BcryptCost int
	// MaxBatch is how many writes may share a commit (group commit, see
	// write.go); default DefaultMaxBatch, 1 for a transaction each.
	MaxBatch int
	// Version is the binary's version: named when a database written by a
	// newer one is refused, and in the manifests of backups; default "dev".
	Version string
	// PreMigrateBackupDir, when set, is where Open writes a backup of a
	// database whose schema it is about to change, before the first
	// migration runs (backup.go); a failed backup leaves the schema as it
	// was. A new, empty database is not backed up. Empty: no backup.
	PreMigrateBackupDir string
	// Zone is the display zone, whose calendar days the figures are kept
	// by; default Asia/Shanghai. Opening with another zone than the last
	// time counts them again (figures.go).
	Zone *time.Location
	// Observer, when set, is told how long writes and commits take (the
	// metrics); nil: nobody.
	Observer WriteObserver
	// RefundUndo is how long a refund a person pressed waits before it is
	// handed to the payment system, during which it may be undone
	// (desk.go); 0 hands every refund over at once.
	RefundUndo time.Duration
}

// WriteObserver is told of the group-commit writer's work (write.go). Its
// methods are called on the hot path, from many goroutines: they must be
// quick and safe for concurrent use.
type WriteObserver interface {
	// Write is one use case's write, from the moment it was asked for to
	// its answer (queued, run and committed or rolled back); background is
	// the system's own work (the scheduler's), which waits behind people's.
	Write(background bool, took time.Duration)
	// Commit is one batch's transaction, from its begin to its commit, and
	// how many writes shared it.
	Commit(writes int, took time.Duration)
}

func (c Config) withDefaults(dbPath string) Config {
	if c.Clock == nil {
		c.Clock = anxin.SystemClock{}
	}
	c.Photos = c.Photos.WithDefaults()
	if c.PhotoDir == "" {
		c.PhotoDir = filepath.Join(filepath.Dir(dbPath), "photos")
	}
	if c.BcryptCost == 0 {
		c.BcryptCost = bcrypt.DefaultCost
	}
	if c.MaxBatch <= 0 {
		c.MaxBatch = DefaultMaxBatch
	}
	c.Version = c.version()
	if c.Zone == nil {
		c.Zone = defaultZone()
	}
	return c
}

// defaultZone is Asia/Shanghai, or its fixed offset where the host has no
// zone database (the binary embeds one).
func defaultZone() *time.Location {
	if z, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return z
	}
	return time.FixedZone("CST", 8*60*60)
}

func (c Config) version() string {
	if c.Version == "" {
		return "dev"
	}
	return c.Version
}

// dsn builds the connection string. Pragmas in the DSN run on every pooled
// connection; a PRAGMA through Exec would reach only one of them.
func dsn(path string, write bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)") // refunds must survive a power cut
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "temp_store(MEMORY)")        // savepoint sub-journals: group commit gives every write one
	q.Add("_pragma", "wal_autocheckpoint(10000)") // 40 MB of WAL between checkpoints: each copies scattered pages and fsyncs the file
	if write {
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	return "file:" + uriPath.Replace(path) + "?" + q.Encode()
}

// uriPath escapes what would end a file: URI's path early (its query and
// fragment) and the escape character itself; SQLite decodes them.
var uriPath = strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23")

// Open opens (creating if needed) the database at path and brings its schema
// up to date. A path that cannot be created or a file that is not an SQLite
// database is an error, and leaves nothing behind that was not there before.
//
// A postgres:// (or postgresql://) URL opens that PostgreSQL database
// instead (engine.go).
func Open(ctx context.Context, path string, cfg Config) (*Store, error) {
	if path == "" {
		return nil, fmt.Errorf("store: no database path given")
	}
	if isPostgres(path) {
		return openPostgres(ctx, path, cfg)
	}
	dir := filepath.Dir(path)
	createdDir := false
	switch fi, err := os.Stat(dir); {
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("store: cannot create %s: %w", dir, err)
		}
		createdDir = true
	case err != nil:
		return nil, fmt.Errorf("store: cannot use %s: %w", dir, err)
	case !fi.IsDir():
		return nil, fmt.Errorf("store: cannot use %s: not a directory", dir)
	}
	_, statErr := os.Stat(path)
	existed := statErr == nil
	if !existed {
		// Created readable by its owner only: SQLite gives the -wal and
		// -shm files it makes beside it the same permissions.
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err == nil {
			err = f.Close()
		}
		if err != nil {
			if createdDir {
				_ = os.Remove(dir)
			}
			return nil, fmt.Errorf("store: cannot create %s: %w", path, err)
		}
	}
	s, err := open(ctx, path, cfg.withDefaults(path))
	if err != nil {
		if !existed {
			// Leave nothing behind that was not there (best effort: the
			// error that brought us here is the one to report).
			for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
				_ = os.Remove(path + suffix)
			}
		}
		if createdDir {
			_ = os.Remove(dir)
		}
		return nil, err
	}
	return s, nil
}

func open(ctx context.Context, path string, cfg Config) (*Store, error) {
	if err := checkHeader(path); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		return nil, fmt.Errorf("store: cannot open %s: %w", path, errors.Join(err, db.Close()))
	}
	s := &Store{db: db, path: path, dsn: path, cfg: cfg}
	if err := s.prepare(ctx); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	rdb, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("store: %w", errors.Join(err, db.Close()))
	}
	rdb.SetMaxOpenConns(8)
	rdb.SetMaxIdleConns(8)
	rdb.SetConnMaxLifetime(readMaxLifetime)
	s.start(rdb)
	return s, nil
}

// prepare brings a store's schema up to date, on its write connection,
// before its writer starts.
func (s *Store) prepare(ctx context.Context) error {
	s.hooks = newHooks()
	s.dummyHash = sync.OnceValue(func() []byte {
		h, _ := bcrypt.GenerateFromPassword([]byte("anxin-no-such-user"), s.cfg.BcryptCost)
		return h
	})
	if err := s.migrate(ctx); err != nil {
		return err
	}
	if err := s.prepareFigures(ctx); err != nil {
		return err
	}
	if s.pg {
		return nil
	}
	return optimizeStats(ctx, s.db)
}

// start gives the store its read pool and starts its writer.
func (s *Store) start(rdb *sql.DB) {
	s.rdb = rdb
	s.writes, s.background = make(chan writeReq), make(chan writeReq)
	s.closing, s.writerDone = make(chan struct{}), make(chan struct{})
	s.stmts = map[string]*sql.Stmt{}
	go s.writer()
}

// checkHeader refuses an existing non-empty file that is not SQLite, before
// the driver touches it.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: cannot open %s: %w", path, err)
	}
	defer func() { _ = f.Close() }() // read only
	head := make([]byte, 16)
	n, _ := f.Read(head)
	if n == 0 {
		return nil
	}
	if string(head[:n]) != "SQLite format 3\x00" {
		return fmt.Errorf("store: %s is not an SQLite database", path)
	}
	return nil
}

// Close stops the writer, after the writes it has taken, lets the
// scheduler's lead go, and closes both pools. Writes asked for after Close fail.
func (s *Store) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.closing)
		<-s.writerDone
		s.listener.stop()
		s.reads.Range(func(_, st any) bool { st.(*sql.Stmt).Close(); return true })
		err = errors.Join(s.lead.close(), s.rdb.Close(), s.db.Close())
	})
	return err
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Dir is the directory the database is in.
func (s *Store) Dir() string { return filepath.Dir(s.path) }

// Clock is the store's clock, where every "now" comes from.
func (s *Store) Clock() anxin.Clock { return s.cfg.Clock }

// Photos are the store's upload limits and photo sizes.
func (s *Store) Photos() photo.Options { return s.cfg.Photos }

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.rdb.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

func (s *Store) now() time.Time { return s.cfg.Clock.Now().UTC() }

// migrate applies the embedded migrations not yet applied, in name order,
// each in its own transaction. A database with a migration this binary does
// not know was written by a newer one, and is refused before anything is
// changed. When migrations are to change a database that has a schema
// already, and the configuration asks for it, a backup is written first.
func (s *Store) migrate(ctx context.Context) error {
	if s.pg {
		// Nodes starting at once: one migrates, the others wait, then
		// find nothing left to do.
		if _, err := s.db.ExecContext(ctx, `SELECT pg_advisory_lock(?)`, migrateLock); err != nil {
			return fmt.Errorf("store: cannot use %s: %w", s.path, err)
		}
		// Should the unlock fail, the connection has failed: the server
		// lets the lock go with it.
		defer func() {
			_, _ = s.db.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(?)`, migrateLock)
		}()
	}
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("store: cannot use %s: %w", s.path, err)
	}
	sch, err := readSchema(ctx, s.db, s.knownMigrations())
	if err != nil {
		return fmt.Errorf("store: cannot use %s: %w", s.path, err)
	}
	if err := sch.refuseNewer(s.path, s.cfg.Version); err != nil {
		return err
	}
	var pre *BackupRecord
	if len(sch.pending) > 0 && len(sch.applied) > 0 && s.cfg.PreMigrateBackupDir != "" {
		rec, err := s.preMigrateBackup(ctx, sch)
		if err != nil {
			return err
		}
		pre = &rec
	}
	for _, name := range sch.pending {
		if err := s.migrateOne(ctx, name); err != nil {
			return fmt.Errorf("store: migration %s: %w", name, err)
		}
	}
	if pre != nil {
		// Told of only now: the table that records backups may be one of
		// the migrations just applied.
		return recordBackup(ctx, s.db, *pre)
	}
	return nil
}

func (s *Store) migrateOne(ctx context.Context, name string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations WHERE name = ?", name).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	body, err := migrations.ReadFile(name)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)", name, ms(s.now())); err != nil {
		return err
	}
	return tx.Commit()
}

// Times are stored as UTC unix milliseconds; zero times as NULL.
func ms(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

func fromMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMilli(v.Int64).UTC()
}
