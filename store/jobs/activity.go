package jobs

import (
	"log/slog"
	"time"

	"github.com/anxin-helpdesk/anxin/store"
)

// What the background workers log. An operator reads the info level: there
// a worker says what it did at most once a minute (LogEvery), and when a
// catch-up starts and ends; the detail of each batch is at debug. A catch-up
// after downtime works through its backlog in batches of a few dozen
// tickets, hundreds a second: one info line each would bury everything
// else (1,875 lines in 3 minutes, seen).
const (
	// LogEvery is how often, at most, a worker tells at info what it did.
	LogEvery = time.Minute
	// catchUpBehind: a deadline acted on more than this after it passed
	// means the scheduler is working through a backlog.
	catchUpBehind = time.Minute
)

// activity is the scheduler's tally of what it did since it last told,
// and the catch-up under way if any. Only the round (under Scheduler.mu)
// touches it.
type activity struct {
	log      *slog.Logger
	saidAt   time.Time // when the tally was last told
	tally    tally
	catchUp  *catchUp
	countDue func(now time.Time) int64 // the backlog left: -1 when unknown
}

type tally struct {
	timeouts, refunds Counts
	notices           int64
}

func (t tally) empty() bool { return t == tally{} }

type catchUp struct {
	started time.Time
	did     Counts
	behind  time.Duration // how far behind its latest batch was
}

func (c *Counts) add(sw store.Sweep) {
	c.Done += int64(sw.Done)
	c.Lost += int64(sw.Lost)
	c.Failed += int64(len(sw.Failed))
}

func (a *activity) add(kind string, sw store.Sweep) {
	switch kind {
	case kindTimeout:
		a.tally.timeouts.add(sw)
		if a.catchUp != nil {
			a.catchUp.did.add(sw)
		}
	case kindRefund:
		a.tally.refunds.add(sw)
	}
}

func (a *activity) notices(n int) { a.tally.notices += int64(n) }

// startCatchUp tells that the scheduler is behind: due deadlines have
// passed, the oldest at oldest.
func (a *activity) startCatchUp(now, oldest time.Time, due int64) {
	a.catchUp = &catchUp{started: now, behind: now.Sub(oldest)}
	a.saidAt = now // the tally waits its minute: this line tells what is going on
	a.log.Info("scheduler: catching up on passed deadlines", "due", due, "oldest", oldest, "behind", now.Sub(oldest).Round(time.Second))
}

// maybeSay tells the tally if there is one and a minute has passed since
// it was last told.
func (a *activity) maybeSay(now time.Time) {
	if a.tally.empty() || now.Sub(a.saidAt) < LogEvery {
		return
	}
	t := a.tally
	attrs := []any{"timeouts", t.timeouts.Done, "lost_to_people", t.timeouts.Lost + t.refunds.Lost,
		"refunds_paid", t.refunds.Done, "notices", t.notices, "failed", t.timeouts.Failed + t.refunds.Failed}
	if !a.saidAt.IsZero() {
		attrs = append(attrs, "since", a.saidAt)
	}
	if a.catchUp != nil {
		attrs = append(attrs, "catching_up", true, "left", a.countDue(now), "behind", a.catchUp.behind.Round(time.Second))
	}
	a.log.Info("scheduler: applied", attrs...)
	a.tally, a.saidAt = tally{}, now
}

// swept ends the catch-up once a sweep has acted on every deadline that
// had passed when it began.
func (a *activity) swept(now time.Time) {
	if c := a.catchUp; c != nil {
		a.log.Info("scheduler: caught up", "timeouts", c.did.Done, "lost_to_people", c.did.Lost, "failed", c.did.Failed,
			"took", now.Sub(c.started).Round(time.Second))
		a.catchUp = nil
	}
}

// Repeats logs a worker's round errors: an error at once, and while the
// same one repeats round after round, once a minute with how many times it
// came; when rounds work again, that they do.
type Repeats struct {
	log    *slog.Logger
	what   string
	last   string
	saidAt time.Time
	times  int // since it was last told
}

// NewRepeats returns the log of a worker's round errors, told as what.
func NewRepeats(log *slog.Logger, what string) *Repeats { return &Repeats{log: log, what: what} }

// Tell is given each round's error (nil when it worked) and the time.
func (r *Repeats) Tell(now time.Time, err error) {
	if err == nil {
		if r.last != "" {
			r.log.Info(r.what+": working again", "failed_rounds", r.times)
			r.last, r.times = "", 0
		}
		return
	}
	r.times++
	if msg := err.Error(); msg != r.last || now.Sub(r.saidAt) >= LogEvery {
		r.log.Error(r.what, "err", err, "times", r.times)
		r.last, r.saidAt, r.times = msg, now, 0
	}
}
