package web

import (
	"bytes"
	"image"
	"image/jpeg"
	_ "image/png" // registers the PNG decoder
	"net/http"

	"github.com/anxin-helpdesk/anxin"
)

// maxPhotoPixels refuses images whose decoded size would be a memory bomb.
const maxPhotoPixels = 40_000_000

// acceptPhoto checks an uploaded photo is a JPEG or a PNG by its content (not
// its name or declared type), decodes it, and re-encodes it as a JPEG, which
// drops everything but the pixels (EXIF location included). It is the API's
// one door for photos: the full photo pipeline replaces it.
func acceptPhoto(data []byte) (out []byte, width, height int, err error) {
	switch http.DetectContentType(data) {
	case "image/jpeg", "image/png":
	default:
		return nil, 0, 0, anxin.Errorf(anxin.EINVALID, "not a JPEG or PNG image")
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, 0, 0, anxin.Errorf(anxin.EINVALID, "the image cannot be read")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxPhotoPixels {
		return nil, 0, 0, anxin.Errorf(anxin.EINVALID, "the image is %dx%d; at most 40 megapixels", cfg.Width, cfg.Height)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, 0, 0, anxin.Errorf(anxin.EINVALID, "the image cannot be read")
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		return nil, 0, 0, err
	}
	b := img.Bounds()
	return buf.Bytes(), b.Dx(), b.Dy(), nil
}
