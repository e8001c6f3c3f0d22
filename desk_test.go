package anxin_test

import (
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

func TestHeldForUndo(t *testing.T) {
	for _, tt := range []struct {
		actor anxin.Actor
		held  bool
	}{
		{agent, true},
		{anxin.Actor{Role: anxin.RoleMerchant, MerchantID: 1}, true},
		{anxin.Actor{Role: anxin.RoleAdmin}, true},
		{anxin.System(), false},
		{anxin.Buyer(), false},
	} {
		if got := anxin.HeldForUndo(tt.actor); got != tt.held {
			t.Errorf("%s: held %v, want %v", tt.actor.Role, got, tt.held)
		}
	}
}

// TestUndo: a refund waiting to be handed over takes the ticket back to the
// state it left, with a new version and what it had refunded before.
func TestUndo(t *testing.T) {
	_, damaged := policy(t, anxin.Damaged, nil)
	before := newTicket(damaged, received(8800, t0), 8800, t0)
	before.ID, before.Number, before.Version = 7, "AX-000007", 3
	at := t0.Add(time.Hour)
	c, err := before.Decide(anxin.Decision{Action: anxin.Approve, Actor: agent}, damaged, at)
	if err != nil {
		t.Fatal(err)
	}
	after := before
	after.Apply(c)
	r := anxin.RefundRecord{ID: 1, Number: anxin.RefundNumber(7), TicketID: 7, AmountFen: c.PayFen,
		Status: anxin.RefundStatusPending, HandOverAt: at.Add(10 * time.Second)}
	if !r.Undoable(at.Add(9*time.Second)) || r.Undoable(at.Add(10*time.Second)) || r.UndoLeft(at.Add(4*time.Second)) != 6*time.Second {
		t.Fatal("undoable for 10 s")
	}

	u, e, err := after.Undo(r, before, agent, at.Add(3*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if u.State != before.State || u.Version != after.Version+1 || u.RefundedFen != 0 || !u.Deadline.Equal(before.Deadline) {
		t.Fatalf("undone: %s v%d refunded %d deadline %v", u.State, u.Version, u.RefundedFen, u.Deadline)
	}
	if e.Action != anxin.UndoRefund || e.From != anxin.Refunding || e.To != before.State || e.AmountFen != 8800 || e.Detail != r.Number {
		t.Fatalf("event %+v", e)
	}
	for _, tt := range []struct {
		name string
		r    anxin.RefundRecord
		by   anxin.Actor
		at   time.Time
		code string
	}{
		{"too late", r, agent, at.Add(10 * time.Second), anxin.ECONFLICT},
		{"handed over", func() anxin.RefundRecord { x := r; x.HandOverAt = time.Time{}; return x }(), agent, at, anxin.ECONFLICT},
		{"paid", func() anxin.RefundRecord { x := r; x.Status = anxin.RefundStatusSucceeded; return x }(), agent, at, anxin.ENOTALLOWED},
		{"the system", r, anxin.System(), at, anxin.ENOTALLOWED},
		{"another merchant", r, anxin.Actor{Role: anxin.RoleMerchant, MerchantID: before.MerchantID + 1}, at, anxin.ENOTFOUND},
	} {
		if _, _, err := after.Undo(tt.r, before, tt.by, tt.at); anxin.ErrorCode(err) != tt.code {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
		}
	}
}
