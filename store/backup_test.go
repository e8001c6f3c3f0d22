package store_test

import (
	"bufio"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// backupFixture is a store with tickets in several states, refunds paid and
// pending, and photos, plus pending tickets of a refund-only service for a
// writer to approve (each approval also records a refund).
func backupFixture(t *testing.T) (*store.Store, *anxin.ManualClock, []anxin.Ticket) {
	t.Helper()
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "鲜花旗舰店")
	storetest.MustUser(t, s, anxin.RoleAgent, "值班客服", 0) // user 1, backupAgent
	for _, st := range []anxin.State{anxin.Refunded, anxin.Refunded, anxin.Refunding, anxin.RefundFailed, anxin.Closed, anxin.AwaitingReturn} {
		storetest.MustTicketIn(t, s, m.ID, st, 12_900)
	}
	for i := range 4 {
		tk := storetest.MustTicket(t, s, m.ID, anxin.QualityReturn, 5_000+int64(i))
		storetest.MustPhoto(t, s, tk.ID, "")
		storetest.MustPhoto(t, s, tk.ID, "")
	}
	var pending []anxin.Ticket
	for i := range 120 {
		pending = append(pending, storetest.MustTicket(t, s, m.ID, anxin.FreshSpoiled, 1_000+int64(i)))
	}
	return s, clock, pending
}

var backupAgent = anxin.Actor{Role: anxin.RoleAgent, UserID: 1, Name: "值班客服"}

// approveAll approves the tickets one after another until they run out or
// stop is closed, and returns how many it approved.
func approveAll(t *testing.T, s *store.Store, pending []anxin.Ticket, stop <-chan struct{}) int {
	n := 0
	for _, tk := range pending {
		select {
		case <-stop:
			return n
		default:
		}
		if _, err := s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.Approve, Actor: backupAgent, Version: tk.Version}); err != nil {
			t.Error(err)
			return n
		}
		n++
	}
	return n
}

// dump is what a database holds that a restore must give back: every
// ticket, event, refund and photo row, as text.
func dump(t *testing.T, path string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out []string
	for _, q := range []string{
		`SELECT 'ticket', id, state, version, paid_fen, refunded_fen, buyer_name FROM tickets ORDER BY id`,
		`SELECT 'event', id, ticket_id, action, coalesce(to_state, ''), amount_fen FROM ticket_events ORDER BY id`,
		`SELECT 'refund', id, number, ticket_id, amount_fen, status FROM refunds ORDER BY id`,
		`SELECT 'photo', id, ticket_id, sha256, thumb_sha256, bytes, 0, '' FROM evidence ORDER BY id`,
	} {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(vals...))
		}
		rows.Close()
	}
	return out
}

