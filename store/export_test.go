package store

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/anxin-helpdesk/anxin"
	"modernc.org/sqlite"
)

// DB exposes the write pool to tests that check what no method reveals.
func DB(s *Store) *sql.DB { return s.db }

// MigrateBefore makes a database at path with the migrations before the
// one named applied (such as "0008"), as a binary of that time left it.
func MigrateBefore(path, name string) error {
	db, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return err
	}
	defer db.Close()
	s := &Store{db: db, path: path, cfg: Config{Clock: anxin.SystemClock{}}}
	if _, err := db.Exec(`CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return err
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, n := range names {
		if n >= "migrations/"+name {
			break
		}
		if err := s.migrateOne(context.Background(), n); err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
	}
	return nil
}

// FindSimilar runs the duplicate lookup an upload of a picture with this
// perceptual hash to ticketID would run.
func FindSimilar(s *Store, hash uint64, ticketID int64) ([]anxin.Duplicate, error) {
	return findDuplicates(context.Background(), s.read(), anxin.Evidence{TicketID: ticketID, PHash: hash}, 1<<20)
}

// InsertHashes records photo rows with the given perceptual hashes on a
// ticket, in one transaction: for lookup tests and benchmarks that need
// more photos than can be made.
func InsertHashes(s *Store, ticketID int64, hashes []uint64) error {
	tx, err := s.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	st, err := tx.Prepare(`INSERT INTO evidence (ticket_id, party, sha256, width, height, bytes, uploaded_by, created_at,
		phash, ph0, ph1, ph2, ph3) VALUES (?, 'buyer', ?, 1, 1, 1, 'test', 0, ?, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	for i, h := range hashes {
		q := quarters(h)
		if _, err := st.Exec(ticketID, fmt.Sprintf("%064x", i), int64(h), q[0], q[1], q[2], q[3]); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// IdempotentFailing runs, once per key, a use case that opens a ticket from
// the claim and then fails with err, as an internal failure would.
func IdempotentFailing(s *Store, ctx context.Context, key IdempotencyKey, c anxin.Claim, err error) (TicketView, bool, error) {
	return s.idempotent(ctx, key, func(ctx context.Context, tx *wtx) (TicketView, error) {
		if _, cerr := createTicket(ctx, tx, c); cerr != nil {
			return TicketView{}, cerr
		}
		return TicketView{}, err
	})
}

// NestedWrite makes a write that asks, from inside, for another.
func NestedWrite(s *Store, ctx context.Context) error {
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		_, err := s.CreateMerchant(ctx, anxin.Merchant{Code: "nested", Name: "嵌套"})
		return err
	})
}

// sqlHooks are what anxin_test_hook(name) calls, by name: a statement that
// calls it runs Go code of a test at that point of its execution.
var sqlHooks sync.Map // name -> func()

func init() {
	sqlite.MustRegisterScalarFunction("anxin_test_hook", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		if name, ok := args[0].(string); ok {
			if fn, ok := sqlHooks.Load(name); ok {
				fn.(func())()
			}
		}
		return int64(0), nil
	})
}

// OnSQLHook sets what anxin_test_hook(name) does.
func OnSQLHook(name string, fn func()) { sqlHooks.Store(name, fn) }

// HookedWrite is a write of its own (through the writer, batched with
// others) whose first statement calls anxin_test_hook(hook) as it starts,
// then runs on for a few hundred thousand rows (long enough for an
// interrupt to land inside it) and records a merchant with the code.
func HookedWrite(s *Store, ctx context.Context, hook, code string) error {
	return s.write(ctx, func(ctx context.Context, tx *wtx) error {
		// An interrupted INSERT, UPDATE or DELETE (not a SELECT) makes
		// SQLite roll back the whole transaction it is in.
		_, err := tx.ExecContext(ctx, `WITH RECURSIVE c(x) AS (SELECT anxin_test_hook(?)
			UNION ALL SELECT x + 1 FROM c WHERE x < 300000)
			INSERT INTO merchants (code, name, created_at) SELECT ?, ?, 0 FROM c WHERE x = 300000`, hook, code, code)
		return err
	})
}

// VitalsSQL are the queries behind Vitals, for a test of their plans.
var VitalsSQL = []string{vitalsTicketsSQL, vitalsAutoSQL, vitalsOutboxSQL, vitalsBackupsSQL}

// AskedSQL is the query behind Asked, for a test of its plan.
const AskedSQL = askedSQL

// AlertTicketPeople runs alertTicketPeople on the ticket, in a write of its own.
func AlertTicketPeople(s *Store, ticketID int64, kind anxin.AlertKind, detail string) error {
	return s.write(context.Background(), func(ctx context.Context, tx *wtx) error {
		t, err := findTicket(ctx, tx, anxin.AllMerchants(), ticketID)
		if err != nil {
			return err
		}
		return alertTicketPeople(ctx, tx, t, kind, detail)
	})
}

