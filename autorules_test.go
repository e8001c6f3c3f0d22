package anxin_test

import (
	"errors"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// rulesOn is a rule set with every rule on: returnless up to ¥50 for fresh
// food, unshipped up to ¥300, receipt 6 h after delivery.
func rulesOn() anxin.RuleSet {
	rs := anxin.NewRuleSet(1, anxin.InstantRefund{})
	rs.Set(anxin.Rule{Key: anxin.RuleRefundUnshipped, On: true, MaxFen: 30000, PerBuyer: 2})
	rs.Set(anxin.Rule{Key: anxin.RuleReturnless, On: true, MaxFen: 5000, PerBuyer: 2,
		Services: []anxin.ServiceKey{anxin.FreshSpoiled}})
	rs.Set(anxin.Rule{Key: anxin.RuleApproveReturn, On: true, PerBuyer: 2})
	rs.Set(anxin.Rule{Key: anxin.RuleReceiveOnSigned, On: true, PerBuyer: 2, After: 6 * time.Hour})
	return rs
}

func TestRuleApplies(t *testing.T) {
	facts := anxin.RuleFacts{DefaultAddress: true}
	unshipped := anxin.Order{ID: "O2", Product: "p", PaidFen: 9900, OrderedAt: t0}
	tests := []struct {
		name    string
		service anxin.ServiceKey
		order   anxin.Order
		amount  int64
		reason  string
		rules   func(*anxin.RuleSet)
		facts   anxin.RuleFacts
		want    anxin.RuleKey // "" for none
		action  anxin.Action
	}{
		{"fresh food ¥39 refunded without return", anxin.FreshSpoiled, received(9900, t0), 3900, "", nil, facts, anxin.RuleReturnless, anxin.Refund},
		{"fresh food at the limit", anxin.FreshSpoiled, received(9900, t0), 5000, "", nil, facts, anxin.RuleReturnless, anxin.Refund},
		{"fresh food above ¥50 waits", anxin.FreshSpoiled, received(9900, t0), 5001, "", nil, facts, "", ""},
		{"a service not chosen waits", anxin.Damaged, received(3900, t0), 3900, "", nil, facts, "", ""},
		{"cap used up", anxin.FreshSpoiled, received(9900, t0), 3900, "", nil,
			anxin.RuleFacts{DefaultAddress: true, Uses: map[anxin.RuleKey]int{anxin.RuleReturnless: 2}}, "", ""},
		{"cap of another rule does not count", anxin.FreshSpoiled, received(9900, t0), 3900, "", nil,
			anxin.RuleFacts{Uses: map[anxin.RuleKey]int{anxin.RuleRefundUnshipped: 9}}, anxin.RuleReturnless, anxin.Refund},
		{"open dispute: no rule", anxin.FreshSpoiled, received(9900, t0), 3900, "", nil,
			anxin.RuleFacts{DefaultAddress: true, OpenDispute: true}, "", ""},
		{"reason words: one matches", anxin.FreshSpoiled, received(9900, t0), 3900, "到货时已经腐烂", func(rs *anxin.RuleSet) {
			r := rs.Rule(anxin.RuleReturnless)
			r.Reasons = []string{"腐烂", "变质"}
			rs.Set(r)
		}, facts, anxin.RuleReturnless, anxin.Refund},
		{"reason words: none matches", anxin.FreshSpoiled, received(9900, t0), 3900, "不想要了", func(rs *anxin.RuleSet) {
			r := rs.Rule(anxin.RuleReturnless)
			r.Reasons = []string{"腐烂"}
			rs.Set(r)
		}, facts, "", ""},
		{"rule off", anxin.FreshSpoiled, received(9900, t0), 3900, "", func(rs *anxin.RuleSet) {
			r := rs.Rule(anxin.RuleReturnless)
			r.On = false
			rs.Set(r)
		}, facts, "", ""},
		{"unshipped order up to ¥300", anxin.UnshippedRefund, unshipped, 9900, "", nil, facts, anxin.RuleRefundUnshipped, anxin.Refund},
		{"unshipped above ¥300 waits", anxin.UnshippedRefund, anxin.Order{ID: "O3", Product: "p", PaidFen: 40000, OrderedAt: t0}, 40000, "", nil, facts, "", ""},
		{"7-day return approved with the default address", anxin.NoReason7d, received(8900, t0), 8900, "", nil, facts, anxin.RuleApproveReturn, anxin.Approve},
		{"7-day return without a default address waits", anxin.NoReason7d, received(8900, t0), 8900, "", nil, anxin.RuleFacts{}, "", ""},
		{"quality return is not a no-reason return", anxin.QualityReturn, received(8900, t0), 8900, "", nil, facts, "", ""},
		{"运费险 never", anxin.ShippingInsurance, received(8900, t0), 1000, "", func(rs *anxin.RuleSet) {
			r := rs.Rule(anxin.RuleReturnless)
			r.Services = append(r.Services, anxin.ShippingInsurance)
			rs.Set(r)
		}, facts, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, p := policy(t, tt.service, nil)
			tk := newTicket(p, tt.order, tt.amount, t0.Add(time.Hour))
			tk.Reason = tt.reason
			rs := rulesOn()
			if tt.rules != nil {
				tt.rules(&rs)
			}
			rd, ok := rs.Pick(anxin.AtIntake, tk, p, tt.facts)
			if tt.want == "" {
				if ok {
					t.Fatalf("rule %s applied, want none", rd.Rule)
				}
				return
			}
			if !ok || rd.Rule != tt.want || rd.Decision.Action != tt.action || rd.Decision.Actor.Role != anxin.RoleSystem {
				t.Fatalf("got %+v (%v), want %s taking %s", rd, ok, tt.want, tt.action)
			}
			// The rule's decision is a transition of the state table.
			c, err := tk.Decide(rd.Decision, p, t0.Add(time.Hour))
			if err != nil {
				t.Fatalf("the rule's decision is refused: %v", err)
			}
			if c.Event.Detail != anxin.RuleReason(tt.want) || c.Event.Actor.Role != anxin.RoleSystem {
				t.Fatalf("event %+v does not name the rule", c.Event)
			}
			if k, ok := anxin.RuleOf(c.Event.Detail); !ok || k != tt.want {
				t.Fatalf("RuleOf(%q) = %s, %v", c.Event.Detail, k, ok)
			}
		})
	}
}