// photoFileSet maps each photo file below dir to its bytes.
func photoFileSet(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		out[d.Name()] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestBackupWhileWritingThenRestore(t *testing.T) {
	storetest.SQLiteOnly(t, "backups of a SQLite file (PostgreSQL: TestBackupOnPostgresPointsToItsTools)")
	s, clock, pending := backupFixture(t)
	dir := filepath.Join(t.TempDir(), "backups")

	// A backup taken while an agent keeps approving: consistent as of one
	// moment, verified, and restored whole.
	stop := make(chan struct{})
	approved := make(chan int)
	go func() { approved <- approveAll(t, s, pending[:100], stop) }()
	for db := storetest.DB(t, s); !ticketVersionAbove(t, db, pending[0].ID, pending[0].Version); { // once the writer is under way
		time.Sleep(time.Millisecond)
	}
	live, err := s.Backup(ctx, dir, store.BackupManual)
	close(stop)
	n := <-approved
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("backup while %d approvals ran: %s, %d bytes, %d photo files, snapshot %v",
		n, live.Path, live.Bytes, live.Manifest.PhotoFiles, live.Snapshot)
	if live.Manifest.PhotoFiles != 16 || live.Manifest.Counts.Photos != 8 {
		t.Fatalf("photo files %d, photos %d; want 16 files (8 photos in two sizes)", live.Manifest.PhotoFiles, live.Manifest.Counts.Photos)
	}
	if live.Manifest.Counts.Tickets != 130 || live.Manifest.Version != "dev" || !slices.Contains(live.Manifest.Migrations, "0016_backups") {
		t.Fatalf("manifest %+v", live.Manifest)
	}
	rep, err := store.VerifyBackup(ctx, live.Path, storetest.Config(clock))
	if err != nil || rep.Err() != nil {
		t.Fatalf("verify: %v %v", err, rep.Err())
	}
	restoredLive := filepath.Join(t.TempDir(), "live", "anxin.db")
	if _, err := store.Restore(ctx, live.Path, restoredLive, storetest.Config(clock), false); err != nil {
		t.Fatal(err)
	}
	chk, err := store.Check(ctx, restoredLive, storetest.Config(clock))
	if err != nil || chk.Err() != nil {
		t.Fatalf("check of the restored database: %v %v", err, chk.Err())
	}
	if chk.Counts != live.Manifest.Counts {
		t.Fatalf("restored %+v, the manifest says %+v", chk.Counts, live.Manifest.Counts)
	}
	// Consistent as of one moment: every approval in it is whole.
	assertApprovalsWhole(t, restoredLive)

	// Once the writes stop, a backup restored is the original, row for row
	// and photo for photo.
	clock.Advance(time.Minute)
	quiet, err := s.Backup(ctx, dir, store.BackupManual)
	if err != nil {
		t.Fatal(err)
	}
	if quiet.Linked != 16 {
		t.Errorf("the second backup hard-linked %d photo files from the first, want 16", quiet.Linked)
	}
	restored := filepath.Join(t.TempDir(), "quiet", "anxin.db")
	res, err := store.Restore(ctx, quiet.Path, restored, storetest.Config(clock), false)
	if err != nil {
		t.Fatal(err)
	}
	if res.PhotosCopied != 16 || res.Replaced != "" {
		t.Fatalf("restore: %+v", res)
	}
	if got, want := dump(t, restored), dump(t, s.Path()); !slices.Equal(got, want) {
		t.Fatalf("the restored database differs from the original: %d rows, want %d", len(got), len(want))
	}
	if got, want := photoFileSet(t, filepath.Join(filepath.Dir(restored), "photos")), photoFileSet(t, filepath.Join(s.Dir(), "photos")); len(got) != 16 || !mapsEqual(got, want) {
		t.Fatalf("restored %d photo files, the original has %d (or their bytes differ)", len(got), len(want))
	}
	// The restored database opens, with the schema and data as they were.
	r := storetest.MustOpenWith(t, restored, storetest.Config(clock))
	if _, err := r.Decide(ctx, pending[110].ID, anxin.Decision{Action: anxin.Approve, Actor: backupAgent, Version: pending[110].Version}); err != nil {
		t.Fatalf("a decision on the restored database: %v", err)
	}
	recs, err := s.Backups(ctx, store.BackupManual, 10)
	if err != nil || len(recs) != 2 || !recs[0].OK() || recs[0].Path != quiet.Path || recs[0].Tickets != 130 || recs[0].PhotoFiles != 16 {
		t.Fatalf("recorded backups: %+v %v", recs, err)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func ticketVersionAbove(t *testing.T, db *sql.DB, id, version int64) bool {
	var v int64
	if err := db.QueryRow(`SELECT version FROM tickets WHERE id = ?`, id).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v > version
}

// assertApprovalsWhole checks a database taken mid-write holds each approval
// whole: an approved refund-only ticket has its refund and its event, a
// pending one neither.
func assertApprovalsWhole(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var torn int
	if err := db.QueryRow(`SELECT count(*) FROM tickets t WHERE t.service = 'fresh_spoiled' AND
		(t.state = 'pending_merchant') = (EXISTS (SELECT 1 FROM refunds r WHERE r.ticket_id = t.id)
			OR EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id AND e.action = 'approve'))`).Scan(&torn); err != nil {
		t.Fatal(err)
	}
	if torn != 0 {
		t.Fatalf("%d approvals are torn in the backup (a state without its refund or event, or the reverse)", torn)
	}
}

// TestBackupHelperProcess is not a test: TestKilledBackupIsNeverTakenForOne
// runs the test binary as a backup that pauses at a stage, to be killed there.
func TestBackupHelperProcess(t *testing.T) {
	db, dir, stage := os.Getenv("ANXIN_BACKUP_HELPER_DB"), os.Getenv("ANXIN_BACKUP_HELPER_DIR"), os.Getenv("ANXIN_BACKUP_HELPER_STAGE")
	if db == "" {
		t.Skip("run by TestKilledBackupIsNeverTakenForOne")
	}
	_, err := store.BackupPausing(ctx, db, storetest.Config(anxin.NewManualClock(storetest.Epoch)), dir, func(s string) {
		if s == stage {
			fmt.Println("paused at", s)
			select {} // until killed
		}
	})
	t.Fatalf("the backup was not stopped at %q: %v", stage, err)
}

func TestKilledBackupIsNeverTakenForOne(t *testing.T) {
	storetest.SQLiteOnly(t, "backups of a SQLite file (PostgreSQL: TestBackupOnPostgresPointsToItsTools)")
	s, clock, _ := backupFixture(t)
	for _, stage := range []string{"snapshot", "photos", "manifest"} {
		t.Run(stage, func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command(os.Args[0], "-test.run=^TestBackupHelperProcess$", "-test.count=1")
			cmd.Env = append(os.Environ(), "ANXIN_BACKUP_HELPER_DB="+s.Path(), "ANXIN_BACKUP_HELPER_DIR="+dir,
				"ANXIN_BACKUP_HELPER_STAGE="+stage)
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stderr = cmd.Stdout
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			lines := bufio.NewScanner(out)
			var said []string
			for lines.Scan() && !strings.Contains(lines.Text(), "paused at "+stage) {
				said = append(said, lines.Text())
			}
			if err := cmd.Process.Kill(); err != nil { // SIGKILL: no deferred cleanup runs
				t.Fatal(err)
			}
			_ = cmd.Wait()
			entries, _ := os.ReadDir(dir)
			var leftover string
			for _, e := range entries {
				if strings.HasSuffix(e.Name(), ".partial") {
					leftover = filepath.Join(dir, e.Name())
				}
			}
			if leftover == "" {
				t.Fatalf("no half-written backup was left to test with; the helper said:\n%s", strings.Join(said, "\n"))
			}
			if list, err := store.ListBackups(dir); err != nil || len(list) != 0 {
				t.Fatalf("the killed backup is listed as a backup: %+v %v", list, err)
			}
			if _, err := store.VerifyBackup(ctx, leftover, storetest.Config(clock)); err == nil {
				t.Fatal("the killed backup verified")
			}
			if _, err := store.Restore(ctx, leftover, filepath.Join(t.TempDir(), "anxin.db"), storetest.Config(clock), false); err == nil ||
				!strings.Contains(err.Error(), "never finished") {
				t.Fatalf("restoring the killed backup: %v", err)
			}
			// The next backup takes the directory's lock the dead process
			// held, removes what it left, and is the one backup there.
			b, err := store.BackupDatabase(ctx, s.Path(), storetest.Config(clock), dir)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(leftover); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("the killed backup's leftover is still there: %v", err)
			}
			if list, err := store.ListBackups(dir); err != nil || len(list) != 1 || list[0].Path != b.Path {
				t.Fatalf("backups after the next one: %+v %v", list, err)
			}
		})
	}
}

func TestNewerDatabaseIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "anxin.db")
	db := storetest.Database(t, path)
	s := storetest.MustOpenWith(t, path, storetest.Config(anxin.NewManualClock(storetest.Epoch)))
	if _, err := store.DB(s).Exec(`INSERT INTO schema_migrations (name, applied_at) VALUES ('migrations/0099_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	cfg := storetest.Config(anxin.NewManualClock(storetest.Epoch))
	cfg.Version = "v1.4.0"
	cfg.PreMigrateBackupDir = filepath.Join(t.TempDir(), "backups")
	_, err := store.Open(ctx, db, cfg)
	if err == nil {
		t.Fatal("a database from a newer version was opened")
	}
	msg := err.Error()
	known := migrationsFrom(t, "")
	if storetest.OnPostgres() {
		known = migrationsIn(t, filepath.Join("migrations", "postgres"), "")
	}
	for _, want := range []string{"newer version", "0099_future", "v1.4.0", known[len(known)-1]} {
		if !strings.Contains(msg, want) {
			t.Errorf("the refusal does not name %q: %s", want, msg)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("the refusal is more than one line: %s", msg)
	}
	if storetest.OnPostgres() {
		return // anxin check is SQLite's (TestBackupOnPostgresPointsToItsTools)
	}
	if _, err := store.Check(ctx, path, cfg); err == nil || !strings.Contains(err.Error(), "0099_future") {
		t.Errorf("check of a newer database: %v", err)
	}
	if entries, _ := os.ReadDir(cfg.PreMigrateBackupDir); len(entries) != 0 {
		t.Errorf("refusing it wrote a backup")
	}
}

func TestBackupBeforeMigrating(t *testing.T) {
	storetest.SQLiteOnly(t, "backups of a SQLite file (PostgreSQL: TestBackupOnPostgresPointsToItsTools)")
	dir := t.TempDir()
	path := filepath.Join(dir, "anxin.db")
	backups := filepath.Join(dir, "backups")
	cfg := storetest.Config(anxin.NewManualClock(storetest.Epoch))
	cfg.PreMigrateBackupDir = backups

	// A new database has nothing to back up.
	storetest.MustOpenWith(t, filepath.Join(dir, "fresh", "anxin.db"), cfg)
	if entries, _ := os.ReadDir(backups); len(entries) != 0 {
		t.Fatal("a new database was backed up")
	}

	// A database a binary of the time before 0016 left, with a ticket in it.
	if err := store.MigrateBefore(path, "0016"); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO merchants (code, name, created_at) VALUES ('old', '老店', 0)`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	// Any schema of the past can be backed up before it is migrated.
	for _, before := range []string{"0002", "0011"} {
		older := filepath.Join(dir, "older-"+before+".db")
		if err := store.MigrateBefore(older, before); err != nil {
			t.Fatal(err)
		}
		storetest.MustOpenWith(t, older, cfg)
	}
	if list, err := store.ListBackups(backups); err != nil || len(list) != 2 {
		t.Fatalf("backups of the older schemas: %+v %v", list, err)
	}
	if err := os.RemoveAll(backups); err != nil {
		t.Fatal(err)
	}

	// A backup that cannot be written leaves the schema as it was.
	blocked := cfg
	blocked.PreMigrateBackupDir = filepath.Join(dir, "afile", "backups")
	os.WriteFile(filepath.Join(dir, "afile"), []byte("x"), 0o600)
	if _, err := store.Open(ctx, path, blocked); err == nil || !strings.Contains(err.Error(), "nothing was changed") {
		t.Fatalf("open with a backup that cannot be written: %v", err)
	}
	if rep, err := store.Check(ctx, path, cfg); err != nil || !slices.Equal(rep.Pending, migrationsFrom(t, "0016")) {
		t.Fatalf("after the refused migration: pending %v, %v", rep.Pending, err)
	}

	s := storetest.MustOpenWith(t, path, cfg)
	list, err := store.ListBackups(backups)
	if err != nil || len(list) != 1 {
		t.Fatalf("backups before migrating: %+v %v", list, err)
	}
	b := list[0]
	if !strings.HasPrefix(filepath.Base(b.Path), "pre-migrate-") || b.Manifest.Kind != store.BackupPreMigrate ||
		slices.Contains(b.Manifest.Migrations, "0016_backups") {
		t.Fatalf("the backup before migrating: %s %+v", b.Path, b.Manifest)
	}
	recs, err := s.Backups(ctx, store.BackupPreMigrate, 5)
	if err != nil || len(recs) != 1 || recs[0].Path != b.Path || !recs[0].OK() {
		t.Fatalf("recorded: %+v %v", recs, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Opened again, with nothing to migrate: no second backup.
	storetest.MustOpenWith(t, path, cfg)
	if list, _ := store.ListBackups(backups); len(list) != 1 {
		t.Fatalf("%d backups after opening it again, want 1", len(list))
	}
}

func TestCheckFindsWhatIsWrong(t *testing.T) {
	storetest.SQLiteOnly(t, "backups of a SQLite file (PostgreSQL: TestBackupOnPostgresPointsToItsTools)")
	s, clock, _ := backupFixture(t)
	cfg := storetest.Config(clock)
	rep, err := store.Check(ctx, s.Path(), cfg)
	if err != nil || rep.Err() != nil || rep.PhotoFiles != 16 || rep.Counts.Tickets != 130 {
		t.Fatalf("check of a sound database: %+v %v", rep, err)
	}
	var sums []string
	if err := storetest.DB(t, s).QueryRow(`SELECT sha256 || ' ' || thumb_sha256 FROM evidence ORDER BY id LIMIT 1`).Scan(new(string)); err != nil {
		t.Fatal(err)
	}
	rows, err := storetest.DB(t, s).Query(`SELECT sha256 FROM evidence ORDER BY id LIMIT 2`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var sum string
		rows.Scan(&sum)
		sums = append(sums, sum)
	}
	rows.Close()
	photo := func(sum string) string { return filepath.Join(s.Dir(), "photos", sum[:2], sum+".jpg") }
	if err := os.Remove(photo(sums[0])); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(photo(sums[1]), []byte("not the photo it was"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A refund whose ticket is gone (written with the foreign keys off).
	raw, err := sql.Open("sqlite", "file:"+s.Path()+"?_pragma=foreign_keys(0)&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`INSERT INTO refunds (number, ticket_id, amount_fen, status, created_at, updated_at)
		VALUES ('RF-ORPHAN', 999999, 100, 'pending', 0, 0)`); err != nil {
		t.Fatal(err)
	}
	rep, err = store.Check(ctx, s.Path(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(rep.Problems, "\n")
	for _, want := range []string{"photo " + sums[0] + " is missing", sums[1] + ".jpg is damaged", "foreign key: refunds row"} {
		if !strings.Contains(got, want) {
			t.Errorf("the check did not find %q:\n%s", want, got)
		}
	}
	if rep.Err() == nil || len(rep.Problems) != 3 {
		t.Errorf("%d problems: %s", len(rep.Problems), got)
	}
	// A backup of it fails, and leaves nothing that looks like a backup.
	dir := t.TempDir()
	if _, err := s.Backup(ctx, dir, store.BackupManual); err == nil {
		t.Fatal("a database with a missing photo was backed up")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 || entries[0].Name() != ".lock" {
		t.Fatalf("a failed backup left %v", entries)
	}
	if recs, _ := s.Backups(ctx, "", 1); len(recs) != 1 || recs[0].OK() || !strings.Contains(recs[0].Error, "photo") {
		t.Fatalf("the failure was recorded as %+v", recs)
	}
}

func TestCheckFindsADamagedDatabase(t *testing.T) {
	storetest.SQLiteOnly(t, "backups of a SQLite file (PostgreSQL: TestBackupOnPostgresPointsToItsTools)")
	s, clock, _ := backupFixture(t)
	// One page of an index overwritten, as a disk fault would.
	var page, size int64
	db, err := sql.Open("sqlite", "file:"+s.Path()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT pageno FROM dbstat WHERE name = 'tickets_order' ORDER BY pageno LIMIT 1`).Scan(&page); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`PRAGMA page_size`).Scan(&size); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if err := s.Close(); err != nil { // the last connection: its WAL goes into the file
		t.Fatal(err)
	}
	f, err := os.OpenFile(s.Path(), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	junk := []byte(strings.Repeat("\xff\x00", 200))
	if _, err := f.WriteAt(junk, page*size-int64(len(junk))); err != nil { // where the cells are
		t.Fatal(err)
	}
	f.Close()
	rep, err := store.Check(ctx, s.Path(), storetest.Config(clock))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Err() == nil || !strings.Contains(rep.Problems[0], "integrity:") {
		t.Fatalf("the damaged page was not found: %+v", rep.Problems)
	}
}

// An index whose entries disagree with its table's rows, in pages that are
// all sound: only integrity_check's comparison of the indexes with the rows
// finds it (quick_check does not).
func TestCheckFindsAnIndexThatDisagreesWithItsRows(t *testing.T) {
	storetest.SQLiteOnly(t, "backups of a SQLite file (PostgreSQL: TestBackupOnPostgresPointsToItsTools)")
	s, clock, _ := backupFixture(t)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+s.Path())
	if err != nil {
		t.Fatal(err)
	}
	// The schema now says tickets_order holds the buyers' phones; its
	// entries are still the order numbers.
	for _, q := range []string{`PRAGMA writable_schema = ON`,
		`UPDATE sqlite_schema SET sql = replace(sql, '(order_id)', '(buyer_phone)') WHERE name = 'tickets_order'`,
		`PRAGMA writable_schema = OFF`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(q, err)
		}
	}
	db.Close()
	rep, err := store.Check(ctx, s.Path(), storetest.Config(clock))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Err() == nil || !strings.Contains(strings.Join(rep.Problems, "\n"), "index tickets_order") {
		t.Fatalf("the index that disagrees with its rows was not found: %+v", rep.Problems)
	}
}

func TestRestoreRefuses(t *testing.T) {
	storetest.SQLiteOnly(t, "backups of a SQLite file (PostgreSQL: TestBackupOnPostgresPointsToItsTools)")
	s, clock, _ := backupFixture(t)
	cfg := storetest.Config(clock)
	b, err := s.Backup(ctx, t.TempDir(), store.BackupManual)
	if err != nil {
		t.Fatal(err)
	}
	// Over a database that exists, only with force.
	target := filepath.Join(t.TempDir(), "anxin.db")
	other := storetest.MustOpenWith(t, target, cfg)
	storetest.MustMerchant(t, other, "另一家")
	if _, err := store.Restore(ctx, b.Path, target, cfg, false); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("restore over a database without force: %v", err)
	}
	// Never while it is open, force or not.
	if _, err := store.Restore(ctx, b.Path, target, cfg, true); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("restore over a database in use: %v", err)
	}
	if err := store.InUse(ctx, target); err == nil {
		t.Fatal("InUse missed the open store")
	}
	if err := other.Close(); err != nil {
		t.Fatal(err)
	}
	if err := store.InUse(ctx, target); err != nil {
		t.Fatalf("InUse after close: %v", err)
	}
	res, err := store.Restore(ctx, b.Path, target, cfg, true)
	if err != nil {
		t.Fatal(err)
	}
	if res.Replaced == "" {
		t.Fatal("the replaced database was not kept")
	}
	if got := dump(t, res.Replaced); len(got) != 0 {
		t.Fatalf("the kept database is not the one replaced: %d rows", len(got))
	}
	var m int
	kept, _ := sql.Open("sqlite", "file:"+res.Replaced+"?mode=ro")
	defer kept.Close()
	if err := kept.QueryRow(`SELECT count(*) FROM merchants WHERE name = '另一家'`).Scan(&m); err != nil || m != 1 {
		t.Fatalf("the kept database lost what it had: %d %v", m, err)
	}
	if got, want := dump(t, target), dump(t, s.Path()); !slices.Equal(got, want) {
		t.Fatal("the restored database is not the backup's")
	}

	// A backup whose files were changed is not restored.
	damaged := filepath.Join(b.Path, "photos")
	var one string
	filepath.WalkDir(damaged, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && one == "" {
			one = p
		}
		return err
	})
	os.Remove(one)
	os.WriteFile(one, []byte("changed"), 0o600)
	fresh := filepath.Join(t.TempDir(), "anxin.db")
	if _, err := store.Restore(ctx, b.Path, fresh, cfg, false); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("restore of a damaged backup: %v", err)
	}
	if _, err := os.Stat(fresh); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a refused restore wrote the database")
	}
}

