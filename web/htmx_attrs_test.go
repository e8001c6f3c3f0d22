package web_test

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// TestReturnTicketPageIsValidHTML checks, without the Nu HTML Checker, the
// two things it refused on a ticket awaiting its return: htmx attributes in
// their valid data-hx-* spelling (the address form had hx-post), and a
// required pickup-slot select that starts on an empty choice.
func TestReturnTicketPageIsValidHTML(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "虎门服装")
	tk := storetest.MustTicket(t, e.store, m.ID, anxin.NoReason7d, 45900)
	agent := storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0)
	if _, err := e.store.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.Approve, Actor: agent.Actor(), Version: tk.Version}); err != nil {
		t.Fatal(err)
	}
	c := e.client()
	c.login(agent)
	_, doc := c.get("/tickets/" + tk.Number)
	if doc.Find("#send-address").Length() != 1 || doc.Find("#slot").Length() != 1 {
		t.Fatal("the page has no address form or no pickup slots: nothing checked")
	}
	doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		for _, a := range s.Nodes[0].Attr {
			if strings.HasPrefix(a.Key, "hx-") {
				html, _ := goquery.OuterHtml(s)
				t.Errorf("%s on %.120s: write data-%s", a.Key, html, a.Key)
			}
		}
	})
	first := doc.Find("#slot option").First()
	if v, _ := first.Attr("value"); v != "" || first.Text() != "请选择…" || doc.Find("#slot option[selected]").Length() != 0 {
		t.Fatalf("the slot select starts on %q (%q)", v, first.Text())
	}
}
