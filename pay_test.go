package anxin_test

import (
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// TestWouldPay holds what a button offers to what the decision pays: for
// every case the domain allows, Decide pays exactly WouldPay's amount.
func TestWouldPay(t *testing.T) {
	_, damaged := policy(t, anxin.Damaged, nil)           // refund only
	_, noReason := policy(t, anxin.NoReason7d, nil)       // the goods come back first
	_, priceProtect := policy(t, anxin.PriceProtect, nil) // auto-refund on timeout
	in := func(p anxin.Policy, s anxin.State, requested, payable, refunded int64) anxin.Ticket {
		tk := newTicket(p, received(payable, t0), requested, t0)
		tk.State, tk.PayableFen, tk.RefundedFen = s, payable, refunded
		return tk
	}
	tests := []struct {
		name   string
		ticket anxin.Ticket
		policy anxin.Policy
		action anxin.Action
		want   int64
		code   string
	}{
		{"approve a refund-only claim", in(damaged, anxin.PendingMerchant, 8800, 8800, 0), damaged, anxin.Approve, 8800, ""},
		{"approve a return: nothing yet", in(noReason, anxin.PendingMerchant, 8800, 8800, 0), noReason, anxin.Approve, 0, ""},
		{"refund in full", in(damaged, anxin.PendingMerchant, 8800, 8800, 0), damaged, anxin.Refund, 8800, ""},
		{"refund what remains", in(damaged, anxin.AwaitingReceipt, 8800, 8800, 3000), damaged, anxin.Refund, 5800, ""},
		{"a claim below what may be paid", in(damaged, anxin.PendingMerchant, 5000, 8800, 0), damaged, anxin.Refund, 5000, ""},
		{"receive", in(noReason, anxin.AwaitingReceipt, 8800, 8800, 0), noReason, anxin.Receive, 8800, ""},
		{"rule for the buyer", in(damaged, anxin.Arbitration, 8800, 8800, 0), damaged, anxin.RuleForBuyer, 8800, ""},
		{"the system's timeout refund", in(priceProtect, anxin.PendingMerchant, 1200, 1200, 0), priceProtect, anxin.Timeout, 1200, ""},
		{"reject pays nothing", in(damaged, anxin.PendingMerchant, 8800, 8800, 0), damaged, anxin.Reject, 0, ""},
		{"a retry pays the refund already recorded", in(damaged, anxin.RefundFailed, 8800, 8800, 8800), damaged, anxin.RetryRefund, 0, ""},
		{"nothing left to refund", in(damaged, anxin.AwaitingReceipt, 8800, 8800, 8800), damaged, anxin.Refund, 0, anxin.EOVERREFUND},
		{"not in this state", in(damaged, anxin.PendingMerchant, 8800, 8800, 0), damaged, anxin.Receive, 0, anxin.ENOTALLOWED},
		{"a closed ticket", in(damaged, anxin.Closed, 8800, 8800, 0), damaged, anxin.Refund, 0, anxin.ENOTALLOWED},
	}
	for _, tt := range tests {
		got, err := tt.ticket.WouldPay(tt.action, tt.policy)
		if got != tt.want || anxin.ErrorCode(err) != tt.code {
			t.Errorf("%s: WouldPay = %d, %v; want %d, %q", tt.name, got, err, tt.want, tt.code)
			continue
		}
		if err != nil {
			continue
		}
		actor, at := agent, t0.Add(time.Hour)
		if tt.action == anxin.Timeout {
			actor, at = anxin.System(), tt.ticket.Deadline
		}
		c, err := tt.ticket.Decide(anxin.Decision{Action: tt.action, Actor: actor, Reason: "r"}, tt.policy, at)
		if err != nil || c.PayFen != got {
			t.Errorf("%s: the button offers %d, the decision pays %d (%v)", tt.name, got, c.PayFen, err)
		}
	}
}

// TestPartialAward: a ruling for the buyer may name an amount (部分裁决),
// capped at what remains refundable; the timeline says it was partial.
func TestPartialAward(t *testing.T) {
	_, damaged := policy(t, anxin.Damaged, nil)
	tk := newTicket(damaged, received(8800, t0), 8800, t0)
	tk.State, tk.PayableFen, tk.RefundedFen = anxin.Arbitration, 8800, 0
	at := t0.Add(time.Hour)
	rule := func(amount int64, reason string) (anxin.Change, error) {
		return tk.Decide(anxin.Decision{Action: anxin.RuleForBuyer, Actor: agent, AmountFen: amount, Reason: reason}, damaged, at)
	}
	c, err := rule(3000, "both at fault")
	if err != nil || c.PayFen != 3000 || c.Event.AmountFen != 3000 || c.Event.Detail != anxin.PartialAwardPrefix+"both at fault" {
		t.Fatalf("partial award: %+v, %v", c.Event, err)
	}
	if c, err = rule(0, ""); err != nil || c.PayFen != 8800 || c.Event.Detail != "" {
		t.Fatalf("full award: %+v, %v", c.Event, err)
	}
	if c, err = rule(8800, ""); err != nil || c.Event.Detail != "" {
		t.Fatalf("the whole claim named is not partial: %+v, %v", c.Event, err)
	}
	if _, err = rule(8801, ""); anxin.ErrorCode(err) != anxin.EOVERREFUND {
		t.Fatalf("above what remains: %v, want %s", err, anxin.EOVERREFUND)
	}
	tk.RefundedFen = 5000 // paid before, e.g. by a partial refund
	if _, err = rule(4000, ""); anxin.ErrorCode(err) != anxin.EOVERREFUND {
		t.Fatalf("above the ¥38.00 that remains: %v", err)
	}
	if c, err = rule(3800, ""); err != nil || c.PayFen != 3800 {
		t.Fatalf("what remains: %+v, %v", c, err)
	}
}
