package photo

import (
	"encoding/binary"
	"strings"
	"time"
	"unicode"
)

// Facts are what a photo's EXIF says about it, read before the metadata is
// removed and kept as evidence.
type Facts struct {
	TakenAt     time.Time // DateTimeOriginal (or DateTimeDigitized); zero when absent
	Camera      string    // make and model, as the camera wrote them
	HadGPS      bool      // a latitude and longitude were recorded
	Orientation int       // EXIF orientation, 1 (upright) to 8
}

// EXIF tags read.
const (
	tagMake              = 0x010F
	tagModel             = 0x0110
	tagOrientation       = 0x0112
	tagExifIFD           = 0x8769
	tagGPSIFD            = 0x8825
	tagDateTimeOriginal  = 0x9003
	tagDateTimeDigitized = 0x9004
	tagOffsetTimeOrig    = 0x9011
	tagGPSLatitude       = 0x0002
	tagGPSLongitude      = 0x0004
)

// readFacts reads the facts from a raw EXIF (TIFF) block. It reads only the
// tags it needs, from IFD0 and the Exif and GPS directories IFD0 points to,
// and every value is a slice of raw, bounds-checked against it: nothing is
// allocated from a count the file declares. (go-exif v3.0.1, tried first,
// allocates count x size bytes for a tag before checking them against the
// data, up to 4 GB for a 300-byte upload, and does so for the thumbnail tags
// whatever the caller asks: the fuzzer found it.) EXIF that cannot be read
// gives no facts rather than a refusal: the pixels are the evidence.
func readFacts(raw []byte, zone *time.Location) Facts {
	f := Facts{Orientation: 1}
	t, ifd0, ok := parseTIFF(raw)
	if !ok {
		return f
	}
	var mk, model, taken, digitized, offset string
	var exifIFD, gpsIFD uint32
	t.entries(ifd0, func(tag uint16, e entry) {
		switch tag {
		case tagMake:
			mk = e.ascii()
		case tagModel:
			model = e.ascii()
		case tagOrientation:
			if o := e.uint(t.bo); o >= 1 && o <= 8 {
				f.Orientation = int(o)
			}
		case tagExifIFD:
			exifIFD = e.uint(t.bo)
		case tagGPSIFD:
			gpsIFD = e.uint(t.bo)
		}
	})
	if exifIFD != 0 {
		t.entries(exifIFD, func(tag uint16, e entry) {
			switch tag {
			case tagDateTimeOriginal:
				taken = e.ascii()
			case tagDateTimeDigitized:
				digitized = e.ascii()
			case tagOffsetTimeOrig:
				offset = e.ascii()
			}
		})
	}
	if gpsIFD != 0 {
		var lat, lon bool
		t.entries(gpsIFD, func(tag uint16, e entry) {
			// A coordinate is three rationals: degrees, minutes, seconds.
			switch {
			case tag == tagGPSLatitude && e.typ == typeRational && len(e.val) >= 24:
				lat = true
			case tag == tagGPSLongitude && e.typ == typeRational && len(e.val) >= 24:
				lon = true
			}
		})
		f.HadGPS = lat && lon
	}
	f.Camera = camera(mk, model)
	if taken == "" {
		taken = digitized
	}
	f.TakenAt = exifTime(taken, offset, zone)
	return f
}

// tiff is an EXIF block: a TIFF header and its image file directories.
type tiff struct {
	b  []byte
	bo binary.ByteOrder
}

func parseTIFF(b []byte) (tiff, uint32, bool) {
	switch {
	case len(b) < 8:
		return tiff{}, 0, false
	case string(b[:4]) == "II*\x00":
		return tiff{b, binary.LittleEndian}, binary.LittleEndian.Uint32(b[4:]), true
	case string(b[:4]) == "MM\x00*":
		return tiff{b, binary.BigEndian}, binary.BigEndian.Uint32(b[4:]), true
	}
	return tiff{}, 0, false
}

// The TIFF field types read; entries of other types are skipped.
const (
	typeByte     = 1
	typeASCII    = 2
	typeShort    = 3
	typeLong     = 4
	typeRational = 5
)

// entry is a directory entry's type and value bytes.
type entry struct {
	typ uint16
	val []byte
}

func (e entry) ascii() string {
	if e.typ != typeASCII {
		return ""
	}
	s, _, _ := strings.Cut(string(e.val), "\x00")
	return s
}

func (e entry) uint(bo binary.ByteOrder) uint32 {
	switch {
	case e.typ == typeShort && len(e.val) >= 2:
		return uint32(bo.Uint16(e.val))
	case e.typ == typeLong && len(e.val) >= 4:
		return bo.Uint32(e.val)
	}
	return 0
}

// entries calls fn for each entry of the directory at off whose value lies
// within the block. A directory that runs past the block is skipped whole.
func (t tiff) entries(off uint32, fn func(tag uint16, e entry)) {
	size := uint64(len(t.b))
	if uint64(off)+2 > size {
		return
	}
	n := uint64(t.bo.Uint16(t.b[off:]))
	if uint64(off)+2+12*n > size {
		return
	}
	for i := range n {
		p := uint64(off) + 2 + 12*i
		tag, typ := t.bo.Uint16(t.b[p:]), t.bo.Uint16(t.b[p+2:])
		var unit uint64
		switch typ {
		case typeByte, typeASCII:
			unit = 1
		case typeShort:
			unit = 2
		case typeLong:
			unit = 4
		case typeRational:
			unit = 8
		default:
			continue
		}
		length := uint64(t.bo.Uint32(t.b[p+4:])) * unit // < 2^35: no overflow
		var val []byte
		if length <= 4 {
			val = t.b[p+8 : p+8+length]
		} else {
			at := uint64(t.bo.Uint32(t.b[p+8:]))
			if at+length > size {
				continue
			}
			val = t.b[at : at+length]
		}
		fn(tag, entry{typ: typ, val: val})
	}
}

// camera joins make and model the way people say them: "HUAWEI ELS-AN00",
// but "Apple iPhone 15" rather than "Apple Apple iPhone 15". Control
// characters go, and the length is bounded.
func camera(mk, model string) string {
	clean := func(s string) string {
		s = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) || r == unicode.ReplacementChar {
				return -1
			}
			return r
		}, s)
		return strings.Join(strings.Fields(s), " ")
	}
	mk, model = clean(mk), clean(model)
	s := model
	if mk != "" && !strings.HasPrefix(strings.ToLower(model), strings.ToLower(mk)) {
		s = strings.TrimSpace(mk + " " + model)
	}
	if r := []rune(s); len(r) > 64 {
		s = string(r[:64])
	}
	return s
}

// exifTime parses an EXIF time ("2006:01:02 15:04:05"), in its recorded
// offset ("+08:00") when there is one, else in zone. Blank, zero and
// implausible times give the zero time.
func exifTime(s, offset string, zone *time.Location) time.Time {
	s = strings.TrimSpace(strings.TrimRight(s, "\x00"))
	if len(s) < 19 {
		return time.Time{}
	}
	loc := zone
	if o, err := time.Parse("-07:00", strings.TrimSpace(offset)); err == nil {
		_, secs := o.Zone()
		loc = time.FixedZone("", secs)
	}
	t, err := time.ParseInLocation("2006:01:02 15:04:05", s[:19], loc)
	if err != nil || t.Year() < 1990 || t.Year() > 2200 {
		return time.Time{}
	}
	return t.UTC()
}
