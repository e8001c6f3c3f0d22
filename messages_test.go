package anxin_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// TestEveryMsgIsInTheCatalog: a Msg constant outside the catalog would be
// an internal error wherever it is used, and the views' test (which walks
// the catalog) would not see it lacks Chinese.
func TestEveryMsgIsInTheCatalog(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	catalog := slices.Collect(anxin.Messages())
	declared := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				v := spec.(*ast.ValueSpec)
				if id, ok := v.Type.(*ast.Ident); !ok || id.Name != "Msg" {
					continue
				}
				for i, name := range v.Names {
					declared++
					lit := v.Values[i].(*ast.BasicLit).Value
					if !slices.Contains(catalog, anxin.Msg(strings.Trim(lit, `"`))) {
						t.Errorf("%s is not in the catalog", name.Name)
					}
				}
			}
		}
	}
	if declared != len(catalog) {
		t.Errorf("%d Msg constants, %d messages in the catalog", declared, len(catalog))
	}
}

// TestFailSaysTheAPIsEnglish: the English of a message (what the HTTP API
// says) renders each kind of value as the API always has.
func TestFailSaysTheAPIsEnglish(t *testing.T) {
	at := time.Date(2026, 11, 3, 1, 30, 0, 0, time.FixedZone("CST", 8*3600))
	tests := []struct {
		err  *anxin.Error
		code string
		want string
	}{
		{anxin.Fail(anxin.MsgReasonRequired), anxin.EINVALID, "a reason is required"},
		{anxin.Fail(anxin.MsgRefundExceeds, anxin.Fen(12000), anxin.Fen(8050)), anxin.EOVERREFUND,
			"the refund of 12000 fen exceeds the 8050 fen that remain refundable"},
		{anxin.Fail(anxin.MsgOutsideWindow, anxin.BeautyAllergy, 30*24*time.Hour, anxin.FromReceipt, 31*24*time.Hour+5*time.Hour),
			anxin.EOUTSIDEWINDOW, "美妆过敏包退包换 must be claimed within 30d of receipt; this claim comes 31d 5h after"},
		{anxin.Fail(anxin.MsgAlreadyShipped, anxin.UnshippedRefund, at), anxin.EALREADYSHIPPED,
			"未发货退款 is open only until the order ships; it shipped at 2026-11-02T17:30:00Z"},
		{anxin.Fail(anxin.MsgNotOptedIn, anxin.BeautyAllergy, "beauty_allergy"), anxin.ENOTOPTEDIN,
			"the merchant has not opted into 美妆过敏包退包换 (beauty_allergy)"},
		{anxin.Fail(anxin.MsgRoleMayNot, anxin.RoleBuyer, anxin.Approve), anxin.ENOTALLOWED, "a buyer may not approve"},
		{anxin.Fail(anxin.MsgUnknownService, "nope"), anxin.EUNKNOWNSERVICE, `unknown service "nope"`},
		{anxin.Fail(anxin.MsgPasswordTooShort, anxin.MinPasswordLen), anxin.EINVALID, "the password must be at least 10 characters"},
		{anxin.Fail("no_such_message"), anxin.EINTERNAL, "internal error"},
	}
	for _, tt := range tests {
		if tt.err.Code != tt.code || tt.err.Message != tt.want || anxin.ErrorMessage(tt.err) != tt.want {
			t.Errorf("%s: %s %q, want %s %q", tt.err.Msg, tt.err.Code, tt.err.Message, tt.code, tt.want)
		}
	}
}
