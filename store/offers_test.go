package store_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// offerOn has the merchant offer amount on a new fresh-food ticket (¥89.90
// asked, 24 h merchant clock) 10 h into its clock.
func offerOn(t *testing.T, s *store.Store, clock *anxin.ManualClock, amount int64) (anxin.Ticket, anxin.Actor) {
	t.Helper()
	m := storetest.MustMerchant(t, s, "昆明斗南鲜花园艺")
	u := storetest.MustUser(t, s, anxin.RoleMerchant, "花姐", m.ID)
	by := anxin.Actor{Role: anxin.RoleMerchant, UserID: u.ID, Name: u.Name, MerchantID: m.ID}
	tk := storetest.MustTicket(t, s, m.ID, anxin.FreshSpoiled, 8990)
	clock.Advance(10 * time.Hour)
	tk, err := s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.Offer, Actor: by, AmountFen: amount, Reason: "花有轻微损伤，退 ¥30 可以吗？"})
	if err != nil {
		t.Fatal(err)
	}
	return tk, by
}

func refundCount(t *testing.T, s *store.Store, ticketID int64) (n int, amount int64) {
	t.Helper()
	err := storetest.DB(t, s).QueryRow(`SELECT count(*), coalesce(sum(amount_fen), 0) FROM refunds WHERE ticket_id = ?`, ticketID).Scan(&n, &amount)
	if err != nil {
		t.Fatal(err)
	}
	return n, amount
}

func TestOfferAcceptedPaysExactlyOnceEvenRaced(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	tk, _ := offerOn(t, s, clock, 3000)
	if tk.State != anxin.OfferPending || tk.OfferFen != 3000 || tk.OffersMade != 1 || tk.PausedLeft != 14*time.Hour {
		t.Fatalf("offered: %s %d fen, %d made, paused %v", tk.State, tk.OfferFen, tk.OffersMade, tk.PausedLeft)
	}
	v, err := s.TicketView(ctx, anxin.AllMerchants(), tk.ID)
	if err != nil || v.Offer.AmountFen != 3000 || v.Offer.Message == "" || !v.Offer.ExpiresAt.Equal(tk.Deadline) {
		t.Fatalf("the view's pending offer: %+v %v", v.Offer, err)
	}
	const racers = 8
	var wg sync.WaitGroup
	errs := make([]error, racers)
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key := store.IdempotencyKey{} // no key: each is its own request
			_, _, errs[i] = s.BuyerEvent(ctx, tk.ID, anxin.Decision{Action: anxin.OfferAccepted, Actor: anxin.Buyer()}, key)
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
		}
	}
	if won != 1 {
		t.Fatalf("%d acceptances succeeded, want 1: %v", won, errs)
	}
	if n, amount := refundCount(t, s, tk.ID); n != 1 || amount != 3000 {
		t.Fatalf("%d refunds of %d fen, want one of 3000", n, amount)
	}
	got := mustTicket(t, s, tk.ID)
	if got.State != anxin.Refunding || got.RefundedFen != 3000 || got.OfferFen != 0 {
		t.Fatalf("accepted: %s refunded %d, offer %d", got.State, got.RefundedFen, got.OfferFen)
	}
	offers, err := s.Offers(ctx, anxin.AllMerchants(), tk.ID)
	if err != nil || len(offers) != 1 || offers[0].Answer != anxin.OfferTaken || offers[0].By.Name != "花姐" {
		t.Fatalf("offers: %+v %v", offers, err)
	}
}

func TestOfferDeclinedResumesTheRemainingClock(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	tk, by := offerOn(t, s, clock, 3000)
	clock.Advance(5 * time.Hour)
	got, err := s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.OfferDeclined, Actor: anxin.Buyer(), Reason: "太少"})
	if err != nil {
		t.Fatal(err)
	}
	if got.State != anxin.PendingMerchant || !got.Deadline.Equal(clock.Now().Add(14*time.Hour)) || got.OfferFen != 0 {
		t.Fatalf("declined: %s due %v, want due %v", got.State, got.Deadline, clock.Now().Add(14*time.Hour))
	}
	if n, _ := refundCount(t, s, tk.ID); n != 0 {
		t.Fatal("a declined offer paid")
	}
	// The count is the ticket's: two more offers, then no more.
	for i := range 3 {
		_, err := s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.Offer, Actor: by, AmountFen: 4000, Reason: "再议"})
		if i == 2 {
			var e *anxin.Error
			if !errors.As(err, &e) || e.Msg != anxin.MsgOfferLimit {
				t.Fatalf("a fourth offer: %v", err)
			}
			break
		}
		if err != nil {
			t.Fatalf("offer %d: %v", i+2, err)
		}
		if _, err := s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.OfferDeclined, Actor: anxin.Buyer()}); err != nil {
			t.Fatal(err)
		}
	}
	offers, _ := s.Offers(ctx, anxin.AllMerchants(), tk.ID)
	if len(offers) != 3 || offers[0].Answer != anxin.OfferRefused || offers[2].Answer != anxin.OfferRefused {
		t.Fatalf("offers: %+v", offers)
	}
	if other, _ := s.Offers(ctx, anxin.Scope{MerchantID: tk.MerchantID + 1000}, tk.ID); len(other) != 0 {
		t.Fatal("another merchant reads the offers")
	}
}

func TestUnansweredOfferLapsesBackToTheMerchant(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	tk, _ := offerOn(t, s, clock, 3000)
	clock.Advance(24*time.Hour - time.Second)
	if sw := runTimeouts(t, s); sw.Done != 0 {
		t.Fatal("the offer lapsed early")
	}
	clock.Advance(time.Hour) // caught up late: the remaining clock runs from the lapse
	if sw := runTimeouts(t, s); sw.Done != 1 {
		t.Fatalf("the sweep acted %d times, want 1", sw.Done)
	}
	got := mustTicket(t, s, tk.ID)
	if got.State != anxin.PendingMerchant || !got.Deadline.Equal(clock.Now().Add(14*time.Hour)) {
		t.Fatalf("lapsed: %s due %v", got.State, got.Deadline)
	}
	ev := lastEvent(t, s, tk.ID)
	if ev.Actor.Role != anxin.RoleSystem || ev.Action != anxin.Timeout || ev.Detail != string(anxin.OfferLapse) {
		t.Fatalf("recorded as %+v", ev)
	}
	offers, _ := s.Offers(ctx, anxin.AllMerchants(), tk.ID)
	if len(offers) != 1 || offers[0].Answer != anxin.OfferLapsed {
		t.Fatalf("offers: %+v", offers)
	}
	if n, _ := refundCount(t, s, tk.ID); n != 0 {
		t.Fatal("a lapsed offer paid")
	}
}
