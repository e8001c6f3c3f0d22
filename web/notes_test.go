package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// TestInternalNotesStayWithTheStaff: an agent's internal note is on the
// staff's page and nowhere a merchant looks, page, fragment or live stream;
// a comment reaches both, labelled as one; a merchant writes comments.
func TestInternalNotesStayWithTheStaff(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "玉颜美妆旗舰店")
	tk := storetest.MustTicket(t, e.store, m.ID, anxin.QualityReturn, 36800)
	agent, shop := e.client(), e.client()
	agent.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	shop.login(storetest.MustUser(t, e.store, anxin.RoleMerchant, "林娜", m.ID))

	_, doc := agent.get("/tickets/" + tk.Number)
	if doc.Find("#notes-h").Text() != "备注与留言" || doc.Find("input[name=visibility]").Length() != 2 ||
		doc.Find("input[name=visibility][value=internal]").AttrOr("checked", "x") == "x" {
		t.Fatalf("the staff's note form: %q, %d choices", doc.Find("#notes-h").Text(), doc.Find("input[name=visibility]").Length())
	}
	shopEvents, stop := readEvents(t, shop, "/events?ticket="+tk.Number)
	defer stop()
	if res, _ := agent.post("/tickets/"+tk.Number+"/notes", url.Values{"body": {"买家疑似职业索赔"}, "visibility": {"internal"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("an internal note: %s", res.Status)
	}
	expectNoEvent(t, shopEvents, "changed "+tk.Number) // not even that something was written
	if res, _ := agent.post("/tickets/"+tk.Number+"/notes", url.Values{"body": {"请补充开线处照片"}, "visibility": {"shared"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a comment: %s", res.Status)
	}
	expectEvent(t, shopEvents, "changed "+tk.Number)
	// Events keep their order: a leaked one for the note would be in the
	// stream before the comment's, and leave a second behind it.
	expectNoEvent(t, shopEvents, "changed "+tk.Number)

	_, doc = shop.get("/tickets/" + tk.Number)
	page := doc.Find("#ticket").Text()
	if strings.Contains(page, "职业索赔") || !strings.Contains(page, "请补充开线处照片") || doc.Find("input[name=visibility]").Length() != 0 {
		t.Fatalf("the merchant's page shows notes %q", doc.Find("#notes").Text())
	}
	if got := doc.Find("#notes li[data-shared=true] .badge").Text(); got != "留言 · 商家可见" {
		t.Fatalf("the comment is labelled %q", got)
	}
	// The merchant's own answer, through htmx: a comment, and the fragment
	// it gets back holds no internal note either.
	frag := shop.htmx(t, "/tickets/"+tk.Number+"/notes", url.Values{"body": {"已联系买家"}, "visibility": {"internal"}})
	if strings.Contains(frag, "职业索赔") || !strings.Contains(frag, "已联系买家") {
		t.Fatalf("the merchant's fragment: %q", frag)
	}
	_, doc = agent.get("/tickets/" + tk.Number)
	if got := doc.Find("#notes li").Length(); got != 3 || doc.Find("#notes li[data-shared=false]").Length() != 1 {
		t.Fatalf("the staff read %d notes, %d internal", got, doc.Find("#notes li[data-shared=false]").Length())
	}
}
