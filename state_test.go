package anxin_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

var (
	agent    = anxin.Actor{Role: anxin.RoleAgent, UserID: 2, Name: "小王"}
	merchant = anxin.Actor{Role: anxin.RoleMerchant, UserID: 5, Name: "商家", MerchantID: 1}
)

// newTicket opens a ticket as intake would: pending the merchant, its clock started at now.
func newTicket(p anxin.Policy, o anxin.Order, requested int64, now time.Time) anxin.Ticket {
	payable, _ := p.Payable(o.PaidFen, requested) // the fixtures are within bounds
	if requested == 0 {
		requested = payable
	}
	return anxin.Ticket{ID: 1, Number: "AX-000001", MerchantID: 1, Service: p.Service, State: anxin.PendingMerchant,
		Version: 1, StateSince: now, Deadline: now.Add(p.MerchantClock), Order: o,
		RequestedFen: requested, PayableFen: payable, CreatedAt: now}
}

// step decides and applies, failing the test on refusal.
func step(t *testing.T, tk *anxin.Ticket, p anxin.Policy, d anxin.Decision, now time.Time) anxin.Change {
	t.Helper()
	c, err := tk.Decide(d, p, now)
	if err != nil {
		t.Fatalf("%s in %s: %v", d.Action, tk.State, err)
	}
	tk.Apply(c)
	return c
}

func TestAllergyRefundPaysExactlyOnce(t *testing.T) {
	yes := true
	_, p := policy(t, anxin.BeautyAllergy, &anxin.PolicyOverride{Service: anxin.BeautyAllergy, Enabled: &yes})
	now := t0.Add(29 * 24 * time.Hour)
	tk := newTicket(p, received(149000, t0), 0, now)

	now = now.Add(3 * time.Minute) // the merchant approved within 3 minutes
	step(t, &tk, p, anxin.Decision{Action: anxin.Approve, Actor: merchant}, now)
	if tk.State != anxin.AwaitingReturn || !tk.Deadline.Equal(now.Add(7*24*time.Hour)) {
		t.Fatalf("after approve: %s due %v", tk.State, tk.Deadline)
	}
	if !tk.FirstActionAt.Equal(now) {
		t.Fatalf("first action at %v, want %v", tk.FirstActionAt, now)
	}
	now = now.Add(24 * time.Hour)
	step(t, &tk, p, anxin.Decision{Action: anxin.ShipReturn, Actor: anxin.Buyer(), Tracking: "SF1234567890"}, now)
	now = now.Add(48 * time.Hour)
	c := step(t, &tk, p, anxin.Decision{Action: anxin.Receive, Actor: merchant}, now)
	if c.PayFen != 149000 || tk.State != anxin.Refunding {
		t.Fatalf("receive pays %d and leads to %s, want 149000 and refunding", c.PayFen, tk.State)
	}
	step(t, &tk, p, anxin.Decision{Action: anxin.RefundSucceeded, Actor: anxin.System()}, now)
	if tk.State != anxin.Refunded || tk.RefundedFen != 149000 || tk.Refundable() != 0 {
		t.Fatalf("ticket ends %s with %d refunded", tk.State, tk.RefundedFen)
	}
	_, err := tk.Decide(anxin.Decision{Action: anxin.Refund, Actor: agent, AmountFen: 1}, p, now)
	if anxin.ErrorCode(err) != anxin.ENOTALLOWED {
		t.Fatalf("a further refund on a refunded ticket: %v, want not_allowed", err)
	}
}

func TestRefundNeverExceedsRefundable(t *testing.T) {
	_, p := policy(t, anxin.QualityReturn, nil)
	tk := newTicket(p, received(149000, t0), 0, t0.Add(time.Hour))
	tk.RefundedFen = 100000 // say an earlier partial payment
	for _, tc := range []struct {
		amount int64
		code   string
		pays   int64
	}{
		{49001, anxin.EOVERREFUND, 0},
		{-1, anxin.EINVALID, 0},
		{49000, "", 49000},
		{0, "", 49000}, // the claim, capped by what remains
	} {
		c, err := tk.Decide(anxin.Decision{Action: anxin.Refund, Actor: agent, AmountFen: tc.amount}, p, t0.Add(2*time.Hour))
		if anxin.ErrorCode(err) != tc.code || c.PayFen != tc.pays {
			t.Errorf("refund %d: pays %d, err %v; want %d, code %q", tc.amount, c.PayFen, err, tc.pays, tc.code)
		}
	}
	tk.RefundedFen = 149000
	if _, err := tk.Decide(anxin.Decision{Action: anxin.Approve, Actor: agent}, p, t0.Add(2*time.Hour)); err != nil {
		t.Fatalf("approving a return pays nothing yet: %v", err)
	}
	_, p = policy(t, anxin.Damaged, nil)
	tk.Service = anxin.Damaged
	if _, err := tk.Decide(anxin.Decision{Action: anxin.Approve, Actor: agent}, p, t0.Add(2*time.Hour)); anxin.ErrorCode(err) != anxin.EOVERREFUND {
		t.Fatalf("approving a refund with nothing left: %v, want over_refund", err)
	}
}

