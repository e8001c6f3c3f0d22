package anxin_test

import (
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

func TestFigures(t *testing.T) {
	zone, _ := time.LoadLocation("Asia/Shanghai")
	// 2026-11-25 23:30 UTC is already the 26th in Shanghai.
	days := anxin.DaysEnding(time.Date(2026, 11, 25, 23, 30, 0, 0, time.UTC), zone, 3)
	if days[0] != "2026-11-24" || days[2] != "2026-11-26" {
		t.Fatalf("days %v", days)
	}
	f := anxin.NewFigures(days)
	f.Orders = []int{100, 0, 300}
	f.Refunded = []int{10, 2, 50}
	f.ArbitrationsOpen = []int{1, 0, 3}
	if r := f.ReturnRate(); r != 62.0/400 {
		t.Fatalf("return rate %v", r)
	}
	if got := f.DailyRate(f.Refunded); got[0] != 0.1 || got[1] != 0 {
		t.Fatalf("daily %v (a day without orders rates 0)", got)
	}
	for r, want := range map[float64]string{0.10: "ok", 0.15: "ok", 0.18: "warn", 0.20: "warn", 0.21: "bad"} {
		if got := anxin.Health(r); got != want {
			t.Errorf("Health(%v) = %s, want %s", r, got, want)
		}
	}
}
