package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/anxin-helpdesk/anxin/web"
)

// BenchmarkReportsPage serves the reports page over 7, 30 and 90 days, for
// every merchant and for one, from the 1M-ticket database; and the CSV
// export of the whole open queue (some 300,000 rows).
func BenchmarkReportsPage(b *testing.B) {
	path := storetest.MustBenchDatabase(b, 1_000_000)
	st := storetest.MustOpenWith(b, path, storetest.Config(anxin.NewManualClock(storetest.Epoch)))
	w := web.New(web.Config{SessionKeys: [][]byte{[]byte("0123456789abcdef0123456789abcdef")},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, st)
	srv := httptest.NewServer(w)
	defer func() { w.Close(); srv.Close() }()
	client := benchLogin(b, srv.URL)
	for _, c := range []struct{ name, path string }{
		{"all-7d", "/reports?days=7"}, {"all-30d", "/reports?days=30"}, {"all-90d", "/reports?days=90"},
		{"one-90d", "/reports?days=90&merchant=bench-07"}, {"csv-open-queue", "/queue/export"},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				res, err := client.Get(srv.URL + c.path)
				if err != nil {
					b.Fatal(err)
				}
				n, _ := io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					b.Fatalf("%s: %s", c.path, res.Status)
				}
				b.SetBytes(n)
			}
		})
	}
}

// BenchmarkExportAllTickets downloads every one of the 1M tickets as CSV and
// reports the largest growth of the process's heap in use while it streams
// (sampled every 20 ms), which must stay small whatever the size.
func BenchmarkExportAllTickets(b *testing.B) {
	path := storetest.MustBenchDatabase(b, 1_000_000)
	st := storetest.MustOpenWith(b, path, storetest.Config(anxin.NewManualClock(storetest.Epoch)))
	w := web.New(web.Config{SessionKeys: [][]byte{[]byte("0123456789abcdef0123456789abcdef")},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, st)
	srv := httptest.NewServer(w)
	defer func() { w.Close(); srv.Close() }()
	client := benchLogin(b, srv.URL)
	var growth uint64
	for b.Loop() {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		base := ms.HeapInuse
		done := make(chan struct{})
		var peak atomic.Uint64
		go func() {
			t := time.NewTicker(20 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-done:
					return
				case <-t.C:
					var m runtime.MemStats
					runtime.ReadMemStats(&m)
					if m.HeapInuse > base && m.HeapInuse-base > peak.Load() {
						peak.Store(m.HeapInuse - base)
					}
				}
			}
		}()
		res, err := client.Get(srv.URL + "/tickets/export")
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		close(done)
		if res.StatusCode != http.StatusOK || n < 50<<20 {
			b.Fatalf("%s, %d bytes", res.Status, n)
		}
		b.SetBytes(n)
		growth = max(growth, peak.Load())
	}
	b.ReportMetric(float64(growth)/(1<<20), "heap-growth-MB")
}
