package anxin_test

import (
	"slices"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// TestSettlementKindsByService: beauty allergy settles by refund or
// exchange, fresh food and damaged goods by refund or reship, the others by
// refund only; the clocks default to the rules file's.
func TestSettlementKindsByService(t *testing.T) {
	want := map[anxin.ServiceKey][]anxin.Settlement{
		anxin.BeautyAllergy: {anxin.SettleRefund, anxin.SettleExchange},
		anxin.FreshSpoiled:  {anxin.SettleRefund, anxin.SettleReship},
		anxin.Damaged:       {anxin.SettleRefund, anxin.SettleReship},
	}
	for _, s := range anxin.Services() {
		w, ok := want[s.Key]
		if !ok {
			w = []anxin.Settlement{anxin.SettleRefund}
		}
		if got := s.Default.Settles.List(); !slices.Equal(got, w) {
			t.Errorf("%s settles by %v, want %v", s.Key, got, w)
		}
		p := s.Default
		if p.ShipClock != 48*time.Hour || p.DeliveryClock != 10*24*time.Hour || p.MaxReships != 10 {
			t.Errorf("%s: ship %v, delivery %v, %d reships", s.Key, p.ShipClock, p.DeliveryClock, p.MaxReships)
		}
	}
	h := 72 * time.Hour
	_, p := policy(t, anxin.FreshSpoiled, &anxin.PolicyOverride{Service: anxin.FreshSpoiled, ShipClock: &h})
	if p.ShipClock != h {
		t.Fatalf("ship clock override: %v", p.ShipClock)
	}
	bad := 10 * time.Minute
	if err := (anxin.PolicyOverride{Service: anxin.FreshSpoiled, ShipClock: &bad}).Validate(); anxin.ErrorCode(err) != anxin.EINVALID {
		t.Fatalf("a 10-minute ship clock: %v", err)
	}
}

// TestClaimSettlement: the claim's kind must be one the service allows; a
// refusal names the field settlement.
func TestClaimSettlement(t *testing.T) {
	yes := true
	for _, tt := range []struct {
		service anxin.ServiceKey
		kind    anxin.Settlement
		ok      bool
	}{
		{anxin.BeautyAllergy, "", true},
		{anxin.BeautyAllergy, anxin.SettleExchange, true},
		{anxin.BeautyAllergy, anxin.SettleReship, false},
		{anxin.FreshSpoiled, anxin.SettleReship, true},
		{anxin.FreshSpoiled, anxin.SettleExchange, false},
		{anxin.Damaged, anxin.SettleReship, true},
		{anxin.QualityReturn, anxin.SettleReship, false},
		{anxin.QualityReturn, anxin.SettleRefund, true},
		{anxin.QualityReturn, "swap", false},
	} {
		svc, p := policy(t, tt.service, &anxin.PolicyOverride{Service: tt.service, Enabled: &yes})
		now := t0.Add(2 * time.Hour)
		c := anxin.Claim{MerchantID: 1, Service: tt.service, Order: received(9900, t0), BuyerPhone: "13800000000",
			Settlement: tt.kind, Actor: anxin.Buyer()}
		tk, _, err := c.Open(svc, p, now)
		switch {
		case tt.ok && err != nil:
			t.Errorf("%s by %q: %v", tt.service, tt.kind, err)
		case tt.ok && tk.Settlement != tt.kind.Or():
			t.Errorf("%s by %q: ticket settles by %q", tt.service, tt.kind, tk.Settlement)
		case !tt.ok && (anxin.ErrorCode(err) != anxin.EINVALID || anxin.ErrorField(err) != anxin.FieldSettlement):
			t.Errorf("%s by %q: %v (field %q), want invalid naming settlement", tt.service, tt.kind, err, anxin.ErrorField(err))
		}
	}
}

// settleTicket opens a ticket of the service settled by kind at now.
func settleTicket(t *testing.T, key anxin.ServiceKey, kind anxin.Settlement, now time.Time) (anxin.Ticket, anxin.Policy) {
	t.Helper()
	yes := true
	_, p := policy(t, key, &anxin.PolicyOverride{Service: key, Enabled: &yes})
	tk := newTicket(p, received(149000, t0), 0, now)
	tk.Settlement = kind
	return tk, p
}

// TestExchangeWalk: approve → return shipped → received (delivered) →
// inspected → replacement shipped → delivered closes; nothing is paid.
func TestExchangeWalk(t *testing.T) {
	now := t0.Add(29 * 24 * time.Hour)
	tk, p := settleTicket(t, anxin.BeautyAllergy, anxin.SettleExchange, now)
	ship := anxin.Decision{Action: anxin.ShipOut, Actor: merchant, Carrier: "顺丰", Tracking: "SF2000000001"}
	for _, st := range []struct {
		d     anxin.Decision
		after time.Duration
		to    anxin.State
		clock time.Duration
	}{
		{anxin.Decision{Action: anxin.Approve, Actor: merchant}, time.Hour, anxin.AwaitingReturn, 7 * 24 * time.Hour},
		{anxin.Decision{Action: anxin.ShipReturn, Actor: anxin.System(), Tracking: "SF1000000001"}, 24 * time.Hour, anxin.AwaitingReceipt, 10 * 24 * time.Hour},
		{anxin.Decision{Action: anxin.ReturnDelivered, Actor: anxin.System()}, 48 * time.Hour, anxin.Received, 48 * time.Hour},
		{anxin.Decision{Action: anxin.Receive, Actor: merchant}, time.Hour, anxin.AwaitingShipment, 48 * time.Hour},
		{ship, 5 * time.Hour, anxin.Shipped, 10 * 24 * time.Hour},
		{anxin.Decision{Action: anxin.OutboundDelivered, Actor: anxin.System()}, 48 * time.Hour, anxin.Closed, 0},
	} {
		now = now.Add(st.after)
		c := step(t, &tk, p, st.d, now)
		if tk.State != st.to || c.PayFen != 0 {
			t.Fatalf("%s: %s paying %d, want %s paying nothing", st.d.Action, tk.State, c.PayFen, st.to)
		}
		if (st.clock == 0) != tk.Deadline.IsZero() || (st.clock != 0 && !tk.Deadline.Equal(now.Add(st.clock))) {
			t.Fatalf("%s: deadline %v, want %v after %v", st.d.Action, tk.Deadline, st.clock, now)
		}
	}
	if tk.RefundedFen != 0 {
		t.Fatalf("an exchange refunded %d", tk.RefundedFen)
	}
}

// TestReshipWalk: a reship needs no return: approve → shipped → delivered.
func TestReshipWalk(t *testing.T) {
	now := t0.Add(2 * time.Hour)
	tk, p := settleTicket(t, anxin.FreshSpoiled, anxin.SettleReship, now)
	step(t, &tk, p, anxin.Decision{Action: anxin.Approve, Actor: merchant}, now)
	if tk.State != anxin.AwaitingShipment || !tk.Deadline.Equal(now.Add(48*time.Hour)) {
		t.Fatalf("approved reship: %s due %v", tk.State, tk.Deadline)
	}
	if got := tk.Actions(anxin.RoleMerchant, p); !slices.Equal(got, []anxin.Action{anxin.ShipOut, anxin.OutOfStock}) {
		t.Fatalf("merchant actions awaiting shipment: %v", got)
	}
	step(t, &tk, p, anxin.Decision{Action: anxin.ShipOut, Actor: merchant, Carrier: "中通", Tracking: "ZT1"}, now)
	c := step(t, &tk, p, anxin.Decision{Action: anxin.OutboundDelivered, Actor: anxin.System()}, now.Add(time.Hour))
	if tk.State != anxin.Closed || c.PayFen != 0 || tk.RefundedFen != 0 {
		t.Fatalf("delivered reship: %s, paid %d", tk.State, tk.RefundedFen)
	}
}

// TestSettlementTimeouts: every new clock and what its timeout does.
func TestSettlementTimeouts(t *testing.T) {
	now := t0.Add(2 * time.Hour)
	type walk struct {
		name    string
		service anxin.ServiceKey
		kind    anxin.Settlement
		before  []anxin.Action
		from    anxin.State
		action  anxin.TimeoutAction
		to      anxin.State
		pays    int64
	}
	for _, w := range []walk{
		{"reship review", anxin.FreshSpoiled, anxin.SettleReship, nil, anxin.PendingMerchant, anxin.AutoApprove, anxin.AwaitingShipment, 0},
		{"exchange review", anxin.BeautyAllergy, anxin.SettleExchange, nil, anxin.PendingMerchant, anxin.AutoApprove, anxin.AwaitingReturn, 0},
		{"exchange ship-back", anxin.BeautyAllergy, anxin.SettleExchange, []anxin.Action{anxin.Approve}, anxin.AwaitingReturn, anxin.AutoClose, anxin.Closed, 0},
		{"exchange receipt", anxin.BeautyAllergy, anxin.SettleExchange, []anxin.Action{anxin.Approve, anxin.ShipReturn}, anxin.AwaitingReceipt, anxin.AutoReceive, anxin.AwaitingShipment, 0},
		{"exchange inspection", anxin.BeautyAllergy, anxin.SettleExchange, []anxin.Action{anxin.Approve, anxin.ShipReturn, anxin.ReturnDelivered}, anxin.Received, anxin.AutoReceive, anxin.AwaitingShipment, 0},
		{"replacement not shipped", anxin.BeautyAllergy, anxin.SettleExchange, []anxin.Action{anxin.Approve, anxin.ShipReturn, anxin.Receive}, anxin.AwaitingShipment, anxin.RefundUnshipped, anxin.Refunding, 149000},
		{"reship not shipped", anxin.FreshSpoiled, anxin.SettleReship, []anxin.Action{anxin.Approve}, anxin.AwaitingShipment, anxin.RefundUnshipped, anxin.Refunding, 149000},
		{"replacement not reported delivered", anxin.BeautyAllergy, anxin.SettleExchange, []anxin.Action{anxin.Approve, anxin.ShipReturn, anxin.Receive, anxin.ShipOut}, anxin.Shipped, anxin.AutoClose, anxin.Closed, 0},
		{"reship not reported delivered", anxin.Damaged, anxin.SettleReship, []anxin.Action{anxin.Approve, anxin.ShipOut}, anxin.Shipped, anxin.AutoClose, anxin.Closed, 0},
	} {
		tk, p := settleTicket(t, w.service, w.kind, now)
		for _, a := range w.before {
			d := anxin.Decision{Action: a, Actor: merchant, Tracking: "SF1", Carrier: "顺丰"}
			if a == anxin.ShipReturn || a == anxin.ReturnDelivered {
				d.Actor = anxin.System()
			}
			step(t, &tk, p, d, now)
		}
		if tk.State != w.from {
			t.Fatalf("%s: walked to %s, want %s", w.name, tk.State, w.from)
		}
		if got := tk.TimeoutAction(p); got != w.action {
			t.Errorf("%s: times out by %q, want %q", w.name, got, w.action)
		}
		if !tk.AutoAt(p).Equal(tk.Deadline) || tk.Deadline.IsZero() {
			t.Errorf("%s: the scheduler acts at %v, deadline %v", w.name, tk.AutoAt(p), tk.Deadline)
		}
		if _, err := tk.Decide(anxin.Decision{Action: anxin.Timeout, Actor: anxin.System()}, p, tk.Deadline.Add(-time.Second)); anxin.ErrorCode(err) != anxin.ENOTALLOWED {
			t.Errorf("%s: timeout before the deadline: %v", w.name, err)
		}
		c := step(t, &tk, p, anxin.Decision{Action: anxin.Timeout, Actor: anxin.System()}, tk.Deadline)
		if tk.State != w.to || c.PayFen != w.pays || c.Timeout != w.action {
			t.Errorf("%s: timeout led to %s paying %d (%s), want %s paying %d", w.name, tk.State, c.PayFen, c.Timeout, w.to, w.pays)
		}
	}
}

// TestShipOutNeedsCarrierAndTracking: each refusal names its field; the
// buyer and the system may not ship; out of stock refunds what was claimed,
// once.
func TestShipOutNeedsCarrierAndTracking(t *testing.T) {
	now := t0.Add(2 * time.Hour)
	tk, p := settleTicket(t, anxin.FreshSpoiled, anxin.SettleReship, now)
	step(t, &tk, p, anxin.Decision{Action: anxin.Approve, Actor: merchant}, now)
	for _, tt := range []struct {
		d     anxin.Decision
		code  string
		field anxin.Field
	}{
		{anxin.Decision{Action: anxin.ShipOut, Actor: merchant, Tracking: "SF1"}, anxin.EINVALID, anxin.FieldCarrier},
		{anxin.Decision{Action: anxin.ShipOut, Actor: merchant, Carrier: " 顺丰 "}, anxin.EINVALID, anxin.FieldTracking},
		{anxin.Decision{Action: anxin.ShipOut, Actor: anxin.Buyer(), Carrier: "顺丰", Tracking: "SF1"}, anxin.ENOTALLOWED, ""},
		{anxin.Decision{Action: anxin.OutboundDelivered, Actor: merchant}, anxin.ENOTALLOWED, ""},
	} {
		_, err := tk.Decide(tt.d, p, now)
		if anxin.ErrorCode(err) != tt.code || anxin.ErrorField(err) != tt.field {
			t.Errorf("%+v: %v (field %q), want %s naming %q", tt.d, err, anxin.ErrorField(err), tt.code, tt.field)
		}
	}
	c := step(t, &tk, p, anxin.Decision{Action: anxin.OutOfStock, Actor: merchant}, now)
	if tk.State != anxin.Refunding || c.PayFen != 149000 {
		t.Fatalf("out of stock: %s paying %d", tk.State, c.PayFen)
	}
	step(t, &tk, p, anxin.Decision{Action: anxin.RefundSucceeded, Actor: anxin.System()}, now)
	if _, err := tk.WouldPay(anxin.OutOfStock, p); err == nil {
		t.Fatal("a refunded ticket may pay again")
	}
}

// TestRefundTicketsKeepTheirRows: a refund-settled ticket on a service that
// offers reship still approves into a refund, and an exchange's rows never
// apply to it; an exchange is never refunded at intake.
func TestRefundTicketsKeepTheirRows(t *testing.T) {
	now := t0.Add(2 * time.Hour)
	tk, p := settleTicket(t, anxin.FreshSpoiled, anxin.SettleRefund, now)
	if c := step(t, &tk, p, anxin.Decision{Action: anxin.Approve, Actor: merchant}, now); tk.State != anxin.Refunding || c.PayFen == 0 {
		t.Fatalf("a refund ticket approved: %s paying %d", tk.State, c.PayFen)
	}
	old, p := settleTicket(t, anxin.BeautyAllergy, "", now) // a ticket from before the kinds
	step(t, &old, p, anxin.Decision{Action: anxin.Approve, Actor: merchant}, now)
	step(t, &old, p, anxin.Decision{Action: anxin.ShipReturn, Actor: anxin.System(), Tracking: "SF1"}, now)
	if c := step(t, &old, p, anxin.Decision{Action: anxin.Receive, Actor: merchant}, now); old.State != anxin.Refunding || c.PayFen != 149000 {
		t.Fatalf("a refund-settled return received: %s paying %d", old.State, c.PayFen)
	}
	ex, p := settleTicket(t, anxin.BeautyAllergy, anxin.SettleExchange, now)
	ex.RequestedFen, ex.Order.PaidFen = 100, 100
	if _, ok := anxin.DefaultInstantRefund().Decision(ex, p, false); ok {
		t.Fatal("an exchange is refunded at intake")
	}
	if err := p.CheckReships("o-1", 10); anxin.ErrorField(err) != anxin.FieldSettlement {
		t.Fatalf("an 11th reship: %v", err)
	}
	if err := p.CheckReships("o-1", 9); err != nil {
		t.Fatalf("a 10th reship: %v", err)
	}
}