func TestRulesOnDelivery(t *testing.T) {
	_, p := policy(t, anxin.NoReason7d, nil)
	delivered := func(owed bool) anxin.Ticket {
		tk := newTicket(p, received(8900, t0), 0, t0)
		tk.State, tk.ReturnOwed = anxin.Received, owed
		if owed {
			tk.RefundedFen = tk.RequestedFen
		}
		return tk
	}
	rs := rulesOn()
	rd, ok := rs.Pick(anxin.OnDelivered, delivered(false), p, anxin.RuleFacts{})
	if !ok || rd.Rule != anxin.RuleReceiveOnSigned || rd.After != 6*time.Hour {
		t.Fatalf("receipt after 6 h: %+v %v", rd, ok)
	}
	r := rs.Rule(anxin.RuleReceiveOnSigned)
	r.After = 0
	rs.Set(r)
	rd, ok = rs.Pick(anxin.OnDelivered, delivered(false), p, anxin.RuleFacts{})
	if !ok || rd.After != 0 || rd.Decision.Action != anxin.Receive {
		t.Fatalf("receipt at once: %+v %v", rd, ok)
	}
	tk := delivered(false)
	step(t, &tk, p, rd.Decision, t0.Add(time.Hour))
	if tk.State != anxin.Refunding || tk.RefundedFen != 8900 {
		t.Fatalf("received by rule: %s refunded %d", tk.State, tk.RefundedFen)
	}
	// Refunded ahead of the goods: the receipt closes it, paying nothing.
	tk = delivered(true)
	rd, _ = rs.Pick(anxin.OnDelivered, tk, p, anxin.RuleFacts{})
	step(t, &tk, p, rd.Decision, t0.Add(time.Hour))
	if tk.State != anxin.Refunded || tk.RefundedFen != 8900 {
		t.Fatalf("owed return received by rule: %s refunded %d", tk.State, tk.RefundedFen)
	}
	// Refund on receipt comes first, except for goods paid ahead.
	rs.Set(anxin.Rule{Key: anxin.RuleRefundOnReceipt, On: true, PerBuyer: 1})
	if rd, _ := rs.Pick(anxin.OnDelivered, delivered(false), p, anxin.RuleFacts{}); rd.Rule != anxin.RuleRefundOnReceipt || rd.Decision.Action != anxin.Refund {
		t.Fatalf("refund on receipt: %+v", rd)
	}
	if rd, _ := rs.Pick(anxin.OnDelivered, delivered(true), p, anxin.RuleFacts{}); rd.Rule != anxin.RuleReceiveOnSigned {
		t.Fatalf("owed: %+v", rd)
	}
	// Rules of the other moment do not act.
	if rd, ok := rs.Pick(anxin.AtIntake, delivered(false), p, anxin.RuleFacts{}); ok {
		t.Fatalf("intake rule on a delivered return: %+v", rd)
	}
}

