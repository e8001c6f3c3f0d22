package photo_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"runtime"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/photo"
	"github.com/anxin-helpdesk/anxin/photo/phototest"
)

var opt = photo.DefaultOptions()

func TestAcceptsJPEGPNGAndWebP(t *testing.T) {
	scene := phototest.Scene(1, 2000, 1500)
	small := phototest.Scene(1, 400, 300)
	alpha := image.NewNRGBA(image.Rect(0, 0, 40, 30)) // fully transparent
	cases := []struct {
		name   string
		data   []byte
		format photo.Format
		w, h   int // display size
	}{
		{"jpeg", phototest.JPEG(scene, 85), photo.JPEG, 1600, 1200},
		{"png", phototest.PNG(small), photo.PNG, 400, 300},
		{"small png with transparency", phototest.PNG(alpha), photo.PNG, 40, 30},
		{"lossy webp", phototest.WebP("lossy"), photo.WebP, 0, 0},
		{"lossless webp", phototest.WebP("lossless"), photo.WebP, 0, 0},
		{"webp with alpha", phototest.WebP("alpha"), photo.WebP, 0, 0},
		{"jpeg with appended preview", append(phototest.JPEG(scene, 85), phototest.JPEG(phototest.Scene(1, 160, 120), 70)...), photo.JPEG, 1600, 1200},
		{"jpeg with zero padding", append(phototest.JPEG(scene, 85), make([]byte, 300)...), photo.JPEG, 1600, 1200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := photo.Process(c.data, opt)
			if err != nil {
				t.Fatal(err)
			}
			if p.Info.Format != c.format {
				t.Errorf("format %q, want %q", p.Info.Format, c.format)
			}
			if c.w != 0 && (p.Display.Width != c.w || p.Display.Height != c.h) {
				t.Errorf("display %dx%d, want %dx%d", p.Display.Width, p.Display.Height, c.w, c.h)
			}
			if max(p.Display.Width, p.Display.Height) > 1600 || max(p.Thumb.Width, p.Thumb.Height) > 320 {
				t.Errorf("sizes %dx%d and %dx%d exceed 1600 and 320", p.Display.Width, p.Display.Height, p.Thumb.Width, p.Thumb.Height)
			}
			for _, im := range []photo.Image{p.Display, p.Thumb} {
				got, err := jpeg.Decode(bytes.NewReader(im.JPEG))
				if err != nil {
					t.Fatalf("re-encoded image does not decode: %v", err)
				}
				if got.Bounds().Dx() != im.Width || got.Bounds().Dy() != im.Height {
					t.Errorf("image is %v, recorded as %dx%d", got.Bounds(), im.Width, im.Height)
				}
				if m := metadataSegments(t, im.JPEG); len(m) > 0 {
					t.Errorf("re-encoded image carries segments %x", m)
				}
				if len(im.SHA256) != 64 {
					t.Errorf("sha256 %q", im.SHA256)
				}
			}
		})
	}
	// Transparent pixels turn white, not black.
	p, _ := photo.Process(phototest.PNG(alpha), opt)
	img, _ := jpeg.Decode(bytes.NewReader(p.Display.JPEG))
	if r, g, b, _ := img.At(5, 5).RGBA(); r>>8 < 250 || g>>8 < 250 || b>>8 < 250 {
		t.Errorf("a transparent pixel became %d,%d,%d", r>>8, g>>8, b>>8)
	}
}

// metadataSegments lists the APPn and COM markers of a JPEG.
func metadataSegments(t *testing.T, b []byte) []byte {
	t.Helper()
	var found []byte
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xFF {
			t.Fatalf("no marker at %d", i)
		}
		m := b[i+1]
		if m == 0xDA || m == 0xD9 {
			break
		}
		if (m >= 0xE0 && m <= 0xEF) || m == 0xFE {
			found = append(found, m)
		}
		i += 2 + int(binary.BigEndian.Uint16(b[i+2:]))
	}
	return found
}

