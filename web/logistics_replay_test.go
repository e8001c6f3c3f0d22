package web_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/anxin-helpdesk/anxin/web/api"
)

// TestAPILogisticsReplayChangesNothing: carriers send their reports again,
// late and out of order. A report heard before (same carrier, tracking,
// status and time, the time in any zone) changes nothing, however far the
// ticket has moved on since: no state goes back, no event is added, no
// 运费险 is paid twice; each replay answers 200 with the ticket as it is.
func TestAPILogisticsReplayChangesNothing(t *testing.T) {
	e := newAPIEnv(t)
	staff := storetest.MustUser(t, e.store, anxin.RoleMerchant, "小李", e.merchant.ID).Actor()
	c := e.claim(45900)
	c["service"] = "no_reason_7d"
	tk := e.call("POST", "/api/v1/tickets", c).ticket(t)
	if _, err := e.store.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.Approve, Actor: staff}); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/v1/tickets/%d/logistics", tk.ID)
	pickedAt, deliveredAt := e.clock.Now().Add(-2*time.Hour), e.clock.Now().Add(-time.Hour)
	report := func(status string, at time.Time) api.Ticket {
		t.Helper()
		res := e.call("POST", path, map[string]any{"direction": "return", "carrier": "顺丰速运", "tracking": "SF1234567890",
			"status": status, "at": at.Format(time.RFC3339)})
		if res.status != http.StatusOK {
			t.Fatalf("%s: %d %s", status, res.status, res.body)
		}
		return res.ticket(t)
	}
	events := func(x api.Ticket) int {
		n := 0
		for _, s := range x.Shipments {
			n += len(s.Events)
		}
		return n
	}
	same := func(when string, before, after api.Ticket) {
		t.Helper()
		if after.Version != before.Version || after.State != before.State || len(after.Shipments) != len(before.Shipments) ||
			events(after) != events(before) || len(after.Settlement.Lines) != len(before.Settlement.Lines) {
			t.Fatalf("%s: v%d %s, %d parcels, %d reports, %d lines; was v%d %s, %d, %d, %d", when,
				after.Version, after.State, len(after.Shipments), events(after), len(after.Settlement.Lines),
				before.Version, before.State, len(before.Shipments), events(before), len(before.Settlement.Lines))
		}
	}

	report("picked_up", pickedAt)
	delivered := report("delivered", deliveredAt)
	if delivered.State != "received" || events(delivered) != 2 || len(delivered.Settlement.Lines) != 1 {
		t.Fatalf("delivered: %s, %d reports, %+v", delivered.State, events(delivered), delivered.Settlement)
	}
	same("the collection again, after delivery", delivered, report("picked_up", pickedAt))
	same("the delivery again, its time in Beijing's zone", delivered, report("delivered", deliveredAt.In(time.FixedZone("CST", 8*3600))))

	e.clock.Advance(time.Hour)
	if _, err := e.store.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.Receive, Actor: staff}); err != nil {
		t.Fatal(err)
	}
	received := e.call("GET", fmt.Sprintf("/api/v1/tickets/%d", tk.ID), nil).ticket(t)
	same("the delivery again, after receipt", received, report("delivered", deliveredAt))
	if _, err := e.store.PayPendingRefunds(ctx); err != nil {
		t.Fatal(err)
	}
	refunded := e.call("GET", fmt.Sprintf("/api/v1/tickets/%d", tk.ID), nil).ticket(t)
	if refunded.State != "refunded" {
		t.Fatalf("paid: %s", refunded.State)
	}
	same("the delivery again, after the refund", refunded, report("delivered", deliveredAt))
	db := storetest.DB(t, e.store)
	var refunds, postage int
	db.QueryRow(`SELECT count(*) FROM refunds WHERE ticket_id = ?`, tk.ID).Scan(&refunds)
	db.QueryRow(`SELECT count(*) FROM postage_payouts WHERE ticket_id = ?`, tk.ID).Scan(&postage)
	if refunds != 1 || postage != 1 {
		t.Fatalf("%d refunds, %d 运费险 payouts", refunds, postage)
	}
}

// TestAPIReturnReportedBeforeApproval: a buyer who ships the return at once
// has the carrier's reports heard while the merchant has yet to approve.
// Approved, the ticket goes on to them: delivered, it is received for
// inspection, not left waiting out the buyer's return clock (which closes
// the claim) for a parcel the merchant already holds.
func TestAPIReturnReportedBeforeApproval(t *testing.T) {
	e := newAPIEnv(t)
	staff := storetest.MustUser(t, e.store, anxin.RoleMerchant, "小李", e.merchant.ID).Actor()
	for _, tt := range []struct {
		reports []string
		state   string
	}{
		{[]string{"picked_up"}, "awaiting_receipt"},
		{[]string{"picked_up", "delivered"}, "received"},
	} {
		c := e.claim(45900)
		c["service"] = "no_reason_7d"
		c["order"].(map[string]any)["id"] = "DY-EARLY-" + tt.state
		tk := e.call("POST", "/api/v1/tickets", c).ticket(t)
		for i, status := range tt.reports {
			res := e.call("POST", fmt.Sprintf("/api/v1/tickets/%d/logistics", tk.ID), map[string]any{"direction": "return",
				"carrier": "顺丰速运", "tracking": "SF-EARLY-" + tt.state, "status": status,
				"at": e.clock.Now().Add(time.Duration(i-2) * time.Hour).Format(time.RFC3339)})
			if got := res.ticket(t); res.status != http.StatusOK || got.State != "pending_merchant" {
				t.Fatalf("%s before approval: %d %s", status, res.status, res.body)
			}
		}
		if _, err := e.store.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.Approve, Actor: staff}); err != nil {
			t.Fatal(err)
		}
		got := e.call("GET", fmt.Sprintf("/api/v1/tickets/%d", tk.ID), nil).ticket(t)
		if got.State != tt.state || got.ReturnAddress == nil || len(got.Shipments) != 1 {
			t.Errorf("%v, then approved: %s, address %v, %d parcels; want %s", tt.reports, got.State, got.ReturnAddress != nil,
				len(got.Shipments), tt.state)
		}
	}
}