func TestTimeouts(t *testing.T) {
	tests := []struct {
		service anxin.ServiceKey
		want    anxin.State
		action  anxin.TimeoutAction
		pays    bool
	}{
		{anxin.UnshippedRefund, anxin.Refunding, anxin.AutoRefund, true},
		{anxin.FreshSpoiled, anxin.Refunding, anxin.AutoApprove, true},
		{anxin.NoReason7d, anxin.AwaitingReturn, anxin.AutoApprove, false},
		{anxin.Authentic, anxin.Arbitration, anxin.Escalate, false},
		{anxin.PriceProtect, anxin.Refunding, anxin.AutoRefund, true},
	}
	for _, tt := range tests {
		t.Run(string(tt.service), func(t *testing.T) {
			_, p := policy(t, tt.service, nil)
			o := anxin.Order{ID: "O", Product: "p", PaidFen: 4990, OrderedAt: t0}
			tk := newTicket(p, o, 100, t0.Add(time.Hour))
			early := tk.Deadline.Add(-time.Second)
			if _, err := tk.Decide(anxin.Decision{Action: anxin.Timeout, Actor: anxin.System()}, p, early); anxin.ErrorCode(err) != anxin.ENOTALLOWED {
				t.Fatalf("timeout before the deadline: %v", err)
			}
			if _, err := tk.Decide(anxin.Decision{Action: anxin.Timeout, Actor: agent}, p, tk.Deadline); anxin.ErrorCode(err) != anxin.ENOTALLOWED {
				t.Fatalf("an agent took the system's timeout: %v", err)
			}
			c := step(t, &tk, p, anxin.Decision{Action: anxin.Timeout, Actor: anxin.System()}, tk.Deadline)
			if tk.State != tt.want || c.Timeout != tt.action || (c.PayFen > 0) != tt.pays {
				t.Fatalf("timeout: %s via %s paying %d; want %s via %s", tk.State, c.Timeout, c.PayFen, tt.want, tt.action)
			}
			if c.Event.Actor.Role != anxin.RoleSystem {
				t.Fatalf("timeout recorded with actor %+v", c.Event.Actor)
			}
		})
	}
}

func TestUnshippedRefundLeftAloneIsRefunded(t *testing.T) {
	_, p := policy(t, anxin.UnshippedRefund, nil)
	o := anxin.Order{ID: "O", Product: "p", PaidFen: 9900, OrderedAt: t0}
	tk := newTicket(p, o, 0, t0.Add(90*time.Minute))
	if got := anxin.TimeoutOf(tk.State, p); got != anxin.AutoRefund {
		t.Fatalf("unshipped refund times out to %q", got)
	}
	if !tk.AutoAt(p).Equal(t0.Add(90*time.Minute + 48*time.Hour)) {
		t.Fatalf("auto at %v", tk.AutoAt(p))
	}
	c := step(t, &tk, p, anxin.Decision{Action: anxin.Timeout, Actor: anxin.System()}, tk.Deadline.Add(time.Minute))
	if c.PayFen != 9900 || tk.State != anxin.Refunding {
		t.Fatalf("paid %d, state %s", c.PayFen, tk.State)
	}
	if _, err := tk.Decide(anxin.Decision{Action: anxin.Timeout, Actor: anxin.System()}, p, tk.StateSince.Add(999*time.Hour)); err == nil {
		t.Fatal("refunding has no clock; a second timeout must be refused")
	}
}

