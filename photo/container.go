package photo

import (
	"bytes"
)

// maxScans bounds the scans of a progressive JPEG. Each scan is a pass over
// the whole image, so a small file of thousands of tiny scans is a CPU bomb;
// real encoders write about ten (libjpeg-turbo caps them for the same reason).
const maxScans = 100

// maxAppended bounds the JPEG images allowed after the main one.
const maxAppended = 8

var exifPrefix = []byte("Exif\x00\x00")

// walkJPEG checks that a JPEG is complete, with nothing after it but zero
// padding and further complete JPEGs, and returns its EXIF block.
func walkJPEG(b []byte) ([]byte, error) {
	end, exif, err := jpegEnd(b)
	if err != nil {
		return nil, err
	}
	return exif, checkTrailer(b[end:])
}

// jpegEnd walks a JPEG's segments and entropy-coded data to the byte after
// its EOI marker, and returns the first APP1 EXIF block on the way.
func jpegEnd(b []byte) (end int, exif []byte, err error) {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return 0, nil, ErrDamaged
	}
	i, scans := 2, 0
	for {
		// A marker is 0xFF, any number of 0xFF fill bytes, and its code.
		// Stray bytes before it are skipped, as decoders do.
		for i < len(b) && b[i] != 0xFF {
			i++
		}
		for i < len(b) && b[i] == 0xFF {
			i++
		}
		if i >= len(b) {
			return 0, nil, ErrTruncated
		}
		m := b[i]
		i++
		switch {
		case m == 0xD9: // EOI
			return i, exif, nil
		case m == 0xD8: // a second SOI before the first image ended
			return 0, nil, ErrDamaged
		case m == 0x00 || m == 0x01 || (m >= 0xD0 && m <= 0xD7): // no length follows
			continue
		}
		if i+2 > len(b) {
			return 0, nil, ErrTruncated
		}
		n := int(be.Uint16(b[i:]))
		if n < 2 {
			return 0, nil, ErrDamaged
		}
		if i+n > len(b) {
			return 0, nil, ErrTruncated
		}
		seg := b[i+2 : i+n]
		i += n
		if m == 0xE1 && exif == nil && bytes.HasPrefix(seg, exifPrefix) {
			exif = seg[len(exifPrefix):]
		}
		if m != 0xDA { // SOS: the entropy-coded data follows
			continue
		}
		if scans++; scans > maxScans {
			return 0, nil, ErrDamaged
		}
		// The data runs to the first 0xFF that is neither a stuffed 0x00
		// nor a restart marker.
		for {
			j := bytes.IndexByte(b[i:], 0xFF)
			if j < 0 || i+j+1 >= len(b) {
				return 0, nil, ErrTruncated
			}
			i += j
			if c := b[i+1]; c == 0x00 || (c >= 0xD0 && c <= 0xD7) {
				i += 2
				continue
			}
			break
		}
	}
}

// checkTrailer accepts what follows a JPEG's end only when it is zero
// padding or further complete JPEG images (MPF previews, HDR gain maps).
func checkTrailer(t []byte) error {
	for n := 0; ; n++ {
		// An MP4 box starts with its length, often with zero bytes.
		if len(t) >= 8 && string(t[4:8]) == "ftyp" || bytes.HasPrefix(t, []byte("MotionPhoto_Data")) {
			return ErrMotion
		}
		t = bytes.TrimLeft(t, "\x00")
		switch {
		case len(t) == 0:
			return nil
		case n >= maxAppended || !bytes.HasPrefix(t, []byte{0xFF, 0xD8, 0xFF}):
			return ErrTrailing
		}
		end, _, err := jpegEnd(t)
		if err != nil {
			return ErrTrailing
		}
		t = t[end:]
	}
}

// walkPNG checks that a PNG's chunks are complete up to IEND, with nothing
// but zero padding after it, and returns its eXIf block.
func walkPNG(b []byte) ([]byte, error) {
	var exif []byte
	for i := 8; ; {
		if i+8 > len(b) {
			return nil, ErrTruncated
		}
		n := int64(be.Uint32(b[i:]))
		typ := string(b[i+4 : i+8])
		if n > 1<<31-1 {
			return nil, ErrDamaged
		}
		if int64(i)+12+n > int64(len(b)) {
			return nil, ErrTruncated
		}
		data := b[i+8 : i+8+int(n)]
		if i == 8 && typ != "IHDR" {
			return nil, ErrDamaged
		}
		i += 12 + int(n)
		switch typ {
		case "eXIf":
			if exif == nil {
				exif = bytes.TrimPrefix(data, exifPrefix)
			}
		case "acTL": // APNG
			return nil, ErrAnimated
		case "IEND":
			if len(bytes.TrimLeft(b[i:], "\x00")) > 0 {
				return nil, ErrTrailing
			}
			return exif, nil
		}
	}
}

// walkWebP checks a WebP's RIFF chunks against the length its header
// declares, with nothing but zero padding after it, refuses animations, and
// returns its EXIF block.
func walkWebP(b []byte) ([]byte, error) {
	size := int64(le.Uint32(b[4:8]))
	end := 8 + size
	if size < 4 || end > int64(len(b)) {
		return nil, ErrTruncated
	}
	if len(bytes.TrimLeft(b[end:], "\x00")) > 0 {
		return nil, ErrTrailing
	}
	var exif []byte
	for i := int64(12); i < end; {
		if i+8 > end {
			return nil, ErrTruncated
		}
		fourcc := string(b[i : i+4])
		n := int64(le.Uint32(b[i+4:]))
		if i+8+n > end {
			return nil, ErrTruncated
		}
		data := b[i+8 : i+8+n]
		i += 8 + n + n&1
		switch fourcc {
		case "ANIM", "ANMF":
			return nil, ErrAnimated
		case "VP8X":
			if len(data) > 0 && data[0]&0x02 != 0 {
				return nil, ErrAnimated
			}
		case "EXIF":
			if exif == nil {
				exif = bytes.TrimPrefix(data, exifPrefix)
			}
		}
	}
	return exif, nil
}
