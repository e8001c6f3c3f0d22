package jobs

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
)

// purgeEvery is how often the scheduler purges expired records (and brings
// SQLite's planner statistics up to date).
const purgeEvery = time.Hour

// Scheduler acts on passed deadlines with the system as actor, pays pending
// refunds when the provider is the built-in one, and sends
// ticket.deadline_soon notices.
type Scheduler struct {
	st  *store.Store
	cfg Config
	log *slog.Logger

	mu        sync.Mutex // one round at a time
	lastPurge time.Time
	reported  map[string]map[int64]string // by sweep: the failures it logged last time, by ticket
	act       activity                    // what it tells at info, at most once a minute (activity.go)
	errs      *Repeats                    // round errors, told once a minute while they repeat

	statsMu sync.Mutex
	stats   Stats
}

// NewScheduler returns a scheduler over the store.
func NewScheduler(st *store.Store, cfg Config) (*Scheduler, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Scheduler{st: st, cfg: cfg, log: cfg.Logger, reported: map[string]map[int64]string{},
		errs: NewRepeats(cfg.Logger, "scheduler round failed")}
	s.act = activity{log: cfg.Logger, countDue: func(now time.Time) int64 {
		n, err := st.CountDueTimeouts(context.Background(), now)
		if err != nil {
			return -1
		}
		return n
	}}
	return s, nil
}

// Round is what one round of the scheduler did.
type Round struct {
	Timeouts store.Sweep
	Refunds  store.Sweep
	Notices  int
	// HandedOver counts the refunds handed to the payment system after
	// their undo time.
	HandedOver int
}

// Tick does one round: every passed deadline (oldest first, however many),
// then the built-in provider's refunds, then the deadline notices, and a
// purge once an hour.
func (s *Scheduler) Tick(ctx context.Context) (Round, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var r Round
	var errs []error
	var err error
	if r.Timeouts, err = s.st.SweepTimeouts(ctx, func(b store.Batch) { s.batch(kindTimeout, b) }); err != nil {
		errs = append(errs, err)
	}
	if err == nil {
		s.act.swept(s.st.Clock().Now())
	}
	s.report(kindTimeout, r.Timeouts)
	// Refunds a person pressed go to the payment system once their undo
	// time has passed: before the built-in provider's sweep, which pays
	// only refunds handed over.
	if r.HandedOver, err = s.st.HandOverRefunds(ctx); err != nil {
		errs = append(errs, err)
	}
	if s.cfg.RefundProvider == ProviderBuiltin {
		if r.Refunds, err = s.st.SweepRefunds(ctx, func(b store.Batch) { s.batch(kindRefund, b) }); err != nil {
			errs = append(errs, err)
		}
		s.report(kindRefund, r.Refunds)
	}
	if r.Notices, err = s.st.NoticeDeadlines(ctx); err != nil {
		errs = append(errs, err)
	}
	now := s.st.Clock().Now()
	if now.Sub(s.lastPurge) >= purgeEvery {
		n, err := s.st.EraseContacts(ctx, s.cfg.RetainContact)
		if n > 0 {
			s.log.Info("buyers' names and phones erased from tickets ended long ago", "tickets", n, "kept_for", s.cfg.RetainContact)
		}
		ph, perr := s.st.ErasePhotos(ctx, s.cfg.RetainPhotos)
		if ph.Photos > 0 {
			s.log.Info("evidence photos deleted from tickets ended long ago", "tickets", ph.Tickets, "photos", ph.Photos,
				"files", ph.Files, "kept_for", s.cfg.RetainPhotos)
		}
		// And SQLite's planner statistics, where a table has grown a lot.
		if err = errors.Join(err, perr, s.st.Purge(ctx), s.st.OptimizeStats(ctx)); err != nil {
			errs = append(errs, err)
		} else {
			s.lastPurge = now
		}
	}
	s.act.notices(r.Notices)
	s.act.maybeSay(now)
	s.count(func(st *Stats) {
		st.Rounds++
		st.Notices += int64(r.Notices)
		st.CatchingUp = s.act.catchUp != nil
	})
	return r, errors.Join(errs...)
}

// The sweeps, as they are named in the logs and the metrics.
const (
	kindTimeout = "timeout"
	kindRefund  = "built-in refund"
)