func TestRefusesHostileFiles(t *testing.T) {
	good := phototest.JPEG(phototest.Scene(2, 640, 480), 85)
	goodPNG := phototest.PNG(phototest.Scene(3, 64, 48))
	webp := phototest.WebP("lossy")
	animated := append([]byte{}, phototest.WebP("alpha")...)
	animated[12+8] |= 0x02 // the VP8X animation flag
	riff := func(extra int) []byte {
		b := append([]byte{}, webp...)
		binary.LittleEndian.PutUint32(b[4:], uint32(len(b)-8+extra))
		return b
	}
	cases := []struct {
		name string
		data []byte
		want *anxin.Error
	}{
		{"html named .jpg", phototest.HTML(), photo.ErrMarkup},
		{"text named .jpg", phototest.Text(), photo.ErrNotPhoto},
		{"jpeg with html and script appended", phototest.WithHTML(good), photo.ErrTrailing},
		{"png declaring 100000x100000", phototest.PNGBomb(100000, 100000), photo.ErrTooBig},
		{"truncated jpeg", phototest.Truncated(good), photo.ErrTruncated},
		{"30 MB file", phototest.Huge(30 << 20), photo.ErrTooLarge},
		{"gif", phototest.GIF(), photo.ErrGIF},
		{"svg with script", phototest.SVG(), photo.ErrMarkup},
		{"empty", nil, photo.ErrEmpty},
		{"heic", append([]byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), make([]byte, 100)...), photo.ErrHEIC},
		{"motion photo", append(append([]byte{}, good...), []byte("\x00\x00\x00\x1cftypisom\x00\x00\x02\x00isomiso2mp41")...), photo.ErrMotion},
		{"jpeg with a zip appended", append(append([]byte{}, good...), []byte("PK\x03\x04\x14\x00\x00\x00")...), photo.ErrTrailing},
		{"jpeg without its end", good[:len(good)-2], photo.ErrTruncated},
		{"truncated png", phototest.Truncated(goodPNG), photo.ErrTruncated},
		{"png with html appended", append(append([]byte{}, goodPNG...), phototest.HTML()...), photo.ErrTrailing},
		{"webp with html appended", append(append([]byte{}, webp...), phototest.HTML()...), photo.ErrTrailing},
		{"webp shorter than it says", riff(100), photo.ErrTruncated},
		{"animated webp", animated, photo.ErrAnimated},
		{"jpeg header only", good[:20], photo.ErrTruncated},
		{"svg with a byte order mark and blank lines", append([]byte("\xEF\xBB\xBF\n\n"), phototest.SVG()...), photo.ErrMarkup},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, verr := photo.Validate(c.data, opt.Limits)
			p, err := photo.Process(c.data, opt)
			if !errors.Is(err, c.want) || !errors.Is(verr, c.want) {
				t.Fatalf("Process: %v; Validate: %v; want %v", err, verr, c.want)
			}
			if anxin.ErrorCode(err) != anxin.EINVALID || anxin.ErrorMessage(err) == "" {
				t.Fatalf("code %q, message %q", anxin.ErrorCode(err), anxin.ErrorMessage(err))
			}
			if p.Display.JPEG != nil || p.Thumb.JPEG != nil {
				t.Fatal("a refused file produced an image")
			}
		})
	}
}

