package anxin_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// offered is a pending-merchant ticket of ¥99 (9900 fen asked) with an
// offer of amount made at 10 h into its 24 h merchant clock.
func offered(t *testing.T, amount int64) (anxin.Ticket, anxin.Policy) {
	t.Helper()
	_, p := policy(t, anxin.FreshSpoiled, nil) // 24 h merchant clock
	tk := newTicket(p, received(9900, t0), 0, t0)
	step(t, &tk, p, anxin.Decision{Action: anxin.Offer, Actor: merchant, AmountFen: amount, Reason: "少量瑕疵，退 ¥30 可以吗"}, t0.Add(10*time.Hour))
	return tk, p
}

func TestOfferRules(t *testing.T) {
	_, p := policy(t, anxin.FreshSpoiled, nil)
	tk := newTicket(p, received(9900, t0), 0, t0)
	tk.RefundedFen = 1000 // 8900 remain
	now := t0.Add(time.Hour)
	msg := "瑕疵轻微"
	tests := []struct {
		name   string
		amount int64
		reason string
		made   int
		want   anxin.Msg // "" for allowed
	}{
		{"zero", 0, msg, 0, anxin.MsgOfferNotPositive},
		{"negative", -100, msg, 0, anxin.MsgOfferNotPositive},
		{"what was asked", 9900, msg, 0, anxin.MsgOfferNotLower},
		{"above what was asked", 9901, msg, 0, anxin.MsgOfferNotLower},
		{"above what remains", 8901, msg, 0, anxin.MsgRefundExceeds},
		{"all that remains", 8900, msg, 0, ""},
		{"no message", 3000, "  ", 0, anxin.MsgOfferNeedsText},
		{"message too long", 3000, strings.Repeat("好", anxin.MaxLongText+1), 0, anxin.MsgTextTooLong},
		{"third offer", 3000, msg, 2, ""},
		{"fourth offer", 3000, msg, 3, anxin.MsgOfferLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk := tk
			tk.OffersMade = tt.made
			_, err := tk.Decide(anxin.Decision{Action: anxin.Offer, Actor: merchant, AmountFen: tt.amount, Reason: tt.reason}, p, now)
			if got := msgOf(err); got != tt.want {
				t.Fatalf("offer of %d: %v, want %q", tt.amount, err, tt.want)
			}
		})
	}
	if _, err := tk.Decide(anxin.Decision{Action: anxin.Offer, Actor: anxin.Buyer(), AmountFen: 3000, Reason: msg}, p, now); anxin.ErrorCode(err) != anxin.ENOTALLOWED {
		t.Fatalf("the buyer made an offer: %v", err)
	}
	p.MaxOffers = 1 // a policy setting, not a constant
	tk.OffersMade = 1
	if tk.CanOffer(p) {
		t.Fatal("CanOffer past the policy's count")
	}
}

func msgOf(err error) anxin.Msg {
	var e *anxin.Error
	if errors.As(err, &e) {
		return e.Msg
	}
	if err != nil {
		return "?"
	}
	return ""
}

func TestOfferPausesMerchantClockAndAcceptPaysTheOffer(t *testing.T) {
	tk, p := offered(t, 3000)
	if tk.State != anxin.OfferPending || tk.OfferFen != 3000 || tk.OfferFrom != anxin.PendingMerchant || tk.OffersMade != 1 {
		t.Fatalf("offered: %+v", tk)
	}
	if tk.PausedLeft != 14*time.Hour || !tk.Deadline.Equal(t0.Add(34*time.Hour)) {
		t.Fatalf("offer clock: paused %v, due %v", tk.PausedLeft, tk.Deadline)
	}
	if got := anxin.TimeoutOf(tk.State, p); got != anxin.OfferLapse || !tk.AutoAt(p).Equal(tk.Deadline) {
		t.Fatalf("offer times out by %q at %v", got, tk.AutoAt(p))
	}
	if pay, err := tk.WouldPay(anxin.OfferAccepted, p); err != nil || pay != 3000 {
		t.Fatalf("accepting would pay %d: %v", pay, err)
	}
	c := step(t, &tk, p, anxin.Decision{Action: anxin.OfferAccepted, Actor: anxin.Buyer()}, t0.Add(12*time.Hour))
	if c.PayFen != 3000 || tk.State != anxin.Refunding || tk.RefundedFen != 3000 || tk.OfferFen != 0 {
		t.Fatalf("accepted: pays %d, %s, refunded %d", c.PayFen, tk.State, tk.RefundedFen)
	}
	if _, err := tk.Decide(anxin.Decision{Action: anxin.OfferAccepted, Actor: anxin.Buyer()}, p, t0.Add(13*time.Hour)); err == nil {
		t.Fatal("an offer was accepted twice")
	}
}

func TestOfferAcceptedIsCappedByWhatRemains(t *testing.T) {
	tk, p := offered(t, 3000)
	tk.RefundedFen = 9000 // paid elsewhere meanwhile: 900 remain
	c := step(t, &tk, p, anxin.Decision{Action: anxin.OfferAccepted, Actor: agent}, t0.Add(11*time.Hour))
	if c.PayFen != 900 {
		t.Fatalf("accepted pays %d, want what remains (900)", c.PayFen)
	}
}

