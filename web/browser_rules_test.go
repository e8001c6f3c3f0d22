package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/chromedp/chromedp"
)

// TestBrowserReturnlessRule: the merchant turns on refunds without return
// up to ¥50 for fresh food on its rules page; a ¥39 claim through the API
// is refunded by the rule at intake, and its timeline names the rule.
func TestBrowserReturnlessRule(t *testing.T) {
	tab := newBrowser(t)
	e := newAPIEnv(t)
	shop := storetest.MustUser(t, e.store, anxin.RoleMerchant, "小李", e.merchant.ID)
	browserLogin(t, tab, e.srv.URL, shop)
	if err := chromedp.Do(tab,
		chromedp.Navigate(e.srv.URL+"/settings/rules"),
		chromedp.WaitVisible(chromedp.CSS("#rules-form")),
	); err != nil {
		t.Fatal(err)
	}
	if got := browserText(t, tab, "#rule-returnless_refund [data-testid=limit]"); got != "上限 ¥100.00" {
		t.Fatalf("the limit beside the amount: %q", got)
	}
	checkAccessibility(t, tab, "automatic rules")
	// Empty the amount's field, as a person selecting its text would.
	if _, err := chromedp.Run(tab, chromedp.Evaluate[chromedp.Void](`document.querySelector('input[name="returnless_refund.max"]').value = ""`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tab,
		chromedp.Click(chromedp.CSS(`input[name="returnless_refund.on"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="returnless_refund.max"]`), "50"),
		chromedp.Click(chromedp.CSS(`input[name="returnless_refund.services"][value=fresh_spoiled]`)),
		chromedp.Click(chromedp.CSS(`button[data-action=save-rules]`)),
	); err != nil {
		t.Fatal(err)
	}
	waitFor(t, tab, "the rules to be saved", `document.querySelector('input[name="returnless_refund.max"]') !== null &&
		document.querySelector('input[name="returnless_refund.max"]').value === "50.00" &&
		document.querySelector('input[name="returnless_refund.on"]').checked`)
	screenshot(t, tab, "rules-saved")

	// A ¥39 claim of spoiled fresh food, through the API: refunded by the rule.
	c := e.claim(9900)
	c["requested_fen"] = 3900
	res := e.call("POST", "/api/v1/tickets", c)
	if res.status != http.StatusCreated {
		t.Fatalf("intake: %d %s", res.status, res.body)
	}
	tk := res.ticket(t)
	if tk.State != "refunding" || tk.Refund == nil || tk.Refund.AmountFen != 3900 {
		t.Fatalf("the claim under the rule: %s %+v", tk.State, tk.Refund)
	}
	if err := chromedp.Do(tab,
		chromedp.Navigate(e.srv.URL+"/tickets/"+tk.Number),
		chromedp.WaitVisible(chromedp.CSS("#timeline")),
	); err != nil {
		t.Fatal(err)
	}
	waitFor(t, tab, "the refund", `document.querySelector("#ticket-state").textContent === "退款中"`)
	if got := browserText(t, tab, "#timeline"); !strings.Contains(got, "按规则「自动仅退款（无需退货）」处理") {
		t.Fatalf("the timeline does not name the rule: %q", got)
	}
	screenshot(t, tab, "ticket-refunded-by-rule")
	var refunds int
	storetest.DB(t, e.store).QueryRow(`SELECT count(*) FROM refunds WHERE ticket_id = ?`, tk.ID).Scan(&refunds)
	if refunds != 1 {
		t.Fatalf("%d refunds", refunds)
	}
}
