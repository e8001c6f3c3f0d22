// Package metrics is Anxin's Prometheus metrics (serve --metrics-addr),
// through the official client library: how long requests and writes take,
// measured as they happen, and what the database holds (open and overdue
// tickets, the scheduler's lag, the webhook outbox, the file sizes, the
// last backups), read from indexes at every scrape. The names are listed
// in the README, and docs/grafana-dashboard.json draws them.
package metrics

import (
	"log/slog"
	"net/http"
	"runtime"
	"strconv"
	"time"

	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/jobs"
	"github.com/anxin-helpdesk/anxin/web/webhook"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the registry and the metrics measured as things happen.
// A nil *Metrics measures nothing: its methods may be called all the same.
type Metrics struct {
	reg      *prometheus.Registry
	log      *slog.Logger
	requests *prometheus.HistogramVec
	writes   *prometheus.HistogramVec
	commits  prometheus.Histogram
	batches  prometheus.Histogram
}

// Build is what the binary is, for anxin_build_info.
type Build struct{ Version, Commit string }

// New returns the metrics, with the Go runtime's and the process's.
func New(b Build, log *slog.Logger) *Metrics {
	if log == nil {
		log = slog.Default()
	}
	m := &Metrics{reg: prometheus.NewRegistry(), log: log}
	m.requests = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "anxin_http_request_duration_seconds",
		Help: "Time to answer an HTTP request, by method, route pattern and status (499: the client went away first). Probes (/healthz, /livez) are not counted.",
		// From a cached page (under a millisecond) to a large export.
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"method", "route", "status"})
	m.writes = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "anxin_store_write_duration_seconds",
		Help:    "Time a write waited for the single writer, ran and was committed, by queue: people (requests) or background (the scheduler).",
		Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14), // 0.5 ms to 4 s
	}, []string{"queue"})
	m.commits = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "anxin_store_commit_duration_seconds",
		Help:    "Time of one group commit of the writer, from its begin to its commit (fsync included).",
		Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
	})
	m.batches = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "anxin_store_commit_writes",
		Help:    "Writes that shared one group commit.",
		Buckets: []float64{1, 2, 4, 8, 16, 32, 64},
	})
	info := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "anxin_build_info",
		Help:        "The running binary: always 1, with its version, commit and Go version as labels.",
		ConstLabels: prometheus.Labels{"version": b.Version, "commit": b.Commit, "goversion": runtime.Version()},
	})
	info.Set(1)
	m.reg.MustRegister(m.requests, m.writes, m.commits, m.batches, info,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// ObserveRequest counts an answered request.
func (m *Metrics) ObserveRequest(method, route string, status int, took time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(method, route, statusText(status)).Observe(took.Seconds())
}

// statusText is the status as a label, without an allocation for the
// common ones.
func statusText(code int) string {
	switch code {
	case http.StatusOK:
		return "200"
	case http.StatusSeeOther:
		return "303"
	case http.StatusNotModified:
		return "304"
	case http.StatusNotFound:
		return "404"
	}
	return strconv.Itoa(code)
}

// Writes is the store's observer (store.Config.Observer); nil when m is.
func (m *Metrics) Writes() store.WriteObserver {
	if m == nil {
		return nil
	}
	return writeObserver{m}
}

type writeObserver struct{ m *Metrics }

func (w writeObserver) Write(background bool, took time.Duration) {
	q := "people"
	if background {
		q = "background"
	}
	w.m.writes.WithLabelValues(q).Observe(took.Seconds())
}

func (w writeObserver) Commit(writes int, took time.Duration) {
	w.m.commits.Observe(took.Seconds())
	w.m.batches.Observe(float64(writes))
}

// Sources are what the metrics read at each scrape; a nil field is not
// running, and has no metrics.
type Sources struct {
	Store     *store.Store
	Scheduler func() jobs.Stats
	Sender    func() webhook.Stats
	// Fresh is how long one reading of the store's figures serves the
	// scrapes after it: scrapes closer together than that (several
	// Prometheus servers, a short interval) share one read of the
	// database, and report its age. 0: every scrape reads.
	Fresh time.Duration
}

// DefaultFresh is serve's Sources.Fresh: a third of Prometheus's default
// scrape interval, so that a scrape at the default reads the database.
const DefaultFresh = 5 * time.Second

// Watch reads the sources at every scrape from now on.
func (m *Metrics) Watch(src Sources) error {
	return m.reg.Register(newCollector(src, m.log))
}

// Handler serves the metrics in Prometheus's text format (or OpenMetrics,
// when asked). Two scrapes at once at most: a third waits for neither and
// is refused.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:            slog.NewLogLogger(m.log.Handler(), slog.LevelError),
		ErrorHandling:       promhttp.ContinueOnError,
		MaxRequestsInFlight: 2,
		Timeout:             30 * time.Second,
		EnableOpenMetrics:   true,
	})
}
