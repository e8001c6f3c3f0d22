package store_test

import (
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// BenchmarkSimilarLookup is the near-duplicate lookup an upload runs (inside
// its write), over 100,000 photos with evenly spread hashes, or as many as
// ANXIN_PHOTO_BENCH_N says.
func BenchmarkSimilarLookup(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("ANXIN_PHOTO_BENCH_N")); err == nil && v > 0 {
		n = v
	}
	s, _ := storetest.MustOpen(b)
	m := storetest.MustMerchant(b, s, "bench")
	t := storetest.MustTicket(b, s, m.ID, anxin.Damaged, 1000)
	other := storetest.MustTicket(b, s, m.ID, anxin.Damaged, 1000)
	rng := rand.New(rand.NewPCG(3, 4))
	hashes := make([]uint64, n)
	for i := range hashes {
		hashes[i] = rng.Uint64()
	}
	if err := store.InsertHashes(s, other.ID, hashes); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	found := 0
	for i := 0; b.Loop(); i++ {
		q := rng.Uint64()
		if i%2 == 0 {
			q = hashes[i%n] ^ 0b1010101 // a near copy of a stored photo
		}
		ds, err := store.FindSimilar(s, q, t.ID)
		if err != nil {
			b.Fatal(err)
		}
		found += len(ds)
	}
	b.ReportMetric(float64(found)/float64(b.N), "found/op")
}
