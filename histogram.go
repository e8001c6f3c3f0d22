package anxin

import (
	"math"
	"time"
)

// FirstActionBounds are the lower bounds of the buckets that count how long
// tickets waited for their first decision. Reports over months read these
// counts per merchant and day, kept as the decisions happen, instead of
// every ticket; a quantile is then known to within its bucket, finer where
// the service norms look (minutes) than where they do not (days). The
// store's figures_first_action view buckets by the same bounds (a store test
// holds them together).
var FirstActionBounds = [...]time.Duration{
	0, time.Minute, 2 * time.Minute, 3 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute,
	20 * time.Minute, 30 * time.Minute, 45 * time.Minute, time.Hour, 90 * time.Minute, 2 * time.Hour,
	3 * time.Hour, 4 * time.Hour, 6 * time.Hour, 8 * time.Hour, 12 * time.Hour, 18 * time.Hour,
	24 * time.Hour, 36 * time.Hour, 48 * time.Hour, 72 * time.Hour,
}

// Histogram counts durations in the FirstActionBounds buckets, with their
// sum per bucket: a bucket's values are known to average Sum/N, which makes
// a bucket of one value, or of equal values, exact. The zero value is empty.
type Histogram struct {
	N   [len(FirstActionBounds)]int
	Sum [len(FirstActionBounds)]time.Duration
}

// Bucket is the index of the bucket a duration falls in.
func Bucket(d time.Duration) int {
	i := 0
	for i+1 < len(FirstActionBounds) && d >= FirstActionBounds[i+1] {
		i++
	}
	return i
}

// Observe counts one duration.
func (h Histogram) Observe(d time.Duration) Histogram {
	i := Bucket(d)
	h.N[i]++
	h.Sum[i] += d
	return h
}

// Add sums two histograms.
func (h Histogram) Add(g Histogram) Histogram {
	for i := range h.N {
		h.N[i] += g.N[i]
		h.Sum[i] += g.Sum[i]
	}
	return h
}

// Count is how many durations were counted.
func (h Histogram) Count() int { return sum(h.N[:]) }

// Quantile estimates the q-quantile (0 for none): the bucket of the value
// of nearest rank, and within it that rank's place among the bucket's
// values, taken as spread evenly over the bucket's width around their mean
// (and within the bucket).
func (h Histogram) Quantile(q float64) time.Duration {
	n := h.Count()
	if n == 0 {
		return 0
	}
	rank := min(max(int(math.Ceil(q*float64(n))), 1), n) // nearest rank, 1-based
	seen := 0
	for i, c := range h.N {
		if c == 0 || seen+c < rank {
			seen += c
			continue
		}
		lo, hi := FirstActionBounds[i], time.Duration(math.MaxInt64)
		if i+1 < len(FirstActionBounds) {
			hi = FirstActionBounds[i+1]
		}
		mean := h.Sum[i] / time.Duration(c)
		est := mean
		if hi != time.Duration(math.MaxInt64) {
			est += time.Duration(float64(hi-lo) * (float64(rank-seen) - float64(c+1)/2) / float64(c))
		}
		return min(max(est, lo), hi-1)
	}
	return 0 // not reached: the ranks are within the counts
}
