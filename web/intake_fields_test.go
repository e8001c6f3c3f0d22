package web_test

import (
	"testing"
	"time"
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