// ExplainCandidates is the query plan of auto-assignment's candidates.
func ExplainCandidates(s *Store) (string, error) {
	rows, err := s.db.Query(`EXPLAIN QUERY PLAN ` + candidatesQuery)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var out string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return "", err
		}
		out += detail + "\n"
	}
	return out, rows.Err()
}

// RebuildSearch empties the search index and builds it again as a backfill
// does, in batches of the size given.
func RebuildSearch(s *Store, batch int) (tickets, messages int, err error) {
	empty := []string{`INSERT INTO ticket_search (ticket_search) VALUES ('delete-all')`,
		`INSERT INTO message_search (message_search) VALUES ('delete-all')`}
	if s.pg {
		empty = []string{`DELETE FROM ticket_search`, `DELETE FROM message_search`}
	}
	err = s.write(context.Background(), func(ctx context.Context, tx *wtx) error {
		for _, q := range []string{
			empty[0], empty[1],
			`DELETE FROM search_backfill`,
			`INSERT INTO search_backfill SELECT (SELECT coalesce(max(id), 0) + 1 FROM tickets), (SELECT coalesce(max(id), 0) + 1 FROM messages)`,
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	return s.backfillSearch(context.Background(), batch)
}

// BackupPausing is BackupDatabase calling pause after each stage of the
// backup ("snapshot", "photos", "manifest"): a test stops it there.
func BackupPausing(ctx context.Context, dbPath string, cfg Config, dir string, pause func(stage string)) (Backup, error) {
	return backupDatabase(ctx, dbPath, cfg, dir, pause)
}

// InUse reports an error when another connection has the database at path
// open, as restore finds it.
func InUse(ctx context.Context, path string) error {
	db, conn, err := holdAlone(ctx, path)
	if err != nil {
		return err
	}
	return errors.Join(conn.Close(), db.Close())
}

// RebuildFigures counts the figures tables again from the tickets, events
// and refunds, as Open does when they are new.
func RebuildFigures(ctx context.Context, s *Store) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE figures_zone SET built = 0`); err != nil {
		return err
	}
	return s.prepareFigures(ctx)
}

// PhotoFileSums lists the photo files the store keeps, by their sha256:
// the files beside the database on SQLite, the rows of photo_files on
// PostgreSQL.
func PhotoFileSums(s *Store) ([]string, error) {
	var out []string
	if s.pg {
		rows, err := s.rdb.Query(`SELECT sha256 FROM photo_files ORDER BY sha256`)
		err = eachRow(rows, err, func(rows *sql.Rows) error {
			var sum string
			out = append(out, sum)
			return rows.Scan(&out[len(out)-1])
		})
		return out, err
	}
	err := filepath.WalkDir(s.cfg.PhotoDir, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err == nil && !d.IsDir() {
			out = append(out, strings.TrimSuffix(d.Name(), ".jpg"))
		}
		return err
	})
	slices.Sort(out)
	return out, err
}

// HoldWriter makes the writer run a write that waits until release is
// called: the writes asked for meanwhile queue, and the writer takes them
// as one batch once released. It returns once the writer holds.
func HoldWriter(s *Store) (release func()) {
	held, done := make(chan struct{}), make(chan struct{})
	go s.write(context.Background(), func(context.Context, *wtx) error {
		close(held)
		<-done
		return nil
	})
	<-held
	return func() { close(done) }
}

// WriteStatement runs one statement as a write of its own; with fail, the
// write fails after the statement ran.
func WriteStatement(s *Store, fail error, query string, args ...any) error {
	return s.write(context.Background(), func(ctx context.Context, tx *wtx) error {
		if _, err := tx.ExecContext(ctx, query, args...); err != nil {
			return err
		}
		return fail
	})
}

// QueuedWrites counts the writes waiting for the writer to take them: the
// goroutines blocked in enqueue's select (one whose write was taken waits
// for its answer in a channel receive instead).
func QueuedWrites() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	queued := 0
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		if bytes.Contains(g, []byte(" [select")) && bytes.Contains(g, []byte("store.(*Store).enqueue(")) {
			queued++
		}
	}
	return queued
}

// QueuePlan is how SQLite's planner reads the filter's queue page, as
// EXPLAIN QUERY PLAN says it, one step a line, on a read connection.
func QueuePlan(s *Store, f QueueFilter) (string, error) {
	query, args := f.paged().query()
	rows, err := s.read().QueryContext(context.Background(), `EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return "", err
		}
		plan = append(plan, detail)
	}
	return strings.Join(plan, "\n"), rows.Err()
}
