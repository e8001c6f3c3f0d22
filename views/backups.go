package views

import (
	"context"
	"fmt"
	"time"
)

// AdminBackups is the backups page: serve's schedule (no Dir: none) and the
// backups recorded, newest first.
type AdminBackups struct {
	Dir   string
	Every time.Duration
	Keep  int
	Runs  []BackupRun
}

// BackupKind is who took a backup.
type BackupKind int

const (
	BackupManual     BackupKind = iota // anxin backup
	BackupScheduled                    // serve's schedule
	BackupPreMigrate                   // before a migration
)

// BackupRun is one backup taken or tried.
type BackupRun struct {
	Kind              BackupKind
	Started, Finished time.Time
	Path              string // "" when it failed
	Bytes             int64
	Tickets           int64
	PhotoFiles        int64
	Error             string // "" when it succeeded
}

// OK is whether it was written and verified.
func (r BackupRun) OK() bool { return r.Error == "" }

// Last is the latest backup of any kind, if there is one.
func (p AdminBackups) Last() (BackupRun, bool) {
	if len(p.Runs) == 0 {
		return BackupRun{}, false
	}
	return p.Runs[0], true
}

// Next is when the schedule takes its next backup: Every after the last
// scheduled one; zero when there is no schedule or none was taken yet.
func (p AdminBackups) Next() time.Time {
	if p.Dir == "" {
		return time.Time{}
	}
	for _, r := range p.Runs {
		if r.Kind == BackupScheduled && r.OK() {
			return r.Started.Add(p.Every)
		}
	}
	return time.Time{}
}

func backupKindName(ctx context.Context, k BackupKind) string {
	switch k {
	case BackupScheduled:
		return T(ctx, "Scheduled")
	case BackupPreMigrate:
		return T(ctx, "Before a migration")
	default:
		return T(ctx, "By hand (anxin backup)")
	}
}

// interval is a schedule's period in the largest whole unit.
func interval(ctx context.Context, d time.Duration) string {
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return Tf(ctx, "%d days", int(d/(24*time.Hour)))
	case d >= time.Hour && d%time.Hour == 0:
		return Tf(ctx, "%d hours", int(d/time.Hour))
	default:
		return Tf(ctx, "%d minutes", int(d/time.Minute))
	}
}

// byteSize is a size as people read it: 295.3 MB.
func byteSize(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	f, suffix := float64(n), "kMGT"
	i := -1
	for f >= unit && i < len(suffix)-1 {
		f /= unit
		i++
	}
	return fmt.Sprintf("%.1f %cB", f, suffix[i])
}
