package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/anxin-helpdesk/anxin/views"
	"github.com/anxin-helpdesk/anxin/web/api"
	"github.com/chromedp/chromedp"
)

// TestSeedFreshFoodWindow is the source's fresh-food rule: the buyer claims
// within 24 hours of receipt. At 23 h the claim is taken and waits in the
// merchant's queue; at 25 h it is refused with the rule that refused it,
// naming the receipt time, and says so in Chinese.
func TestSeedFreshFoodWindow(t *testing.T) {
	e := newAPIEnv(t)
	if err := e.store.UpdateMerchant(ctx, storetest.Admin, anxin.Merchant{ID: e.merchant.ID, Code: e.merchant.Code,
		Name: e.merchant.Name, InstantRefund: anxin.InstantRefund{}}); err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now()
	claimAt := func(after time.Duration, id string) map[string]any {
		c := e.claim(6800)
		o := c["order"].(map[string]any)
		o["id"], o["received_at"] = id, now.Add(-after)
		o["shipped_at"], o["ordered_at"] = now.Add(-after-24*time.Hour), now.Add(-after-48*time.Hour)
		return c
	}

	res := e.call("POST", "/api/v1/tickets", claimAt(23*time.Hour, "DY23H"))
	tk := res.ticket(t)
	if res.status != http.StatusCreated || tk.State != "pending_merchant" || tk.Deadline == nil || !tk.Deadline.Equal(now.Add(24*time.Hour)) {
		t.Fatalf("at 23 h: %d %s", res.status, res.body)
	}
	shop := e.client()
	shop.login(storetest.MustUser(t, e.store, anxin.RoleMerchant, "阿梅", e.merchant.ID))
	if _, doc := shop.get("/queue"); doc.Find("tr[data-ticket-number="+tk.Number+"]").Length() != 1 {
		t.Fatalf("the 23 h claim is not in the merchant's queue")
	}

	late := claimAt(25*time.Hour, "DY25H")
	res = e.call("POST", "/api/v1/tickets", late)
	if res.status != http.StatusUnprocessableEntity || res.code() != anxin.EOUTSIDEWINDOW || res.field() != "order.received_at" {
		t.Fatalf("at 25 h: %d %s", res.status, res.body)
	}
	e.doc.checkResponse(t, "POST", "/api/v1/tickets", res.status, res.body)
	// The refusal as a Chinese page says it: the same claim, refused by
	// the same rule, in the catalogue's words.
	var req api.CreateTicket
	raw, _ := json.Marshal(late)
	if err := json.Unmarshal(raw, &req); err != nil {
		t.Fatal(err)
	}
	_, _, err := e.store.Intake(ctx, anxin.AllMerchants(), req.Merchant, req.Claim(), store.IdempotencyKey{})
	zh := views.WithPage(context.Background(), views.Page{Lang: "zh", Zone: time.FixedZone("CST", 8*3600)})
	if got, want := views.ErrorText(zh, err), "生鲜坏单包赔须在签收后1天内申请，本次申请距签收已过1天1小时"; got != want {
		t.Fatalf("the refusal in Chinese: %q, want %q", got, want)
	}
	if page, _, _ := e.store.ListTickets(ctx, storeFilter()); len(page) != 1 {
		t.Fatalf("%d tickets: the refused claim left one", len(page))
	}
}

