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
	if got := doc.Find(`#bulk-results li[data-ticket-number="` + again.Number + `"]`).Text(); !strings.Contains(got, "也出现在其他工单：请先打开工单查看") {
		t.Fatalf("bulk on the flagged ticket: %q", got)
	}
	if tk, _ := e.store.Ticket(ctx, anxin.AllMerchants(), again.ID); tk.State != anxin.PendingMerchant {
		t.Fatalf("the flagged ticket was decided: %s", tk.State)
	}
	if tk, _ := e.store.Ticket(ctx, anxin.AllMerchants(), clean.ID); tk.State == anxin.PendingMerchant {
		t.Fatal("the clean ticket was not approved")
	}
}

// TestShortOfPhotosIsOpenedFirst: a claim with fewer of the buyer's photos
// than its policy requires is not approved from its queue row or in bulk;
// a merchant that asks for fewer photos lets the same claim through.
func TestShortOfPhotosIsOpenedFirst(t *testing.T) {
	e := newEnv(t)
	strict := storetest.MustMerchant(t, e.store, "杭州青瓷器皿")
	lenient := storetest.MustMerchant(t, e.store, "景德镇白瓷")
	one := 1
	if err := e.store.SetPolicy(ctx, lenient.ID, anxin.PolicyOverride{Service: anxin.Damaged, EvidenceMin: &one}); err != nil {
		t.Fatal(err)
	}
	// Damaged goods need two photos by default; both claims came with one.
	short := storetest.MustTicket(t, e.store, strict.ID, anxin.Damaged, 6800)
	storetest.MustPhoto(t, e.store, short.ID, "parcel")
	enough := storetest.MustTicket(t, e.store, lenient.ID, anxin.Damaged, 6800)
	storetest.MustPhoto(t, e.store, enough.ID, "parcel")
	agent := e.client()
	agent.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))

	_, doc := agent.get("/queue?tab=all")
	row := func(tk anxin.Ticket) *goquery.Selection {
		return doc.Find(`#queue tr[data-ticket-number="` + tk.Number + `"]`)
	}
	if r := row(short); r.AttrOr("data-flagged", "x") == "x" || r.Find("button[data-action=approve]").Length() != 0 ||
		!strings.Contains(r.Find("a[data-action=open-flagged]").AttrOr("title", ""), "照片少于要求") {
		t.Fatal("the claim short of photos can be approved from its row")
	}
	if r := row(enough); r.Find("button[data-action=approve]").Length() != 1 {
		t.Fatal("the merchant's own minimum is not heeded: its claim cannot be approved from the queue")
	}
	short, _ = e.store.Ticket(ctx, anxin.AllMerchants(), short.ID)
	enough, _ = e.store.Ticket(ctx, anxin.AllMerchants(), enough.ID)
	res, _ := agent.post("/queue/bulk", url.Values{"action": {"approve"},
		"tickets": {fmt.Sprintf("%s:%d", short.Number, short.Version), fmt.Sprintf("%s:%d", enough.Number, enough.Version)}})
	_, doc = agent.get(res.Header.Get("Location"))
	if got := doc.Find(`#bulk-results li[data-ticket-number="` + short.Number + `"]`).Text(); !strings.Contains(got, "照片少于要求：请先打开工单查看") {
		t.Fatalf("bulk on the claim short of photos: %q", got)
	}
	if tk, _ := e.store.Ticket(ctx, anxin.AllMerchants(), short.ID); tk.State != anxin.PendingMerchant {
		t.Fatalf("the claim short of photos was decided: %s", tk.State)
	}
	if tk, _ := e.store.Ticket(ctx, anxin.AllMerchants(), enough.ID); tk.State == anxin.PendingMerchant {
		t.Fatal("the claim with its merchant's minimum was not approved")
	}
}
