package web_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/anxin-helpdesk/anxin/web"
)

// BenchmarkQueuePageHTTP serves the queue page to a logged-in agent over
// real HTTP from a database of 1,000,000 tickets, with 64 connections at
// once, and in the same run the trivial /livez handler of the same server as
// the baseline. The load generator shares the machine's cores with the
// server, so absolute figures are low estimates; the ratio is the yardstick.
func BenchmarkQueuePageHTTP(b *testing.B) {
	path := storetest.MustBenchDatabase(b, 1_000_000)
	st := storetest.MustOpenWith(b, path, storetest.Config(anxin.NewManualClock(storetest.Epoch)))
	w := web.New(web.Config{SessionKeys: [][]byte{[]byte("0123456789abcdef0123456789abcdef")},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, st)
	srv := httptest.NewServer(w)
	defer func() { w.Close(); srv.Close() }()
	client := benchLogin(b, srv.URL)

	for _, target := range []struct{ name, path string }{{"livez", "/livez"}, {"queue", "/queue"}} {
		b.Run(target.name, func(b *testing.B) {
			var mu sync.Mutex
			var lat []time.Duration
			b.SetParallelism(32) // 64 goroutines, one connection each, on 2 cores
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				mine := make([]time.Duration, 0, 1024)
				for pb.Next() {
					start := time.Now()
					res, err := client.Get(srv.URL + target.path)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != http.StatusOK {
						b.Errorf("%s: %s", target.path, res.Status)
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
		})
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
