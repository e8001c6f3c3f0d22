// Package photo turns an uploaded file into evidence Anxin can keep and show:
// it decides what the file is by its content (never its name or the
// Content-Type it came with), refuses anything that is not a plain JPEG, PNG
// or WebP photo within the limits, reads the facts a reviewer needs from its
// EXIF (capture time, camera, whether GPS was recorded) and re-encodes it
// into two JPEG sizes that carry no metadata at all.
//
// It does no I/O and knows nothing of the database: the store calls it
// before a write and keeps what it returns.
package photo

import (
	"bytes"
	"encoding/binary"
	"image/jpeg"
	"image/png"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"golang.org/x/image/webp"
)

// Format is an accepted photo format, decided by content.
type Format string

const (
	JPEG Format = "jpeg"
	PNG  Format = "png"
	WebP Format = "webp"
)

// Limits bound what one upload may be. Every limit is checked from the
// file's size or header, before any pixel is decoded, so a small file that
// declares a huge image (a decompression bomb) never allocates it.
type Limits struct {
	MaxBytes    int64 // per file
	MaxPixels   int64 // width x height
	MaxPerParty int   // photos per ticket per party (checked by the store)
}

// defaultLimits are the issue's: 10 MB, 40 megapixels, 9 photos per party.
// DefaultOptions hands out copies.
var defaultLimits = Limits{MaxBytes: 10 << 20, MaxPixels: 40_000_000, MaxPerParty: 9}

// Options are the limits and how photos are re-encoded.
type Options struct {
	Limits
	// Zone is where a camera's clock is assumed to run when its EXIF gives
	// no offset (EXIF times carry none unless OffsetTimeOriginal is set).
	Zone *time.Location
	// DisplayEdge and ThumbEdge are the long edges of the two sizes made.
	DisplayEdge, ThumbEdge int
}

// DefaultOptions returns the default limits and sizes, with cameras assumed
// to run on China Standard Time.
func DefaultOptions() Options {
	return Options{Limits: defaultLimits, Zone: time.FixedZone("CST", 8*3600), DisplayEdge: 1600, ThumbEdge: 320}
}

// WithDefaults fills the zero fields from DefaultOptions.
func (o Options) WithDefaults() Options {
	d := DefaultOptions()
	if o.MaxBytes <= 0 {
		o.MaxBytes = d.MaxBytes
	}
	if o.MaxPixels <= 0 {
		o.MaxPixels = d.MaxPixels
	}
	if o.MaxPerParty <= 0 {
		o.MaxPerParty = d.MaxPerParty
	}
	if o.Zone == nil {
		o.Zone = d.Zone
	}
	if o.DisplayEdge <= 0 {
		o.DisplayEdge = d.DisplayEdge
	}
	if o.ThumbEdge <= 0 {
		o.ThumbEdge = d.ThumbEdge
	}
	return o
}

// The reasons an upload is refused, each an anxin.EINVALID error whose
// message the views say in the user's language.
var (
	ErrEmpty     = anxin.Fail(anxin.MsgPhotoEmpty)
	ErrTooLarge  = anxin.Fail(anxin.MsgPhotoTooLarge)
	ErrTooBig    = anxin.Fail(anxin.MsgPhotoTooManyPixels)
	ErrHEIC      = anxin.Fail(anxin.MsgPhotoHEIC)
	ErrGIF       = anxin.Fail(anxin.MsgPhotoGIF)
	ErrMarkup    = anxin.Fail(anxin.MsgPhotoMarkup)
	ErrNotPhoto  = anxin.Fail(anxin.MsgPhotoNotPhoto)
	ErrTruncated = anxin.Fail(anxin.MsgPhotoTruncated)
	ErrTrailing  = anxin.Fail(anxin.MsgPhotoTrailing)
	ErrMotion    = anxin.Fail(anxin.MsgPhotoMotion)
	ErrAnimated  = anxin.Fail(anxin.MsgPhotoAnimated)
	ErrDamaged   = anxin.Fail(anxin.MsgPhotoDamaged)
)

// Info is what validation learns about a file.
type Info struct {
	Format Format
	Width  int
	Height int
	Bytes  int64
	exif   []byte // the raw EXIF (TIFF) block, if any
}

