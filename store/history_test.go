package store_test

import (
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

func TestBuyerHistory(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	a := storetest.MustMerchant(t, s, "昆明斗南鲜花园艺")
	b := storetest.MustMerchant(t, s, "鲜果园")
	agent := storetest.MustUser(t, s, anxin.RoleAgent, "王晓", 0).Actor()
	claim := func(m int64, paid int64) anxin.Ticket {
		t.Helper()
		c := storetest.Claim(m, anxin.FreshSpoiled, paid, clock.Now())
		c.BuyerPhone = "13912345678"
		tk, err := s.CreateTicket(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	old := claim(a.ID, 8990) // 100 days ago: outside the window
	clock.Advance(100 * 24 * time.Hour)
	first := claim(a.ID, 8990)
	if _, err := s.Decide(ctx, first.ID, anxin.Decision{Action: anxin.Refund, Actor: agent, Version: first.Version}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(24 * time.Hour)
	atB := claim(b.ID, 8990)
	clock.Advance(24 * time.Hour)
	now := claim(a.ID, 8990)
	storetest.MustTicket(t, s, a.ID, anxin.FreshSpoiled, 8990) // another buyer

	h, err := s.BuyerHistory(ctx, anxin.AllMerchants(), now, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Others) != 3 || h.Others[0].ID != atB.ID || h.Others[2].ID != old.ID || h.Claims != 3 || h.Refunded != 1 {
		t.Fatalf("staff: %d others, %d claims, %d refunded", len(h.Others), h.Claims, h.Refunded)
	}
	if len(h.Flags) != 1 || h.Flags[0].Kind != anxin.FlagManyClaims || h.Flags[0].Count != 3 {
		t.Fatalf("flags %+v", h.Flags)
	}
	// A merchant sees its own store's claims only, and no flag from another's.
	h, err = s.BuyerHistory(ctx, anxin.Scope{MerchantID: a.ID}, now, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Others) != 2 || h.Claims != 2 || len(h.Flags) != 0 {
		t.Fatalf("merchant: %d others, %d claims, flags %+v", len(h.Others), h.Claims, h.Flags)
	}
}

func TestFlagsOf(t *testing.T) {
	at := storetest.Epoch
	t0 := anxin.Ticket{Number: "AX-000009", CreatedAt: at, Order: anxin.Order{PaidFen: 89900, ReceivedAt: at.Add(-2 * time.Hour)}}
	ev := []anxin.Evidence{{Duplicates: []anxin.Duplicate{{TicketID: 7}, {TicketID: 7}}}, {}}
	flags := anxin.FlagsOf(t0, nil, ev)
	if len(flags) != 2 || flags[0].Kind != anxin.FlagSamePhoto || flags[0].Count != 1 || len(flags[0].Tickets) != 1 ||
		flags[0].Tickets[0] != "AX-000007" || flags[1].Kind != anxin.FlagSoonAfterValue {
		t.Fatalf("flags %+v", flags)
	}
	t0.Order.PaidFen = 8990
	if flags := anxin.FlagsOf(t0, nil, nil); len(flags) != 0 {
		t.Fatalf("a cheap order flagged: %+v", flags)
	}
}
