package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/anxin-helpdesk/anxin/web/api"
	"github.com/chromedp/chromedp"
)

// walk is one ticket being taken through the desk in the browser: the tab of
// whoever decides it and the API the buyer's platform, the carrier and the
// payment system speak through.
type walk struct {
	t   *testing.T
	e   *apiEnv
	tab context.Context
	tk  api.Ticket
}

// step is one thing that happens to the ticket on its way.
type step func(w *walk)

// page opens the ticket as staff do: from the queue, by its number.
func (w *walk) page() {
	w.t.Helper()
	if err := chromedp.Do(w.tab,
		chromedp.Navigate(w.e.srv.URL+"/queue"),
		chromedp.WaitVisible(chromedp.CSS("#queue")),
		chromedp.Click(chromedp.CSS("tr[data-ticket-number="+w.tk.Number+"] a[data-open]")),
		chromedp.WaitVisible(chromedp.CSS("#ticket")),
	); err != nil {
		w.t.Fatalf("opening %s from the queue: %v", w.tk.Number, err)
	}
	if n := browserText(w.t, w.tab, "#ticket h1 .mono"); n != w.tk.Number {
		w.t.Fatalf("the queue opened %s, want %s", n, w.tk.Number)
	}
}

// reload shows the ticket as it now is, after something happened outside the page.
func (w *walk) reload() {
	w.t.Helper()
	if err := chromedp.Do(w.tab, chromedp.Navigate(w.e.srv.URL+"/tickets/"+w.tk.Number), chromedp.WaitVisible(chromedp.CSS("#ticket"))); err != nil {
		w.t.Fatal(err)
	}
}

// waitState waits for the page to say the state.
func (w *walk) waitState(state string) {
	w.t.Helper()
	waitFor(w.t, w.tab, "the ticket to be "+state, `document.querySelector("#ticket-state")?.textContent === `+jsString(state))
}

// click presses the action's button on the ticket page and waits for the state it leads to.
func click(action, state string) step {
	return func(w *walk) {
		w.t.Helper()
		if err := chromedp.Do(w.tab, chromedp.Click(chromedp.CSS("#ticket button[data-action="+action+"]"))); err != nil {
			w.t.Fatalf("pressing %s: %v", action, err)
		}
		w.waitState(state)
	}
}

