package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// BackupRecord is a backup taken or tried, as the database recorded it.
type BackupRecord struct {
	ID                int64
	Kind              BackupKind
	Started, Finished time.Time
	Path              string // the directory written; "" when it failed
	Bytes             int64
	Tickets           int64
	PhotoFiles        int64
	Error             string // "" when it succeeded
}

// OK is whether the backup was written and verified.
func (r BackupRecord) OK() bool { return r.Error == "" }

// keptBackupRecords bounds the table: the admin page shows the latest few.
const keptBackupRecords = 500

// record is how the job went, to keep in the database.
func (j *backupJob) record(b Backup, err error) BackupRecord {
	r := BackupRecord{Kind: j.kind, Started: j.started, Finished: j.clock.Now().UTC()}
	if err != nil {
		msg := strings.Join(strings.Fields(err.Error()), " ")
		if len(msg) > 1000 {
			msg = msg[:1000] + "…"
		}
		r.Error = msg
		return r
	}
	r.Path, r.Bytes, r.Tickets, r.PhotoFiles = b.Path, b.Bytes, b.Manifest.Counts.Tickets, int64(b.Manifest.PhotoFiles)
	return r
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func recordBackup(ctx context.Context, ex execer, r BackupRecord) error {
	if _, err := ex.ExecContext(ctx, `INSERT INTO backups (kind, started_at, finished_at, path, bytes, tickets, photos, error)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, string(r.Kind), ms(r.Started), ms(r.Finished), r.Path, r.Bytes, r.Tickets,
		r.PhotoFiles, r.Error); err != nil {
		return fmt.Errorf("record backup: %w", err)
	}
	if _, err := ex.ExecContext(ctx, `DELETE FROM backups WHERE id <= (SELECT max(id) FROM backups) - ?`, keptBackupRecords); err != nil {
		return fmt.Errorf("record backup: %w", err)
	}
	return nil
}

// recordBackupIn records a backup in the database at path, which a server
// may be using, if its schema has the table (one older than 0016 has not).
func recordBackupIn(ctx context.Context, path string, r BackupRecord) error {
	db, err := openExisting(path, false)
	if err != nil {
		return err
	}
	defer func() { _ = db.Close() }() // the insert below is committed or reported
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'backups'`).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return nil
	}
	return recordBackup(ctx, db, r)
}

// Backups lists the latest backups recorded, newest first; kind "" is every kind.
func (s *Store) Backups(ctx context.Context, kind BackupKind, limit int) ([]BackupRecord, error) {
	rows, err := s.read().QueryContext(ctx, `SELECT id, kind, started_at, finished_at, path, bytes, tickets, photos, error
		FROM backups WHERE ?1 = '' OR kind = ?1 ORDER BY id DESC LIMIT ?2`, string(kind), limit)
	if err != nil {
		return nil, fmt.Errorf("backups: %w", err)
	}
	defer rows.Close()
	var out []BackupRecord
	for rows.Next() {
		var r BackupRecord
		var started, finished sql.NullInt64
		if err := rows.Scan(&r.ID, &r.Kind, &started, &finished, &r.Path, &r.Bytes, &r.Tickets, &r.PhotoFiles, &r.Error); err != nil {
			return nil, err
		}
		r.Started, r.Finished = fromMS(started), fromMS(finished)
		out = append(out, r)
	}
	return out, rows.Err()
}

// LastBackup is the latest backup of the kind recorded; ok is false when
// there is none.
func (s *Store) LastBackup(ctx context.Context, kind BackupKind) (r BackupRecord, ok bool, err error) {
	list, err := s.Backups(ctx, kind, 1)
	if err != nil || len(list) == 0 {
		return r, false, err
	}
	return list[0], true, nil
}
