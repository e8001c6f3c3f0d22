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

// purgeEvery is how often the scheduler purges expired records.
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
}

// NewScheduler returns a scheduler over the store.
func NewScheduler(st *store.Store, cfg Config) (*Scheduler, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Scheduler{st: st, cfg: cfg, log: cfg.Logger, reported: map[string]map[int64]string{}}, nil
}

// Round is what one round of the scheduler did.
type Round struct {
	Timeouts store.Sweep
	Refunds  store.Sweep
	Notices  int
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
	if r.Timeouts, err = s.st.RunTimeouts(ctx); err != nil {
		errs = append(errs, err)
	}
	s.report("timeout", r.Timeouts)
	if s.cfg.RefundProvider == ProviderBuiltin {
		if r.Refunds, err = s.st.PayPendingRefunds(ctx); err != nil {
			errs = append(errs, err)
		}
		s.report("built-in refund", r.Refunds)
	}
	if r.Notices, err = s.st.NoticeDeadlines(ctx); err != nil {
		errs = append(errs, err)
	}
	if now := s.st.Clock().Now(); now.Sub(s.lastPurge) >= purgeEvery {
		n, err := s.st.EraseContacts(ctx, s.cfg.RetainContact)
		if n > 0 {
			s.log.Info("buyers' names and phones erased from tickets ended long ago", "tickets", n, "kept_for", s.cfg.RetainContact)
		}
		if err = errors.Join(err, s.st.Purge(ctx)); err != nil {
			errs = append(errs, err)
		} else {
			s.lastPurge = now
		}
	}
	return r, errors.Join(errs...)
}

// report logs what a sweep did; a ticket that keeps failing is logged once
// per distinct error, not every second. Only the failures of the latest
// sweep of each kind are remembered: a ticket that stops failing is
// forgotten, so a process that runs for months keeps no more than what is
// failing now.
func (s *Scheduler) report(what string, sw store.Sweep) {
	if sw.Done > 0 || sw.Lost > 0 {
		s.log.Info("scheduler: "+what+"s applied", "done", sw.Done, "lost_to_people", sw.Lost)
	}
	before := s.reported[what]
	now := make(map[int64]string, len(sw.Failed))
	for _, f := range sw.Failed {
		msg := f.Err.Error()
		if before[f.Ticket] != msg {
			s.log.Error("scheduler: "+what+" failed", "ticket", f.Ticket, "err", f.Err)
		}
		now[f.Ticket] = msg
	}
	s.reported[what] = now
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
		if _, err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("scheduler round failed", "err", err)
		}
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
