package store_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

func TestFigures(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	zone, _ := time.LoadLocation("Asia/Shanghai")
	m := storetest.MustMerchant(t, s, "玉颜美妆旗舰店")
	other := storetest.MustMerchant(t, s, "义乌优品家居百货")
	agent := anxin.Actor{Role: anxin.RoleAgent, UserID: 0, Name: "王晓"}
	today := clock.Now().In(zone).Format(time.DateOnly)
	if err := s.AddDailyOrders(ctx, m.ID, today, 50); err != nil {
		t.Fatal(err)
	}

	// Two refunds paid, one handled in 3 minutes; one merchant clock missed;
	// one arbitration opened and lost. The other merchant's activity does not count.
	paid := storetest.MustTicket(t, s, m.ID, anxin.Damaged, 5000)
	clock.Advance(3 * time.Minute)
	mustDecide(t, s, paid.ID, anxin.Decision{Action: anxin.Approve, Actor: agent})
	mustDecide(t, s, paid.ID, anxin.Decision{Action: anxin.RefundSucceeded, Actor: anxin.System()})

	missed := storetest.MustTicket(t, s, m.ID, anxin.FreshSpoiled, 7000)
	clock.Advance(25 * time.Hour)
	mustDecide(t, s, missed.ID, anxin.Decision{Action: anxin.Timeout, Actor: anxin.System()})
	mustDecide(t, s, missed.ID, anxin.Decision{Action: anxin.RefundSucceeded, Actor: anxin.System()})

	lost := storetest.MustTicketIn(t, s, m.ID, anxin.Arbitration, 3000)
	mustDecide(t, s, lost.ID, anxin.Decision{Action: anxin.RuleForBuyer, Actor: agent})

	noise := storetest.MustTicket(t, s, other.ID, anxin.Damaged, 9900)
	mustDecide(t, s, noise.ID, anxin.Decision{Action: anxin.Approve, Actor: agent})
	mustDecide(t, s, noise.ID, anxin.Decision{Action: anxin.RefundSucceeded, Actor: anxin.System()})

	f, err := s.Figures(ctx, anxin.AllMerchants(), m.ID, clock.Now(), anxin.FigureDays)
	if err != nil {
		t.Fatal(err)
	}
	n, fen := f.RefundsPaid()
	if n != 2 || fen != 12000 || f.TotalOrders() != 50 || f.ReturnRate() != 2.0/50 {
		t.Fatalf("refunds %d (%d fen) over %d orders", n, fen, f.TotalOrders())
	}
	if f.DeadlinesMissed() != 1 || f.ComplaintRate() != 1.0/50 || f.DisputeRate() != 1.0/50 {
		t.Fatalf("missed %d, complaint %v, dispute %v", f.DeadlinesMissed(), f.ComplaintRate(), f.DisputeRate())
	}
	if f.RefundsBy[anxin.Damaged].Fen != 5000 || f.RefundsBy[anxin.FreshSpoiled].Fen != 7000 {
		t.Fatalf("by service %+v", f.RefundsBy)
	}
	// Three tickets acted on: approved after 3 minutes, timed out after
	// 25 hours, ruled on at once.
	if all := f.FirstActionsAll(); all.Count() != 3 || all.N[anxin.Bucket(3*time.Minute)] != 1 ||
		all.N[anxin.Bucket(25*time.Hour)] != 1 || all.N[0] != 1 {
		t.Fatalf("first actions %v", all)
	}
	// Three merchant clocks ended by a decision (an approval, a timeout, the
	// way into arbitration), one of them missed.
	if sum(f.Decided) != 3 || math.Abs(f.Compliance()-2.0/3) > 1e-9 {
		t.Fatalf("decided %v, compliance %v", f.Decided, f.Compliance())
	}
	if buyer, merchant := f.ArbitrationsRuled(); buyer != 1 || merchant != 0 {
		t.Fatalf("ruled for the buyer %d, for the merchant %d", buyer, merchant)
	}
	if f.P90FirstAction() < 25*time.Hour {
		t.Fatalf("p90 first action %v", f.P90FirstAction())
	}
	fresh, err := s.FiguresFor(ctx, anxin.AllMerchants(), m.ID, anxin.FreshSpoiled, clock.Now(), anxin.FigureDays)
	if err != nil {
		t.Fatal(err)
	}
	if n, fen := fresh.RefundsPaid(); n != 1 || fen != 7000 || fresh.DeadlinesMissed() != 1 || fresh.FirstActionsAll().Count() != 1 || fresh.TotalOrders() != 50 {
		t.Fatalf("one service: %d refunds (%d fen), missed %d, first actions %v", n, fen, fresh.DeadlinesMissed(), fresh.FirstActionsAll())
	}
	var all anxin.Figures = anxin.NewFigures(f.Days)
	all.Add(f)
	all.Add(fresh)
	if n, _ := all.RefundsPaid(); n != 3 || all.TotalOrders() != 100 || all.RefundsBy[anxin.FreshSpoiled].Fen != 14000 {
		t.Fatalf("sum: %d refunds over %d orders", n, all.TotalOrders())
	}
	if _, err := s.Figures(ctx, anxin.Scope{MerchantID: other.ID}, m.ID, clock.Now(), 30); anxin.ErrorCode(err) != anxin.ENOTFOUND {
		t.Fatalf("another merchant's figures: %v", err)
	}
}

func mustDecide(t *testing.T, s interface {
	Decide(context.Context, int64, anxin.Decision) (anxin.Ticket, error)
}, id int64, d anxin.Decision) {
	t.Helper()
	if _, err := s.Decide(ctx, id, d); err != nil {
		t.Fatalf("%s: %v", d.Action, err)
	}
}

func sum(xs []int) (n int) {
	for _, x := range xs {
		n += x
	}
	return n
}
