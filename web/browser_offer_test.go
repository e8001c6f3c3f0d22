package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/chromedp/chromedp"
)

// TestBrowserOfferAcceptedPaysTheOffer: a merchant offers ¥30 with a
// message on its ticket page, the platform answers offer_accepted through
// the API, and exactly one refund of ¥30 exists, which the page shows.
func TestBrowserOfferAcceptedPaysTheOffer(t *testing.T) {
	tab := newBrowser(t)
	e := newAPIEnv(t)
	tk := storetest.MustTicket(t, e.store, e.merchant.ID, anxin.QualityReturn, 36800)
	shop := storetest.MustUser(t, e.store, anxin.RoleMerchant, "林娜", e.merchant.ID)
	browserLogin(t, tab, e.srv.URL, shop)
	if err := chromedp.Do(tab,
		chromedp.Navigate(e.srv.URL+"/tickets/"+tk.Number),
		chromedp.WaitVisible(chromedp.CSS("#ticket")),
		chromedp.Click(chromedp.CSS("[data-action=offer-open]")),
		chromedp.SendKeys(chromedp.CSS("#offer-amount"), "30"),
		chromedp.SendKeys(chromedp.CSS("#offer-message"), "衣服有穿着痕迹，退 ¥30 可以吗？"),
		chromedp.Click(chromedp.CSS("#ticket button[data-action=offer]")),
	); err != nil {
		t.Fatal(err)
	}
	waitFor(t, tab, "the offer to wait for the buyer", `document.querySelector("#ticket-state").textContent === "协商待买家确认"`)
	if got := browserText(t, tab, "[data-testid=pending-offer-amount]"); got != "¥30.00" {
		t.Fatalf("the pending offer shows %q", got)
	}
	if msg := browserText(t, tab, "[data-testid=pending-offer]"); !strings.Contains(msg, "衣服有穿着痕迹") {
		t.Fatalf("the pending offer reads %q", msg)
	}
	screenshot(t, tab, "ticket-offer-pending")

	res := e.call("POST", fmt.Sprintf("/api/v1/tickets/%d/events", tk.ID), map[string]any{"type": "offer_accepted"})
	if res.status != http.StatusOK {
		t.Fatalf("offer_accepted: %d %s", res.status, res.body)
	}
	var n int
	var amount int64
	if err := storetest.DB(t, e.store).QueryRow(`SELECT count(*), coalesce(sum(amount_fen), 0) FROM refunds WHERE ticket_id = ?`, tk.ID).Scan(&n, &amount); err != nil {
		t.Fatal(err)
	}
	if n != 1 || amount != 3000 {
		t.Fatalf("%d refunds of %d fen, want exactly one of 3000", n, amount)
	}
	if err := chromedp.Do(tab, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#offers"))); err != nil {
		t.Fatal(err)
	}
	if s := browserText(t, tab, "#ticket-state"); s != "退款中" {
		t.Fatalf("the ticket reads %q", s)
	}
	waitFor(t, tab, "the accepted offer in the negotiation", `document.querySelectorAll("#offers li[data-answer=accepted]").length === 1`)
	if tl := browserText(t, tab, "#timeline li[data-action=offer_accepted]"); !strings.Contains(tl, "¥30.00") {
		t.Fatalf("the timeline reads %q", tl)
	}
	screenshot(t, tab, "ticket-offer-accepted")
}