func TestBackupsArePrunedAndListed(t *testing.T) {
	storetest.SQLiteOnly(t, "backups of a SQLite file (PostgreSQL: TestBackupOnPostgresPointsToItsTools)")
	s, clock, _ := backupFixture(t)
	dir := t.TempDir()
	var paths []string
	for range 4 {
		b, err := s.Backup(ctx, dir, store.BackupScheduled)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, b.Path)
		clock.Advance(time.Hour)
	}
	// Neither a directory named as a backup without a manifest, nor one
	// whose manifest lists a file that is not there, is a backup.
	os.Mkdir(filepath.Join(dir, "anxin-20991231-000000"), 0o750)
	broken := filepath.Join(dir, "anxin-20991231-000001")
	os.Mkdir(broken, 0o750)
	body, _ := os.ReadFile(filepath.Join(paths[0], "manifest.json"))
	os.WriteFile(filepath.Join(broken, "manifest.json"), body, 0o600)
	list, err := store.ListBackups(dir)
	if err != nil || len(list) != 4 {
		t.Fatalf("listed %+v %v", list, err)
	}
	removed, err := store.PruneBackups(dir, 2)
	if err != nil || !slices.Equal(removed, paths[:2]) {
		t.Fatalf("pruned %v %v; want %v", removed, err, paths[:2])
	}
	list, _ = store.ListBackups(dir)
	if len(list) != 2 || list[0].Path != paths[2] || list[1].Path != paths[3] {
		t.Fatalf("kept %+v", list)
	}
	// The newest is whole after its elders, which it hard-linked from, went.
	if rep, err := store.VerifyBackup(ctx, paths[3], storetest.Config(clock)); err != nil || rep.Err() != nil {
		t.Fatalf("%v %v", err, rep.Err())
	}
}

