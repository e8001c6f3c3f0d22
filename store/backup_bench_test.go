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

// approvers approve tickets at a steady rate, as requests arrive at a
// server, each timed from the moment it was due (so that a server falling
// behind shows as waits, not as fewer requests), until stopped.
type approvers struct {
	stop atomic.Bool
	wg   sync.WaitGroup
	mu   sync.Mutex
	took []timed
	err  error
}

// timed is one approval: when it was due and how long it waited for its answer.
type timed struct {
	at   time.Time
	took time.Duration
}

func startApprovers(s *store.Store, pending []anxin.Ticket, next *atomic.Int64, perSecond int) *approvers {
	a := &approvers{}
	due := make(chan time.Time, 1<<16)
	a.wg.Go(func() {
		defer close(due)
		interval := time.Second / time.Duration(perSecond)
		for t := time.Now(); !a.stop.Load(); {
			t = t.Add(interval)
			time.Sleep(time.Until(t))
			due <- t
		}
	})
	for range 32 {
		a.wg.Go(func() {
			var took []timed
			for at := range due {
				i := next.Add(1) - 1
				if int(i) >= len(pending) {
					break
				}
				t := pending[i]
				_, err := s.Decide(ctx, t.ID, anxin.Decision{Action: anxin.Approve, Actor: benchAgent, Version: t.Version})
				took = append(took, timed{at, time.Since(at)})
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

// BenchmarkBackupWhileApproving backs up the 1M-ticket database while
// approvals keep coming, 200 a second (each a transaction committed with
// synchronous=FULL; a busy team makes a few a second), and reports how long the backup took (ns/op), how long
// its one read of the live database took (snapshot-ms), and how long the
// approvals waited while it ran and, for comparison, in the 3 seconds
// before it without a backup (base-*): the largest wait, the 99.9th
// percentile, and how many waited more than 100 ms. The bounds: a
// backup within 15 s, and no approval waiting more than 100 ms because of it.
// The approvals go on all the while; each backup is compared with the
// seconds just before it, so that other load on the machine shows in both.
func BenchmarkBackupWhileApproving(b *testing.B) {
	// Since the benchmark merchants have return addresses, an approval does
	// its whole work, and this machine (2 cores) no longer carries 500 a
	// second: then even the seconds without a backup had about 90 approvals
	// a second waiting over 100 ms, and the figures measured the overload,
	// not the backup. 200 a second it carries.
	const approvalsPerSecond = 200
	s, pending := benchApprovals(b, 0)
	var next atomic.Int64
	dir := b.TempDir()
	var base, during, snap []time.Duration
	var snapshot time.Duration
	for b.Loop() {
		b.StopTimer()
		a := startApprovers(s, pending, &next, approvalsPerSecond)
		time.Sleep(3 * time.Second)
		base = append(base, waits(a.end(b), time.Time{}, time.Now())...)
		a = startApprovers(s, pending, &next, approvalsPerSecond)
		b.StartTimer()
		start := time.Now()
		bk, err := s.Backup(ctx, dir, store.BackupManual)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		ts := a.end(b)
		during = append(during, waits(ts, start, time.Now())...)
		snap = append(snap, waits(ts, start, start.Add(bk.Snapshot))...)
		snapshot = max(snapshot, bk.Snapshot)
		if _, err := store.PruneBackups(dir, 1); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(millis(snapshot), "snapshot-ms")
	report := func(ws []time.Duration, name string) {
		slices.Sort(ws)
		if len(ws) == 0 {
			return
		}
		over := 0
		for _, w := range ws {
			if w > 100*time.Millisecond {
				over++
			}
		}
		b.ReportMetric(millis(ws[len(ws)-1]), name+"-max-ms")
		b.ReportMetric(millis(ws[len(ws)*999/1000]), name+"-p999-ms")
		b.ReportMetric(float64(over), name+"-over100ms")
	}
	report(base, "base")
	report(during, "backup")
	report(snap, "snapshot")
}
