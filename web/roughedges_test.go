package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// TestRaceLoserHearsOfTheColleague: an agent approves a refund-only claim
// and the payment system pays it at once; a colleague who pressed approve
// on the page as it was reads, in Chinese, that the first agent approved
// it, not that "system" refunded it.
func TestRaceLoserHearsOfTheColleague(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "贵州茅乡名酒行")
	tk := storetest.MustTicket(t, e.store, m.ID, anxin.Damaged, 79900)
	first := storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0)
	if _, err := e.store.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.Approve, Actor: first.Actor(), Version: tk.Version}); err != nil {
		t.Fatal(err)
	}
	if sw, err := e.store.PayPendingRefunds(ctx); err != nil || sw.Done != 1 {
		t.Fatalf("paying: %+v %v", sw, err)
	}
	late := e.client()
	late.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "陈静", 0))
	status, frag := late.htmxStatus(t, "/tickets/"+tk.Number+"/actions/approve", url.Values{"version": {fmt.Sprint(tk.Version)}})
	if status != http.StatusConflict {
		t.Fatalf("the late approval: %d", status)
	}
	msg := outcomeText(t, frag)
	if !strings.Contains(msg, "已由 王晓 于") || !strings.Contains(msg, "（同意）") || !strings.Contains(msg, "已退款") ||
		strings.Contains(msg, "system") {
		t.Fatalf("the late agent reads %q", msg)
	}
	// A bulk approval from a stale queue says the same of its ticket.
	res, _ := late.post("/queue/bulk", url.Values{"action": {"approve"}, "tickets": {fmt.Sprintf("%s:%d", tk.Number, tk.Version)}})
	_, doc := late.get(res.Header.Get("Location"))
	if got := doc.Find("#bulk-results li").Text(); !strings.Contains(got, "已由 王晓 于") {
		t.Fatalf("the bulk result reads %q", got)
	}
}

func outcomeText(t *testing.T, html string) string {
	t.Helper()
	doc := parseHTML(t, html)
	return strings.TrimSpace(doc.Find("#outcome").Text())
}

// TestNextTicketFollowsTheView: after an action the next ticket comes from
// the queue view the agent was working (here one merchant's tickets), and
// a ticket offered and passed over is not offered again at once.
func TestNextTicketFollowsTheView(t *testing.T) {
	e := newEnv(t)
	flowers := storetest.MustMerchant(t, e.store, "昆明斗南鲜花园艺")
	home := storetest.MustMerchant(t, e.store, "义乌优品家居百货")
	// Fresh food runs a 24 h clock: the flower shop's tickets lead the whole queue.
	storetest.MustTicket(t, e.store, flowers.ID, anxin.FreshSpoiled, 8990)
	storetest.MustTicket(t, e.store, flowers.ID, anxin.FreshSpoiled, 6800)
	var mine []anxin.Ticket
	for range 4 {
		mine = append(mine, storetest.MustTicket(t, e.store, home.ID, anxin.Damaged, 3990))
	}
	agent := e.client()
	agent.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	agent.get(fmt.Sprintf("/queue?merchant=%d", home.ID)) // the view the agent works

	approve := func(tk anxin.Ticket) string {
		t.Helper()
		frag := agent.htmx(t, "/tickets/"+tk.Number+"/actions/approve", url.Values{"version": {fmt.Sprint(tk.Version)}})
		next, _ := parseHTML(t, frag).Find("#next-ticket").Attr("href")
		return strings.TrimPrefix(next, "/tickets/")
	}
	offered := approve(mine[0])
	if offered != mine[1].Number {
		t.Fatalf("after %s the page offers %q, want %s of the same merchant", mine[0].Number, offered, mine[1].Number)
	}
	// The agent passes it over and takes the one after: the next offer is
	// neither the one just handled nor the one passed over.
	if again := approve(mine[2]); again != mine[3].Number {
		t.Fatalf("after passing over %s the page offers %q, want %s", offered, again, mine[3].Number)
	}
	// The page without htmx (its redirect) offers from the same view.
	res, _ := agent.post("/tickets/"+mine[3].Number+"/actions/approve", url.Values{"version": {fmt.Sprint(mine[3].Version)}})
	_, doc := agent.get(res.Header.Get("Location"))
	if href := doc.Find("#next-ticket").AttrOr("href", ""); href != "/tickets/"+mine[1].Number {
		t.Fatalf("with every other ticket of the view handled, the page offers %q, want the one passed over (%s)", href, mine[1].Number)
	}
}

