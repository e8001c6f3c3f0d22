package store_test

import (
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
)

// approvers are agents approving tickets one after another, timing each
// approval, until stopped.
type approvers struct {
	stop atomic.Bool
	wg   sync.WaitGroup
	mu   sync.Mutex
	took []timed
	err  error
}

// timed is one approval: when it began and how long it took.
type timed struct {
	at   time.Time
	took time.Duration
}

func startApprovers(s *store.Store, pending []anxin.Ticket, next *atomic.Int64, n int) *approvers {
	a := &approvers{}
	for range n {
		a.wg.Go(func() {
			var took []timed
			for !a.stop.Load() {
				i := next.Add(1) - 1
				if int(i) >= len(pending) {
					break
				}
				t := pending[i]
				start := time.Now()
				_, err := s.Decide(ctx, t.ID, anxin.Decision{Action: anxin.Approve, Actor: benchAgent, Version: t.Version})
				took = append(took, timed{start, time.Since(start)})
				if err != nil {
					a.mu.Lock()
					a.err = err
					a.mu.Unlock()
					break
				}
			}
			a.mu.Lock()
			a.took = append(a.took, took...)
			a.mu.Unlock()
		})
	}
	return a
}

// end stops the approvers and returns their approvals.
func (a *approvers) end(b *testing.B) []timed {
	a.stop.Store(true)
	a.wg.Wait()
	if a.err != nil {
		b.Fatal(a.err)
	}
	return a.took
}

// waits are the approvals' waits, of those that began in [from, to), sorted.
func waits(ts []timed, from, to time.Time) []time.Duration {
	var out []time.Duration
	for _, t := range ts {
		if !t.at.Before(from) && t.at.Before(to) {
			out = append(out, t.took)
		}
	}
	slices.Sort(out)
	return out
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkBackupWhileApproving backs up the 1M-ticket database while four
// agents keep approving (each approval a transaction committed with
// synchronous=FULL), and reports how long the backup took, how long its one
// read of the live database took (snapshot-ms), and how long approvals
// waited during it, against the same approvals for as long without a backup
// (base-*). The bounds: a backup within 15 s, and no approval
// waiting more than 100 ms because of it.
func BenchmarkBackupWhileApproving(b *testing.B) {
	s, pending := benchApprovals(b, 0)
	var next atomic.Int64
	dir := b.TempDir()

	a := startApprovers(s, pending, &next, 4)
	time.Sleep(3 * time.Second)
	base := waits(a.end(b), time.Time{}, time.Now())

	a = startApprovers(s, pending, &next, 4)
	var snap, check []time.Duration // approvals while the database was read, and after
	for b.Loop() {
		start := time.Now()
		bk, err := s.Backup(ctx, dir, store.BackupManual)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		ts := a.end(b)
		snap = append(snap, waits(ts, start, start.Add(bk.Snapshot))...)
		check = append(check, waits(ts, start.Add(bk.Snapshot), time.Now())...)
		b.ReportMetric(millis(bk.Snapshot), "snapshot-ms")
		if _, err := store.PruneBackups(dir, 1); err != nil {
			b.Fatal(err)
		}
		a = startApprovers(s, pending, &next, 4)
		b.StartTimer()
	}
	a.end(b)
	slices.Sort(snap)
	slices.Sort(check)
	report := func(ws []time.Duration, name string) {
		if len(ws) > 0 {
			b.ReportMetric(millis(ws[len(ws)-1]), name+"-max-ms")
			b.ReportMetric(millis(ws[len(ws)*99/100]), name+"-p99-ms")
		}
	}
	report(base, "base")
	report(snap, "snapshot-wait")
	report(check, "check-wait")
}
