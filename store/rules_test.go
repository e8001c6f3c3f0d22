package store_test

import (
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// mustRules turns on the merchant's returnless refunds up to ¥50 for fresh
// food (instant refunds off, so that only the rule can refund), as one of
// its people.
func mustRules(t *testing.T, s *store.Store, m anxin.Merchant, edit func(*anxin.RuleSet)) anxin.Actor {
	t.Helper()
	by := storetest.MustUser(t, s, anxin.RoleMerchant, "店长", m.ID).Actor()
	rs := anxin.NewRuleSet(m.ID, anxin.InstantRefund{})
	rs.Set(anxin.Rule{Key: anxin.RuleReturnless, On: true, MaxFen: 5000, PerBuyer: 2,
		Services: []anxin.ServiceKey{anxin.FreshSpoiled}})
	if edit != nil {
		edit(&rs)
	}
	if err := s.SetRules(ctx, by, rs); err != nil {
		t.Fatal(err)
	}
	return by
}

func ruleRows(t *testing.T, s *store.Store, q string, args ...any) int {
	t.Helper()
	var n int
	if err := storetest.DB(t, s).QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestReturnlessRuleAtIntake(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "鲜果园")
	mustRules(t, s, m, nil)
	claim := func(amount int64, phone string) anxin.Claim {
		c := storetest.Claim(m.ID, anxin.FreshSpoiled, 9900, clock.Now())
		c.RequestedFen, c.BuyerPhone = amount, phone
		return c
	}
	v, _, err := s.Intake(ctx, anxin.AllMerchants(), m.Code, claim(3900, "13800000001"), store.IdempotencyKey{})
	if err != nil || v.State != anxin.Refunding || v.RefundedFen != 3900 || v.Refund.AmountFen != 3900 {
		t.Fatalf("¥39 of fresh food: %s refunded %d (%+v) %v", v.State, v.RefundedFen, v.Refund, err)
	}
	events, _ := s.Timeline(ctx, anxin.AllMerchants(), v.ID)
	last := events[len(events)-1]
	if last.Action != anxin.Refund || last.Actor.Role != anxin.RoleSystem || last.Detail != anxin.RuleReason(anxin.RuleReturnless) {
		t.Fatalf("the rule's event: %+v", last)
	}
	// Applied once, in the intake's transaction: one refund, one use.
	if n := ruleRows(t, s, `SELECT count(*) FROM rule_uses WHERE ticket_id = ?`, v.ID); n != 1 {
		t.Fatalf("%d uses recorded", n)
	}
	if n := ruleRows(t, s, `SELECT count(*) FROM refunds WHERE ticket_id = ?`, v.ID); n != 1 {
		t.Fatalf("%d refunds", n)
	}
	// A retried request (same Idempotency-Key) gets the first answer: the
	// rule does not act again.
	key, _, err := s.CreateAPIKey(ctx, "shop", anxin.KeyScope{AllMerchants: true})
	if err != nil {
		t.Fatal(err)
	}
	idem := store.IdempotencyKey{APIKeyID: key.ID, Key: "k1", RequestHash: "h1"}
	first, _, err := s.Intake(ctx, anxin.AllMerchants(), m.Code, claim(2500, "13800000009"), idem)
	if err != nil || first.State != anxin.Refunding {
		t.Fatalf("first: %s %v", first.State, err)
	}
	again, replayed, err := s.Intake(ctx, anxin.AllMerchants(), m.Code, claim(2500, "13800000009"), idem)
	if err != nil || !replayed || again.ID != first.ID {
		t.Fatalf("retry: %d %v %v", again.ID, replayed, err)
	}
	if n := ruleRows(t, s, `SELECT count(*) FROM rule_uses u JOIN tickets t ON t.id = u.ticket_id WHERE t.buyer_phone = '13800000009'`); n != 1 {
		t.Fatalf("%d uses after a retry", n)
	}
	// Above ¥50 the merchant decides.
	v, _, err = s.Intake(ctx, anxin.AllMerchants(), m.Code, claim(5100, "13800000001"), store.IdempotencyKey{})
	if err != nil || v.State != anxin.PendingMerchant {
		t.Fatalf("¥51: %s %v", v.State, err)
	}
}

func TestRuleCapPerBuyerPer30Days(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "鲜果园")
	mustRules(t, s, m, nil) // 2 per buyer in 30 days
	intake := func(phone string) anxin.State {
		t.Helper()
		c := storetest.Claim(m.ID, anxin.FreshSpoiled, 9900, clock.Now())
		c.RequestedFen, c.BuyerPhone = 2000, phone
		v, _, err := s.Intake(ctx, anxin.AllMerchants(), m.Code, c, store.IdempotencyKey{})
		if err != nil {
			t.Fatal(err)
		}
		return v.State
	}
	for i, want := range []anxin.State{anxin.Refunding, anxin.Refunding, anxin.PendingMerchant} {
		if got := intake("13900000001"); got != want {
			t.Fatalf("claim %d of the buyer: %s, want %s", i+1, got, want)
		}
		clock.Advance(24 * time.Hour)
	}
	// Another buyer has a cap of its own.
	if got := intake("13900000002"); got != anxin.Refunding {
		t.Fatalf("another buyer: %s", got)
	}
	// 30 days after the first use, one use is free again (the second is 29 days old).
	clock.Advance(27*24*time.Hour + time.Minute)
	if got := intake("13900000001"); got != anxin.Refunding {
		t.Fatalf("after 30 days: %s", got)
	}
	if got := intake("13900000001"); got != anxin.PendingMerchant {
		t.Fatalf("cap used again: %s", got)
	}
}

