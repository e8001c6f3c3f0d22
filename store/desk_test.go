package store_test

import (
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// openUndo opens a store whose refunds pressed by people wait 10 s.
func openUndo(t *testing.T) (*store.Store, *anxin.ManualClock) {
	t.Helper()
	clock := anxin.NewManualClock(storetest.Epoch)
	cfg := storetest.Config(clock)
	cfg.RefundUndo = 10 * time.Second
	return storetest.MustOpenWith(t, filepath.Join(t.TempDir(), "anxin.db"), cfg), clock
}

var deskAgent = anxin.Actor{Role: anxin.RoleAgent, UserID: 0, Name: "王晓"}

func TestRefundUndo(t *testing.T) {
	s, clock := openUndo(t)
	m := storetest.MustMerchant(t, s, "昆明斗南鲜花园艺")
	tk := storetest.MustTicket(t, s, m.ID, anxin.FreshSpoiled, 8990)
	paid, err := s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.Approve, Actor: deskAgent, Version: tk.Version})
	if err != nil || paid.State != anxin.Refunding {
		t.Fatalf("approve: %v %v", paid.State, err)
	}
	r, err := s.Refund(ctx, anxin.AllMerchants(), tk.ID)
	if err != nil || !r.Undoable(clock.Now()) || r.UndoLeft(clock.Now()) != 10*time.Second {
		t.Fatalf("refund held for 10 s: %+v %v", r, err)
	}
	// Held: the built-in provider does not pay it, the payment system's
	// answer is refused.
	if sw, err := s.PayPendingRefunds(ctx); err != nil || sw.Done != 0 {
		t.Fatalf("the provider paid a held refund: %+v %v", sw, err)
	}
	if _, err := s.SettleRefund(ctx, anxin.AllMerchants(), r.Number, true, ""); anxin.ErrorCode(err) != anxin.ECONFLICT {
		t.Fatalf("a result for a refund not handed over: %v", err)
	}
	clock.Advance(4 * time.Second)
	back, err := s.UndoRefund(ctx, tk.ID, deskAgent, paid.Version)
	if err != nil {
		t.Fatal(err)
	}
	if back.State != anxin.PendingMerchant || back.RefundedFen != 0 || !back.Deadline.Equal(tk.Deadline) || back.Version != paid.Version+1 {
		t.Fatalf("after undo: %s refunded %d deadline %v version %d", back.State, back.RefundedFen, back.Deadline, back.Version)
	}
	if _, err := s.Refund(ctx, anxin.AllMerchants(), tk.ID); anxin.ErrorCode(err) != anxin.ENOTFOUND {
		t.Fatalf("the refund is still live: %v", err)
	}
	var cancelled int
	var by string
	if err := storetest.DB(t, s).QueryRow(`SELECT count(*), max(cancelled_by_name) FROM refunds_cancelled WHERE ticket_id = ?`, tk.ID).
		Scan(&cancelled, &by); err != nil || cancelled != 1 || by != "王晓" {
		t.Fatalf("cancelled refunds %d by %q: %v", cancelled, by, err)
	}
	ev := lastEvent(t, s, tk.ID)
	if ev.Action != anxin.UndoRefund || ev.Actor.Name != "王晓" || ev.From != anxin.Refunding || ev.To != anxin.PendingMerchant || ev.AmountFen != 8990 {
		t.Fatalf("the timeline says %+v", ev)
	}
	// Undone twice: nothing to undo.
	if _, err := s.UndoRefund(ctx, tk.ID, deskAgent, 0); anxin.ErrorCode(err) != anxin.ENOTALLOWED {
		t.Fatalf("a second undo: %v", err)
	}

	// Refunded again, left alone: handed over after 10 s, paid once.
	again, err := s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.Refund, Actor: deskAgent, Version: back.Version})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(9 * time.Second)
	if n, err := s.HandOverRefunds(ctx); err != nil || n != 0 {
		t.Fatalf("handed over %d before its time: %v", n, err)
	}
	clock.Advance(time.Second)
	if _, err := s.UndoRefund(ctx, tk.ID, deskAgent, again.Version); anxin.ErrorCode(err) != anxin.ECONFLICT {
		t.Fatalf("an undo when the time is up: %v", err)
	}
	if n, err := s.HandOverRefunds(ctx); err != nil || n != 1 {
		t.Fatalf("handed over %d: %v", n, err)
	}
	if sw, err := s.PayPendingRefunds(ctx); err != nil || sw.Done != 1 {
		t.Fatalf("paid %+v: %v", sw, err)
	}
	got := mustTicket(t, s, tk.ID)
	if got.State != anxin.Refunded || got.RefundedFen != 8990 {
		t.Fatalf("after hand-over: %s %d", got.State, got.RefundedFen)
	}
	if r, _ := s.Refund(ctx, anxin.AllMerchants(), tk.ID); r.Number != anxin.RefundNumber(tk.ID) || !r.HandOverAt.IsZero() {
		t.Fatalf("refund %+v", r)
	}
}