// TestMerchantQueueStartsWithItsOwnWork: a merchant's queue opens on the
// tickets on its own clock (待我处理), with those waiting for the buyer in a
// tab of their own; the merchant confirms the receipt of returns and
// approves returns in bulk, and may not bulk-approve what would refund at once.
func TestMerchantQueueStartsWithItsOwnWork(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "东莞虎门服装厂")
	pending := storetest.MustEvidence(t, e.store, storetest.MustTicket(t, e.store, m.ID, anxin.QualityReturn, 45900))
	refundOnly := storetest.MustEvidence(t, e.store, storetest.MustTicket(t, e.store, m.ID, anxin.FreshSpoiled, 6900))
	back := storetest.MustTicketIn(t, e.store, m.ID, anxin.AwaitingReceipt, 6900)
	buyers := storetest.MustTicketIn(t, e.store, m.ID, anxin.AwaitingReturn, 15900)
	shop := e.client()
	shop.login(storetest.MustUser(t, e.store, anxin.RoleMerchant, "阿梅", m.ID))

	_, doc := shop.get("/queue")
	tabs := doc.Find(".tabs .tab[data-tab]").Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("data-tab", "") })
	if len(tabs) < 2 || tabs[0] != "todo" || tabs[1] != "buyer" {
		t.Fatalf("the merchant's tabs: %v", tabs)
	}
	if cur := doc.Find(".tab[aria-current=page]").AttrOr("data-tab", ""); cur != "todo" {
		t.Fatalf("the merchant's queue opens on %q", cur)
	}
	got := rowNumbers(doc)
	slices.Sort(got)
	want := []string{pending.Number, refundOnly.Number, back.Number}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("待我处理 shows %v, want %v", got, want)
	}
	if !strings.HasPrefix(doc.Find(".tab[data-tab=todo]").Text(), "待我处理") {
		t.Fatalf("the first tab reads %q", doc.Find(".tab[data-tab=todo]").Text())
	}
	if row := doc.Find(`#queue tr[data-ticket-number="` + back.Number + `"]`); row.Find("button[data-action=receive]").Text() != "确认收货" {
		t.Fatalf("the returned parcel's row offers %q", row.Find(".row-actions").Text())
	}
	if _, doc := shop.get("/queue?tab=buyer"); !slices.Equal(rowNumbers(doc), []string{buyers.Number}) {
		t.Fatalf("等待买家 shows %v", rowNumbers(doc))
	}

	sel := url.Values{"tickets": {fmt.Sprintf("%s:%d", pending.Number, pending.Version),
		fmt.Sprintf("%s:%d", refundOnly.Number, refundOnly.Version)}, "action": {"approve_return"}, "back": {"/queue"}}
	res, _ := shop.post("/queue/bulk", sel)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("bulk approve as merchant: %s", res.Status)
	}
	_, doc = shop.get(res.Header.Get("Location"))
	if got := doc.Find(`#bulk-results li[data-ticket-number="` + refundOnly.Number + `"]`).Text(); !strings.Contains(got, "直接退款") {
		t.Fatalf("bulk approval of a refund-only claim: %q", got)
	}
	if tk, _ := e.store.Ticket(ctx, anxin.AllMerchants(), pending.ID); tk.State != anxin.AwaitingReturn {
		t.Fatalf("the return was not approved: %s", tk.State)
	}
	if tk, _ := e.store.Ticket(ctx, anxin.AllMerchants(), refundOnly.ID); tk.State != anxin.PendingMerchant {
		t.Fatalf("a bulk approval refunded: %s", tk.State)
	}
	res, _ = shop.post("/queue/bulk", url.Values{"tickets": {fmt.Sprintf("%s:%d", back.Number, back.Version)}, "action": {"receive"}})
	_, doc = shop.get(res.Header.Get("Location"))
	if got := doc.Find("#bulk-results li.ok").Text(); !strings.Contains(got, "已确认收货") {
		t.Fatalf("bulk receipt: %q", got)
	}
	if tk, _ := e.store.Ticket(ctx, anxin.AllMerchants(), back.ID); tk.State != anxin.Refunding {
		t.Fatalf("the receipt was not confirmed: %s", tk.State)
	}
	// The support team's bulk actions are not the merchant's.
	res, _ = shop.post("/queue/bulk", url.Values{"tickets": {fmt.Sprintf("%s:%d", refundOnly.Number, refundOnly.Version)}, "action": {"approve"}})
	_, doc = shop.get(res.Header.Get("Location"))
	if tk, _ := e.store.Ticket(ctx, anxin.AllMerchants(), refundOnly.ID); tk.State != anxin.PendingMerchant || doc.Find("#bulk-results li.bad").Length() != 1 {
		t.Fatalf("a merchant's bulk approve: %s", tk.State)
	}
}

// parseHTML parses a page or a fragment.
func parseHTML(t *testing.T, html string) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(html))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}
