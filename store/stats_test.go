package store_test

import (
	"strings"
	"testing"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// The store gathers SQLite's planner statistics when it opens, keeping
// sqlite_stat1 only, and the queue of one merchant's tickets in one state
// walks the merchant's index: without statistics SQLite walks every ticket
// in that state instead (11 ms a page instead of 0.45 over 1M tickets).
func TestPlannerStatisticsAtOpen(t *testing.T) {
	if storetest.OnPostgres() {
		t.Skip("PostgreSQL's autovacuum keeps its statistics")
	}
	path, err := storetest.BenchDatabase(ctx, t.TempDir(), 5000) // filled behind the store's back, then opened
	if err != nil {
		t.Fatal(err)
	}
	s := storetest.MustOpenWith(t, path, storetest.Config(anxin.NewManualClock(storetest.Epoch)))
	db := storetest.DB(t, s)
	var stat1, stat4 int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'tickets'`).Scan(&stat1); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_stat4`).Scan(&stat4); err != nil {
		t.Fatal(err)
	}
	if stat1 == 0 || stat4 != 0 {
		t.Fatalf("%d statistics of the tickets' indexes, %d samples: want some, and none", stat1, stat4)
	}
	f := store.QueueFilter{MerchantID: 7, State: anxin.PendingMerchant}
	plan, err := store.QueuePlan(s, f)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan, "tickets_queue_merchant (merchant_id=?") {
		t.Fatalf("one merchant's queue in one state is read as\n%s", plan)
	}
	if page, _, err := s.Queue(ctx, f); err != nil || len(page) == 0 {
		t.Fatalf("%d tickets, %v", len(page), err)
	}
}

// The scheduler's hourly OptimizeStats gathers the statistics of a table
// that has grown a lot since the store opened, in turn with the writes.
func TestOptimizeStatsAfterGrowth(t *testing.T) {
	if storetest.OnPostgres() {
		t.Skip("PostgreSQL's autovacuum keeps its statistics")
	}
	s, _ := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "统计商家")
	storetest.MustTicket(t, s, m.ID, anxin.Damaged, 5900)
	storetest.MustTicket(t, s, m.ID, anxin.QualityReturn, 12900)
	db := storetest.WritableDB(t, s)
	rows := func() string {
		t.Helper()
		var stat string
		err := db.QueryRow(`SELECT coalesce(max(stat), '') FROM sqlite_stat1 WHERE idx = 'tickets_created'`).Scan(&stat)
		if err != nil {
			t.Fatal(err)
		}
		n, _, _ := strings.Cut(stat, " ")
		return n
	}
	before := rows()
	// Behind the store's back, the tickets double six times: 128 of them.
	var cols []string
	list, err := db.Query(`SELECT name FROM pragma_table_info('tickets') WHERE name <> 'id' ORDER BY cid`)
	if err != nil {
		t.Fatal(err)
	}
	for list.Next() {
		var c string
		if err := list.Scan(&c); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	if err := list.Err(); err != nil {
		t.Fatal(err)
	}
	for range 6 {
		c := strings.Join(cols, ", ")
		if _, err := db.Exec(`INSERT INTO tickets (` + c + `) SELECT ` + c + ` FROM tickets`); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.OptimizeStats(ctx); err != nil {
		t.Fatal(err)
	}
	if after := rows(); after != "128" {
		t.Fatalf("the tickets' statistics count %q tickets (%q before), want 128", after, before)
	}
	var samples int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_stat4`).Scan(&samples); err != nil || samples != 0 {
		t.Fatalf("%d samples kept, %v", samples, err)
	}
}
