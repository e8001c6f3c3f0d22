package web_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/anxin-helpdesk/anxin/web"
)

// The benchmarks on PostgreSQL (ANXIN_TEST_POSTGRES names the server; the
// 1,000,000-ticket database is moved there by anxin copy's code the first
// time, some minutes, and kept). The server shares this machine's cores
// with the load generator and the servers, as in the SQLite ones.

// BenchmarkPostgresQueuePageHTTP is BenchmarkQueuePageHTTP on PostgreSQL:
// the queue page of the 1,000,000-ticket database, and the trivial /livez
// of the same server in the same run, with 64 connections. Goal: the queue
// page at least 5% of /livez's rate.
func BenchmarkPostgresQueuePageHTTP(b *testing.B) {
	db := storetest.MustBenchPostgres(b, 1_000_000)
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

// BenchmarkPostgresDecideHTTP is BenchmarkDecideHTTP on PostgreSQL: 64
// connections press approve on distinct pending tickets of a copy of the
// 1,000,000-ticket database, through one node, then through two (two
// stores and servers on the one database, as two processes are, the
// connections shared between them). Goal: at least 1,000 decisions a
// second with two nodes.
func BenchmarkPostgresDecideHTTP(b *testing.B) {
	base := storetest.MustBenchPostgres(b, 1_000_000)
	for _, nodes := range []int{1, 2} {
		b.Run(fmt.Sprintf("nodes=%d", nodes), func(b *testing.B) {
			db := storetest.CopyPostgres(b, base)
			var servers []*loadServer
			for range nodes {
				servers = append(servers, newLoadServer(b, db))
			}
			storetest.GiveReturnAddresses(b, servers[0].store)
			pending := storetest.PendingTickets(b, servers[0].store, storetest.Epoch, 150_000)
			var next atomic.Int64
			var mu sync.Mutex
			var lat latencies
			b.SetParallelism(32) // 64 goroutines, a connection each, on 2 cores
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				var mine latencies
				for pb.Next() {
					i := next.Add(1) - 1
					start := time.Now()
					if err := servers[int(i)%nodes].approve(pending[i]); err != nil {
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
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
			lat.report(b, "")
		})
	}
}