func TestOfferDeclinedOrLapsedResumesMerchantClock(t *testing.T) {
	for _, tt := range []struct {
		name   string
		d      anxin.Decision
		at     time.Duration // after the offer
		detail string
	}{
		{"declined", anxin.Decision{Action: anxin.OfferDeclined, Actor: anxin.Buyer(), Reason: "太少了"}, 5 * time.Hour, "太少了"},
		{"lapsed", anxin.Decision{Action: anxin.Timeout, Actor: anxin.System()}, 24 * time.Hour, string(anxin.OfferLapse)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tk, p := offered(t, 3000)
			now := t0.Add(10*time.Hour + tt.at)
			if tt.d.Action == anxin.Timeout {
				if _, err := tk.Decide(tt.d, p, now.Add(-time.Second)); err == nil {
					t.Fatal("the offer lapsed before its clock ran out")
				}
			}
			c := step(t, &tk, p, tt.d, now)
			if tk.State != anxin.PendingMerchant || !tk.Deadline.Equal(now.Add(14*time.Hour)) || c.PayFen != 0 {
				t.Fatalf("%s: %s due %v, pays %d", tt.name, tk.State, tk.Deadline, c.PayFen)
			}
			if tk.OfferFen != 0 || tk.OffersMade != 1 || c.Event.Detail != tt.detail {
				t.Fatalf("%s: offer %d, %d made, detail %q", tt.name, tk.OfferFen, tk.OffersMade, c.Event.Detail)
			}
			// The merchant may offer again, or reject, as the spec says.
			if _, err := tk.Decide(anxin.Decision{Action: anxin.Reject, Actor: merchant, Reason: "不符合"}, p, now); err != nil {
				t.Fatalf("reject after the offer: %v", err)
			}
		})
	}
}

func TestOfferDuringReturnGoesBackToReceipt(t *testing.T) {
	_, p := policy(t, anxin.QualityReturn, nil)
	tk := newTicket(p, received(9900, t0), 0, t0)
	step(t, &tk, p, anxin.Decision{Action: anxin.Approve, Actor: merchant}, t0.Add(time.Hour))
	step(t, &tk, p, anxin.Decision{Action: anxin.ShipReturn, Actor: anxin.Buyer(), Tracking: "SF1"}, t0.Add(2*time.Hour))
	step(t, &tk, p, anxin.Decision{Action: anxin.Offer, Actor: merchant, AmountFen: 5000, Reason: "有使用痕迹"}, t0.Add(3*time.Hour))
	if tk.PausedLeft != 10*24*time.Hour-time.Hour {
		t.Fatalf("receipt clock paused with %v left", tk.PausedLeft)
	}
	step(t, &tk, p, anxin.Decision{Action: anxin.OfferDeclined, Actor: anxin.Buyer()}, t0.Add(4*time.Hour))
	if tk.State != anxin.AwaitingReceipt || !tk.Deadline.Equal(t0.Add(4*time.Hour+10*24*time.Hour-time.Hour)) {
		t.Fatalf("declined: %s due %v", tk.State, tk.Deadline)
	}
	if tk.OffersMade != 1 || !tk.CanOffer(p) {
		t.Fatal("a second offer is allowed")
	}
}

func TestOfferCancelledByBuyer(t *testing.T) {
	tk, p := offered(t, 3000)
	step(t, &tk, p, anxin.Decision{Action: anxin.Cancel, Actor: anxin.Buyer()}, t0.Add(11*time.Hour))
	if tk.State != anxin.Closed || tk.OfferFen != 0 {
		t.Fatalf("cancelled: %s", tk.State)
	}
}

func TestOfferSettingsArePolicy(t *testing.T) {
	clock, count := 48*time.Hour, 1
	svc, p := policy(t, anxin.QualityReturn, &anxin.PolicyOverride{Service: anxin.QualityReturn, OfferClock: &clock, MaxOffers: &count})
	if p.OfferClock != clock || p.MaxOffers != 1 || svc.Default.OfferClock != anxin.DefaultOfferClock || svc.Default.MaxOffers != anxin.DefaultMaxOffers {
		t.Fatalf("policy %+v, default %+v", p, svc.Default)
	}
	tk := newTicket(p, received(9900, t0), 0, t0)
	step(t, &tk, p, anxin.Decision{Action: anxin.Offer, Actor: agent, AmountFen: 5000, Reason: "半价"}, t0)
	if !tk.Deadline.Equal(t0.Add(clock)) {
		t.Fatalf("offer due %v", tk.Deadline)
	}
	for _, o := range []anxin.PolicyOverride{
		{Service: anxin.QualityReturn, OfferClock: ptr(59 * time.Minute)},
		{Service: anxin.QualityReturn, OfferClock: ptr(7*24*time.Hour + time.Minute)},
		{Service: anxin.QualityReturn, MaxOffers: ptr(-1)},
		{Service: anxin.QualityReturn, MaxOffers: ptr(10)},
	} {
		if o.Validate() == nil {
			t.Errorf("override %+v accepted", o)
		}
	}
}

func ptr[T any](v T) *T { return &v }