func TestEvidenceRequestPausesMerchantClock(t *testing.T) {
	_, p := policy(t, anxin.FreshSpoiled, nil) // 24 h merchant clock
	tk := newTicket(p, received(5000, t0), 0, t0)
	step(t, &tk, p, anxin.Decision{Action: anxin.RequestEvidence, Actor: merchant}, t0.Add(10*time.Hour))
	if tk.State != anxin.NeedsEvidence || tk.PausedLeft != 14*time.Hour || !tk.Deadline.Equal(t0.Add(82*time.Hour)) {
		t.Fatalf("needs evidence: paused %v, due %v", tk.PausedLeft, tk.Deadline)
	}
	resumed := t0.Add(50 * time.Hour)
	step(t, &tk, p, anxin.Decision{Action: anxin.AddEvidence, Actor: anxin.Buyer()}, resumed)
	if tk.State != anxin.PendingMerchant || !tk.Deadline.Equal(resumed.Add(14*time.Hour)) {
		t.Fatalf("resumed: %s due %v, want due %v", tk.State, tk.Deadline, resumed.Add(14*time.Hour))
	}
}

func TestDecisionRules(t *testing.T) {
	_, p := policy(t, anxin.QualityReturn, nil)
	now := t0.Add(time.Hour)
	other := merchant
	other.MerchantID = 2
	tests := []struct {
		name string
		d    anxin.Decision
		code string
	}{
		{"reject without reason", anxin.Decision{Action: anxin.Reject, Actor: agent, Reason: "  "}, anxin.EINVALID},
		{"reject with reason", anxin.Decision{Action: anxin.Reject, Actor: merchant, Reason: "no defect visible"}, ""},
		{"merchant may not escalate", anxin.Decision{Action: anxin.EscalateToArb, Actor: merchant}, anxin.ENOTALLOWED},
		{"agent may escalate", anxin.Decision{Action: anxin.EscalateToArb, Actor: agent}, ""},
		{"admin acts as an agent", anxin.Decision{Action: anxin.EscalateToArb, Actor: anxin.Actor{Role: anxin.RoleAdmin}}, ""},
		{"buyer may not approve", anxin.Decision{Action: anxin.Approve, Actor: anxin.Buyer()}, anxin.ENOTALLOWED},
		{"system may not approve by hand", anxin.Decision{Action: anxin.Approve, Actor: anxin.System()}, anxin.ENOTALLOWED},
		{"another merchant's ticket", anxin.Decision{Action: anxin.Approve, Actor: other}, anxin.ENOTFOUND},
		{"receipt before any return", anxin.Decision{Action: anxin.Receive, Actor: merchant}, anxin.ENOTALLOWED},
		{"unknown action", anxin.Decision{Action: "pay_twice", Actor: agent}, anxin.ENOTALLOWED},
		{"buyer cancels", anxin.Decision{Action: anxin.Cancel, Actor: anxin.Buyer()}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk := newTicket(p, received(9900, t0), 0, now)
			_, err := tk.Decide(tt.d, p, now)
			if got := anxin.ErrorCode(err); got != tt.code {
				t.Fatalf("code %q (%v), want %q", got, err, tt.code)
			}
		})
	}
}

func TestReturnNeedsTrackingOrSlot(t *testing.T) {
	_, p := policy(t, anxin.NoReason7d, nil)
	now := t0.Add(time.Hour)
	tk := newTicket(p, received(9900, t0), 0, now)
	step(t, &tk, p, anxin.Decision{Action: anxin.Approve, Actor: agent}, now)
	if _, err := tk.Decide(anxin.Decision{Action: anxin.ShipReturn, Actor: anxin.Buyer()}, p, now); anxin.ErrorCode(err) != anxin.EINVALID {
		t.Fatalf("shipping without tracking: %v", err)
	}
	if _, err := tk.Decide(anxin.Decision{Action: anxin.BookPickup, Actor: agent, Slot: now.Add(-time.Hour)}, p, now); anxin.ErrorCode(err) != anxin.EINVALID {
		t.Fatalf("a pickup slot in the past: %v", err)
	}
	step(t, &tk, p, anxin.Decision{Action: anxin.BookPickup, Actor: agent, Slot: now.Add(20 * time.Hour)}, now)
	if tk.State != anxin.AwaitingReceipt || !tk.Deadline.Equal(now.Add(10*24*time.Hour)) {
		t.Fatalf("after pickup booked: %s due %v", tk.State, tk.Deadline)
	}
	c := step(t, &tk, p, anxin.Decision{Action: anxin.Timeout, Actor: anxin.System()}, tk.Deadline)
	if c.Timeout != anxin.AutoReceive || c.PayFen != 9900 {
		t.Fatalf("receipt clock ran out into %s paying %d", c.Timeout, c.PayFen)
	}
}

