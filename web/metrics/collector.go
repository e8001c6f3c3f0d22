package metrics

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/anxin-helpdesk/anxin/store"
	"github.com/prometheus/client_golang/prometheus"
)

// collector reads the sources at each scrape. The store's figures come
// from indexes (store.Vitals: some tens of milliseconds at 1,000,000
// tickets), read at most once per Sources.Fresh; a scrape that finds the
// store slower than vitalsTimeout gets the other metrics, and the failure
// in the log.
type collector struct {
	src Sources
	log *slog.Logger

	mu   sync.Mutex // held while the store is read: scrapes at once share one reading
	last reading    // the latest reading that succeeded

	open, overdue, lag, outboxPending, outboxDue, outboxAge, dbBytes, walBytes,
	backupTime, backupOK, backupBytes, goodBackupTime, vitalsSeconds, vitalsAge,
	rounds, actions, notices, roundErrors, catchingUp, leading,
	attempts, givenUp *prometheus.Desc
}

const vitalsTimeout = 10 * time.Second

// reading is one read of the store's figures: what it found, when (on the
// monotonic clock: how old it is), and how long it took.
type reading struct {
	v    store.Vitals
	at   time.Time
	took time.Duration
}

func newCollector(src Sources, log *slog.Logger) *collector {
	d := prometheus.NewDesc
	return &collector{src: src, log: log,
		open:           d("anxin_tickets_open", "Open tickets, by state.", []string{"state"}, nil),
		overdue:        d("anxin_tickets_overdue", "Open tickets whose deadline has passed, by state.", []string{"state"}, nil),
		lag:            d("anxin_scheduler_lag_seconds", "How long ago the oldest deadline the scheduler has still to act on passed; 0 when none has.", nil, nil),
		outboxPending:  d("anxin_webhook_outbox_pending", "Webhook deliveries waiting for a first try or a retry.", nil, nil),
		outboxDue:      d("anxin_webhook_outbox_due", "Webhook deliveries due to be tried now.", nil, nil),
		outboxAge:      d("anxin_webhook_outbox_oldest_due_seconds", "How long the oldest delivery due has been waiting; 0 when none is due.", nil, nil),
		dbBytes:        d("anxin_db_size_bytes", "Size of the database file.", nil, nil),
		walBytes:       d("anxin_db_wal_size_bytes", "Size of the database's write-ahead log.", nil, nil),
		backupTime:     d("anxin_backup_last_time_seconds", "When the latest backup of the kind finished (or failed), as a Unix time.", []string{"kind"}, nil),
		backupOK:       d("anxin_backup_last_success", "Whether the latest backup of the kind was written and verified (1) or failed (0).", []string{"kind"}, nil),
		backupBytes:    d("anxin_backup_last_size_bytes", "Size of the latest backup of the kind; 0 when it failed.", []string{"kind"}, nil),
		goodBackupTime: d("anxin_backup_last_good_time_seconds", "When the latest backup that succeeded, of any kind, finished, as a Unix time.", nil, nil),
		vitalsSeconds:  d("anxin_metrics_db_read_seconds", "Time the latest read of the database's figures took.", nil, nil),
		vitalsAge:      d("anxin_metrics_db_read_age_seconds", "Age of the database's figures this scrape reports: 0 when it read them, more when it shares an earlier scrape's reading (serve reads at most every 5 s).", nil, nil),
		rounds:         d("anxin_scheduler_rounds_total", "Rounds of the scheduler.", nil, nil),
		actions:        d("anxin_scheduler_actions_total", "Tickets the scheduler acted on, by kind (timeout, builtin_refund) and result (done; lost: a person acted first; failed).", []string{"kind", "result"}, nil),
		notices:        d("anxin_scheduler_notices_total", "Deadline-soon notices sent.", nil, nil),
		roundErrors:    d("anxin_scheduler_round_errors_total", "Rounds of the scheduler that failed.", nil, nil),
		leading:        d("anxin_scheduler_leading", "Whether this node runs the scheduler (1) or another node on the same PostgreSQL database does (0); always 1 on SQLite once it has started.", nil, nil),
		catchingUp:     d("anxin_scheduler_catching_up", "Whether the scheduler is working through deadlines that passed more than a minute ago (1) or not (0).", nil, nil),
		attempts:       d("anxin_webhook_attempts_total", "Webhook delivery attempts, by result (delivered, failed).", []string{"result"}, nil),
		givenUp:        d("anxin_webhook_given_up_total", "Webhook deliveries given up after their last retry.", nil, nil),
	}
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.open, c.overdue, c.lag, c.outboxPending, c.outboxDue, c.outboxAge, c.dbBytes,
		c.walBytes, c.backupTime, c.backupOK, c.backupBytes, c.goodBackupTime, c.vitalsSeconds, c.vitalsAge, c.rounds, c.actions,
		c.notices, c.roundErrors, c.catchingUp, c.leading, c.attempts, c.givenUp} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	if c.src.Store != nil {
		c.collectStore(ch)
	}
	counter := func(d *prometheus.Desc, v int64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	if c.src.Scheduler != nil {
		st := c.src.Scheduler()
		counter(c.rounds, st.Rounds)
		for _, k := range []struct {
			kind string
			n    int64
			lost int64
			fail int64
		}{{"timeout", st.Timeouts.Done, st.Timeouts.Lost, st.Timeouts.Failed},
			{"builtin_refund", st.Refunds.Done, st.Refunds.Lost, st.Refunds.Failed}} {
			counter(c.actions, k.n, k.kind, "done")
			counter(c.actions, k.lost, k.kind, "lost")
			counter(c.actions, k.fail, k.kind, "failed")
		}
		counter(c.notices, st.Notices)
		counter(c.roundErrors, st.RoundErrors)
		ch <- prometheus.MustNewConstMetric(c.catchingUp, prometheus.GaugeValue, bool01(st.CatchingUp))
		ch <- prometheus.MustNewConstMetric(c.leading, prometheus.GaugeValue, bool01(st.Leading))
	}
	if c.src.Sender != nil {
		st := c.src.Sender()
		counter(c.attempts, st.Delivered, "delivered")
		counter(c.attempts, st.FailedAttempts, "failed")
		counter(c.givenUp, st.GivenUp)
	}
}

