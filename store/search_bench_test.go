package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
)

// BenchmarkSearch searches the 1M-ticket database the way agents do: a
// ticket number, an order number, a phone's last four digits, a buyer's
// name, a two-character Chinese product term (some 60,000 matches), and the
// same term in one merchant's tickets. It reports the p99 latency of each.
func BenchmarkSearch(b *testing.B) {
	s := openBench(b, benchDB(b))
	for _, c := range []struct {
		name string
		f    store.QueueFilter
	}{
		{"number", store.QueueFilter{Search: "AX-500000"}},
		{"order", store.QueueFilter{Search: "DY000000500000"}},
		{"last4", store.QueueFilter{Search: "1234"}},
		{"buyer", store.QueueFilter{Search: "王娜"}},
		{"product-2-chars", store.QueueFilter{Search: "玫瑰"}},
		{"product-merchant", store.QueueFilter{Search: "玫瑰", Scope: anxin.Scope{MerchantID: 7}}},
	} {
		b.Run(c.name, func(b *testing.B) {
			var lat []time.Duration
			for b.Loop() {
				start := time.Now()
				got, err := s.Search(ctx, c.f)
				lat = append(lat, time.Since(start))
				if err != nil || len(got) == 0 {
					b.Fatalf("%d found, %v", len(got), err)
				}
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