// TestSystemRefundsAreHandedOverAtOnce: a timeout's refund is not held.
func TestSystemRefundsAreHandedOverAtOnce(t *testing.T) {
	s, clock := openUndo(t)
	m := storetest.MustMerchant(t, s, "昆明斗南鲜花园艺")
	tk := storetest.MustTicket(t, s, m.ID, anxin.FreshSpoiled, 8990)
	clock.Set(tk.Deadline)
	runTimeouts(t, s)
	if r, err := s.Refund(ctx, anxin.AllMerchants(), tk.ID); err != nil || !r.HandOverAt.IsZero() {
		t.Fatalf("the system's refund is held: %+v %v", r, err)
	}
	if sw, err := s.PayPendingRefunds(ctx); err != nil || sw.Done != 1 {
		t.Fatalf("paid %+v %v", sw, err)
	}
}

// TestUndoRacesHandOver: undo presses and hand-over rounds race on real
// SQLite while the clock passes the refund's undo time. Each round ends one
// way only: undone (refund cancelled, nothing handed over, nothing paid) or
// handed over (every undo refused, paid once). No undo that was answered
// with success is lost, and nothing is paid twice.
func TestUndoRacesHandOver(t *testing.T) {
	s, clock := openUndo(t)
	m := storetest.MustMerchant(t, s, "昆明斗南鲜花园艺")
	outcomes := map[string]int{}
	for round := range 12 {
		tk := storetest.MustTicket(t, s, m.ID, anxin.FreshSpoiled, 8990)
		paid, err := s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.Approve, Actor: deskAgent, Version: tk.Version})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		undone, handed, paidOut := 0, 0, 0
		start := make(chan struct{})
		for i := range 16 {
			wg.Go(func() {
				<-start
				switch {
				case i == 0:
					// The clock passes the undo time part way through.
					time.Sleep(time.Duration(round%4) * time.Millisecond)
					clock.Advance(10 * time.Second)
				case i%2 == 0:
					n, err := s.HandOverRefunds(ctx)
					sw, perr := s.PayPendingRefunds(ctx)
					if err != nil || perr != nil {
						t.Error(err, perr)
					}
					mu.Lock()
					handed += n
					paidOut += sw.Done
					mu.Unlock()
				default:
					_, err := s.UndoRefund(ctx, tk.ID, deskAgent, paid.Version)
					var h *anxin.AlreadyHandled
					switch {
					case err == nil:
						mu.Lock()
						undone++
						mu.Unlock()
					case errors.As(err, &h), anxin.ErrorCode(err) == anxin.ECONFLICT, anxin.ErrorCode(err) == anxin.ENOTALLOWED:
					default:
						t.Error(err)
					}
				}
			})
		}
		close(start)
		wg.Wait()
		// Whatever is left is handed over now: the race is over.
		n, err := s.HandOverRefunds(ctx)
		if err != nil {
			t.Fatal(err)
		}
		handed += n
		sw, err := s.PayPendingRefunds(ctx)
		if err != nil {
			t.Fatal(err)
		}
		paidOut += sw.Done
		got := mustTicket(t, s, tk.ID)
		var cancelled int
		if err := storetest.DB(t, s).QueryRow(`SELECT count(*) FROM refunds_cancelled WHERE ticket_id = ?`, tk.ID).Scan(&cancelled); err != nil {
			t.Fatal(err)
		}
		switch {
		case undone == 1 && handed == 0 && paidOut == 0 && cancelled == 1 && got.State == anxin.PendingMerchant && got.RefundedFen == 0:
			outcomes["undone"]++
		case undone == 0 && handed == 1 && paidOut == 1 && cancelled == 0 && got.State == anxin.Refunded && got.RefundedFen == 8990:
			outcomes["handed over"]++
		default:
			t.Fatalf("round %d: undone %d, handed over %d, paid %d, cancelled %d, ticket %s refunded %d",
				round, undone, handed, paidOut, cancelled, got.State, got.RefundedFen)
		}
		clock.Advance(time.Minute)
	}
	t.Logf("outcomes: %v", outcomes)
}