// read returns a reading of the store's figures no older than Fresh,
// reading the store if the last one is older.
func (c *collector) read() (r reading, age time.Duration, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if age := time.Since(c.last.at); !c.last.at.IsZero() && age < c.src.Fresh {
		return c.last, age, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), vitalsTimeout)
	defer cancel()
	start := time.Now()
	v, err := c.src.Store.Vitals(ctx)
	if err != nil {
		return reading{}, 0, err // not kept: the next scrape tries again
	}
	c.last = reading{v: v, at: time.Now(), took: time.Since(start)}
	return c.last, 0, nil
}

func (c *collector) collectStore(ch chan<- prometheus.Metric) {
	r, age, err := c.read()
	if err != nil {
		c.log.Error("metrics: reading the database's figures failed", "err", err)
		ch <- prometheus.NewInvalidMetric(c.open, err)
		return
	}
	v := r.v
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	for st, n := range v.Open {
		gauge(c.open, float64(n), string(st))
	}
	for st, n := range v.Overdue {
		gauge(c.overdue, float64(n), string(st))
	}
	gauge(c.lag, v.Lag.Seconds())
	gauge(c.outboxPending, float64(v.OutboxPending))
	gauge(c.outboxDue, float64(v.OutboxDue))
	waited := 0.0
	if !v.OldestDue.IsZero() {
		waited = max(v.At.Sub(v.OldestDue).Seconds(), 0)
	}
	gauge(c.outboxAge, waited)
	gauge(c.dbBytes, float64(v.DBBytes))
	gauge(c.walBytes, float64(v.WALBytes))
	for _, kind := range []store.BackupKind{store.BackupScheduled, store.BackupManual, store.BackupPreMigrate} {
		r, ok := v.LastBackups[kind]
		if !ok {
			continue // none taken: no series, rather than a time of 1970
		}
		gauge(c.backupTime, unix(r.Finished), string(kind))
		gauge(c.backupOK, bool01(r.OK()), string(kind))
		gauge(c.backupBytes, float64(r.Bytes), string(kind))
	}
	if v.LastGoodBackupOK {
		gauge(c.goodBackupTime, unix(v.LastGoodBackup.Finished))
	}
	gauge(c.vitalsSeconds, r.took.Seconds())
	gauge(c.vitalsAge, age.Seconds())
}

func bool01(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func unix(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }
