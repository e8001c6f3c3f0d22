package photo_test

import (
	"testing"

	"github.com/anxin-helpdesk/anxin/store/photo"
	"github.com/anxin-helpdesk/anxin/store/photo/phototest"
)

// BenchmarkProcess12MP processes a 12-megapixel (4000x3000) JPEG: validate,
// read the EXIF, decode, make the display size and the thumbnail, hash.
// The goal is at most 1 s on one core: GOMAXPROCS=1 go test -bench Process12MP.
func BenchmarkProcess12MP(b *testing.B) {
	jpg := phototest.JPEG(phototest.Scene(12, 4000, 3000), 90)
	opt := photo.DefaultOptions()
	b.SetBytes(int64(len(jpg)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := photo.Process(jpg, opt); err != nil {
			b.Fatal(err)
		}
	}
}
