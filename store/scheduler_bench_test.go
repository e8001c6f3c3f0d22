package store_test

import (
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// dueTickets is the size of the catch-up benchmark: 100,000 deadlines passed
// during an outage (goal: caught up within 60 s, synchronous=FULL).
const dueTickets = 100_000

// BenchmarkSchedulerCatchUp opens a copy of a database whose 100,000 open
// tickets are all past their deadline and times the scheduler's first sweep,
// which applies every timeout action, oldest first, each compare-and-set
// with its event and (when it pays) its refund row.
func BenchmarkSchedulerCatchUp(b *testing.B) {
	src, err := storetest.DueDatabase(ctx, storetest.BenchDir(b), dueTickets)
	if err != nil {
		b.Fatal(err)
	}
	var elapsed, cpu time.Duration
	for range b.N {
		b.StopTimer()
		path := storetest.CopyDatabase(b, src)
		clock := anxin.NewManualClock(storetest.Epoch)
		s, err := store.Open(ctx, path, storetest.Config(clock))
		if err != nil {
			b.Fatal(err)
		}
		start, cpu0 := time.Now(), storetest.CPUTime()
		b.StartTimer()
		sw, err := s.RunTimeouts(ctx)
		b.StopTimer()
		elapsed += time.Since(start)
		cpu += storetest.CPUTime() - cpu0
		if err != nil || sw.Done != dueTickets || len(sw.Failed) > 0 {
			b.Fatalf("caught up %d of %d (%d failed: %v), %v", sw.Done, dueTickets, len(sw.Failed), sw.Failed, err)
		}
		var left int
		store.DB(s).QueryRow(`SELECT count(*) FROM tickets WHERE auto_at <= ?`, clock.Now().UnixMilli()).Scan(&left)
		if left != 0 {
			b.Fatalf("%d deadlines left behind", left)
		}
		s.Close()
	}
	b.ReportMetric(elapsed.Seconds()/float64(b.N), "s/catch-up")
	b.ReportMetric(float64(dueTickets*b.N)/elapsed.Seconds(), "deadlines/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(dueTickets*b.N), "cpu-µs/deadline")
}
