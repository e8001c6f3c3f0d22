// Package phototest makes the images that photo tests need: believable
// photos that differ from each other as real ones do, copies of them
// resized and compressed again, and hostile files of every kind an upload
// must refuse. Everything is built in code (the WebP samples excepted: Go
// has no WebP encoder).
package phototest

import (
	"bytes"
	"compress/zlib"
	"embed"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"

	"github.com/disintegration/imaging"
)

//go:embed testdata/*.webp
var samples embed.FS

// WebP returns a real WebP file: "lossless", "lossy" or "alpha".
func WebP(kind string) []byte {
	name := map[string]string{
		"lossless": "gopher-doc.1bpp.lossless.webp",
		"lossy":    "blue-purple-pink.lossy.webp",
		"alpha":    "yellow_rose.lossy-with-alpha.webp",
	}[kind]
	b, err := samples.ReadFile("testdata/" + name)
	if err != nil {
		panic(err)
	}
	return b
}

// Scene draws a w x h "photo" from seed: a lit background, a few objects of
// different colours and sizes, and sensor noise. Different seeds give
// pictures as different as two snapshots of different things.
func Scene(seed uint64, w, h int) *image.RGBA {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	type blob struct {
		cx, cy, rx, ry float64
		c              [3]float64
		box            bool
	}
	bg0 := [3]float64{rng.Float64() * 255, rng.Float64() * 255, rng.Float64() * 255}
	bg1 := [3]float64{rng.Float64() * 255, rng.Float64() * 255, rng.Float64() * 255}
	angle := rng.Float64() * 2 * math.Pi
	blobs := make([]blob, 3+rng.IntN(4))
	for i := range blobs {
		blobs[i] = blob{cx: rng.Float64(), cy: rng.Float64(), rx: 0.08 + rng.Float64()*0.3, ry: 0.08 + rng.Float64()*0.3,
			c: [3]float64{rng.Float64() * 255, rng.Float64() * 255, rng.Float64() * 255}, box: rng.IntN(2) == 0}
	}
	ca, sa := math.Cos(angle), math.Sin(angle)
	fw, fh := float64(w), float64(h)
	for y := range h {
		for x := range w {
			u, v := float64(x)/fw, float64(y)/fh
			t := 0.5 + 0.5*((u-0.5)*ca+(v-0.5)*sa)
			c := [3]float64{bg0[0]*(1-t) + bg1[0]*t, bg0[1]*(1-t) + bg1[1]*t, bg0[2]*(1-t) + bg1[2]*t}
			for _, b := range blobs {
				dx, dy := (u-b.cx)/b.rx, (v-b.cy)/b.ry
				if (b.box && math.Abs(dx) < 1 && math.Abs(dy) < 1) || (!b.box && dx*dx+dy*dy < 1) {
					c = b.c
				}
			}
			n := (rng.Float64() - 0.5) * 16
			img.SetRGBA(x, y, color.RGBA{clamp(c[0] + n), clamp(c[1] + n), clamp(c[2] + n), 255})
		}
	}
	return img
}

func clamp(v float64) uint8 { return uint8(max(0, min(255, v))) }

// JPEG encodes img at the quality.
func JPEG(img image.Image, quality int) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// PNG encodes img.
func PNG(img image.Image) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// Recompressed is what a fraudster's copy of a photo looks like: decoded,
// scaled by scale, and saved again as a JPEG at the quality.
func Recompressed(jpg []byte, scale float64, quality int) []byte {
	img, err := jpeg.Decode(bytes.NewReader(jpg))
	if err != nil {
		panic(err)
	}
	b := img.Bounds()
	small := imaging.Resize(img, int(float64(b.Dx())*scale), int(float64(b.Dy())*scale), imaging.CatmullRom)
	return JPEG(small, quality)
}

// HTML is a web page with a script, to be uploaded as "photo.jpg".
func HTML() []byte {
	return []byte("<!DOCTYPE html>\n<html><body><h1>photo</h1><script>fetch('/logout',{method:'POST'})</script></body></html>\n")
}