func TestNoRuleForABuyerInDispute(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "鲜果园")
	mustRules(t, s, m, nil)
	disputed := storetest.MustTicketIn(t, s, m.ID, anxin.Arbitration, 9900)
	c := storetest.Claim(m.ID, anxin.FreshSpoiled, 9900, clock.Now())
	c.RequestedFen, c.BuyerPhone = 2000, disputed.BuyerPhone
	v, _, err := s.Intake(ctx, anxin.AllMerchants(), m.Code, c, store.IdempotencyKey{})
	if err != nil || v.State != anxin.PendingMerchant {
		t.Fatalf("buyer in arbitration: %s %v", v.State, err)
	}
}

func TestApproveReturnRuleSendsTheAddress(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "虎门服装")
	mustRules(t, s, m, func(rs *anxin.RuleSet) {
		rs.Set(anxin.Rule{Key: anxin.RuleApproveReturn, On: true, PerBuyer: 3})
	})
	c := storetest.Claim(m.ID, anxin.NoReason7d, 8900, clock.Now())
	v, _, err := s.Intake(ctx, anxin.AllMerchants(), m.Code, c, store.IdempotencyKey{})
	if err != nil || v.State != anxin.AwaitingReturn || v.Address.TicketID != v.ID {
		t.Fatalf("approved by rule: %s address %+v %v", v.State, v.Address, err)
	}
	events, _ := s.Timeline(ctx, anxin.AllMerchants(), v.ID)
	if last := events[len(events)-1]; last.Action != anxin.Approve || last.Detail != anxin.RuleReason(anxin.RuleApproveReturn) {
		t.Fatalf("event %+v", last)
	}
}

