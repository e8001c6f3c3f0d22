package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/anxin-helpdesk/anxin/web"
)

// Load benchmarks over real HTTP, against databases of a million tickets and
// more, built once under ANXIN_BENCH_DIR (make bench). The load generator
// runs on the same two cores as the server: absolute figures are low
// estimates.

// loadServer is a server over a benchmark database with its agent logged in.
type loadServer struct {
	store  *store.Store
	url    string
	client *http.Client
	csrf   string
}

func newLoadServer(b *testing.B, path string) *loadServer {
	b.Helper()
	st := storetest.MustOpenWith(b, path, storetest.Config(anxin.NewManualClock(storetest.Epoch)))
	w := web.New(web.Config{SessionKeys: [][]byte{[]byte("0123456789abcdef0123456789abcdef")},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, st)
	srv := httptest.NewServer(w)
	b.Cleanup(func() { w.Close(); srv.Close() })
	ls := &loadServer{store: st, url: srv.URL, client: benchLogin(b, srv.URL)}
	ls.client.Transport.(*http.Transport).MaxIdleConnsPerHost = 1024
	ls.client.Transport.(*http.Transport).MaxIdleConns = 1024
	res, err := ls.client.Get(srv.URL + "/queue")
	if err != nil {
		b.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`X-CSRF-Token&#34;:&#34;([^&]+)&#34;`).FindSubmatch(page)
	if m == nil {
		b.Fatal("no CSRF token on the queue page")
	}
	ls.csrf = string(m[1])
	return ls
}

// get fetches a page and checks it answered 200.
func (ls *loadServer) get(path string) error {
	res, err := ls.client.Get(ls.url + path)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, res.Status)
	}
	return nil
}

// approve presses approve on a ticket as htmx does from its page, and says
// whether the answer was the decision made.
func (ls *loadServer) approve(t anxin.Ticket) error {
	form := url.Values{"version": {strconv.FormatInt(t.Version, 10)}, "confirm": {"1"}}
	req, _ := http.NewRequest(http.MethodPost, ls.url+"/tickets/"+t.Number+"/actions/approve", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-CSRF-Token", ls.csrf)
	res, err := ls.client.Do(req)
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `data-outcome="done"`) {
		msg := regexp.MustCompile(`role="alert"[^>]*>([^<]*)`).FindSubmatch(body)
		return fmt.Errorf("approve %s: %s, not done: %q", t.Number, res.Status, msg)
	}
	return nil
}

// latencies are request latencies, summed up as benchmark metrics.
type latencies []time.Duration

func (l latencies) report(b *testing.B, prefix string) {
	if len(l) == 0 {
		return
	}
	slices.Sort(l)
	at := func(q float64) float64 { return float64(l[int(q*float64(len(l)-1))].Microseconds()) / 1000 }
	b.ReportMetric(at(0.50), prefix+"p50-ms")
	b.ReportMetric(at(0.99), prefix+"p99-ms")
	b.ReportMetric(at(1), prefix+"max-ms")
}

// openLoop offers requests at rate per second for d: each starts at its
// scheduled moment whatever the earlier ones are doing (a closed loop
// would wait for them, and hide a slow server behind fewer requests), and
// its latency counts from that moment. It returns the latencies and how
// many requests failed.
func openLoop(rate float64, d time.Duration, do func(i int) error) (latencies, int) {
	stop := make(chan struct{})
	t := time.AfterFunc(d, func() { close(stop) })
	defer t.Stop()
	return openLoopUntil(rate, stop, do)
}

// openLoopUntil is openLoop until stop is closed.
func openLoopUntil(rate float64, stop <-chan struct{}, do func(i int) error) (latencies, int) {
	var mu sync.Mutex
	var lat latencies
	failed := 0
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; ; i++ {
		at := start.Add(time.Duration(float64(i) / rate * float64(time.Second)))
		select {
		case <-stop:
			wg.Wait()
			return lat, failed
		case <-time.After(time.Until(at)):
		}
		wg.Go(func() {
			err := do(i)
			took := time.Since(at)
			mu.Lock()
			defer mu.Unlock()
			lat = append(lat, took)
			if err != nil {
				failed++
			}
		})
	}
}

// BenchmarkQueueOpenLoop offers the queue page at 1,000 and 2,000 requests
// a second for 5 s, over 1M and 5M tickets, and reports the latency
// percentiles counted from each request's scheduled start.
func BenchmarkQueueOpenLoop(b *testing.B) {
	sizes := []int{1_000_000}
	if os.Getenv("ANXIN_BENCH_5M") != "" {
		sizes = append(sizes, 5_000_000)
	}
	for _, n := range sizes {
		ls := newLoadServer(b, storetest.MustBenchDatabase(b, n))
		for _, rate := range []float64{1000, 2000} {
			b.Run(fmt.Sprintf("tickets=%dM/rate=%g", n/1_000_000, rate), func(b *testing.B) {
				for range b.N {
					lat, failed := openLoop(rate, 5*time.Second, func(int) error { return ls.get("/queue") })
					if failed > 0 {
						b.Fatalf("%d requests failed", failed)
					}
					lat.report(b, "")
				}
			})
		}
	}
}