// batch is told of each committed batch of a sweep: its detail at debug,
// its counts to the minute's tally and the metrics.
func (s *Scheduler) batch(kind string, b store.Batch) {
	now := s.st.Clock().Now()
	if len(b.Due) == 0 {
		return
	}
	behind := max(now.Sub(b.Due[0].At), 0)
	s.log.Debug("scheduler: batch", "kind", kind, "done", b.Sweep.Done, "lost_to_people", b.Sweep.Lost,
		"failed", len(b.Sweep.Failed), "oldest", b.Due[0].At, "behind", behind)
	s.count(func(st *Stats) {
		c := &st.Timeouts
		if kind == kindRefund {
			c = &st.Refunds
		}
		c.Done += int64(b.Sweep.Done)
		c.Lost += int64(b.Sweep.Lost)
		c.Failed += int64(len(b.Sweep.Failed))
	})
	if kind == kindTimeout && s.act.catchUp == nil && behind > catchUpBehind {
		due := s.act.countDue(now) // what is left after this batch
		if due >= 0 {
			due += int64(len(b.Due))
		}
		s.act.startCatchUp(now, b.Due[0].At, due)
	}
	s.act.add(kind, b.Sweep)
	if s.act.catchUp != nil && kind == kindTimeout {
		s.act.catchUp.behind = behind
	}
	s.act.maybeSay(now)
}

// report logs the failures of a sweep; a ticket that keeps failing is
// logged once per distinct error, not every second, and a sweep logs at
// most maxFailureLines of them (a fault that fails every ticket the same
// way would otherwise log each). Only the failures of the latest sweep of
// each kind are remembered: a ticket that stops failing is forgotten, so a
// process that runs for months keeps no more than what is failing now.
func (s *Scheduler) report(what string, sw store.Sweep) {
	before := s.reported[what]
	now := make(map[int64]string, len(sw.Failed))
	logged, more := 0, 0
	for _, f := range sw.Failed {
		msg := f.Err.Error()
		if before[f.Ticket] != msg {
			if logged < maxFailureLines {
				s.log.Error("scheduler: "+what+" failed", "ticket", f.Ticket, "err", f.Err)
				logged++
			} else {
				more++
			}
		}
		now[f.Ticket] = msg
	}
	if more > 0 {
		s.log.Error("scheduler: more "+what+"s failed", "more", more, "failing", len(sw.Failed))
	}
	s.reported[what] = now
}

// maxFailureLines bounds the failures a sweep logs one by one.
const maxFailureLines = 10

// Stats are what the scheduler did since it started, for the metrics.
type Stats struct {
	Rounds            int64
	Timeouts, Refunds Counts // the built-in provider's refunds
	Notices           int64  // deadline notices sent
	RoundErrors       int64
	CatchingUp        bool
	// Leading tells whether this node runs the rounds: always on SQLite;
	// on PostgreSQL, the one node of those on the database that holds the
	// scheduler's lead (store.LeadScheduler).
	Leading bool
}

// Counts are what a kind of sweep did to tickets.
type Counts struct{ Done, Lost, Failed int64 }

// Stats returns what the scheduler did since it started.
func (s *Scheduler) Stats() Stats {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	return s.stats
}

func (s *Scheduler) count(f func(*Stats)) {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	f(&s.stats)
}

// Run does rounds until ctx ends: one at once (the catch-up after downtime),
// then every interval, or sooner when a refund is recorded.
func (s *Scheduler) Run(ctx context.Context) {
	s.checkProvider(ctx)
	var wake <-chan struct{}
	if s.cfg.RefundProvider == ProviderBuiltin {
		wake = s.st.RefundsReady()
	}
	Loop(ctx, s.cfg.Interval, wake, func(ctx context.Context) {
		// One node of several on one PostgreSQL database runs the rounds;
		// the others ask again each interval, and one of them takes over
		// within a round of the leader's end.
		lead, err := s.st.LeadScheduler(ctx)
		if err == nil && !lead {
			s.count(func(st *Stats) { st.Leading = false })
			return
		}
		if err == nil {
			s.count(func(st *Stats) { st.Leading = true })
			_, err = s.Tick(ctx)
		}
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			s.count(func(st *Stats) { st.RoundErrors++ })
		}
		s.errs.Tell(s.st.Clock().Now(), err)
	})
}

// checkProvider warns when refunds are to go to payment systems that no
// endpoint stands for: they would wait in refunding for good.
func (s *Scheduler) checkProvider(ctx context.Context) {
	if s.cfg.RefundProvider != ProviderWebhook {
		return
	}
	hooks, err := s.st.Webhooks(ctx)
	if err != nil {
		return
	}
	for _, w := range hooks {
		if w.Active && slices.Contains(w.Events, anxin.EventRefundRequested) {
			return
		}
	}
	s.log.Warn("the refund provider is webhook but no active webhook listens to refund.requested: " +
		"refunds will wait until one does (add it at /admin/webhooks)")
}
