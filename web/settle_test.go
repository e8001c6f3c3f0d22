package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// TestAPISettlement: the claim's settlement is refused with 422 naming the
// field when it is unknown or not one the service allows; a reship claim is
// taken (not refunded at intake) and the ticket says its kind; a reship's
// parcel reported delivered through the logistics API closes it.
func TestAPISettlement(t *testing.T) {
	e := newAPIEnv(t)
	for _, tt := range []struct {
		service, kind string
	}{
		{"fresh_spoiled", "swap"},
		{"fresh_spoiled", "exchange"},
		{"quality_return", "reship"},
	} {
		c := e.claim(8900)
		c["service"], c["settlement"] = tt.service, tt.kind
		res := e.call("POST", "/api/v1/tickets", c)
		if res.status != http.StatusUnprocessableEntity || res.code() != anxin.EINVALID || res.field() != "settlement" {
			t.Fatalf("%s by %s: %d %s", tt.service, tt.kind, res.status, res.body)
		}
		e.doc.checkResponse(t, "POST", "/api/v1/tickets", res.status, res.body)
	}
	c := e.claim(8900)
	c["settlement"] = "reship"
	res := e.call("POST", "/api/v1/tickets", c)
	if res.status != http.StatusCreated {
		t.Fatalf("reship claim: %d %s", res.status, res.body)
	}
	e.doc.checkResponse(t, "POST", "/api/v1/tickets", res.status, res.body)
	tk := res.ticket(t)
	if tk.Settlement.Kind != "reship" || tk.State != "pending_merchant" || tk.RefundedFen != 0 {
		t.Fatalf("a ¥89 reship claim: %s %s refunded %d", tk.Settlement.Kind, tk.State, tk.RefundedFen)
	}
	staff := storetest.MustUser(t, e.store, anxin.RoleMerchant, "花姐", e.merchant.ID).Actor()
	if _, err := e.store.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.Approve, Actor: staff}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.ShipOut, Actor: staff, Carrier: "顺丰", Tracking: "SF7000000001"}); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/v1/tickets/%d", tk.ID)
	got := e.call("GET", path, nil)
	e.doc.checkResponse(t, "GET", "/api/v1/tickets/{id}", got.status, got.body)
	if g := got.ticket(t); g.State != "shipped" || len(g.Shipments) != 1 || g.Shipments[0].Kind != "reship" ||
		g.Shipments[0].Direction != "outbound" || g.Shipments[0].Tracking != "SF7000000001" {
		t.Fatalf("shipped: %s %+v", g.State, g.Shipments)
	}
	ev := map[string]any{"direction": "outbound", "carrier": "顺丰", "tracking": "SF7000000001", "status": "delivered",
		"at": e.clock.Now().Format(time.RFC3339)}
	done := e.call("POST", path+"/logistics", ev)
	e.doc.checkResponse(t, "POST", "/api/v1/tickets/{id}/logistics", done.status, done.body)
	if g := done.ticket(t); done.status != http.StatusOK || g.State != "closed" || g.Settlement.Kind != "reship" || len(g.Settlement.Lines) != 0 {
		t.Fatalf("delivered: %d %s", done.status, done.body)
	}
}

