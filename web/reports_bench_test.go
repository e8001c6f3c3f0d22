package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

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