func TestSystemTakesStaffRowsOnlyByRule(t *testing.T) {
	_, p := policy(t, anxin.NoReason7d, nil)
	tk := newTicket(p, received(8900, t0), 0, t0)
	_, err := tk.Decide(anxin.Decision{Action: anxin.Approve, Actor: anxin.System()}, p, t0)
	if anxin.ErrorCode(err) != anxin.ENOTALLOWED {
		t.Fatalf("system approval without a rule: %v", err)
	}
	_, err = tk.Decide(anxin.Decision{Action: anxin.Approve, Actor: anxin.System(), Reason: "rule:made_up"}, p, t0)
	if anxin.ErrorCode(err) != anxin.ENOTALLOWED {
		t.Fatalf("system approval naming no known rule: %v", err)
	}
	if _, err := tk.Decide(anxin.Decision{Action: anxin.Approve, Actor: anxin.System(),
		Reason: anxin.RuleReason(anxin.RuleApproveReturn)}, p, t0); err != nil {
		t.Fatalf("approval by rule: %v", err)
	}
}

func TestRuleSetLimits(t *testing.T) {
	l := anxin.DefaultRuleLimits()
	tests := []struct {
		name  string
		edit  func(*anxin.RuleSet)
		field anxin.Field // "" accepts
		msg   anxin.Msg
	}{
		{"all within", func(*anxin.RuleSet) {}, "", ""},
		{"returnless above the limit", func(rs *anxin.RuleSet) {
			r := rs.Rule(anxin.RuleReturnless)
			r.MaxFen = l.ReturnlessMaxFen + 1
			rs.Set(r)
		}, anxin.FieldRuleReturnlessMax, anxin.MsgRuleAboveLimit},
		{"returnless above the limit but off", func(rs *anxin.RuleSet) {
			r := rs.Rule(anxin.RuleReturnless)
			r.MaxFen, r.On = l.ReturnlessMaxFen+1, false
			rs.Set(r)
		}, "", ""},
		{"unshipped above the limit", func(rs *anxin.RuleSet) {
			r := rs.Rule(anxin.RuleRefundUnshipped)
			r.MaxFen = l.UnshippedMaxFen + 100
			rs.Set(r)
		}, anxin.FieldRuleUnshippedMax, anxin.MsgRuleAboveLimit},
		{"instant refund above the limit", func(rs *anxin.RuleSet) {
			rs.Instant = anxin.InstantRefund{Enabled: true, MaxFen: l.InstantMaxFen + 1}
		}, anxin.FieldRuleInstantMax, anxin.MsgRuleAboveLimit},
		{"cap above the limit", func(rs *anxin.RuleSet) {
			r := rs.Rule(anxin.RuleApproveReturn)
			r.PerBuyer = l.PerBuyerMax + 1
			rs.Set(r)
		}, anxin.FieldRulePerBuyer, anxin.MsgRulePerBuyerRange},
		{"cap of zero", func(rs *anxin.RuleSet) {
			r := rs.Rule(anxin.RuleApproveReturn)
			r.PerBuyer = 0
			rs.Set(r)
		}, anxin.FieldRulePerBuyer, anxin.MsgRulePerBuyerRange},
		{"returnless without a service", func(rs *anxin.RuleSet) {
			r := rs.Rule(anxin.RuleReturnless)
			r.Services = nil
			rs.Set(r)
		}, anxin.FieldRuleServices, anxin.MsgRuleNoService},
		{"returnless for 正品保证", func(rs *anxin.RuleSet) {
			r := rs.Rule(anxin.RuleReturnless)
			r.Services = []anxin.ServiceKey{anxin.Authentic}
			rs.Set(r)
		}, anxin.FieldRuleServices, anxin.MsgRuleService},
		{"receipt after 8 days", func(rs *anxin.RuleSet) {
			r := rs.Rule(anxin.RuleReceiveOnSigned)
			r.After = 8 * 24 * time.Hour
			rs.Set(r)
		}, anxin.FieldRuleReceiveAfter, anxin.MsgRuleAfterRange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := rulesOn()
			tt.edit(&rs)
			err := rs.Validate(l)
			if tt.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var e *anxin.Error
			if !errors.As(err, &e) || e.Msg != tt.msg || anxin.ErrorField(err) != tt.field {
				t.Fatalf("got %v (field %q), want %s on %s", err, anxin.ErrorField(err), tt.msg, tt.field)
			}
		})
	}
	if err := (anxin.RuleLimits{PerBuyerMax: 0}).Validate(); anxin.ErrorField(err) != anxin.FieldRulePerBuyer {
		t.Fatalf("limits with a cap of 0: %v", err)
	}
	if err := (anxin.RuleLimits{ReturnlessMaxFen: -1, PerBuyerMax: 1}).Validate(); anxin.ErrorField(err) != anxin.FieldRuleReturnlessMax {
		t.Fatalf("negative limit: %v", err)
	}
}

