package store_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestStoreImportsNothingOfTheWeb: dependencies point inward (cmd -> web ->
// store -> anxin). No file under store/, tests included, imports a package
// of the HTTP layer: the API's JSON shapes and the webhook sender are
// there, and the store hands them its own types.
func TestStoreImportsNothingOfTheWeb(t *testing.T) {
	const web = "github.com/anxin-helpdesk/anxin/web"
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == web || strings.HasPrefix(p, web+"/") {
				t.Errorf("%s imports %s", path, p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
