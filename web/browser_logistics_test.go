package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/chromedp/chromedp"
)

// TestBrowserSevenDayReturn walks a 7-day no-reason return in a browser: the
// merchant approves it, the page shows the return address sent; the
// carrier's reports come through the API and the page shows the parcel;
// delivered, the ticket is received for inspection; the merchant confirms
// receipt and the refund of the goods and the 运费险 postage are recorded,
// each once.
func TestBrowserSevenDayReturn(t *testing.T) {
	tab := newBrowser(t)
	e := newAPIEnv(t)
	c := e.claim(8900)
	c["service"] = "no_reason_7d"
	c["merchant"] = e.merchant.Code
	// Over the instant-refund threshold so that the merchant decides: a
	// ¥89 claim of a merchant with 极速退款 would be refunded at intake.
	if err := e.store.UpdateMerchant(ctx, storetest.Admin, anxin.Merchant{ID: e.merchant.ID, Code: e.merchant.Code,
		Name: e.merchant.Name, InstantRefund: anxin.InstantRefund{}}); err != nil {
		t.Fatal(err)
	}
	tk := e.call("POST", "/api/v1/tickets", c).ticket(t)
	if tk.State != "pending_merchant" {
		t.Fatalf("intake: %s", tk.State)
	}
	shop := storetest.MustUser(t, e.store, anxin.RoleMerchant, "阿梅", e.merchant.ID)
	browserLogin(t, tab, e.srv.URL, shop)
	if err := chromedp.Do(tab,
		chromedp.Navigate(e.srv.URL+"/tickets/"+tk.Number),
		chromedp.WaitVisible(chromedp.CSS("#logistics")),
		chromedp.Click(chromedp.CSS("#ticket button[data-action=approve]")),
	); err != nil {
		t.Fatal(err)
	}
	waitFor(t, tab, "the return to be approved", `document.querySelector("#ticket-state").textContent === "待买家退货"`)
	addr := browserText(t, tab, "[data-testid=return-address]")
	if !strings.Contains(addr, "浙江省 杭州市 余杭区 文一西路 969 号 售后仓") || !strings.Contains(addr, "0571-****6666") {
		t.Fatalf("the address shown: %q", addr)
	}
	checkAccessibility(t, tab, "ticket with a return")
	screenshot(t, tab, "ticket-return-approved")

	// The carrier reports: collected, then delivered (within the page's
	// session: it idles out after 12 h).
	path := fmt.Sprintf("/api/v1/tickets/%d/logistics", tk.ID)
	report := func(status string, at time.Time) {
		t.Helper()
		res := e.call("POST", path, map[string]any{"direction": "return", "carrier": "顺丰速运", "tracking": "SF1234567890",
			"status": status, "at": at.Format(time.RFC3339)})
		if res.status != http.StatusOK {
			t.Fatalf("%s: %d %s", status, res.status, res.body)
		}
	}
	report("picked_up", e.clock.Now())
	e.clock.Advance(5 * time.Hour)
	report("delivered", e.clock.Now())
	if err := chromedp.Do(tab, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#logistics"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, tab, "the ticket to be received", `document.querySelector("#ticket-state").textContent === "已签收，待验货"`)
	if got := browserText(t, tab, "[data-testid=shipment-status]"); got != "已签收" {
		t.Fatalf("the parcel reads %q", got)
	}
	if got := browserText(t, tab, "[data-testid=tracking]"); got != "SF1234567890" {
		t.Fatalf("the tracking number reads %q", got)
	}
	if got := browserText(t, tab, "[data-line=postage]"); !strings.Contains(got, "¥10.00") {
		t.Fatalf("the postage line reads %q", got)
	}
	screenshot(t, tab, "ticket-return-delivered")

	// The merchant inspects and confirms receipt: the refund.
	if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS("#ticket button[data-action=receive]"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, tab, "the refund", `document.querySelector("#ticket-state").textContent === "退款中"`)
	if got := browserText(t, tab, "[data-line=goods]"); !strings.Contains(got, "¥89.00") {
		t.Fatalf("the refund line reads %q", got)
	}
	db := storetest.DB(t, e.store)
	var refunds, postage int
	var paid, postageFen int64
	db.QueryRow(`SELECT count(*), coalesce(sum(amount_fen), 0) FROM refunds WHERE ticket_id = ?`, tk.ID).Scan(&refunds, &paid)
	db.QueryRow(`SELECT count(*), coalesce(sum(amount_fen), 0) FROM postage_payouts WHERE ticket_id = ?`, tk.ID).Scan(&postage, &postageFen)
	if refunds != 1 || paid != 8900 || postage != 1 || postageFen != 1000 {
		t.Fatalf("%d refunds of %d fen, %d postage lines of %d fen", refunds, paid, postage, postageFen)
	}
	screenshot(t, tab, "ticket-return-refunding")

	// The merchant's own address book, on its settings page.
	if err := chromedp.Do(tab, chromedp.Navigate(e.srv.URL+"/settings/addresses"), chromedp.WaitVisible(chromedp.CSS("#addresses"))); err != nil {
		t.Fatal(err)
	}
	checkAccessibility(t, tab, "return addresses")
}
