package anxin_test

import (
	"slices"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// TestRulesCannotBeChangedFromOutside scribbles over everything the domain
// hands out about its rules and checks that the rules are as they were.
func TestRulesCannotBeChangedFromOutside(t *testing.T) {
	tests := []struct {
		name     string
		scribble func()
		check    func() bool
	}{
		{"states", func() { anxin.States()[0] = "x" },
			func() bool { return anxin.States()[0] == anxin.PendingMerchant && !anxin.State("x").Valid() }},
		{"services", func() {
			s := anxin.Services()
			s[1].Default.MerchantClock = time.Minute
			s[1].Checklist[0] = "selfie"
		}, func() bool {
			s, _ := anxin.LookupService(anxin.NoReason7d)
			return anxin.Services()[1].Default.MerchantClock == 48*time.Hour && slices.Equal(s.Checklist, []string{"item"})
		}},
		{"a looked-up service", func() {
			s, _ := anxin.LookupService(anxin.Damaged)
			s.Checklist[0] = "selfie"
		}, func() bool {
			s, _ := anxin.LookupService(anxin.Damaged)
			return s.ValidLabel("parcel") == nil && s.ValidLabel("selfie") != nil
		}},
		{"user roles", func() { anxin.UserRoles()[0] = anxin.RoleSystem },
			func() bool { return anxin.UserRoles()[0] == anxin.RoleAdmin }},
		{"webhook events", func() { anxin.WebhookEvents()[0] = "ticket.deleted" }, func() bool {
			w := anxin.Webhook{URL: "https://example.com/h", Secret: "0123456789abcdef", Events: []anxin.WebhookEvent{"ticket.deleted"}}
			return anxin.WebhookEvents()[0] == anxin.EventTicketCreated && w.Validate() != nil
		}},
		{"the system actor", func() { s := anxin.System(); s.Role = anxin.RoleAdmin },
			func() bool { return anxin.System().Role == anxin.RoleSystem && anxin.Buyer().Role == anxin.RoleBuyer }},
		{"instant refund defaults", func() { r := anxin.DefaultInstantRefund(); r.MaxFen = 1 << 40 },
			func() bool { return anxin.DefaultInstantRefund().MaxFen == 20000 }},
	}
	for _, tt := range tests {
		tt.scribble()
		if !tt.check() {
			t.Errorf("%s: a caller changed a rule", tt.name)
		}
	}
}

func TestStateTimers(t *testing.T) {
	tests := []struct {
		state  anxin.State
		timer  anxin.Timer
		length time.Duration
	}{
		{anxin.PendingMerchant, anxin.MerchantReply, 0}, // from the policy
		{anxin.NeedsEvidence, anxin.BuyerEvidence, 72 * time.Hour},
		{anxin.Rejected, anxin.BuyerAppeal, 7 * 24 * time.Hour},
		{anxin.AwaitingReturn, anxin.BuyerReturn, 7 * 24 * time.Hour},
		{anxin.AwaitingReceipt, anxin.MerchantReceipt, 10 * 24 * time.Hour},
		{anxin.Received, anxin.MerchantInspect, 0},      // from the policy
		{anxin.OfferPending, anxin.BuyerOffer, 0},       // from the policy
		{anxin.ReturnOverdue, anxin.NoTimer, 0},         // raised: a person decides
		{anxin.AwaitingShipment, anxin.MerchantShip, 0}, // from the policy
		{anxin.Shipped, anxin.BuyerDelivery, 0},         // from the policy
		{anxin.Arbitration, anxin.AgentArbitration, 72 * time.Hour},
		{anxin.Refunding, anxin.NoTimer, 0},
		{anxin.RefundFailed, anxin.AgentRefundRetry, 24 * time.Hour},
		{anxin.Refunded, anxin.NoTimer, 0},
		{anxin.Closed, anxin.NoTimer, 0},
	}
	if len(tests) != len(anxin.States()) {
		t.Fatalf("%d states tested of %d", len(tests), len(anxin.States()))
	}
	for _, tt := range tests {
		if got := tt.state.Timer(); got != tt.timer {
			t.Errorf("%s runs %q, want %q", tt.state, got, tt.timer)
		}
		if got := tt.timer.Length(); got != tt.length {
			t.Errorf("%s: %q runs %v, want %v", tt.state, tt.timer, got, tt.length)
		}
	}
}
