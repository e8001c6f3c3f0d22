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

// TestBrowserSettlement walks the two settlement kinds that ship goods in a
// browser, as the merchant would:
//   - a beauty-allergy claim settled by exchange (换货): approved on the
//     page, the return delivered through the logistics API, received on the
//     page, the replacement shipped on the page with its carrier and
//     tracking number, and the replacement's delivery reported: closed,
//     nothing refunded;
//   - a spoiled fresh-food claim settled by reship (补发): approved, shipped
//     on the page, delivered: closed.
//
// The test clock moves in steps of a few hours: the page's session idles
// out after 12 h.
func TestBrowserSettlement(t *testing.T) {
	tab := newBrowser(t)
	e := newAPIEnv(t)
	yes := true
	if err := e.store.SetPolicy(ctx, e.merchant.ID, anxin.PolicyOverride{Service: anxin.BeautyAllergy, Enabled: &yes}); err != nil {
		t.Fatal(err)
	}
	shop := storetest.MustUser(t, e.store, anxin.RoleMerchant, "阿美", e.merchant.ID)
	claim := func(service, kind string, paid int64) (id int64, number string) {
		t.Helper()
		c := e.claim(paid)
		c["service"], c["settlement"] = service, kind
		res := e.call("POST", "/api/v1/tickets", c)
		tk := res.ticket(t)
		if res.status != http.StatusCreated || tk.State != "pending_merchant" || tk.Settlement.Kind != kind {
			t.Fatalf("%s by %s: %d %s", service, kind, res.status, res.body)
		}
		return tk.ID, tk.Number
	}
	report := func(id int64, direction, tracking, status string) {
		t.Helper()
		res := e.call("POST", fmt.Sprintf("/api/v1/tickets/%d/logistics", id), map[string]any{"direction": direction,
			"carrier": "顺丰速运", "tracking": tracking, "status": status, "at": e.clock.Now().Format(time.RFC3339)})
		if res.status != http.StatusOK {
			t.Fatalf("%s %s: %d %s", direction, status, res.status, res.body)
		}
	}
	state := func(what, zh string) {
		t.Helper()
		waitFor(t, tab, what, fmt.Sprintf(`document.querySelector("#ticket-state").textContent === %q`, zh))
	}
	ship := func(tracking string) {
		t.Helper()
		if err := chromedp.Do(tab,
			chromedp.WaitVisible(chromedp.CSS("#ship-carrier")),
			chromedp.SendKeys(chromedp.CSS("#ship-carrier"), "顺丰速运"),
			chromedp.SendKeys(chromedp.CSS("#ship-tracking"), tracking),
			chromedp.Click(chromedp.CSS("#ticket button[data-action=ship_out]")),
		); err != nil {
			t.Fatal(err)
		}
	}
	reload := func() {
		t.Helper()
		if err := chromedp.Do(tab, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#ticket-state"))); err != nil {
			t.Fatal(err)
		}
	}

	// 换货.
	exID, exNumber := claim("beauty_allergy", "exchange", 36800)
	browserLogin(t, tab, e.srv.URL, shop)
	if err := chromedp.Do(tab,
		chromedp.Navigate(e.srv.URL+"/tickets/"+exNumber),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=settlement-kind]")),
	); err != nil {
		t.Fatal(err)
	}
	if got := browserText(t, tab, "[data-testid=settlement-kind]"); got != "换货" {
		t.Fatalf("settled by %q", got)
	}
	if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS("#ticket button[data-action=approve]"))); err != nil {
		t.Fatal(err)
	}
	state("the exchange to be approved", "待买家退货")
	e.clock.Advance(3 * time.Hour)
	report(exID, "return", "SF1000000001", "picked_up")
	e.clock.Advance(5 * time.Hour)
	report(exID, "return", "SF1000000001", "delivered")
	reload()
	state("the return to be delivered", "已签收，待验货")
	if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS("#ticket button[data-action=receive]"))); err != nil {
		t.Fatal(err)
	}
	state("the return to be received", "待商家发货")
	checkAccessibility(t, tab, "exchange awaiting the replacement")
	screenshot(t, tab, "ticket-exchange-awaiting-shipment")
	e.clock.Advance(4 * time.Hour)
	reload()
	ship("SF2000000001")
	state("the replacement to ship", "商家已发货，待买家签收")
	if got := browserText(t, tab, "#logistics"); !strings.Contains(got, "换货新品") || !strings.Contains(got, "SF2000000001") {
		t.Fatalf("the parcels read %q", got)
	}
	screenshot(t, tab, "ticket-exchange-shipped")
	e.clock.Advance(6 * time.Hour)
	report(exID, "outbound", "SF2000000001", "delivered")
	reload()
	state("the exchange to close", "已关闭")

	db := storetest.DB(t, e.store)
	var refunds, replacements int
	db.QueryRow(`SELECT count(*) FROM refunds WHERE ticket_id = ?`, exID).Scan(&refunds)
	db.QueryRow(`SELECT count(*) FROM shipments WHERE ticket_id = ? AND direction = 'outbound' AND kind = 'replacement'`, exID).Scan(&replacements)
	if refunds != 0 || replacements != 1 {
		t.Fatalf("the exchange: %d refunds, %d replacements", refunds, replacements)
	}

	// 补发.
	rsID, rsNumber := claim("fresh_spoiled", "reship", 8990)
	if err := chromedp.Do(tab,
		chromedp.Navigate(e.srv.URL+"/tickets/"+rsNumber),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=settlement-kind]")),
	); err != nil {
		t.Fatal(err)
	}
	if got := browserText(t, tab, "[data-testid=settlement-kind]"); got != "补发" {
		t.Fatalf("settled by %q", got)
	}
	if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS("#ticket button[data-action=approve]"))); err != nil {
		t.Fatal(err)
	}
	state("the reship to be approved", "待商家发货")
	ship("SF3000000001")
	state("the reship to ship", "商家已发货，待买家签收")
	e.clock.Advance(5 * time.Hour)
	report(rsID, "outbound", "SF3000000001", "delivered")
	reload()
	state("the reship to close", "已关闭")
	var reships int
	db.QueryRow(`SELECT count(*) FROM refunds WHERE ticket_id = ?`, rsID).Scan(&refunds)
	db.QueryRow(`SELECT count(*) FROM shipments WHERE ticket_id = ? AND direction = 'outbound' AND kind = 'reship'`, rsID).Scan(&reships)
	if refunds != 0 || reships != 1 {
		t.Fatalf("the reship: %d refunds, %d parcels", refunds, reships)
	}
	screenshot(t, tab, "ticket-reship-closed")
}
