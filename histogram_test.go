package anxin_test

import (
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

func TestHistogramBuckets(t *testing.T) {
	for i, lo := range anxin.FirstActionBounds {
		if got := anxin.Bucket(lo); got != i {
			t.Errorf("bucket of %v = %d, want %d", lo, got, i)
		}
		if i > 0 {
			if got := anxin.Bucket(lo - time.Millisecond); got != i-1 {
				t.Errorf("bucket of %v = %d, want %d", lo-time.Millisecond, got, i-1)
			}
		}
	}
	if got := anxin.Bucket(30 * 24 * time.Hour); got != len(anxin.FirstActionBounds)-1 {
		t.Errorf("a month falls in bucket %d", got)
	}
}

func TestHistogramQuantile(t *testing.T) {
	var h anxin.Histogram
	if h.Quantile(0.5) != 0 || h.Count() != 0 {
		t.Fatal("an empty histogram has no median")
	}
	// One value, or equal values, are known exactly.
	if got := h.Observe(210 * time.Second).Quantile(0.5); got != 210*time.Second {
		t.Fatalf("median of one value = %v", got)
	}
	var same anxin.Histogram
	for range 3 {
		same = same.Observe(2 * time.Minute)
	}
	if m := same.Quantile(0.5); m != 2*time.Minute {
		t.Fatalf("median of three times 2m = %v", m)
	}
	// Nine quick answers and one slow: the median is among the quick, the
	// 90th percentile too (nearest rank 9), the maximum is the slow one.
	for range 9 {
		h = h.Observe(90 * time.Second) // [1m, 2m)
	}
	h = h.Observe(30 * time.Hour) // [24h, 36h)
	if h.Count() != 10 {
		t.Fatalf("count %d", h.Count())
	}
	if m := h.Quantile(0.5); m < time.Minute || m >= 2*time.Minute {
		t.Fatalf("median %v, want within [1m, 2m)", m)
	}
	if p := h.Quantile(0.9); p < time.Minute || p >= 2*time.Minute {
		t.Fatalf("p90 %v, want within [1m, 2m)", p)
	}
	if p := h.Quantile(1); p != 30*time.Hour {
		t.Fatalf("p100 %v, want the slow one", p)
	}
	// Within a bucket the ranks spread evenly around the mean: 10m, 11m,
	// 12m, 13m, 14m in [10m, 15m) have their median at 12m and their
	// extremes a width's 2/5 from it.
	var five anxin.Histogram
	for i := range 5 {
		five = five.Observe(time.Duration(10+i) * time.Minute)
	}
	if m := five.Quantile(0.5); m != 12*time.Minute {
		t.Fatalf("median of 10m..14m = %v", m)
	}
	if lo, hi := five.Quantile(0.2), five.Quantile(1); lo != 10*time.Minute || hi != 14*time.Minute {
		t.Fatalf("extremes of 10m..14m = %v, %v", lo, hi)
	}
	// An estimate stays within its bucket.
	var skew anxin.Histogram
	skew = skew.Observe(10 * time.Minute).Observe(10 * time.Minute).Observe(14*time.Minute + 59*time.Second)
	if p := skew.Quantile(1); p >= 15*time.Minute {
		t.Fatalf("max of a skewed bucket = %v", p)
	}
	// Past the last bound the mean of what is there.
	var late anxin.Histogram
	if m := late.Observe(10 * 24 * time.Hour).Quantile(0.5); m != 10*24*time.Hour {
		t.Fatalf("median past the last bound = %v", m)
	}
	// Sums add bucket by bucket.
	if s := five.Add(h); s.Count() != 15 || s.Quantile(1) != 30*time.Hour {
		t.Fatalf("sum %v", s)
	}
}
