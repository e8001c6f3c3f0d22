package jobs_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/jobs"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

func TestScheduledBackups(t *testing.T) {
	storetest.SQLiteOnly(t, "backups of a SQLite file")
	s, clock := storetest.MustOpen(t)
	storetest.MustTicket(t, s, storetest.MustMerchant(t, s, "m").ID, anxin.QualityReturn, 9900)
	dir := filepath.Join(t.TempDir(), "backups")
	b, err := jobs.NewBackups(s, jobs.BackupConfig{Dir: dir, Every: 24 * time.Hour, Keep: 2, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	tick := func(want bool) {
		t.Helper()
		took, err := b.Tick(ctx)
		if err != nil || took != want {
			t.Fatalf("at %s: took a backup %v, want %v (%v)", clock.Now(), took, want, err)
		}
	}
	tick(true) // none yet: at once
	tick(false)
	clock.Advance(23 * time.Hour)
	tick(false)
	for range 3 {
		clock.Advance(time.Hour)
		tick(true)
		clock.Advance(23 * time.Hour)
	}
	list, err := store.ListBackups(dir)
	if err != nil || len(list) != 2 {
		t.Fatalf("kept %d backups, want 2: %v", len(list), err)
	}
	if !list[1].Manifest.CreatedAt.Equal(storetest.Epoch.Add(3 * 24 * time.Hour)) {
		t.Fatalf("the newest kept was taken at %s", list[1].Manifest.CreatedAt)
	}

	// A failed one is tried again after an hour, not a day.
	clock.Advance(time.Hour)
	blocked := filepath.Join(t.TempDir(), "afile")
	os.WriteFile(blocked, []byte("x"), 0o600)
	failing, _ := jobs.NewBackups(s, jobs.BackupConfig{Dir: blocked, Every: 24 * time.Hour, Logger: quiet})
	if took, err := failing.Tick(ctx); !took || err == nil {
		t.Fatalf("a backup into a file: %v %v", took, err)
	}
	if due, _ := failing.Due(ctx); !due.Equal(clock.Now().Add(time.Hour)) {
		t.Fatalf("due again at %s, want an hour after %s", due, clock.Now())
	}
	if last, _, _ := s.LastBackup(ctx, store.BackupScheduled); last.OK() {
		t.Fatal("the failure was not recorded")
	}
}