// TestRulesActWithinLoweredLimits: a rule set before the admin lowered a
// limit acts only up to the new limit.
func TestRulesActWithinLoweredLimits(t *testing.T) {
	_, p := policy(t, anxin.FreshSpoiled, nil)
	tk := newTicket(p, received(9900, t0), 4000, t0.Add(time.Hour))
	rs := rulesOn() // returnless up to ¥50, 2 per buyer
	l := anxin.DefaultRuleLimits()
	l.ReturnlessMaxFen, l.PerBuyerMax = 3000, 1
	if _, ok := rs.Bound(l).Pick(anxin.AtIntake, tk, p, anxin.RuleFacts{}); ok {
		t.Fatal("¥40 refunded above the lowered ¥30 limit")
	}
	tk.RequestedFen = 3000
	if _, ok := rs.Bound(l).Pick(anxin.AtIntake, tk, p, anxin.RuleFacts{}); !ok {
		t.Fatal("¥30 within the lowered limit")
	}
	used := anxin.RuleFacts{Uses: map[anxin.RuleKey]int{anxin.RuleReturnless: 1}}
	if _, ok := rs.Bound(l).Pick(anxin.AtIntake, tk, p, used); ok {
		t.Fatal("the lowered cap of 1 was used already")
	}
	if r := rs.Rule(anxin.RuleReturnless); r.MaxFen != 5000 || r.PerBuyer != 2 {
		t.Fatalf("Bound changed the set it was called on: %+v", r)
	}
}

// TestNoRuleForExchangeOrReship: a buyer who asked for an exchange or a
// reship is never refunded by a merchant's rule, at intake or when the
// return is delivered; the same ticket settled by refund is.
func TestNoRuleForExchangeOrReship(t *testing.T) {
	rs := rulesOn()
	rs.Set(anxin.Rule{Key: anxin.RuleRefundOnReceipt, On: true, PerBuyer: 2})
	_, fresh := policy(t, anxin.FreshSpoiled, nil)
	claim := newTicket(fresh, received(3900, t0), 0, t0)
	claim.Reason = "坏了"
	if rd, ok := rs.Pick(anxin.AtIntake, claim, fresh, anxin.RuleFacts{}); !ok || rd.Rule != anxin.RuleReturnless {
		t.Fatalf("refund-settled fresh claim: %+v %v", rd, ok)
	}
	claim.Settlement = anxin.SettleReship
	if rd, ok := rs.Pick(anxin.AtIntake, claim, fresh, anxin.RuleFacts{}); ok {
		t.Fatalf("a reship refunded by rule: %+v", rd)
	}

	_, beauty := policy(t, anxin.BeautyAllergy, nil)
	back := newTicket(beauty, received(14900, t0), 0, t0)
	back.State = anxin.Received
	if rd, ok := rs.Pick(anxin.OnDelivered, back, beauty, anxin.RuleFacts{}); !ok || rd.Rule != anxin.RuleRefundOnReceipt {
		t.Fatalf("refund-settled return: %+v %v", rd, ok)
	}
	back.Settlement = anxin.SettleExchange
	if rd, ok := rs.Pick(anxin.OnDelivered, back, beauty, anxin.RuleFacts{}); ok {
		t.Fatalf("an exchange refunded by rule: %+v", rd)
	}
}