func TestReceiveRuleOnDelivery(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "虎门服装")
	mustRules(t, s, m, func(rs *anxin.RuleSet) {
		rs.Set(anxin.Rule{Key: anxin.RuleReceiveOnSigned, On: true, PerBuyer: 3})
	})
	scope := anxin.Scope{MerchantID: m.ID}
	tk := storetest.MustTicketIn(t, s, m.ID, anxin.AwaitingReturn, 8900)
	v, _, err := s.ReportLogistics(ctx, scope, tk.ID, report(anxin.ShipDelivered, clock.Now().Add(-time.Minute)), store.IdempotencyKey{})
	if err != nil || v.State != anxin.Refunding || v.RefundedFen != 8900 {
		t.Fatalf("delivered, received by rule at once: %s %d %v", v.State, v.RefundedFen, err)
	}
	events, _ := s.Timeline(ctx, anxin.AllMerchants(), tk.ID)
	if last := events[len(events)-1]; last.Action != anxin.Receive || last.Detail != anxin.RuleReason(anxin.RuleReceiveOnSigned) {
		t.Fatalf("event %+v", last)
	}

	// After 6 hours: the deadline moves, and its timeout names the rule.
	mustRules(t, s, m, func(rs *anxin.RuleSet) {
		rs.Set(anxin.Rule{Key: anxin.RuleReceiveOnSigned, On: true, PerBuyer: 3, After: 6 * time.Hour})
	})
	tk = storetest.MustTicketIn(t, s, m.ID, anxin.AwaitingReturn, 8900)
	v, _, err = s.ReportLogistics(ctx, scope, tk.ID, report(anxin.ShipDelivered, clock.Now().Add(-time.Minute)), store.IdempotencyKey{})
	if err != nil || v.State != anxin.Received || !v.Deadline.Equal(clock.Now().Add(6*time.Hour)) {
		t.Fatalf("delivered, receipt in 6 h: %s due %v %v", v.State, v.Deadline, err)
	}
	clock.Advance(6*time.Hour + time.Second)
	if _, err := s.RunTimeouts(ctx); err != nil {
		t.Fatal(err)
	}
	events, _ = s.Timeline(ctx, anxin.AllMerchants(), tk.ID)
	last := events[len(events)-1]
	if last.Action != anxin.Timeout || last.To != anxin.Refunding || last.Detail != anxin.RuleReason(anxin.RuleReceiveOnSigned) {
		t.Fatalf("the timeout: %+v", last)
	}
}

func TestRuleSettingsWithinLimits(t *testing.T) {
	s, _ := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "鲜果园")
	other := storetest.MustMerchant(t, s, "别家")
	by := mustRules(t, s, m, nil)
	admin := storetest.MustUser(t, s, anxin.RoleAdmin, "管理员", 0).Actor()
	// Above the platform's ¥100: refused naming the field, nothing stored.
	rs := anxin.NewRuleSet(m.ID, anxin.InstantRefund{})
	rs.Set(anxin.Rule{Key: anxin.RuleReturnless, On: true, MaxFen: 15000, PerBuyer: 2, Services: []anxin.ServiceKey{anxin.FreshSpoiled}})
	if err := s.SetRules(ctx, by, rs); anxin.ErrorField(err) != anxin.FieldRuleReturnlessMax {
		t.Fatalf("above the limit: %v", err)
	}
	st, err := s.RuleSettings(ctx, anxin.Scope{MerchantID: m.ID}, m.ID)
	if err != nil || st.Rules.Rule(anxin.RuleReturnless).MaxFen != 5000 || st.OwnLimits {
		t.Fatalf("after a refusal: %+v %v", st.Rules.Rule(anxin.RuleReturnless), err)
	}
	// The admin raises this merchant's limit: now it is allowed.
	l := anxin.DefaultRuleLimits()
	l.ReturnlessMaxFen = 20000
	if err := s.SetRuleLimits(ctx, admin, m.ID, l); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRules(ctx, by, rs); err != nil {
		t.Fatal(err)
	}
	// Another merchant's people set nothing of this one's; merchants set no limits.
	if err := s.SetRules(ctx, storetest.MustUser(t, s, anxin.RoleMerchant, "别家", other.ID).Actor(), rs); anxin.ErrorCode(err) != anxin.ENOTFOUND {
		t.Fatalf("another merchant: %v", err)
	}
	if err := s.SetRuleLimits(ctx, by, m.ID, l); anxin.ErrorCode(err) != anxin.ENOTALLOWED {
		t.Fatalf("a merchant setting limits: %v", err)
	}
	if _, err := s.RuleSettings(ctx, anxin.Scope{MerchantID: other.ID}, m.ID); anxin.ErrorCode(err) != anxin.ENOTFOUND {
		t.Fatalf("another merchant reading: %v", err)
	}
	if n := ruleRows(t, s, `SELECT count(*) FROM audit_log WHERE action IN ('set_rules', 'set_rule_limits')`); n != 3 {
		t.Fatalf("%d audit entries, want 3", n)
	}
}
