package anxin_test

import (
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

func TestClaimOpen(t *testing.T) {
	s, p := policy(t, anxin.FreshSpoiled, nil)
	order := received(5000, t0)
	claim := anxin.Claim{MerchantID: 1, Service: s.Key, Order: order, BuyerPhone: "13800138000", Actor: anxin.Buyer()}

	tk, ev, err := claim.Open(s, p, t0.Add(23*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if tk.State != anxin.PendingMerchant || !tk.Deadline.Equal(t0.Add(47*time.Hour)) || tk.RequestedFen != 5000 || tk.PayableFen != 5000 {
		t.Fatalf("opened %+v", tk)
	}
	if ev.Action != anxin.Create || ev.Actor.Role != anxin.RoleBuyer {
		t.Fatalf("first event %+v", ev)
	}

	late := t0.Add(25 * time.Hour)
	if _, _, err := claim.Open(s, p, late); anxin.ErrorCode(err) != anxin.EOUTSIDEWINDOW {
		t.Fatalf("late claim: %v", err)
	}
	claim.Override = "courier delayed the call"
	if _, _, err := claim.Open(s, p, late); anxin.ErrorCode(err) != anxin.EOUTSIDEWINDOW {
		t.Fatalf("the buyer cannot override the window: %v", err)
	}
	claim.Actor = agent
	_, ev, err = claim.Open(s, p, late)
	if err != nil || ev.Detail == "" {
		t.Fatalf("an agent's override with a reason: %v, detail %q", err, ev.Detail)
	}

	claim.RequestedFen = 6000
	if _, _, err := claim.Open(s, p, t0.Add(time.Hour)); anxin.ErrorCode(err) != anxin.EINVALID {
		t.Fatalf("claiming more than was paid: %v", err)
	}
	claim.RequestedFen = 0
	claim.Order.PaidFen = 0
	if _, _, err := claim.Open(s, p, t0.Add(time.Hour)); anxin.ErrorCode(err) != anxin.EINVALID {
		t.Fatalf("an order paid nothing: %v", err)
	}
}