func TestOneBackupAtATimeInADirectory(t *testing.T) {
	storetest.SQLiteOnly(t, "backups of a SQLite file (PostgreSQL: TestBackupOnPostgresPointsToItsTools)")
	s, clock, _ := backupFixture(t)
	dir := t.TempDir()
	paused, release := make(chan struct{}), make(chan struct{})
	done := make(chan error)
	go func() {
		_, err := store.BackupPausing(ctx, s.Path(), storetest.Config(clock), dir, func(stage string) {
			if stage == "snapshot" {
				close(paused)
				<-release
			}
		})
		done <- err
	}()
	<-paused
	if _, err := s.Backup(ctx, dir, store.BackupManual); err == nil || !strings.Contains(err.Error(), "another backup") {
		t.Fatalf("a second backup into the same directory: %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// migrationsFrom lists the embedded migrations' names from the one whose
// name starts with first on ("": all of them), in order.
func migrationsFrom(t *testing.T, first string) []string {
	t.Helper()
	return migrationsIn(t, "migrations", first)
}

// migrationsIn are the names of the migrations in dir, from first on.
func migrationsIn(t *testing.T, dir, first string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("migrations: %v", err)
	}
	var out []string
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".sql")
		if name >= first {
			out = append(out, name)
		}
	}
	return out
}

