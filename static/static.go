// Package static holds Anxin's CSS, JavaScript and vendored front-end files,
// embedded so that the binary is the whole deploy.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
)

//go:embed *.css *.js *.svg vendor
var FS embed.FS

// versions maps each file to a short hash of its content, so that pages can
// link to "/static/app.css?v=…" and browsers may cache it for good.
var versions = func() map[string]string {
	m := map[string]string{}
	err := fs.WalkDir(FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := FS.ReadFile(path)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		m[path] = hex.EncodeToString(sum[:5])
		return nil
	})
	if err != nil {
		panic("static: reading the embedded files: " + err.Error()) // they are in the binary: cannot happen
	}
	return m
}()

// Path is the URL of an embedded file, with its content version.
// It panics on a file that does not exist, which a test of every page catches.
func Path(name string) string {
	v, ok := versions[name]
	if !ok {
		panic("static: no file " + name)
	}
	return "/static/" + name + "?v=" + v
}
