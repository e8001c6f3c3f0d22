package photo_test

import (
	"bytes"
	"image/jpeg"
	"testing"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/photo"
)

// FuzzValidate feeds the upload validator arbitrary files. Whatever the
// input, Validate refuses it with an EINVALID refusal or accepts it with
// sane dimensions, and an accepted file goes through the whole pipeline
// (EXIF, decode, re-encode) without a panic, into clean JPEGs. The seed
// corpus is in testdata/fuzz/FuzzValidate: tiny valid JPEG, PNG and WebP
// files (one with EXIF and GPS) and hostile ones. `make fuzz` runs it.
func FuzzValidate(f *testing.F) {
	opt := photo.DefaultOptions()
	// Small limits keep each execution fast; the code paths are the same.
	opt.MaxBytes, opt.MaxPixels = 1<<20, 512*512
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := photo.Validate(data, opt.Limits)
		if err != nil {
			refused(t, err)
			return
		}
		if info.Width <= 0 || info.Height <= 0 || int64(info.Width)*int64(info.Height) > opt.MaxPixels {
			t.Fatalf("accepted %dx%d", info.Width, info.Height)
		}
		p, err := photo.Process(data, opt)
		if err != nil {
			refused(t, err)
			return
		}
		img, err := jpeg.Decode(bytes.NewReader(p.Display.JPEG))
		if err != nil {
			t.Fatalf("the display image does not decode: %v", err)
		}
		if b := img.Bounds(); b.Dx() != p.Display.Width || b.Dy() != p.Display.Height || max(b.Dx(), b.Dy()) > opt.DisplayEdge {
			t.Fatalf("display %v recorded as %dx%d", b, p.Display.Width, p.Display.Height)
		}
		if m := metadataSegments(t, p.Display.JPEG); len(m) > 0 {
			t.Fatalf("metadata %x survived", m)
		}
	})
}

func refused(t *testing.T, err error) {
	t.Helper()
	if anxin.ErrorCode(err) != anxin.EINVALID || anxin.ErrorMessage(err) == "" {
		t.Fatalf("refused without a clear message: %v", err)
	}
}
