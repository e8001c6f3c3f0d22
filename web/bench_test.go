package web_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/anxin-helpdesk/anxin/web"
	"github.com/anxin-helpdesk/anxin/web/metrics"
)

// BenchmarkQueuePageHTTP serves the queue page to a logged-in agent over
// real HTTP from a database of 1,000,000 tickets, with 64 connections at
// once, and in the same run the trivial /livez handler of the same server as
// the baseline. The load generator shares the machine's cores with the
// server, so absolute figures are low estimates; the ratio is the yardstick.
func BenchmarkQueuePageHTTP(b *testing.B) {
	queueAgainstLivez(b, storetest.MustBenchDatabase(b, 1_000_000))
}

// queueAgainstLivez serves the queue page of the database db (a file or a
// PostgreSQL URL) and the trivial /livez of the same server, in the same run.
func queueAgainstLivez(b *testing.B, db string) {
	st := storetest.MustOpenWith(b, db, storetest.Config(anxin.NewManualClock(storetest.Epoch)))
	w := web.New(web.Config{SessionKeys: [][]byte{[]byte("0123456789abcdef0123456789abcdef")},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, st)
	srv := httptest.NewServer(w)
	defer func() { w.Close(); srv.Close() }()
	client := benchLogin(b, srv.URL)

	for _, target := range []struct{ name, path string }{{"livez", "/livez"}, {"queue", "/queue"}} {
		b.Run(target.name, func(b *testing.B) { getParallel(b, client, srv.URL+target.path) })
	}
}

// BenchmarkQueuePageMetrics serves the queue page of the 1,000,000-ticket
// database as BenchmarkQueuePageHTTP does, in the same run from two servers
// over the same store: without metrics, and with them (every request timed
// into the histogram, every write into the store's, and the metrics endpoint
// scraped every second, fifteen times as often as Prometheus's default).
// Goal: the metrics cost at most 3% of the page's throughput.
//
// The two take turns, ANXIN_BENCH_ROUNDS times (default 4), each round
// starting with the one the last ended with (off on, on off, off on...), so
// that the drift of a shared machine hits both alike; benchstat compares
// them (the rounds of each share its name).
func BenchmarkQueuePageMetrics(b *testing.B) {
	path := storetest.MustBenchDatabase(b, 1_000_000)
	m := metrics.New(metrics.Build{Version: "bench"}, nil)
	cfg := storetest.Config(anxin.NewManualClock(storetest.Epoch))
	cfg.Observer = m.Writes()
	st := storetest.MustOpenWith(b, path, cfg)
	if err := m.Watch(metrics.Sources{Store: st, Fresh: metrics.DefaultFresh}); err != nil {
		b.Fatal(err)
	}
	scrapes := httptest.NewServer(m.Handler())
	defer scrapes.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil)) // the access log, at info, in both
	type variant struct {
		name    string
		metrics *metrics.Metrics
		url     string
		client  *http.Client
	}
	variants := []*variant{{name: "metrics=off"}, {name: "metrics=on", metrics: m}}
	for _, v := range variants {
		w := web.New(web.Config{SessionKeys: [][]byte{[]byte("0123456789abcdef0123456789abcdef")}, Logger: log, Metrics: v.metrics}, st)
		srv := httptest.NewServer(w)
		defer func() { w.Close(); srv.Close() }()
		v.url, v.client = srv.URL+"/queue", benchLogin(b, srv.URL)
	}
	rounds := 4
	if n, err := strconv.Atoi(os.Getenv("ANXIN_BENCH_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	for round := range rounds {
		order := variants
		if round%2 == 1 {
			order = []*variant{variants[1], variants[0]}
		}
		for _, v := range order {
			b.Run(v.name, func(b *testing.B) {
				if v.metrics != nil {
					defer scrapeEverySecond(b, scrapes.URL)()
				}
				getParallel(b, v.client, v.url)
			})
		}
	}
}

// scrapeEverySecond reads url every second until the function it returns
// is called.
func scrapeEverySecond(b *testing.B, url string) (stop func()) {
	quit := make(chan struct{})
	var done sync.WaitGroup
	done.Go(func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			res, err := http.Get(url)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			select {
			case <-quit:
				return
			case <-t.C:
			}
		}
	})
	return func() { close(quit); done.Wait() }
}

// getParallel fetches url from 64 goroutines at once, one connection each,
// and reports the throughput and the 99th percentile latency.
func getParallel(b *testing.B, client *http.Client, url string) {
	var mu sync.Mutex
	var lat []time.Duration
	b.SetParallelism(32) // 64 goroutines, one connection each, on 2 cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		mine := make([]time.Duration, 0, 1024)
		for pb.Next() {
			start := time.Now()
			res, err := client.Get(url)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				b.Errorf("%s: %s", url, res.Status)
				return
			}
			mine = append(mine, time.Since(start))
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	if len(lat) > 0 {
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	}
}

// benchLogin logs the benchmark's agent in and returns a client that keeps
// 64 connections open to the server.
func benchLogin(b *testing.B, base string) *http.Client {
	b.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Transport: &http.Transport{MaxIdleConns: 128, MaxIdleConnsPerHost: 128},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(base + "/login")
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	const marker = `name="_csrf" value="`
	i := strings.Index(string(body), marker)
	if i < 0 {
		b.Fatal("no CSRF token on the login page")
	}
	token := string(body[i+len(marker):])
	token = token[:strings.IndexByte(token, '"')]
	res, err = c.PostForm(base+"/login", url.Values{"_csrf": {token}, "email": {"bench-agent@anxin.test"}, "password": {storetest.Password}})
	if err != nil {
		b.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		b.Fatal(fmt.Errorf("login: %s", res.Status))
	}
	return c
}
