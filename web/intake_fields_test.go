package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// TestAPIIntakeNamesTheField: a claim refused at intake is a 422 whose body
// names the field of the request that was wrong, as the logistics API's do.
func TestAPIIntakeNamesTheField(t *testing.T) {
	e := newAPIEnv(t)
	order := func(c map[string]any) map[string]any { return c["order"].(map[string]any) }
	now := e.clock.Now()
	tests := []struct {
		name   string
		change func(map[string]any)
		code   string
		field  string
	}{
		{"fresh food at 25 h", func(c map[string]any) { order(c)["received_at"] = now.Add(-25 * time.Hour) }, "outside_window", "order.received_at"},
		{"not received", func(c map[string]any) { order(c)["received_at"] = nil }, "not_received", "order.received_at"},
		{"received before shipped", func(c map[string]any) { order(c)["received_at"] = now.Add(-50 * time.Hour) }, "invalid", "order.received_at"},
		{"shipped, for an unshipped refund", func(c map[string]any) { c["service"] = "unshipped_refund" }, "already_shipped", "order.shipped_at"},
		{"price protection late", func(c map[string]any) {
			c["service"], c["requested_fen"] = "price_protect", 500
			order(c)["ordered_at"] = now.Add(-31 * 24 * time.Hour)
		}, "outside_window", "order.ordered_at"},
		{"price protection without the difference", func(c map[string]any) { c["service"] = "price_protect" }, "invalid", "requested_fen"},
		{"more than was paid", func(c map[string]any) { c["requested_fen"] = 999999 }, "invalid", "requested_fen"},
		{"unknown service", func(c map[string]any) { c["service"] = "free_lunch" }, "unknown_service", "service"},
		{"no service", func(c map[string]any) { delete(c, "service") }, "unknown_service", "service"},
		{"not opted in", func(c map[string]any) { c["service"] = "beauty_allergy" }, "not_opted_in", "service"},
		{"unknown merchant", func(c map[string]any) { c["merchant"] = "nobody" }, "unknown_merchant", "merchant"},
		{"no order id", func(c map[string]any) { order(c)["id"] = "" }, "invalid", "order.id"},
		{"no product", func(c map[string]any) { order(c)["product"] = "" }, "invalid", "order.product"},
		{"nothing paid", func(c map[string]any) { order(c)["paid_fen"] = 0 }, "invalid", "order.paid_fen"},
		{"no phone", func(c map[string]any) { c["buyer"] = map[string]any{"name": "李女士"} }, "invalid", "buyer.phone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := e.claim(8990)
			tt.change(c)
			res := e.call("POST", "/api/v1/tickets", c)
			if res.status != 422 || res.code() != tt.code || res.field() != tt.field {
				t.Fatalf("%d %s; want 422 %s naming %q", res.status, res.body, tt.code, tt.field)
			}
			e.doc.checkResponse(t, "POST", "/api/v1/tickets", res.status, res.body)
		})
	}
}

// TestCappedPostageClaimSaysSoInChinese: a ¥25 运费险 claim is capped at
// ¥19.35, and its timeline says so in the reader's language (it said
// "postage capped: 2500 fen claimed, 1935 fen paid at most." to everyone).
func TestCappedPostageClaimSaysSoInChinese(t *testing.T) {
	e := newAPIEnv(t)
	c := e.claim(45900)
	c["service"], c["requested_fen"], c["reason"] = "shipping_insurance", 2500, "寄回运费 25 元"
	res := e.call("POST", "/api/v1/tickets", c)
	tk := res.ticket(t)
	if res.status != http.StatusCreated || tk.RequestedFen != 1935 {
		t.Fatalf("a ¥25 claim: %d %s", res.status, res.body)
	}
	agent := e.client()
	agent.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	_, doc := agent.get("/tickets/" + tk.Number)
	created := strings.Join(strings.Fields(doc.Find("#timeline li[data-action=create]").Text()), " ")
	if !strings.Contains(created, "运费险按上限 ¥19.35 赔付（申请 ¥25.00） 寄回运费 25 元") || strings.Contains(created, "fen") {
		t.Fatalf("the claim's creation reads %q", created)
	}
	agent.post("/lang", url.Values{"lang": {"en"}})
	_, doc = agent.get("/tickets/" + tk.Number)
	if created := doc.Find("#timeline li[data-action=create]").Text(); !strings.Contains(created, "postage capped at ¥19.35: ¥25.00 claimed") {
		t.Fatalf("in English: %q", created)
	}
}
