package web_test

import (
	"fmt"
	"testing"

	"github.com/anxin-helpdesk/anxin/store/storetest"
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
	queueAgainstLivez(b, storetest.MustBenchPostgres(b, 1_000_000))
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
			decideParallel(b, servers)
		})
	}
}
