package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// Vitals are the figures an operator watches (the metrics endpoint reads
// them at every scrape). Each comes from an index, never from the rows:
// at 1,000,000 tickets (300,000 open) the whole set takes a few tens of
// milliseconds, the counts by state most of it (store/vitals_bench_test.go).
type Vitals struct {
	At      time.Time             // the store's now, which "overdue" and the ages are measured at
	Open    map[anxin.State]int64 // open tickets by state; every state that is not terminal is there
	Overdue map[anxin.State]int64 // of those, the ones whose deadline has passed

	// OldestAuto is the oldest deadline the scheduler is to act on
	// (passed or not); zero when none. Lag is how long ago it passed: the
	// scheduler's lag behind the clock, 0 when it has not passed.
	OldestAuto time.Time
	Lag        time.Duration

	// The webhook outbox: deliveries waiting for a first try or a retry,
	// those of them due now, and the oldest due one's due time (zero when
	// none is due).
	OutboxPending int64
	OutboxDue     int64
	OldestDue     time.Time

	DBBytes, WALBytes int64 // the database file and its write-ahead log

	// Backups: the latest backup of each kind taken (tried), and the
	// latest one that succeeded, of any kind (ok false when none).
	LastBackups      map[BackupKind]BackupRecord
	LastGoodBackup   BackupRecord
	LastGoodBackupOK bool
}

// The queries behind Vitals, each answered from an index: a test checks
// their plans (vitals_test.go).
const (
	// tickets_queue_state (state, due_at, id) covers it: one pass over the
	// open tickets' index entries, no row read.
	vitalsTicketsSQL = `SELECT state, count(*), sum(CASE WHEN due_at <= ?1 THEN 1 ELSE 0 END) FROM tickets WHERE due_at IS NOT NULL GROUP BY state`
	// tickets_auto: its first entry.
	vitalsAutoSQL = `SELECT min(auto_at) FROM tickets WHERE auto_at IS NOT NULL`
	// webhook_deliveries_due (next_at, id) covers it, and holds only the
	// deliveries still to be tried.
	vitalsOutboxSQL = `SELECT count(*), sum(CASE WHEN next_at <= ?1 THEN 1 ELSE 0 END), min(CASE WHEN next_at <= ?2 THEN next_at END)
		FROM webhook_deliveries WHERE next_at IS NOT NULL`
	// The latest backup of each kind (backups_kind) and the latest good one
	// (the table keeps keptBackupRecords rows).
	vitalsBackupsSQL = `SELECT id, kind, started_at, finished_at, path, bytes, tickets, photos, error
		FROM backups WHERE id IN (SELECT max(id) FROM backups GROUP BY kind)
		UNION ALL SELECT * FROM (SELECT id, '', started_at, finished_at, path, bytes, tickets, photos, error
		FROM backups WHERE error = '' ORDER BY id DESC LIMIT 1) good`
)

// Vitals reads the figures.
func (s *Store) Vitals(ctx context.Context) (Vitals, error) {
	v := Vitals{At: s.now(), Open: map[anxin.State]int64{}, Overdue: map[anxin.State]int64{},
		LastBackups: map[BackupKind]BackupRecord{}}
	for _, st := range anxin.States() {
		if !st.Terminal() {
			v.Open[st], v.Overdue[st] = 0, 0
		}
	}
	now := ms(v.At)
	rows, err := s.read().QueryContext(ctx, vitalsTicketsSQL, now)
	if err != nil {
		return v, fmt.Errorf("vitals: tickets: %w", err)
	}
	for rows.Next() {
		var st anxin.State
		var open, overdue int64
		if err := rows.Scan(&st, &open, &overdue); err != nil {
			rows.Close()
			return v, fmt.Errorf("vitals: tickets: %w", err)
		}
		v.Open[st], v.Overdue[st] = open, overdue
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return v, fmt.Errorf("vitals: tickets: %w", err)
	}

	var auto sql.NullInt64
	if err := s.read().QueryRowContext(ctx, vitalsAutoSQL).Scan(&auto); err != nil {
		return v, fmt.Errorf("vitals: scheduler: %w", err)
	}
	if v.OldestAuto = fromMS(auto); !v.OldestAuto.IsZero() && v.OldestAuto.Before(v.At) {
		v.Lag = v.At.Sub(v.OldestAuto)
	}

	var due sql.NullInt64
	var nDue sql.NullInt64
	if err := s.read().QueryRowContext(ctx, vitalsOutboxSQL, now, now).Scan(&v.OutboxPending, &nDue, &due); err != nil {
		return v, fmt.Errorf("vitals: outbox: %w", err)
	}
	v.OutboxDue, v.OldestDue = nDue.Int64, fromMS(due)

	if err := s.lastBackups(ctx, &v); err != nil {
		return v, err
	}
	if s.pg {
		// Its write-ahead log is the server's, shared by its databases:
		// PostgreSQL's own metrics tell of it.
		if err := s.read().QueryRowContext(ctx, `SELECT pg_database_size(current_database())`).Scan(&v.DBBytes); err != nil {
			return v, fmt.Errorf("vitals: %w", err)
		}
		return v, nil
	}
	var err2 error
	if v.DBBytes, err2 = fileSize(s.path); err2 != nil {
		return v, fmt.Errorf("vitals: %w", err2)
	}
	if v.WALBytes, err2 = fileSize(s.path + "-wal"); err2 != nil {
		return v, fmt.Errorf("vitals: %w", err2)
	}
	return v, nil
}

// lastBackups reads the latest backup of each kind and the latest good one.
func (s *Store) lastBackups(ctx context.Context, v *Vitals) error {
	rows, err := s.read().QueryContext(ctx, vitalsBackupsSQL)
	if err != nil {
		return fmt.Errorf("vitals: backups: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r BackupRecord
		var started, finished sql.NullInt64
		if err := rows.Scan(&r.ID, &r.Kind, &started, &finished, &r.Path, &r.Bytes, &r.Tickets, &r.PhotoFiles, &r.Error); err != nil {
			return fmt.Errorf("vitals: backups: %w", err)
		}
		r.Started, r.Finished = fromMS(started), fromMS(finished)
		if r.Kind == "" {
			v.LastGoodBackup, v.LastGoodBackupOK = r, true
			continue
		}
		v.LastBackups[r.Kind] = r
	}
	return rows.Err()
}

// fileSize is the size of the file at path; 0 when there is none (no WAL
// between a checkpoint that truncated it and the next write).
func fileSize(path string) (int64, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}