// BenchmarkTicketPageOpenLoop offers ticket pages (each a different
// ticket) at 1,000 requests a second for 5 s over 1M tickets.
func BenchmarkTicketPageOpenLoop(b *testing.B) {
	ls := newLoadServer(b, storetest.MustBenchDatabase(b, 1_000_000))
	pending := storetest.PendingTickets(b, ls.store, storetest.Epoch, 10_000)
	for range b.N {
		lat, failed := openLoop(1000, 5*time.Second, func(i int) error {
			return ls.get("/tickets/" + pending[i%len(pending)].Number)
		})
		if failed > 0 {
			b.Fatalf("%d requests failed", failed)
		}
		lat.report(b, "")
	}
}

// BenchmarkDecideHTTP: 64 connections press approve on distinct pending
// tickets of a copy of the 1M-ticket database, as htmx sends it from a
// ticket page (session, CSRF, compare-and-set, refund row where it pays,
// and the ticket's fragment rendered as the answer).
func BenchmarkDecideHTTP(b *testing.B) {
	ls := newLoadServer(b, storetest.CopyDatabase(b, storetest.MustBenchDatabase(b, 1_000_000)))
	storetest.GiveReturnAddresses(b, ls.store)
	decideParallel(b, []*loadServer{ls})
}

// decideParallel presses approve on distinct pending tickets from 64
// connections, shared among the servers (nodes on one database), and
// reports the decisions a second and their latencies.
func decideParallel(b *testing.B, servers []*loadServer) {
	pending := storetest.PendingTickets(b, servers[0].store, storetest.Epoch, 150_000)
	var next atomic.Int64
	var mu sync.Mutex
	var lat latencies
	b.SetParallelism(32) // 64 goroutines, a connection each, on 2 cores
	b.ResetTimer()
	cpu := storetest.StartCPU()
	b.RunParallel(func(pb *testing.PB) {
		var mine latencies
		for pb.Next() {
			i := next.Add(1) - 1
			start := time.Now()
			if err := servers[int(i)%len(servers)].approve(pending[i]); err != nil {
				b.Error(err)
				return
			}
			mine = append(mine, time.Since(start))
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	b.StopTimer()
	cpu.Report(b, b.N)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
	lat.report(b, "")
}

// BenchmarkCatchUpUnderLoad restarts over a copy of the 1M-ticket database
// whose passed deadlines (about 56,000, and the refunds their timeouts make)
// the scheduler catches up on, while people load the queue at 1,000
// requests a second and press approve 50 times a second on tickets no
// deadline takes. It reports how long the catch-up took and the people's
// latencies while it ran.
func BenchmarkCatchUpUnderLoad(b *testing.B) {
	for range b.N {
		b.StopTimer()
		ls := newLoadServer(b, storetest.CopyDatabase(b, storetest.MustBenchDatabase(b, 1_000_000)))
		storetest.GiveReturnAddresses(b, ls.store)
		pending := storetest.PendingTickets(b, ls.store, storetest.Epoch.Add(time.Hour), 50_000)
		ctx := context.Background()
		b.StartTimer()
		start := time.Now()
		done := make(chan struct{})
		var timeouts, refunds store.Sweep
		go func() {
			defer close(done)
			var err error
			if timeouts, err = ls.store.RunTimeouts(ctx); err == nil {
				refunds, err = ls.store.PayPendingRefunds(ctx)
			}
			if err != nil {
				b.Error(err)
			}
		}()
		var queue, decide latencies
		var failedQueue, failedDecide int
		var wg sync.WaitGroup
		wg.Go(func() { queue, failedQueue = openLoopUntil(1000, done, func(int) error { return ls.get("/queue") }) })
		wg.Go(func() {
			decide, failedDecide = openLoopUntil(50, done, func(i int) error { return ls.approve(pending[i]) })
		})
		<-done
		took := time.Since(start)
		wg.Wait()
		b.StopTimer()
		if failedQueue+failedDecide > 0 {
			b.Fatalf("%d queue pages and %d approvals failed", failedQueue, failedDecide)
		}
		b.ReportMetric(took.Seconds(), "catch-up-s")
		b.ReportMetric(float64(timeouts.Done), "timeouts")
		b.ReportMetric(float64(refunds.Done), "refunds")
		queue.report(b, "queue-")
		decide.report(b, "approve-")
	}
}