// Text is a plain text file.
func Text() []byte { return []byte("This is not a photo, just some words saved as IMG_0001.jpg.\n") }

// SVG is a drawing that carries a script.
func SVG() []byte {
	return []byte(`<?xml version="1.0"?>` + "\n" + `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">` +
		`<script>alert(document.cookie)</script><rect width="10" height="10"/></svg>`)
}

// GIF is a small GIF image.
func GIF() []byte {
	var buf bytes.Buffer
	img := image.NewPaletted(image.Rect(0, 0, 16, 16), color.Palette{color.Black, color.White})
	if err := gif.Encode(&buf, img, nil); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// WithHTML is a JPEG with an HTML page and a script appended after its end:
// a polyglot that a browser sniffing the content might run.
func WithHTML(jpg []byte) []byte {
	return append(append([]byte{}, jpg...), HTML()...)
}

// Truncated is the first part of a file, as a failed upload leaves it.
func Truncated(b []byte) []byte { return append([]byte{}, b[:len(b)*6/10]...) }

// Huge is a file of n bytes that starts as a JPEG.
func Huge(n int) []byte {
	b := make([]byte, n)
	copy(b, JPEG(image.NewGray(image.Rect(0, 0, 8, 8)), 80))
	return b
}

// PNGBomb is a small, valid PNG whose header declares w x h pixels: decoding
// it would allocate w*h*3 bytes.
func PNGBomb(w, h uint32) []byte {
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		out.Write(binary.BigEndian.AppendUint32(nil, uint32(len(data))))
		crc := crc32.NewIEEE()
		crc.Write([]byte(typ))
		crc.Write(data)
		out.WriteString(typ)
		out.Write(data)
		out.Write(binary.BigEndian.AppendUint32(nil, crc.Sum32()))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0) // 8-bit RGB
	chunk("IHDR", ihdr)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	if _, err := zw.Write(make([]byte, 1<<20)); err != nil { // a megabyte of zeros: the first rows
		panic(err) // a write to memory
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	chunk("IDAT", z.Bytes())
	chunk("IEND", nil)
	return out.Bytes()
}

// PNGWithEXIF inserts an eXIf chunk holding the raw EXIF block after a
// PNG's header chunk.
func PNGWithEXIF(p, exif []byte) []byte {
	var out bytes.Buffer
	out.Write(p[:33]) // signature and IHDR
	out.Write(binary.BigEndian.AppendUint32(nil, uint32(len(exif))))
	crc := crc32.NewIEEE()
	crc.Write([]byte("eXIf"))
	crc.Write(exif)
	out.WriteString("eXIf")
	out.Write(exif)
	out.Write(binary.BigEndian.AppendUint32(nil, crc.Sum32()))
	out.Write(p[33:])
	return out.Bytes()
}

// WebPWithEXIF wraps a simple (VP8 or VP8L) WebP of w x h pixels in the
// extended format with an EXIF chunk, as phones write it.
func WebPWithEXIF(simple, exif []byte, w, h int) []byte {
	var chunks bytes.Buffer
	vp8x := make([]byte, 10)
	vp8x[0] = 0x08 // EXIF present
	put24 := func(b []byte, v int) { b[0], b[1], b[2] = byte(v), byte(v>>8), byte(v>>16) }
	put24(vp8x[4:], w-1)
	put24(vp8x[7:], h-1)
	chunk := func(fourcc string, data []byte) {
		chunks.WriteString(fourcc)
		chunks.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(data))))
		chunks.Write(data)
		if len(data)%2 == 1 {
			chunks.WriteByte(0)
		}
	}
	chunk("VP8X", vp8x)
	chunks.Write(simple[12:]) // the image chunk as it was
	chunk("EXIF", exif)
	var out bytes.Buffer
	out.WriteString("RIFF")
	out.Write(binary.LittleEndian.AppendUint32(nil, uint32(4+chunks.Len())))
	out.WriteString("WEBP")
	out.Write(chunks.Bytes())
	return out.Bytes()
}
