package web_test

import (
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// TestAPIReplayedRefusalNamesTheField: a refusal given again to a request
// retried with its Idempotency-Key is the first answer, the field it named
// included (a replay used to drop it).
func TestAPIReplayedRefusalNamesTheField(t *testing.T) {
	e := newAPIEnv(t)
	staff := storetest.MustUser(t, e.store, anxin.RoleMerchant, "小李", e.merchant.ID).Actor()
	c := e.claim(45900)
	c["service"] = "no_reason_7d"
	tk := e.call("POST", "/api/v1/tickets", c).ticket(t)
	if _, err := e.store.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.Approve, Actor: staff}); err != nil {
		t.Fatal(err)
	}
	late := e.claim(8990)
	late["order"].(map[string]any)["received_at"] = e.clock.Now().Add(-25 * time.Hour)
	for _, tt := range []struct {
		path  string
		body  map[string]any
		field string
	}{
		{"/api/v1/tickets", late, "order.received_at"},
		{"/api/v1/tickets/" + tk.Number + "/logistics", map[string]any{"direction": "return", "carrier": "顺丰速运",
			"tracking": "SF1", "status": "teleported", "at": e.clock.Now()}, "status"},
		{"/api/v1/tickets/" + tk.Number + "/events", map[string]any{"type": "pickup_booked",
			"slot": e.clock.Now().AddDate(0, 3, 0)}, "slot"},
	} {
		first := e.call("POST", tt.path, tt.body, "Idempotency-Key", "retry-"+tt.field)
		again := e.call("POST", tt.path, tt.body, "Idempotency-Key", "retry-"+tt.field)
		if first.status != 422 || first.field() != tt.field || again.status != 422 || again.field() != tt.field ||
			again.header.Get("Idempotent-Replayed") != "true" || string(again.body) != string(first.body) {
			t.Errorf("%s: %d %s, then %d %s; want 422 naming %q twice", tt.path, first.status, first.body, again.status, again.body, tt.field)
		}
	}
}