// TestShipOutOnThePage: the ticket page of a reship awaiting shipment shows
// its kind, a 发货 form and 缺货转退款 to its merchant; a ship-out without a
// carrier is refused with 422 on the page; another merchant's ship-out is
// refused and changes nothing; the ticket's merchant ships it.
func TestShipOutOnThePage(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "昆明斗南鲜花园艺")
	other := storetest.MustMerchant(t, e.store, "别家鲜花")
	tk := storetest.MustTicketIn(t, e.store, m.ID, anxin.AwaitingShipment, 8900)
	mine, theirs := e.client(), e.client()
	mine.login(storetest.MustUser(t, e.store, anxin.RoleMerchant, "花姐", m.ID))
	theirs.login(storetest.MustUser(t, e.store, anxin.RoleMerchant, "别人", other.ID))

	_, doc := mine.get("/tickets/" + tk.Number)
	if got := strings.TrimSpace(doc.Find("[data-testid=settlement-kind]").Text()); got != "补发" {
		t.Fatalf("settled by %q", got)
	}
	if doc.Find("form[data-form-action=ship_out] input[name=carrier][required]").Length() != 1 ||
		doc.Find("form[data-form-action=ship_out] input[name=tracking][required]").Length() != 1 ||
		doc.Find("form[data-form-action=out_of_stock] button").Length() != 1 {
		t.Fatal("no ship form or out-of-stock button")
	}
	if got := strings.TrimSpace(doc.Find("#ticket-state").Text()); got != "待商家发货" {
		t.Fatalf("state shown as %q", got)
	}
	action := "/tickets/" + tk.Number + "/actions/ship_out"
	form := url.Values{"version": {fmt.Sprint(tk.Version)}, "carrier": {"顺丰"}, "tracking": {"SF8000000001"}}
	res, _ := theirs.post(action, form)
	if after, _ := e.store.Ticket(ctx, anxin.AllMerchants(), tk.ID); res.StatusCode == http.StatusSeeOther || after.Version != tk.Version {
		t.Fatalf("another merchant's ship-out: %s, ticket %s", res.Status, after.State)
	}
	noCarrier := url.Values{"version": {fmt.Sprint(tk.Version)}, "tracking": {"SF8000000001"}}
	res, doc = mine.post(action, noCarrier)
	if res.StatusCode != http.StatusUnprocessableEntity || doc.Find("#outcome[data-outcome=refused]").Length() != 1 ||
		!strings.Contains(doc.Find("#outcome").Text(), "快递公司") {
		t.Fatalf("no carrier: %s %q", res.Status, doc.Find("#outcome").Text())
	}
	if got := doc.Find("form[data-form-action=ship_out] input[name=tracking]").AttrOr("value", ""); got != "SF8000000001" {
		t.Fatalf("the refused form lost its tracking number: %q", got)
	}
	if res, _ = mine.post(action, form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("ship-out: %s", res.Status)
	}
	after, _ := e.store.Ticket(ctx, anxin.AllMerchants(), tk.ID)
	if after.State != anxin.Shipped || !after.Deadline.Equal(e.clock.Now().Add(10*24*time.Hour)) {
		t.Fatalf("after ship-out: %s due %v", after.State, after.Deadline)
	}
	_, doc = mine.get("/tickets/" + tk.Number)
	if !strings.Contains(doc.Find("#ticket").Text(), "SF8000000001") {
		t.Fatal("the parcel is not on the page")
	}
}

// TestAdminShipClock: the merchant's time to ship a replacement or reship is
// a policy setting, bounded, audited in the reader's words, and the ship
// clock of its reships follows it.
func TestAdminShipClock(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "昆明斗南鲜花园艺")
	a := e.client()
	a.login(storetest.MustUser(t, e.store, anxin.RoleAdmin, "管理员", 0))
	path := "/admin/merchants/" + m.Code + "/policies/fresh_spoiled"
	res, _ := a.post(path, url.Values{"enabled": {"1"}, "ship_clock_hours": {"72"}})
	_, pol, _ := e.store.Policy(ctx, m.ID, anxin.FreshSpoiled)
	if res.StatusCode != http.StatusSeeOther || pol.ShipClock != 72*time.Hour {
		t.Fatalf("ship clock: %s %v", res.Status, pol.ShipClock)
	}
	for _, bad := range []string{"0.5", "800", "x"} {
		if res, _ := a.post(path, url.Values{"enabled": {"1"}, "ship_clock_hours": {bad}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("ship clock %s: %s", bad, res.Status)
		}
	}
	_, doc := a.get("/admin/merchants/" + m.Code)
	if doc.Find("tr[data-service=fresh_spoiled] input[name=ship_clock_hours]").AttrOr("value", "") != "72" ||
		doc.Find("tr[data-service=quality_return] input[name=ship_clock_hours]").Length() != 0 {
		t.Error("the admin page does not show the setting where it applies")
	}
	if _, doc := a.get("/admin/audit"); !strings.Contains(doc.Find("#audit").Text(), "换货、补发发货时限：3天") {
		t.Errorf("the audit log reads %q", doc.Find("#audit tbody tr").First().Text())
	}
	tk := storetest.MustTicketIn(t, e.store, m.ID, anxin.AwaitingShipment, 8900)
	if !tk.Deadline.Equal(e.clock.Now().Add(72 * time.Hour)) {
		t.Fatalf("a reship approved under the merchant's clock: due %v", tk.Deadline)
	}
}
