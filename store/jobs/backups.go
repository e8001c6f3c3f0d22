package jobs

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/anxin-helpdesk/anxin/store"
)

// BackupConfig is serve's schedule of backups (serve --backup-dir).
type BackupConfig struct {
	Dir   string        // where they are written; required
	Every time.Duration // between backups; default 24 h
	Keep  int           // the newest kept, older ones removed; default 7
	// Retry is how soon a failed backup is tried again; default an hour,
	// or Every when that is shorter.
	Retry  time.Duration
	Logger *slog.Logger
}

// Backups takes the scheduled backups: one when the last is Every old (at
// once when there is none, so that a new deployment is covered from its
// first day, and a server restarted daily still takes them), and prunes
// the old ones after each. The last one's time comes from the database, so
// the schedule holds across restarts.
type Backups struct {
	st  *store.Store
	cfg BackupConfig
	log *slog.Logger
}

// NewBackups returns the schedule of backups of the store.
func NewBackups(st *store.Store, cfg BackupConfig) (*Backups, error) {
	if cfg.Dir == "" {
		return nil, errors.New("backups: no directory given")
	}
	if cfg.Every <= 0 {
		cfg.Every = 24 * time.Hour
	}
	if cfg.Keep <= 0 {
		cfg.Keep = 7
	}
	if cfg.Retry <= 0 {
		cfg.Retry = min(time.Hour, cfg.Every)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Backups{st: st, cfg: cfg, log: cfg.Logger}, nil
}

// Due is when the next scheduled backup is due.
func (b *Backups) Due(ctx context.Context) (time.Time, error) {
	last, ok, err := b.st.LastBackup(ctx, store.BackupScheduled)
	if err != nil || !ok {
		return time.Time{}, err
	}
	if !last.OK() {
		return last.Finished.Add(b.cfg.Retry), nil
	}
	return last.Started.Add(b.cfg.Every), nil
}

// Tick takes a backup if one is due, and then prunes the old ones. It
// reports whether it took one.
func (b *Backups) Tick(ctx context.Context) (bool, error) {
	due, err := b.Due(ctx)
	if err != nil {
		return false, err
	}
	if b.st.Clock().Now().Before(due) {
		return false, nil
	}
	bk, err := b.st.Backup(ctx, b.cfg.Dir, store.BackupScheduled)
	if err != nil {
		return true, err
	}
	b.log.Info("backup written", "path", bk.Path, "bytes", bk.Bytes, "tickets", bk.Manifest.Counts.Tickets,
		"photo_files", bk.Manifest.PhotoFiles, "took", bk.Took.Round(time.Millisecond),
		"snapshot", bk.Snapshot.Round(time.Millisecond))
	removed, err := store.PruneBackups(b.cfg.Dir, b.cfg.Keep)
	if len(removed) > 0 {
		b.log.Info("old backups removed", "removed", removed, "kept", b.cfg.Keep)
	}
	return true, err
}

// Run takes the backups as they fall due, checking once a minute, until
// ctx ends (a backup under way when it ends is stopped, and leaves nothing
// that looks like a backup).
func (b *Backups) Run(ctx context.Context) {
	Loop(ctx, time.Minute, nil, func(ctx context.Context) {
		if _, err := b.Tick(ctx); err != nil && ctx.Err() == nil {
			b.log.Error("scheduled backup failed", "dir", b.cfg.Dir, "err", err)
		}
	})
}