// TestBackupOnPostgresPointsToItsTools: on PostgreSQL, backup, restore and
// check answer that PostgreSQL's own tools do that, and write nothing.
func TestBackupOnPostgresPointsToItsTools(t *testing.T) {
	if !storetest.OnPostgres() {
		t.Skip("PostgreSQL only: on SQLite, the tests above")
	}
	s, _ := storetest.MustOpen(t)
	dir := t.TempDir()
	if _, err := s.Backup(ctx, dir, store.BackupManual); !errors.Is(err, store.ErrPostgresBackup) {
		t.Fatalf("backup on PostgreSQL: %v", err)
	}
	db := storetest.Database(t, filepath.Join(t.TempDir(), "anxin.db"))
	if _, err := store.BackupDatabase(ctx, db, storetest.Config(anxin.NewManualClock(storetest.Epoch)), dir); !errors.Is(err, store.ErrPostgresBackup) {
		t.Fatalf("anxin backup on PostgreSQL: %v", err)
	}
	if _, err := store.Restore(ctx, dir, db, storetest.Config(anxin.NewManualClock(storetest.Epoch)), true); !errors.Is(err, store.ErrPostgresBackup) {
		t.Fatalf("anxin restore on PostgreSQL: %v", err)
	}
	if _, err := store.Check(ctx, db, storetest.Config(anxin.NewManualClock(storetest.Epoch))); !errors.Is(err, store.ErrPostgresBackup) {
		t.Fatalf("anxin check on PostgreSQL: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("the refused backup left %d entries", len(entries))
	}
	if !strings.Contains(store.ErrPostgresBackup.Error(), "pg_dump") {
		t.Fatal("the refusal does not name pg_dump")
	}
}
