package store_test

import (
	"testing"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// BenchmarkVitals reads the metrics endpoint's figures from the database of
// 1,000,000 tickets (about 300,000 open): what every scrape costs.
func BenchmarkVitals(b *testing.B) {
	path := storetest.MustBenchDatabase(b, 1_000_000)
	s := storetest.MustOpenWith(b, path, storetest.Config(anxin.NewManualClock(storetest.Epoch)))
	for b.Loop() {
		v, err := s.Vitals(ctx)
		if err != nil {
			b.Fatal(err)
		}
		var open int64
		for _, n := range v.Open {
			open += n
		}
		if open < 100_000 {
			b.Fatalf("%d open tickets", open)
		}
	}
}
