package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// TestFlaggedPhotosAreLookedAtFirst: a ticket whose photo is also on
// another ticket shows a warning in its policy check instead of a tick, and
// its queue row opens it rather than approving; a bulk approval leaves it.
func TestFlaggedPhotosAreLookedAtFirst(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "昆明斗南鲜花园艺")
	first := storetest.MustTicket(t, e.store, m.ID, anxin.FreshSpoiled, 8990)
	again := storetest.MustTicket(t, e.store, m.ID, anxin.FreshSpoiled, 8990)
	clean := storetest.MustTicket(t, e.store, m.ID, anxin.FreshSpoiled, 8990)
	img := testPNG(t, 40)
	for _, id := range []int64{first.ID, again.ID} {
		if _, err := e.store.AddPhoto(ctx, anxin.Buyer(), store.Upload{TicketID: id, Data: img}); err != nil {
			t.Fatal(err)
		}
	}
	storetest.MustPhoto(t, e.store, clean.ID, "")
	agent := e.client()
	agent.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))

	_, doc := agent.get("/tickets/" + again.Number)
	check := doc.Find("[data-check=evidence]")
	if !check.HasClass("warn") || check.AttrOr("data-warnings", "") != "duplicate" || !strings.Contains(check.Text(), "也出现在其他工单") {
		t.Fatalf("the evidence check reads %q (%s)", check.Text(), check.AttrOr("class", ""))
	}
	_, doc = agent.get("/queue")
	row := func(tk anxin.Ticket) *goquery.Selection {
		return doc.Find(`#queue tr[data-ticket-number="` + tk.Number + `"]`)
	}
	if r := row(again); r.AttrOr("data-flagged", "x") == "x" || r.Find("button[data-action=approve]").Length() != 0 ||
		r.Find("a[data-action=open-flagged]").AttrOr("href", "") != "/tickets/"+again.Number+"#photos" {
		t.Fatal("the flagged row can be approved from the queue")
	}
	if r := row(clean); r.Find("button[data-action=approve]").Length() != 1 || r.AttrOr("data-flagged", "x") != "x" {
		t.Fatal("the clean row lost its approve button")
	}
	res, _ := agent.post("/queue/bulk", url.Values{"action": {"approve"},
		"tickets": {fmt.Sprintf("%s:%d", again.Number, again.Version), fmt.Sprintf("%s:%d", clean.Number, clean.Version)}})
	_, doc = agent.get(res.Header.Get("Location"))
	if got := doc.Find(`#bulk-results li[data-ticket-number="` + again.Number + `"]`).Text(); !strings.Contains(got, "照片有疑点") {
		t.Fatalf("bulk on the flagged ticket: %q", got)
	}
	if tk, _ := e.store.Ticket(ctx, anxin.AllMerchants(), again.ID); tk.State != anxin.PendingMerchant {
		t.Fatalf("the flagged ticket was decided: %s", tk.State)
	}
	if tk, _ := e.store.Ticket(ctx, anxin.AllMerchants(), clean.ID); tk.State == anxin.PendingMerchant {
		t.Fatal("the clean ticket was not approved")
	}
}