// A decompression bomb is refused from its header: nothing near its
// declared size is ever allocated.
func TestBombNeverAllocates(t *testing.T) {
	bomb := phototest.PNGBomb(100000, 100000) // 30 GB of RGB if decoded
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range 10 {
		if _, err := photo.Process(bomb, opt); !errors.Is(err, photo.ErrTooBig) {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Fatalf("refusing a bomb ten times allocated %d bytes", n)
	}
	// Just under the limit it would be decoded; the limit is what stops it.
	small := photo.Limits{MaxBytes: 10 << 20, MaxPixels: 99}
	if _, err := photo.Validate(phototest.JPEG(phototest.Scene(1, 10, 10), 80), small); !errors.Is(err, photo.ErrTooBig) {
		t.Fatalf("a 100-pixel image under a 99-pixel limit: %v", err)
	}
}

func TestEXIFFactsAreKeptAndStripped(t *testing.T) {
	// A portrait photo held sideways: stored landscape with orientation 6,
	// its top-left corner red.
	img := image.NewRGBA(image.Rect(0, 0, 800, 600))
	for y := range 600 {
		for x := range 800 {
			c := color.RGBA{40, 90, 160, 255}
			if x < 200 && y < 150 {
				c = color.RGBA{230, 20, 20, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	taken := time.Date(2026, 11, 20, 14, 30, 5, 0, time.FixedZone("", 8*3600))
	jpg, err := photo.WithEXIF(phototest.JPEG(img, 90), photo.Meta{Make: "HUAWEI", Model: "ELS-AN00",
		TakenAt: taken, Orientation: 6, GPS: &[2]float64{25.0389, 102.7183}})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(jpg, []byte("Exif\x00\x00")) || !bytes.Contains(jpg, []byte("ELS-AN00")) {
		t.Fatal("the test photo carries no EXIF")
	}
	p, err := photo.Process(jpg, opt)
	if err != nil {
		t.Fatal(err)
	}
	want := photo.Facts{TakenAt: taken.UTC(), Camera: "HUAWEI ELS-AN00", HadGPS: true, Orientation: 6}
	if p.Facts != want {
		t.Fatalf("facts %+v, want %+v", p.Facts, want)
	}
	if p.Display.Width != 600 || p.Display.Height != 800 {
		t.Fatalf("display %dx%d: orientation 6 not applied", p.Display.Width, p.Display.Height)
	}
	// Turned 90° clockwise, the red corner is now at the top right.
	out, _ := jpeg.Decode(bytes.NewReader(p.Display.JPEG))
	if r, _, b, _ := out.At(590, 10).RGBA(); r>>8 < 180 || b>>8 > 80 {
		t.Errorf("top right is %d,_,%d, want red", r>>8, b>>8)
	}
	if r, _, _, _ := out.At(10, 10).RGBA(); r>>8 > 100 {
		t.Error("top left is red: the image was not turned upright")
	}
	for _, im := range []photo.Image{p.Display, p.Thumb} {
		if m := metadataSegments(t, im.JPEG); len(m) > 0 {
			t.Errorf("segments %x survived", m)
		}
		for _, s := range []string{"Exif", "HUAWEI", "ELS-AN00", "2026:11:20"} {
			if bytes.Contains(im.JPEG, []byte(s)) {
				t.Errorf("%q survived re-encoding", s)
			}
		}
	}
}

func TestEXIFTimeWithoutOffsetIsInTheZone(t *testing.T) {
	// Written with an offset of +00:00 first, then read back in a zone of
	// its own: the recorded offset wins.
	base := phototest.JPEG(phototest.Scene(4, 64, 48), 85)
	local := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	jpg, err := photo.WithEXIF(base, photo.Meta{Model: "iPhone 15", Make: "Apple", TakenAt: local})
	if err != nil {
		t.Fatal(err)
	}
	o := opt
	o.Zone = time.FixedZone("", -5*3600)
	p, err := photo.Process(jpg, o)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Facts.TakenAt.Equal(local) || p.Facts.Camera != "Apple iPhone 15" || p.Facts.HadGPS {
		t.Fatalf("facts %+v", p.Facts)
	}
	// No EXIF at all: no facts, upright.
	p, _ = photo.Process(base, opt)
	if p.Facts != (photo.Facts{Orientation: 1}) {
		t.Fatalf("facts of a photo without EXIF: %+v", p.Facts)
	}
}

func TestPerceptualHashCatchesCopies(t *testing.T) {
	var hashes []uint64
	for seed := range uint64(12) {
		jpg := phototest.JPEG(phototest.Scene(100+seed, 640, 480), 88)
		a, err := photo.Process(jpg, opt)
		if err != nil {
			t.Fatal(err)
		}
		b, err := photo.Process(phototest.Recompressed(jpg, 0.8, 60), opt)
		if err != nil {
			t.Fatal(err)
		}
		if a.Display.SHA256 == b.Display.SHA256 {
			t.Fatal("a recompressed copy has the same bytes")
		}
		if d := photo.Distance(a.PHash, b.PHash); d > photo.NearDistance {
			t.Errorf("scene %d: copy at 80%% and quality 60 is %d apart, over %d", seed, d, photo.NearDistance)
		}
		hashes = append(hashes, a.PHash)
	}
	for i := range hashes {
		for j := i + 1; j < len(hashes); j++ {
			if d := photo.Distance(hashes[i], hashes[j]); d <= photo.NearDistance {
				t.Errorf("different scenes %d and %d are only %d apart", i, j, d)
			}
		}
	}
	// The same upload processes to the same bytes: an exact duplicate.
	jpg := phototest.JPEG(phototest.Scene(7, 300, 200), 80)
	a, _ := photo.Process(jpg, opt)
	b, _ := photo.Process(jpg, opt)
	if a.Display.SHA256 != b.Display.SHA256 || a.PHash != b.PHash {
		t.Fatal("processing is not deterministic")
	}
}

func TestEXIFFromPNGAndWebP(t *testing.T) {
	taken := time.Date(2026, 11, 21, 8, 15, 0, 0, time.FixedZone("", 8*3600))
	raw, err := photo.EncodeEXIF(photo.Meta{Make: "Xiaomi", Model: "23127PN0CC", TakenAt: taken, GPS: &[2]float64{31.23, 121.47}})
	if err != nil {
		t.Fatal(err)
	}
	webp := phototest.WebP("lossy")
	cfg, err := photo.Validate(webp, opt.Limits)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"png":  phototest.PNGWithEXIF(phototest.PNG(phototest.Scene(5, 64, 48)), raw),
		"webp": phototest.WebPWithEXIF(webp, raw, cfg.Width, cfg.Height),
	} {
		p, err := photo.Process(data, opt)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !p.Facts.TakenAt.Equal(taken) || p.Facts.Camera != "Xiaomi 23127PN0CC" || !p.Facts.HadGPS {
			t.Errorf("%s: facts %+v", name, p.Facts)
		}
		if bytes.Contains(p.Display.JPEG, []byte("Xiaomi")) {
			t.Errorf("%s: the camera survived", name)
		}
	}
}

// EXIF is the uploader's data: a tag that claims a value of 2 GB is skipped
// without allocating it (the fuzzer found a parser that did), and the rest
// is still read.
func TestEXIFWithALyingCount(t *testing.T) {
	tiff := []byte("MM\x00*\x00\x00\x00\x08" + // big-endian, IFD0 at 8
		"\x00\x02" + // two entries
		"\x01\x10\x00\x02\x7f\xff\xff\xff\x00\x00\x00\x08" + // Model: ASCII, 2^31-1 bytes at 8
		"\x01\x12\x00\x03\x00\x00\x00\x01\x00\x03\x00\x00" + // Orientation: 3
		"\x00\x00\x00\x00")
	jpg := phototest.JPEG(phototest.Scene(6, 64, 48), 80)
	seg := append([]byte("\xFF\xE1\x00\x00Exif\x00\x00"), tiff...)
	binary.BigEndian.PutUint16(seg[2:], uint16(len(seg)-2))
	jpg = append(append(append([]byte{}, jpg[:2]...), seg...), jpg[2:]...)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	p, err := photo.Process(jpg, opt)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 16<<20 {
		t.Fatalf("allocated %d bytes", n)
	}
	if p.Facts.Camera != "" || p.Facts.Orientation != 3 {
		t.Fatalf("facts %+v", p.Facts)
	}
}
