package photo_test

import (
	"testing"

	"github.com/anxin-helpdesk/anxin/photo"
	"github.com/anxin-helpdesk/anxin/photo/phototest"
)

// BenchmarkProcess12MP processes a 12-megapixel (4000x3000) JPEG: validate,
// read the EXIF, decode, make the display size and the thumbnail, hash.
// The goal is at most 1 s on one core: GOMAXPROCS=1 go test -bench Process12MP.
// It also reports the CPU time per photo (cpu-ms/op), which other work on a
// shared machine does not inflate as it does the wall-clock ns/op.
func BenchmarkProcess12MP(b *testing.B) {
	jpg := phototest.JPEG(phototest.Scene(12, 4000, 3000), 90)
	opt := photo.DefaultOptions()
	b.SetBytes(int64(len(jpg)))
	n, cpu := 0, cpuTime()
	for b.Loop() {
		if _, err := photo.Process(jpg, opt); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(n), "cpu-ms/op")
}