// Validate decides what data is by its content and checks it against the
// limits without decoding its pixels: its magic bytes, its container
// structure (complete, with nothing but further JPEG images or zero padding
// after the image's end) and the dimensions its header declares. It returns
// one of the Err* refusals, never another error.
//
// Trailing data: a JPEG ends at its EOI marker, found by walking the segment
// lengths and the entropy-coded data; a PNG at its IEND chunk; a WebP at the
// length its RIFF header declares. After that end only zero padding and
// further complete JPEG images are allowed: phones append those (MPF previews,
// HDR gain maps). Anything else there is refused: an HTML page or a script
// (a polyglot file), a ZIP, the video of a motion photo. Data hidden inside
// the image's own structure (a comment segment, say) is not looked for: the
// original is never stored or served, and the re-encoded image carries none
// of it.
func Validate(data []byte, lim Limits) (Info, error) {
	lim = Options{Limits: lim}.WithDefaults().Limits
	info := Info{Bytes: int64(len(data))}
	switch {
	case len(data) == 0:
		return info, ErrEmpty
	case int64(len(data)) > lim.MaxBytes:
		return info, ErrTooLarge
	}
	f, err := sniff(data)
	if err != nil {
		return info, err
	}
	info.Format = f
	switch f {
	case JPEG:
		info.exif, err = walkJPEG(data)
	case PNG:
		info.exif, err = walkPNG(data)
	case WebP:
		info.exif, err = walkWebP(data)
	}
	if err != nil {
		return info, err
	}
	if err := info.readHeader(data, lim); err != nil {
		return info, err
	}
	return info, nil
}

// readHeader reads the declared dimensions (image.DecodeConfig of the one
// format found: it reads the header only) and checks them.
func (info *Info) readHeader(data []byte, lim Limits) error {
	r := bytes.NewReader(data)
	var err error
	switch info.Format {
	case JPEG:
		c, e := jpeg.DecodeConfig(r)
		info.Width, info.Height, err = c.Width, c.Height, e
	case PNG:
		c, e := png.DecodeConfig(r)
		info.Width, info.Height, err = c.Width, c.Height, e
	case WebP:
		c, e := webp.DecodeConfig(r)
		info.Width, info.Height, err = c.Width, c.Height, e
	}
	switch {
	case err != nil:
		return ErrDamaged
	case info.Width <= 0 || info.Height <= 0:
		return ErrDamaged
	case int64(info.Width)*int64(info.Height) > lim.MaxPixels:
		return ErrTooBig
	}
	return nil
}

// sniff decides the format by the file's first bytes.
func sniff(b []byte) (Format, error) {
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return JPEG, nil
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return PNG, nil
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return WebP, nil
	case bytes.HasPrefix(b, []byte("GIF87a")) || bytes.HasPrefix(b, []byte("GIF89a")):
		return "", ErrGIF
	case isHEIF(b):
		return "", ErrHEIC
	case isMarkup(b):
		return "", ErrMarkup
	}
	return "", ErrNotPhoto
}

// isHEIF recognises an ISO media file whose brand is an image one (HEIC,
// HEIF, AVIF): no pure-Go decoder serves them.
func isHEIF(b []byte) bool {
	if len(b) < 12 || string(b[4:8]) != "ftyp" {
		return false
	}
	switch string(b[8:12]) {
	case "heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs", "mif1", "msf1", "avif", "avis":
		return true
	}
	return false
}

// isMarkup recognises text that starts with a tag after an optional byte
// order mark and white space: HTML, SVG, XML.
func isMarkup(b []byte) bool {
	b = bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))
	b = bytes.TrimLeft(b, " \t\r\n\f")
	if len(b) > 0 && b[0] == '<' {
		return true
	}
	// UTF-16 text, as some editors save it.
	if len(b) >= 4 && (bytes.HasPrefix(b, []byte("\xFF\xFE<\x00")) || bytes.HasPrefix(b, []byte("\xFE\xFF\x00<"))) {
		return true
	}
	return false
}

var le = binary.LittleEndian
var be = binary.BigEndian
