package web_test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/anxin-helpdesk/anxin/web"
)

// BenchmarkAPICreateTicket opens tickets through POST /api/v1/tickets over
// real HTTP (loopback), 32 clients at once, on a fresh database with
// synchronous=FULL: every 201 is a committed ticket with its event. The
// clients' concurrency is what lets group commit share the fsyncs. Goal:
// at least 1,000 tickets/s.
//
//   - plain: claims the merchant reviews (no instant refund), no webhooks;
//   - instant+webhook: a quarter qualify for the instant refund (a second
//     decision in the same transaction), and an endpoint listening to every
//     event adds outbox rows (not sent: no sender runs).
func BenchmarkAPICreateTicket(b *testing.B) {
	storetest.BenchDir(b)
	b.Run("plain", func(b *testing.B) { benchCreate(b, false) })
	b.Run("instant+webhook", func(b *testing.B) { benchCreate(b, true) })
}

func benchCreate(b *testing.B, mixed bool) {
	s := storetest.MustOpenWith(b, filepath.Join(b.TempDir(), "anxin.db"), storetest.Config(anxin.NewManualClock(storetest.Epoch)))
	var codes []string
	for i := range 20 {
		m, err := s.CreateMerchant(ctx, anxin.Merchant{Code: fmt.Sprintf("shop-%02d", i), Name: "商家",
			InstantRefund: anxin.DefaultInstantRefund()})
		if err != nil {
			b.Fatal(err)
		}
		codes = append(codes, m.Code)
	}
	if mixed {
		if _, err := s.CreateWebhook(ctx, anxin.Webhook{URL: "http://127.0.0.1:9/hook", Secret: "whsec-0123456789abcdef",
			Events: anxin.WebhookEvents()}); err != nil {
			b.Fatal(err)
		}
	}
	_, key, err := s.CreateAPIKey(ctx, "bench", anxin.KeyScope{AllMerchants: true})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(web.New(web.Config{SessionKeys: [][]byte{[]byte("0123456789abcdef0123456789abcdef")},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), APIRate: -1}, s))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128}}
	now := storetest.Epoch
	ordered, shipped, received := now.Add(-72*time.Hour).Format(time.RFC3339), now.Add(-48*time.Hour).Format(time.RFC3339),
		now.Add(-time.Hour).Format(time.RFC3339)
	var seq atomic.Int64
	b.SetParallelism(16) // 16 x GOMAXPROCS clients
	b.ResetTimer()
	cpu := storetest.CPUTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := seq.Add(1)
			paid := 39900 // over ¥200 on a received order: waits for the merchant
			if mixed && n%4 == 0 {
				paid = 8990 // an instant refund
			}
			body := fmt.Sprintf(`{"merchant": %q, "service": "fresh_spoiled", "order": {"id": "DY%012d", "product": "云南鲜切玫瑰 20枝",
				"paid_fen": %d, "ordered_at": %q, "shipped_at": %q, "received_at": %q},
				"buyer": {"name": "李女士", "phone": "138%08d"}, "reason": "花瓣发黑"}`,
				codes[n%int64(len(codes))], n, paid, ordered, shipped, received, n)
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v1/tickets", bytes.NewReader([]byte(body)))
			req.Header.Set("Authorization", "Bearer "+key)
			req.Header.Set("Content-Type", "application/json")
			res, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusCreated {
				b.Errorf("status %d", res.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tickets/s")
	// Server and clients together, both on this machine.
	b.ReportMetric(float64((storetest.CPUTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/ticket")
	b.StopTimer()
	// Every 201 is a ticket in the queue (pending, or refunding without a clock).
	if n, err := s.QueueCount(ctx, store.QueueFilter{}, b.N+1); err != nil || n != b.N {
		b.Fatalf("%d tickets stored for %d created, %v", n, b.N, err)
	}
}
