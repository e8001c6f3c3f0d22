package store_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

func mustVitals(t *testing.T, s *store.Store) store.Vitals {
	t.Helper()
	v, err := s.Vitals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestVitals(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "昆明斗南鲜花园艺")
	webhookFor(t, s, m.ID, anxin.EventTicketCreated)
	start := clock.Now()
	// Spoiled fresh food: approved by the system once the merchant's 24 h pass.
	storetest.MustTicket(t, s, m.ID, anxin.FreshSpoiled, 8990)
	storetest.MustTicket(t, s, m.ID, anxin.FreshSpoiled, 4500)
	storetest.MustTicketIn(t, s, m.ID, anxin.Arbitration, 12000)
	storetest.MustTicketIn(t, s, m.ID, anxin.Closed, 12000)

	v := mustVitals(t, s)
	if v.Open[anxin.PendingMerchant] != 2 || v.Open[anxin.Arbitration] != 1 || v.Open[anxin.Refunding] != 0 {
		t.Errorf("open by state %v", v.Open)
	}
	if _, ok := v.Open[anxin.Closed]; ok {
		t.Error("a terminal state is counted among the open ones")
	}
	if _, ok := v.Open[anxin.NeedsEvidence]; !ok {
		t.Error("an open state without tickets is missing: its series would vanish")
	}
	for st, n := range v.Overdue {
		if n != 0 {
			t.Errorf("%d overdue in %s before any deadline passed", n, st)
		}
	}
	if v.Lag != 0 || !v.OldestAuto.Equal(start.Add(24*time.Hour)) {
		t.Errorf("lag %v, oldest deadline %v; want 0 and %v", v.Lag, v.OldestAuto, start.Add(24*time.Hour))
	}
	// One ticket.created delivery for each of the four tickets, due at once.
	if v.OutboxPending != 4 || v.OutboxDue != 4 || !v.OldestDue.Equal(start) {
		t.Errorf("outbox %d pending, %d due, oldest %v", v.OutboxPending, v.OutboxDue, v.OldestDue)
	}
	if v.DBBytes == 0 || (v.WALBytes == 0) != storetest.OnPostgres() { // PostgreSQL's WAL is the server's
		t.Errorf("database %d bytes, WAL %d", v.DBBytes, v.WALBytes)
	}
	if len(v.LastBackups) != 0 || v.LastGoodBackupOK {
		t.Errorf("backups %v before any was taken", v.LastBackups)
	}

	// The scheduler has been away for an hour past the first deadline.
	clock.Advance(25 * time.Hour)
	v = mustVitals(t, s)
	if v.Lag != time.Hour || v.Overdue[anxin.PendingMerchant] != 2 {
		t.Errorf("an hour after the deadlines: lag %v, overdue %v", v.Lag, v.Overdue)
	}
	runTimeouts(t, s)
	v = mustVitals(t, s)
	if v.Lag != 0 || v.Open[anxin.PendingMerchant] != 0 || v.Overdue[anxin.PendingMerchant] != 0 {
		t.Errorf("after the scheduler's round: lag %v, open %v, overdue %v", v.Lag, v.Open, v.Overdue)
	}

	if storetest.OnPostgres() {
		return // backups are PostgreSQL's own tools' (TestBackupOnPostgresPointsToItsTools)
	}
	// A backup that fails, then one that succeeds.
	blocked := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocked, []byte("not a directory"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Backup(ctx, blocked, store.BackupManual); err == nil {
		t.Fatal("a backup into a file succeeded")
	}
	v = mustVitals(t, s)
	if r, ok := v.LastBackups[store.BackupManual]; !ok || r.OK() || v.LastGoodBackupOK {
		t.Errorf("after a failed backup: %+v, good %v", v.LastBackups, v.LastGoodBackupOK)
	}
	clock.Advance(time.Minute)
	if _, err := s.Backup(ctx, t.TempDir(), store.BackupScheduled); err != nil {
		t.Fatal(err)
	}
	v = mustVitals(t, s)
	last := v.LastBackups[store.BackupScheduled]
	if !last.OK() || !v.LastGoodBackupOK || v.LastGoodBackup.ID != last.ID || !last.Finished.Equal(clock.Now()) || last.Bytes == 0 {
		t.Errorf("after a good backup: %+v; good %v %+v", v.LastBackups, v.LastGoodBackupOK, v.LastGoodBackup)
	}
	if v.LastBackups[store.BackupManual].OK() {
		t.Error("the failed manual backup is no longer the last manual one")
	}
}

// writeCounter counts what the store tells its observer.
type writeCounter struct {
	mu                 sync.Mutex
	people, background int
	commits, committed int
	negative           bool
}

func (w *writeCounter) Write(background bool, took time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if background {
		w.background++
	} else {
		w.people++
	}
	w.negative = w.negative || took < 0
}

func (w *writeCounter) Commit(writes int, took time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.commits++
	w.committed += writes
	w.negative = w.negative || took < 0
}

func TestWriteObserver(t *testing.T) {
	clock := anxin.NewManualClock(storetest.Epoch)
	obs := &writeCounter{}
	cfg := storetest.Config(clock)
	cfg.Observer = obs
	s := storetest.MustOpenWith(t, filepath.Join(t.TempDir(), "anxin.db"), cfg)
	m := storetest.MustMerchant(t, s, "虎门服装")
	storetest.MustTicket(t, s, m.ID, anxin.FreshSpoiled, 8990)
	storetest.MustTicket(t, s, m.ID, anxin.FreshSpoiled, 4500)
	clock.Advance(25 * time.Hour)
	runTimeouts(t, s)

	obs.mu.Lock()
	defer obs.mu.Unlock()
	// The merchant, its return address and two tickets by people; the
	// sweep's batch by the system.
	if obs.people != 4 || obs.background != 1 || obs.committed != 5 || obs.commits < 2 || obs.negative {
		t.Errorf("observed %+v", obs)
	}
}

// TestVitalsUseIndexes: every figure is read from an index, never by
// reading a table's rows: the metrics endpoint runs them at every scrape.
func TestVitalsUseIndexes(t *testing.T) {
	storetest.SQLiteOnly(t, "the plan is SQLite's EXPLAIN QUERY PLAN")
	s, _ := storetest.MustOpen(t)
	db := storetest.DB(t, s)
	for _, q := range store.VitalsSQL {
		rows, err := db.Query("EXPLAIN QUERY PLAN "+q, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		for _, step := range plan {
			// A scan is fine only over an index that covers it (the
			// open tickets' entries), the table of the last 500 backups
			// (newest first, to the first good one) or a subquery's rows
			// (the latest good backup's, named good).
			if strings.HasPrefix(step, "SCAN ") && !strings.Contains(step, "COVERING INDEX") &&
				step != "SCAN backups" && step != "SCAN good" && !strings.HasPrefix(step, "SCAN (subquery") {
				t.Errorf("%s\nreads a table: %s", q, strings.Join(plan, "; "))
			}
		}
		t.Logf("%s\n  %s", q, strings.Join(plan, "\n  "))
	}
}