// chooseSlot picks the first pickup slot the page offers, as the agent on
// the phone with the buyer would.
func chooseSlot(w *walk) {
	w.t.Helper()
	if _, err := chromedp.Run(w.tab, chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector("#slot");
		s.value = s.options[1].value; s.dispatchEvent(new Event("change", {bubbles: true})) })()`)); err != nil {
		w.t.Fatalf("choosing a pickup slot: %v", err)
	}
}

// accessible runs axe-core on the page as it is.
func accessible(w *walk) {
	w.t.Helper()
	checkAccessibility(w.t, w.tab, "ticket "+w.tk.Number)
}

// addressShown checks the page shows the merchant's return address sent to the buyer.
func addressShown(w *walk) {
	w.t.Helper()
	if addr := browserText(w.t, w.tab, "[data-testid=return-address]"); !strings.Contains(addr, "文一西路 969 号 售后仓") {
		w.t.Fatalf("the return address shown: %q", addr)
	}
}

// carrier reports the return parcel's status through the logistics API.
func carrier(status string) step { return carrierOf("return", status) }

// shipOut ships the merchant's parcel (a replacement or a reship) on the
// page, with its carrier and tracking number.
func shipOut(w *walk) {
	w.t.Helper()
	if err := chromedp.Do(w.tab,
		chromedp.WaitVisible(chromedp.CSS("#ship-carrier")),
		chromedp.SendKeys(chromedp.CSS("#ship-carrier"), "顺丰速运"),
		chromedp.SendKeys(chromedp.CSS("#ship-tracking"), "SFOUT"+w.tk.Number[3:]),
		chromedp.Click(chromedp.CSS("#ticket button[data-action=ship_out]")),
	); err != nil {
		w.t.Fatalf("shipping: %v", err)
	}
	w.waitState("商家已发货，待买家签收")
}

// carrierOf reports a parcel's status through the logistics API: the
// buyer's return, or the merchant's outbound parcel (shipped by shipOut).
func carrierOf(direction, status string) step {
	return func(w *walk) {
		w.t.Helper()
		w.e.clock.Advance(time.Minute)
		tracking := "SF" + w.tk.Number[3:]
		if direction == "outbound" {
			tracking = "SFOUT" + w.tk.Number[3:]
		}
		res := w.e.call("POST", fmt.Sprintf("/api/v1/tickets/%d/logistics", w.tk.ID), map[string]any{"direction": direction,
			"carrier": "顺丰速运", "tracking": tracking, "status": status, "at": w.e.clock.Now().Format(time.RFC3339)})
		if res.status != http.StatusOK {
			w.t.Fatalf("the carrier's %s: %d %s", status, res.status, res.body)
		}
		w.tk = res.ticket(w.t)
	}
}

// buyer reports what the buyer did through the platform's events API.
func buyer(event map[string]any) step {
	return func(w *walk) {
		w.t.Helper()
		res := w.e.call("POST", fmt.Sprintf("/api/v1/tickets/%d/events", w.tk.ID), event)
		if res.status != http.StatusOK {
			w.t.Fatalf("the buyer's %v: %d %s", event, res.status, res.body)
		}
		w.tk = res.ticket(w.t)
	}
}

// pickupSlot is tomorrow's 11:00-13:00 in Beijing: on the carriers' grid,
// in the future and inside a return window opened today.
var pickupSlot = storetest.Epoch.Add(26 * time.Hour)

// reloadTo reloads the page and waits for the state.
func reloadTo(state string) step {
	return func(w *walk) {
		w.t.Helper()
		w.reload()
		w.waitState(state)
	}
}

// paid is the payment system answering every pending line of the ticket's
// settlement (the goods' refund, the 运费险 payout) as paid, through the
// API; the page then shows the ticket refunded.
func paid(w *walk) {
	w.t.Helper()
	res := w.e.call("GET", fmt.Sprintf("/api/v1/tickets/%d", w.tk.ID), nil)
	tk := res.ticket(w.t)
	if len(tk.Settlement.Lines) == 0 {
		w.t.Fatalf("nothing to pay on %s: %s", tk.Number, res.body)
	}
	for _, l := range tk.Settlement.Lines {
		if l.Status != "pending" {
			continue
		}
		r := w.e.call("POST", "/api/v1/refunds/"+l.Number+"/result", map[string]any{"result": "succeeded"})
		if r.status != http.StatusOK {
			w.t.Fatalf("paying %s: %d %s", l.Number, r.status, r.body)
		}
	}
	w.reload()
	w.waitState("已退款")
}

// serviceWalk is one service taken from intake to its end, as its staff
// would: the claim, who decides it, what happens on the way, and what it
// pays in the end.
type serviceWalk struct {
	name      string
	service   anxin.ServiceKey
	role      anxin.Role // who decides on the page: an agent or the merchant's staff
	paid      int64
	requested int64                   // 0: the service's full compensation
	kind      string                  // the settlement the buyer chose ("": refund)
	claim     func(c map[string]any)  // changes to the buyer's claim
	before    func(w *walk)           // after intake, before the page opens
	steps     []step                  // on the page and through the API
	state     string                  // where it ends, as the page says it
	refund    int64                   // the goods' refund, paid once (0: no refund at all)
	postage   int64                   // the 运费险 line, 0 for none
	after     func(w *walk, o string) // more checks at the end; o is the order id
}

// TestBrowserServices walks each of the nine services end to end in one
// browser over one server, and the settlement kinds that ship goods
// (exchange, reship): a claim through the intake API, opened from the
// queue by an agent or the merchant's staff, decided on the ticket page by
// clicking, the return's parcel reported by the carrier, and the refund
// answered by the payment system. Each ends in its terminal state with its
// refund shown once and its amount right (none for an exchange or a reship).
func TestBrowserServices(t *testing.T) {
	browser := newBrowserFor(t, 5*time.Minute) // twelve walks: more than a minute on a busy machine, and one that hangs
	e := newAPIEnv(t)
	// The merchant decides everything itself: no 极速退款 at intake (its
	// thresholds would refund most of these claims before anyone looks).
	if err := e.store.UpdateMerchant(ctx, storetest.Admin, anxin.Merchant{ID: e.merchant.ID, Code: e.merchant.Code,
		Name: e.merchant.Name, InstantRefund: anxin.InstantRefund{}}); err != nil {
		t.Fatal(err)
	}
	on := true
	if err := e.store.SetPolicy(ctx, e.merchant.ID, anxin.PolicyOverride{Service: anxin.BeautyAllergy, Enabled: &on}); err != nil {
		t.Fatal(err)
	}
	// An agent and the merchant's staff, each in a browser context of its
	// own (cookies apart) within the one browser.
	tabs := map[anxin.Role]context.Context{}
	for role, u := range map[anxin.Role]anxin.User{
		anxin.RoleAgent:    storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0),
		anxin.RoleMerchant: storetest.MustUser(t, e.store, anxin.RoleMerchant, "阿梅", e.merchant.ID),
	} {
		tab, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
		t.Cleanup(cancel)
		browserLogin(t, tab, e.srv.URL, u)
		tabs[role] = tab
	}
	order := func(c map[string]any) map[string]any { return c["order"].(map[string]any) }
	returned := []step{
		click("approve", "待买家退货"), addressShown,
		carrier("picked_up"), carrier("delivered"), reloadTo("已签收，待验货"),
		click("receive", "退款中"), paid,
	}

	walks := []serviceWalk{
		{name: "unshipped refund", service: anxin.UnshippedRefund, role: anxin.RoleAgent, paid: 129900,
			claim: func(c map[string]any) { order(c)["shipped_at"], order(c)["received_at"] = nil, nil },
			steps: []step{click("approve", "退款中"), paid}, state: "已退款", refund: 129900},
		{name: "7-day no-reason return", service: anxin.NoReason7d, role: anxin.RoleMerchant, paid: 45900,
			steps: returned, state: "已退款", refund: 45900, postage: 1000},
		{name: "quality return shipped by the buyer, received before the carrier says so", service: anxin.QualityReturn,
			role: anxin.RoleAgent, paid: 36800,
			steps: []step{click("approve", "待买家退货"), addressShown,
				buyer(map[string]any{"type": "return_shipped", "tracking": "YT8800001234", "carrier": "圆通速递"}),
				reloadTo("待商家收货"), click("receive", "退款中"), paid},
			state: "已退款", refund: 36800, postage: 1000},
		{name: "damaged on arrival", service: anxin.Damaged, role: anxin.RoleMerchant, paid: 5900,
			steps: []step{click("approve", "退款中"), paid}, state: "已退款", refund: 5900},
		{name: "spoiled fresh food refunded in full", service: anxin.FreshSpoiled, role: anxin.RoleAgent, paid: 8990,
			steps: []step{click("refund", "退款中"), paid}, state: "已退款", refund: 8990},
		{name: "cosmetics allergy on day 29, picked up at the door", service: anxin.BeautyAllergy, role: anxin.RoleMerchant,
			paid: 149000,
			claim: func(c map[string]any) {
				now := e.clock.Now()
				order(c)["ordered_at"], order(c)["shipped_at"] = now.Add(-32*24*time.Hour), now.Add(-31*24*time.Hour)
				order(c)["received_at"] = now.Add(-29 * 24 * time.Hour)
			},
			steps: []step{click("approve", "待买家退货"), addressShown,
				buyer(map[string]any{"type": "pickup_booked", "slot": pickupSlot}),
				carrier("picked_up"), carrier("delivered"), reloadTo("已签收，待验货"),
				click("receive", "退款中"), paid},
			state: "已退款", refund: 149000, postage: 1935},
		// 假一赔三: the price back and three times it on top (¥399 + ¥1,197).
		{name: "authenticity guarantee", service: anxin.Authentic, role: anxin.RoleAgent, paid: 39900,
			steps: returned, state: "已退款", refund: 159600, postage: 1000},
		{name: "price protection pays the difference", service: anxin.PriceProtect, role: anxin.RoleMerchant, paid: 19900,
			requested: 3000, steps: []step{click("approve", "退款中"), paid}, state: "已退款", refund: 3000},
		// 运费险 claimed on its own, for ¥25: capped at the pickup cap, ¥19.35, not refused.
		{name: "shipping insurance on its own, capped", service: anxin.ShippingInsurance, role: anxin.RoleMerchant,
			paid: 45900, requested: 2500, steps: []step{click("approve", "退款中"), paid}, state: "已退款", refund: 1935},
		// 运费险 claimed while the order's return is on its way: the claim
		// closes at once and its postage is paid with the return, once.
		// The agent books the doorstep pickup on the buyer's behalf, on the page.
		{name: "shipping insurance merged with a return", service: anxin.NoReason7d, role: anxin.RoleAgent, paid: 45900,
			steps: []step{click("approve", "待买家退货"), addressShown, accessible, chooseSlot, click("pickup_booked", "待商家收货"),
				func(w *walk) {
					c := w.e.claim(45900)
					c["service"], c["merchant"], c["requested_fen"] = "shipping_insurance", e.merchant.Code, 2500
					c["order"] = w.tk.Order
					res := w.e.call("POST", "/api/v1/tickets", c)
					if ins := res.ticket(w.t); res.status != http.StatusCreated || ins.State != "closed" || ins.RequestedFen != 1935 {
						w.t.Fatalf("the 运费险 claim: %d %s", res.status, res.body)
					}
				},
				carrier("picked_up"), carrier("delivered"), reloadTo("已签收，待验货"),
				click("receive", "退款中"), paid},
			state: "已退款", refund: 45900, postage: 1935,
			after: func(w *walk, orderID string) {
				// The claim's own page: closed, merged, nothing paid on it.
				res := w.e.call("GET", "/api/v1/tickets?service=shipping_insurance&state=closed", nil)
				var list api.TicketList
				if err := json.Unmarshal(res.body, &list); err != nil {
					w.t.Fatalf("%d %s: %v", res.status, res.body, err)
				}
				var ins api.Ticket
				for _, x := range list.Tickets {
					if x.Order.ID == orderID {
						ins = x
					}
				}
				if ins.ID == 0 || ins.Refund != nil || len(ins.Settlement.Lines) != 0 {
					w.t.Fatalf("the merged 运费险 claim: %+v", ins)
				}
				w.tk = ins
				w.reload()
				w.waitState("已关闭")
				if n, _ := chromedp.Run(w.tab, chromedp.Evaluate[int](`document.querySelectorAll("#timeline li[data-action=postage_merged]").length`)); n != 1 {
					w.t.Fatalf("%d merges on the claim's timeline", n)
				}
			}},
		// The settlement kinds that ship goods instead of paying: nothing refunded.
		{name: "cosmetics allergy exchanged", service: anxin.BeautyAllergy, role: anxin.RoleMerchant, paid: 36800, kind: "exchange",
			steps: []step{click("approve", "待买家退货"), addressShown, carrier("picked_up"), carrier("delivered"),
				reloadTo("已签收，待验货"), click("receive", "待商家发货"), shipOut, carrierOf("outbound", "delivered"), reloadTo("已关闭")},
			state: "已关闭", postage: 1000}, // the return's 运费险, as for a refund
		{name: "spoiled fresh food reshipped", service: anxin.FreshSpoiled, role: anxin.RoleAgent, paid: 8990, kind: "reship",
			steps: []step{click("approve", "待商家发货"), shipOut, carrierOf("outbound", "delivered"), reloadTo("已关闭")},
			state: "已关闭"},
	}

	seen := map[anxin.ServiceKey]bool{}
	for i, sw := range walks {
		t.Run(sw.name, func(t *testing.T) {
			c := e.claim(sw.paid)
			c["service"], c["merchant"] = string(sw.service), e.merchant.Code
			order(c)["id"] = fmt.Sprintf("DYWALK%02d", i) // an order of its own: 运费险 pays once per order
			c["reason"] = "走查：" + sw.name
			if sw.requested > 0 {
				c["requested_fen"] = sw.requested
			}
			if sw.kind != "" {
				c["settlement"] = sw.kind
			}
			if sw.claim != nil {
				sw.claim(c)
			}
			res := e.call("POST", "/api/v1/tickets", c)
			if res.status != http.StatusCreated {
				t.Fatalf("intake: %d %s", res.status, res.body)
			}
			// A deadline of the walk's own: a walk that hangs fails alone,
			// and the walks after it still run in the browser's time.
			tab, cancel := context.WithTimeout(tabs[sw.role], time.Minute)
			defer cancel()
			w := &walk{t: t, e: e, tab: tab, tk: res.ticket(t)}
			if w.tk.State != "pending_merchant" {
				t.Fatalf("intake: %s, want the merchant to decide", w.tk.State)
			}
			seen[sw.service] = true
			stored, err := e.store.Ticket(ctx, anxin.AllMerchants(), w.tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			storetest.MustEvidence(t, e.store, stored)
			w.page()
			for _, s := range sw.steps {
				s(w)
			}
			w.checkEnd(sw)
			if sw.after != nil {
				sw.after(w, stored.Order.ID)
			}
		})
	}
	for _, s := range anxin.Services() {
		if !seen[s.Key] {
			t.Errorf("%s was not walked", s.Key)
		}
	}
	// Every ticket walked, as its merchant's staff and an agent read it,
	// says everything in Chinese (but what people typed, and codes).
	typed := typedWords(t, e.env)
	for _, u := range []anxin.User{storetest.MustUser(t, e.store, anxin.RoleAgent, "陈静", 0),
		storetest.MustUser(t, e.store, anxin.RoleMerchant, "林娜", e.merchant.ID)} {
		c := e.client()
		c.login(u)
		list, _, err := e.store.ListTickets(ctx, storeFilter())
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range list {
			_, doc := c.get("/tickets/" + v.Number)
			for _, l := range latinWords(v.Number, doc, typed) {
				t.Errorf("%s's page of %s (%s, %s) shows %q: %s", u.Role, v.Number, v.Service, v.State, l.word, l.context)
			}
		}
	}
}

// checkEnd checks the ticket's end: its state on the page, one refund of
// the right amount in the store and on the page, and the 运费险 line.
func (w *walk) checkEnd(sw serviceWalk) {
	w.t.Helper()
	if got := browserText(w.t, w.tab, "#ticket-state"); got != sw.state {
		w.t.Fatalf("ends %q, want %q", got, sw.state)
	}
	db := storetest.DB(w.t, w.e.store)
	var refunds, postage int
	var refundFen, postageFen int64
	db.QueryRow(`SELECT count(*), coalesce(sum(amount_fen), 0) FROM refunds WHERE ticket_id = ?`, w.tk.ID).Scan(&refunds, &refundFen)
	db.QueryRow(`SELECT count(*), coalesce(sum(amount_fen), 0) FROM postage_payouts WHERE ticket_id = ?`, w.tk.ID).Scan(&postage, &postageFen)
	if refunds != int(min(sw.refund, 1)) || refundFen != sw.refund {
		w.t.Errorf("%d refunds of %d fen in all, want one of %d", refunds, refundFen, sw.refund)
	}
	if want := min(sw.postage, 1); postage != int(want) || postageFen != sw.postage {
		w.t.Errorf("%d 运费险 lines of %d fen in all, want %d fen", postage, postageFen, sw.postage)
	}
	amount := money(sw.refund)
	if got := browserText(w.t, w.tab, "[data-testid=refunded]"); !strings.HasPrefix(got, amount) {
		w.t.Errorf("the page says %q refunded, want %s", got, amount)
	}
	count := func(sel string) int {
		n, err := chromedp.Run(w.tab, chromedp.Evaluate[int](`document.querySelectorAll(`+jsString(sel)+`).length`))
		if err != nil {
			w.t.Fatal(err)
		}
		return n
	}
	if n := count("#timeline li[data-action=refund_succeeded]"); n != int(min(sw.refund, 1)) {
		w.t.Errorf("the timeline tells of %d refunds paid", n)
	}
	if n := count("[data-line=goods]"); n > 1 {
		w.t.Errorf("%d refund lines on the page", n)
	} else if n == 1 && !strings.Contains(browserText(w.t, w.tab, "[data-line=goods]"), amount) {
		w.t.Errorf("the refund line reads %q, want %s", browserText(w.t, w.tab, "[data-line=goods]"), amount)
	}
	if sw.postage > 0 {
		if got := browserText(w.t, w.tab, "[data-line=postage]"); !strings.Contains(got, money(sw.postage)) {
			w.t.Errorf("the postage line reads %q, want %s", got, money(sw.postage))
		}
	} else if n := count("[data-line=postage]"); n != 0 {
		w.t.Errorf("%d postage lines, want none", n)
	}
}

// money writes fen as the pages do: ¥1,490.00.
func money(fen int64) string {
	yuan := fmt.Sprint(fen / 100)
	for i := len(yuan) - 3; i > 0; i -= 3 {
		yuan = yuan[:i] + "," + yuan[i:]
	}
	return fmt.Sprintf("¥%s.%02d", yuan, fen%100)
}
