package store_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// benchTickets is the size of the benchmark database.
const benchTickets = 1_000_000

// benchDB is the 1M-ticket benchmark database, built once (storetest).
func benchDB(b *testing.B) string { return storetest.MustBenchDatabase(b, benchTickets) }

func openBench(b *testing.B, path string) *store.Store {
	b.Helper()
	return storetest.MustOpenWith(b, path, storetest.Config(anxin.NewManualClock(storetest.Epoch)))
}

func BenchmarkQueueFirstPage(b *testing.B) {
	s := openBench(b, benchDB(b))
	for b.Loop() {
		page, _, err := s.Queue(ctx, store.QueueFilter{Limit: 50})
		if err != nil || len(page) != 50 {
			b.Fatalf("%d rows, %v", len(page), err)
		}
	}
}

func BenchmarkQueueMerchantAndState(b *testing.B) {
	s := openBench(b, benchDB(b))
	f := store.QueueFilter{MerchantID: 7, State: anxin.PendingMerchant, Limit: 50}
	for b.Loop() {
		page, _, err := s.Queue(ctx, f)
		if err != nil || len(page) != 50 {
			b.Fatalf("%d rows, %v", len(page), err)
		}
	}
}

// BenchmarkQueueDeepPage reads the page after 5,000 rows: keyset pages cost
// the same wherever they are.
func BenchmarkQueueDeepPage(b *testing.B) {
	s := openBench(b, benchDB(b))
	var cur store.QueueCursor
	for range 100 {
		_, next, err := s.Queue(ctx, store.QueueFilter{Limit: 50, After: cur})
		if err != nil {
			b.Fatal(err)
		}
		cur = next
	}
	for b.Loop() {
		page, _, err := s.Queue(ctx, store.QueueFilter{Limit: 50, After: cur})
		if err != nil || len(page) != 50 {
			b.Fatalf("%d rows, %v", len(page), err)
		}
	}
}

// benchApprovals opens a copy of the benchmark database (so the kept one
// stays as built) with up to maxBatch writes to a commit, and lists
// pending tickets to approve.
func benchApprovals(b *testing.B, maxBatch int) (*store.Store, []anxin.Ticket) {
	b.Helper()
	cfg := storetest.Config(anxin.NewManualClock(storetest.Epoch))
	cfg.MaxBatch = maxBatch
	s := storetest.MustOpenWith(b, storetest.CopyDatabase(b, benchDB(b)), cfg)
	storetest.GiveReturnAddresses(b, s)
	return s, storetest.PendingTickets(b, s, time.Time{}, 200_000)
}

var benchAgent = anxin.Actor{Role: anxin.RoleAgent, UserID: 1, Name: "bench agent"}

// BenchmarkApprove approves a different pending ticket each time, one after
// another: each one transaction with compare-and-set, its event and (for
// refund-only services) its refund row, committed with synchronous=FULL.
func BenchmarkApprove(b *testing.B) {
	s, pending := benchApprovals(b, 0)
	i := 0
	for b.Loop() {
		t := pending[i]
		i++
		if _, err := s.Decide(ctx, t.ID, anxin.Decision{Action: anxin.Approve, Actor: benchAgent, Version: t.Version}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "approvals/s")
}

// BenchmarkApproveConcurrent is the same with 16 agents approving at once,
// as on a busy afternoon: with group commit (concurrent approvals share
// their commits) and, in the same run, with a transaction and a commit
// each, which is what group commit has to beat to earn its keep.
func BenchmarkApproveConcurrent(b *testing.B) {
	for _, c := range []struct {
		name     string
		maxBatch int
	}{{"group", store.DefaultMaxBatch}, {"plain", 1}} {
		b.Run(c.name, func(b *testing.B) {
			s, pending := benchApprovals(b, c.maxBatch)
			var next atomic.Int64
			b.SetParallelism(8) // 8 x GOMAXPROCS goroutines
			b.ResetTimer()
			cpu := storetest.StartCPU()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					t := pending[next.Add(1)-1]
					if _, err := s.Decide(ctx, t.ID, anxin.Decision{Action: anxin.Approve, Actor: benchAgent, Version: t.Version}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			cpu.Report(b, b.N)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "approvals/s")
		})
	}
}

// TestBenchDatabaseShape builds a small database the way the benchmark's is
// built and checks it is a valid, queueable one.
func TestBenchDatabaseShape(t *testing.T) {
	dir := t.TempDir()
	path, err := storetest.BenchDatabase(ctx, dir, 2000)
	if err != nil {
		t.Fatal(err)
	}
	s := storetest.MustOpenWith(t, storetest.Fixture(t, path), storetest.Config(anxin.NewManualClock(storetest.Epoch)))
	page, _, err := s.Queue(ctx, store.QueueFilter{Limit: 50})
	if err != nil || len(page) != 50 {
		t.Fatalf("queue over the bench data: %d rows, %v", len(page), err)
	}
	var open, total int
	db := store.DB(s)
	db.QueryRow(`SELECT count(*) FROM tickets WHERE due_at IS NOT NULL`).Scan(&open)
	db.QueryRow(`SELECT count(*) FROM tickets`).Scan(&total)
	if total != 2000 || open < 400 || open > 1000 {
		t.Fatalf("%d tickets, %d open", total, open)
	}
	// The decided ones were decided, and the reports count them.
	var events, refunds, first, counted int
	db.QueryRow(`SELECT count(*) FROM ticket_events`).Scan(&events)
	db.QueryRow(`SELECT count(*) FROM refunds WHERE status = 'succeeded'`).Scan(&refunds)
	db.QueryRow(`SELECT count(*) FROM tickets WHERE first_action_at IS NOT NULL`).Scan(&first)
	db.QueryRow(`SELECT sum(decided) FROM figures_daily`).Scan(&counted)
	if events != total-open || refunds < 600 || first != events || counted != events {
		t.Fatalf("%d events, %d refunds, %d first actions, %d decisions counted", events, refunds, first, counted)
	}
	again, err := storetest.BenchDatabase(ctx, dir, 2000)
	if err != nil || again != path {
		t.Fatalf("a second call must reuse the database: %v", err)
	}
}

// BenchmarkPostgresApproveConcurrent is BenchmarkApproveConcurrent's group
// commit on PostgreSQL (ANXIN_TEST_POSTGRES), through one store and then
// through two on the one database, as two nodes are: the write path's own
// rate, without HTTP or the pages around it.
func BenchmarkPostgresApproveConcurrent(b *testing.B) {
	base := storetest.MustBenchPostgres(b, benchTickets)
	for _, nodes := range []int{1, 2} {
		b.Run(fmt.Sprintf("nodes=%d", nodes), func(b *testing.B) {
			db := storetest.CopyPostgres(b, base)
			var stores []*store.Store
			for range nodes {
				stores = append(stores, openBench(b, db))
			}
			storetest.GiveReturnAddresses(b, stores[0])
			pending := storetest.PendingTickets(b, stores[0], time.Time{}, 200_000)
			var next atomic.Int64
			b.SetParallelism(32) // 64 goroutines on 2 cores, as the HTTP benchmark's connections
			b.ResetTimer()
			cpu := storetest.StartCPU()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := next.Add(1) - 1
					t := pending[i]
					if _, err := stores[int(i)%nodes].Decide(ctx, t.ID, anxin.Decision{Action: anxin.Approve, Actor: benchAgent, Version: t.Version}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			cpu.Report(b, b.N)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "approvals/s")
		})
	}
}
