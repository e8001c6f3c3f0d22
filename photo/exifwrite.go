package photo

import (
	"encoding/binary"
	"fmt"
	"math"
	"sync"
	"time"

	exif "github.com/dsoprea/go-exif/v3"
	exifcommon "github.com/dsoprea/go-exif/v3/common"
)

// Meta is EXIF to write into a JPEG, as a phone would: for demo data and
// for tests that need photos carrying metadata. Zero fields are left out.
// It is written with go-exif, so that the reader here is checked against an
// implementation other than its own.
type Meta struct {
	Make, Model string
	TakenAt     time.Time // written as local time in its location, with its offset
	Orientation int
	GPS         *[2]float64 // latitude, longitude in degrees
}

// WithEXIF returns the JPEG with an APP1 EXIF segment built from m inserted
// after its SOI marker.
func WithEXIF(jpg []byte, m Meta) ([]byte, error) {
	if len(jpg) < 2 || jpg[0] != 0xFF || jpg[1] != 0xD8 {
		return nil, fmt.Errorf("photo: not a JPEG")
	}
	raw, err := EncodeEXIF(m)
	if err != nil {
		return nil, err
	}
	seg := append(append([]byte{}, exifPrefix...), raw...)
	if len(seg)+2 > 0xFFFF {
		return nil, fmt.Errorf("photo: EXIF too large")
	}
	out := make([]byte, 0, len(jpg)+len(seg)+4)
	out = append(out, 0xFF, 0xD8, 0xFF, 0xE1)
	out = binary.BigEndian.AppendUint16(out, uint16(len(seg)+2))
	out = append(out, seg...)
	return append(out, jpg[2:]...), nil
}

// EncodeEXIF returns m as a raw EXIF (TIFF) block, as PNG's eXIf chunk and
// WebP's EXIF chunk hold it.
func EncodeEXIF(m Meta) ([]byte, error) {
	// go-exif reads its tag table (YAML) into each new index on first use
	// (4 ms, measured; 0.1 ms per call after): share one, one writer at a time.
	exifWriter.Lock()
	defer exifWriter.Unlock()
	im, ti := exifTables()
	root := exif.NewIfdBuilder(im, ti, exifcommon.IfdStandardIfdIdentity, binary.BigEndian)
	add := func(ib *exif.IfdBuilder, name string, v any) error {
		if err := ib.AddStandardWithName(name, v); err != nil {
			return fmt.Errorf("photo: exif %s: %w", name, err)
		}
		return nil
	}
	if m.Make != "" {
		if err := add(root, "Make", m.Make); err != nil {
			return nil, err
		}
	}
	if m.Model != "" {
		if err := add(root, "Model", m.Model); err != nil {
			return nil, err
		}
	}
	if m.Orientation != 0 {
		if err := add(root, "Orientation", []uint16{uint16(m.Orientation)}); err != nil {
			return nil, err
		}
	}
	if !m.TakenAt.IsZero() {
		ib, err := exif.GetOrCreateIbFromRootIb(root, "IFD/Exif")
		if err != nil {
			return nil, err
		}
		if err := add(ib, "DateTimeOriginal", m.TakenAt.Format("2006:01:02 15:04:05")); err != nil {
			return nil, err
		}
		if err := add(ib, "OffsetTimeOriginal", m.TakenAt.Format("-07:00")); err != nil {
			return nil, err
		}
	}
	if m.GPS != nil {
		ib, err := exif.GetOrCreateIbFromRootIb(root, "IFD/GPSInfo")
		if err != nil {
			return nil, err
		}
		lat, lon := m.GPS[0], m.GPS[1]
		latRef, lonRef := "N", "E"
		if lat < 0 {
			latRef, lat = "S", -lat
		}
		if lon < 0 {
			lonRef, lon = "W", -lon
		}
		for _, kv := range []struct {
			name string
			v    any
		}{
			{"GPSVersionID", []uint8{2, 3, 0, 0}},
			{"GPSLatitudeRef", latRef}, {"GPSLatitude", dms(lat)},
			{"GPSLongitudeRef", lonRef}, {"GPSLongitude", dms(lon)},
		} {
			if err := add(ib, kv.name, kv.v); err != nil {
				return nil, err
			}
		}
	}
	return exif.NewIfdByteEncoder().EncodeToExif(root)
}

var (
	exifWriter sync.Mutex
	exifTables = sync.OnceValues(func() (*exifcommon.IfdMapping, *exif.TagIndex) {
		im, err := exifcommon.NewIfdMappingWithStandard()
		if err != nil {
			panic(fmt.Sprintf("photo: go-exif tables: %v", err)) // built in, so it cannot fail
		}
		return im, exif.NewTagIndex()
	})
)

// dms writes degrees as EXIF's degrees, minutes and hundredths of seconds.
func dms(deg float64) []exifcommon.Rational {
	d := math.Floor(deg)
	mins := math.Floor((deg - d) * 60)
	secs := math.Round(((deg-d)*60 - mins) * 60 * 100)
	return []exifcommon.Rational{{Numerator: uint32(d), Denominator: 1}, {Numerator: uint32(mins), Denominator: 1},
		{Numerator: uint32(secs), Denominator: 100}}
}
