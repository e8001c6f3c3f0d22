package anxin_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/anxin-helpdesk/anxin"
)

func TestCheckText(t *testing.T) {
	for _, c := range []struct {
		text      string
		max       int
		multiline bool
		want      anxin.Msg // "" for accepted
	}{
		{"李女士", 100, false, ""},
		{strings.Repeat("坏", 100), 100, false, ""},
		{strings.Repeat("坏", 101), 100, false, anxin.MsgTextTooLong},
		{"第一行\n第二行\t完", 4000, true, ""},
		{"第一行\n第二行", 100, false, anxin.MsgTextControl},
		{"李\x00女士", 100, false, anxin.MsgTextControl},
		{"李\x1b[31m女士", 100, true, anxin.MsgTextControl},
		{"李\u0085女士", 100, true, anxin.MsgTextControl}, // a C1 control
		{"退款\u202e0001", 100, true, anxin.MsgTextBidi},
		{"退款\u2067x\u2069", 100, true, anxin.MsgTextBidi},
		{"退款\u200e", 100, true, ""}, // a direction mark reorders nothing
		{"\xff\xfe", 100, true, anxin.MsgTextInvalid},
		{"替换字符\uFFFD可以", 100, true, ""},
	} {
		err := anxin.CheckText(anxin.FieldBuyerName, c.text, c.max, c.multiline)
		var e *anxin.Error
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%q: %v, want it accepted", c.text, err)
		case c.want != "" && (!asError(err, &e) || e.Msg != c.want):
			t.Errorf("%q: %v, want %s", c.text, err, c.want)
		case c.want != "" && !strings.HasPrefix(anxin.ErrorMessage(err), "buyer.name: "):
			t.Errorf("%q: %q does not name the field", c.text, anxin.ErrorMessage(err))
		}
	}
}

func TestNotes(t *testing.T) {
	staff := anxin.Actor{Role: anxin.RoleAgent, UserID: 2, Name: "王晓"}
	shop := anxin.Actor{Role: anxin.RoleMerchant, UserID: 5, Name: "林娜", MerchantID: 1}
	internal, err := anxin.NewNote(1, staff, "  买家来电两次  ", false)
	if err != nil || internal.Shared || internal.Body != "买家来电两次" {
		t.Fatalf("an agent's note: %+v, %v", internal, err)
	}
	if internal.VisibleTo(anxin.Scope{MerchantID: 1}) || !internal.VisibleTo(anxin.AllMerchants()) {
		t.Fatal("an internal note is for the staff only")
	}
	comment, _ := anxin.NewNote(1, staff, "请补充外箱照片", true)
	if !comment.VisibleTo(anxin.Scope{MerchantID: 1}) {
		t.Fatal("a comment is for the merchant too")
	}
	own, _ := anxin.NewNote(1, shop, "已联系物流", false)
	if !own.Shared {
		t.Fatal("a merchant wrote an internal note: nothing a merchant writes is hidden from the agents")
	}
	for _, bad := range []string{"", "   ", strings.Repeat("字", anxin.MaxLongText+1), "备注\u202e"} {
		if _, err := anxin.NewNote(1, staff, bad, false); anxin.ErrorCode(err) != anxin.EINVALID {
			t.Errorf("note %.20q: %v", bad, err)
		}
	}
}

func asError(err error, e **anxin.Error) bool { return errors.As(err, e) }