// TestBrowserAllergyRefundedOnce is the source's story: a buyer's allergy
// 29 days after receipt, photos as evidence, the merchant approves the
// return within 3 minutes, the buyer sends the item back and gets ¥1,490
// in full. The refund is pressed twice in the merchant's page and once more
// from an agent's page opened before: one refund of ¥1,490.00, the second
// session told who handled it.
func TestBrowserAllergyRefundedOnce(t *testing.T) {
	browser := newBrowser(t)
	e := newAPIEnv(t)
	on := true
	if err := e.store.SetPolicy(ctx, e.merchant.ID, anxin.PolicyOverride{Service: anxin.BeautyAllergy, Enabled: &on}); err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now()
	c := e.claim(149000)
	c["service"], c["reason"] = "beauty_allergy", "使用后面部红肿过敏"
	c["order"] = map[string]any{"id": "DY20261028A", "product": "玉颜修护精华套装", "paid_fen": 149000,
		"ordered_at": now.Add(-32 * 24 * time.Hour), "shipped_at": now.Add(-31 * 24 * time.Hour), "received_at": now.Add(-29 * 24 * time.Hour)}
	res := e.call("POST", "/api/v1/tickets", c)
	tk := res.ticket(t)
	if res.status != http.StatusCreated || tk.State != "pending_merchant" || tk.RequestedFen != 149000 {
		t.Fatalf("the day-29 claim: %d %s", res.status, res.body)
	}
	stored, err := e.store.Ticket(ctx, anxin.AllMerchants(), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	storetest.MustEvidence(t, e.store, stored)

	login := func(u anxin.User) context.Context {
		tab, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
		t.Cleanup(cancel)
		browserLogin(t, tab, e.srv.URL, u)
		return tab
	}
	shop := login(storetest.MustUser(t, e.store, anxin.RoleMerchant, "林娜", e.merchant.ID))
	agent := login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	open := func(tab context.Context, state string) {
		t.Helper()
		if err := chromedp.Do(tab, chromedp.Navigate(e.srv.URL+"/tickets/"+tk.Number), chromedp.WaitVisible(chromedp.CSS("#ticket"))); err != nil {
			t.Fatal(err)
		}
		waitFor(t, tab, state, `document.querySelector("#ticket-state").textContent === `+jsString(state))
	}

	e.clock.Advance(3 * time.Minute) // the source's merchant approved within 3 minutes
	open(shop, "待商家处理")
	if err := chromedp.Do(shop, chromedp.Click(chromedp.CSS("#ticket button[data-action=approve]"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, shop, "the return approved", `document.querySelector("#ticket-state").textContent === "待买家退货"`)
	for _, status := range []string{"picked_up", "delivered"} {
		e.clock.Advance(time.Hour)
		r := e.call("POST", "/api/v1/tickets/"+tk.Number+"/logistics", map[string]any{"direction": "return", "carrier": "顺丰速运",
			"tracking": "SF1490000029", "status": status, "at": e.clock.Now().Format(time.RFC3339)})
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d %s", status, r.status, r.body)
		}
	}
	open(shop, "已签收，待验货")
	open(agent, "已签收，待验货") // an agent has it open too

	if err := chromedp.Do(shop, chromedp.DoubleClick(chromedp.CSS("#ticket button[data-action=refund]"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, shop, "the refund", `document.querySelector("#ticket-state").textContent === "退款中"`)
	if err := chromedp.Do(agent, chromedp.Click(chromedp.CSS("#ticket button[data-action=refund]"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, agent, "the already-handled answer", `document.querySelector("#outcome[data-outcome=handled]") !== null`)
	if msg := browserText(t, agent, "#outcome"); !strings.Contains(msg, "已由 林娜 于") || browserText(t, agent, "#ticket-state") != "退款中" {
		t.Fatalf("the agent's page says %q", msg)
	}

	// The payment system pays it; asked again, it changes nothing.
	got := e.call("GET", "/api/v1/tickets/"+tk.Number, nil).ticket(t)
	if got.Refund == nil || got.Refund.AmountFen != 149000 {
		t.Fatalf("the refund: %+v", got.Refund)
	}
	for range 2 {
		if r := e.call("POST", "/api/v1/refunds/"+got.Refund.Number+"/result", map[string]any{"result": "succeeded"}); r.status != http.StatusOK {
			t.Fatalf("paying: %d %s", r.status, r.body)
		}
	}
	for _, tab := range []context.Context{shop, agent} {
		open(tab, "已退款")
		if s := browserText(t, tab, "[data-testid=refunded]"); !strings.HasPrefix(s, "¥1,490.00") || !strings.Contains(s, "¥0.00") {
			t.Fatalf("refunded: %q", s)
		}
		if s := browserText(t, tab, "[data-line=goods]"); !strings.Contains(s, "¥1,490.00") {
			t.Fatalf("the refund line: %q", s)
		}
		n, err := chromedp.Run(tab, chromedp.Evaluate[[]int](`[document.querySelectorAll("[data-line=goods]").length,
			document.querySelectorAll("#timeline li[data-action=refund_succeeded]").length,
			document.querySelectorAll("#ticket button[data-action=refund]").length]`))
		if err != nil || n[0] != 1 || n[1] != 1 || n[2] != 0 {
			t.Fatalf("refund lines, refunds paid on the timeline, refund buttons: %v %v", n, err)
		}
	}
	db := storetest.DB(t, e.store)
	var refunds int
	var fen int64
	db.QueryRow(`SELECT count(*), coalesce(sum(amount_fen), 0) FROM refunds WHERE ticket_id = ?`, tk.ID).Scan(&refunds, &fen)
	var refundedFen int64
	db.QueryRow(`SELECT refunded_fen FROM tickets WHERE id = ?`, tk.ID).Scan(&refundedFen)
	if refunds != 1 || fen != 149000 || refundedFen != 149000 {
		t.Fatalf("%d refunds of %d fen; the ticket says %d fen refunded", refunds, fen, refundedFen)
	}
	events, _ := e.store.Timeline(ctx, anxin.AllMerchants(), tk.ID)
	if n := countActions(events, anxin.Refund); n != 1 {
		t.Fatalf("%d refunds on the timeline", n)
	}
}