func TestEnterClaim(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "昆明斗南鲜花园艺")
	c := storetest.Claim(m.ID, anxin.FreshSpoiled, 8990, clock.Now().Add(-25*time.Hour)) // received 25 h ago
	c.Actor = deskAgent
	if _, _, err := s.EnterClaim(ctx, m.Code, c); anxin.ErrorCode(err) != anxin.EOUTSIDEWINDOW {
		t.Fatalf("out of window without override: %v", err)
	}
	c.Override = "买家住院，家属来电代为申请"
	v, replayed, err := s.EnterClaim(ctx, m.Code, c)
	if err != nil || replayed || v.State != anxin.PendingMerchant && v.State != anxin.Refunding {
		t.Fatalf("with override: %+v %v %v", v.State, replayed, err)
	}
	events, err := s.Timeline(ctx, anxin.AllMerchants(), v.ID)
	if err != nil || !strings.HasPrefix(events[0].Detail, anxin.OverridePrefix+"买家住院") || events[0].Actor.Name != "王晓" {
		t.Fatalf("timeline %+v %v", events, err)
	}
	log, err := s.AuditLog(ctx, 0, 10)
	if err != nil || len(log) == 0 || log[0].Action != "override_claim" || log[0].Target != "ticket "+v.Number ||
		!strings.HasPrefix(log[0].Detail, "买家住院") {
		t.Fatalf("audit log %+v %v", log, err)
	}
	// The same claim again (a double submit): the same ticket.
	again, replayed, err := s.EnterClaim(ctx, m.Code, c)
	if err != nil || !replayed || again.ID != v.ID {
		t.Fatalf("double submit: %d %v %v (first %d)", again.ID, replayed, err, v.ID)
	}
	// Inside its window, an override is not needed and not recorded.
	in := storetest.Claim(m.ID, anxin.FreshSpoiled, 8990, clock.Now().Add(-23*time.Hour))
	in.Order.ID, in.Actor, in.Override = "DD-in-window", deskAgent, "不需要"
	w, _, err := s.EnterClaim(ctx, m.Code, in)
	if err != nil {
		t.Fatal(err)
	}
	if events, _ := s.Timeline(ctx, anxin.AllMerchants(), w.ID); strings.HasPrefix(events[0].Detail, anxin.OverridePrefix) {
		t.Fatalf("an override recorded for a claim inside its window: %q", events[0].Detail)
	}
	if log, _ := s.AuditLog(ctx, 0, 10); log[0].Target == "ticket "+w.Number {
		t.Fatal("an override audited for a claim inside its window")
	}
	// A merchant cannot override.
	mc := storetest.Claim(m.ID, anxin.FreshSpoiled, 8990, clock.Now().Add(-25*time.Hour))
	mc.Order.ID, mc.Override = "DD-merchant", "试试"
	mc.Actor = anxin.Actor{Role: anxin.RoleMerchant, Name: "店员", MerchantID: m.ID}
	if _, _, err := s.EnterClaim(ctx, m.Code, mc); anxin.ErrorCode(err) != anxin.EOUTSIDEWINDOW {
		t.Fatalf("a merchant's override: %v", err)
	}
}