func TestRefundFailureAndRetry(t *testing.T) {
	_, p := policy(t, anxin.Damaged, nil)
	now := t0.Add(time.Hour)
	tk := newTicket(p, received(9900, t0), 0, now)
	step(t, &tk, p, anxin.Decision{Action: anxin.Approve, Actor: agent}, now)
	step(t, &tk, p, anxin.Decision{Action: anxin.RefundFailure, Actor: anxin.System()}, now)
	if tk.State != anxin.RefundFailed || tk.Deadline.IsZero() {
		t.Fatalf("refund failure: %s due %v", tk.State, tk.Deadline)
	}
	c := step(t, &tk, p, anxin.Decision{Action: anxin.RetryRefund, Actor: agent}, now)
	if c.PayFen != 0 || tk.RefundedFen != 9900 {
		t.Fatalf("a retry must reuse the refund, not add one: pays %d, refunded %d", c.PayFen, tk.RefundedFen)
	}
}

// TestTransitionTable holds the table to the spec's shape: each transition
// sets the clock of the state it enters, terminal states have no way out,
// and every open state has one.
func TestTransitionTable(t *testing.T) {
	exits := map[anxin.State]int{}
	for tr := range anxin.Transitions() {
		exits[tr.From]++
		want := tr.To.Timer()
		// A merchant's paused clock resumes in the merchant's own states.
		resumes := tr.Sets == anxin.MerchantResume && (want == anxin.MerchantReply || want == anxin.MerchantReceipt || want == anxin.MerchantInspect)
		if tr.Sets != want && !resumes {
			t.Errorf("%s --%s--> %s sets %q, the state runs %q", tr.From, tr.Action, tr.To, tr.Sets, want)
		}
		if !tr.From.Valid() || !tr.To.Valid() {
			t.Errorf("unknown state in %+v", tr)
		}
	}
	for _, s := range anxin.States() {
		if s.Terminal() != (exits[s] == 0) {
			t.Errorf("%s: terminal %v with %d exits", s, s.Terminal(), exits[s])
		}
	}
	_, p := policy(t, anxin.FreshSpoiled, nil)
	got := anxin.ActionsFor(anxin.PendingMerchant, anxin.RoleMerchant, p)
	want := []anxin.Action{anxin.Approve, anxin.Refund, anxin.Reject, anxin.RequestEvidence, anxin.Offer}
	if len(got) != len(want) {
		t.Fatalf("merchant actions on a pending ticket: %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("merchant actions on a pending ticket: %v, want %v", got, want)
		}
	}
}

func TestLargeRefundsNeedConfirmation(t *testing.T) {
	_, p := policy(t, anxin.Damaged, nil)
	tk := newTicket(p, received(300000, t0), 0, t0.Add(time.Hour))
	d := anxin.Decision{Action: anxin.Approve, Actor: agent, ConfirmAboveFen: 200000}
	_, err := tk.Decide(d, p, t0.Add(2*time.Hour))
	var e *anxin.Error
	if !errors.As(err, &e) || e.Code != anxin.ECONFIRM || e.AmountFen != 300000 {
		t.Fatalf("a ¥3,000 approval without confirmation: %v", err)
	}
	d.Confirmed = true
	if _, err := tk.Decide(d, p, t0.Add(2*time.Hour)); err != nil {
		t.Fatalf("confirmed: %v", err)
	}
	d = anxin.Decision{Action: anxin.Refund, Actor: agent, AmountFen: 150000, ConfirmAboveFen: 200000}
	if _, err := tk.Decide(d, p, t0.Add(2*time.Hour)); err != nil {
		t.Fatalf("a partial refund under the threshold needs no confirmation: %v", err)
	}
}

// TestStatesOwedBy: the merchant's own work is the states on its clock; the
// buyer's, those waiting for the buyer; nothing terminal is anyone's.
func TestStatesOwedBy(t *testing.T) {
	for _, tt := range []struct {
		role anxin.Role
		want []anxin.State
	}{
		{anxin.RoleMerchant, []anxin.State{anxin.PendingMerchant, anxin.AwaitingReceipt, anxin.AwaitingShipment}},
		{anxin.RoleBuyer, []anxin.State{anxin.NeedsEvidence, anxin.Rejected, anxin.AwaitingReturn, anxin.OfferPending}},
		{anxin.RoleAgent, []anxin.State{anxin.Arbitration, anxin.RefundFailed}},
	} {
		got := anxin.StatesOwedBy(tt.role)
		slices.Sort(got)
		want := slices.Clone(tt.want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s owes %v, want %v", tt.role, got, want)
		}
	}
}
