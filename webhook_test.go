package anxin_test

import (
	"slices"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

func TestInstantRefundDecision(t *testing.T) {
	r := anxin.DefaultInstantRefund()
	_, fresh := policy(t, anxin.FreshSpoiled, nil)
	_, noReason := policy(t, anxin.NoReason7d, nil)
	small := newTicket(fresh, received(15000, t0), 0, t0.Add(time.Hour))

	d, ok := r.Decision(small, fresh, false)
	if !ok || d.Actor != anxin.System() || d.Action != anxin.Refund || d.Version != small.Version {
		t.Fatalf("a ¥150 spoiled-fresh claim: %+v %v, want the system's refund", d, ok)
	}
	c := step(t, &small, fresh, d, t0.Add(time.Hour))
	if small.State != anxin.Refunding || c.PayFen != 15000 || c.Event.Detail != anxin.InstantRefundReason {
		t.Fatalf("instant refund: %s pays %d (%q)", small.State, c.PayFen, c.Event.Detail)
	}
	if _, ok := r.Decision(small, fresh, false); ok {
		t.Error("a ticket no longer pending is not refunded again")
	}
	if _, ok := r.Decision(newTicket(fresh, received(15000, t0), 0, t0), fresh, true); ok {
		t.Error("a buyer with an open dispute does not get an instant refund")
	}
	if _, ok := r.Decision(newTicket(fresh, received(30000, t0), 0, t0), fresh, false); ok {
		t.Error("¥300 on a received order is over the default threshold")
	}
	// A claim whose goods must come back is refunded ahead of them: the
	// return stays owed (it used to wait for the merchant).
	owing := newTicket(noReason, received(8900, t0), 0, t0)
	d, ok = r.Decision(owing, noReason, false)
	if !ok || d.Action != anxin.RefundAhead || d.Actor != anxin.System() {
		t.Fatalf("an ¥89 七天无理由 claim: %+v %v, want the system's refund ahead of the return", d, ok)
	}
	if c := step(t, &owing, noReason, d, t0); owing.State != anxin.Refunding || c.PayFen != 8900 || !owing.ReturnOwed {
		t.Fatalf("refund ahead: %s pays %d, return owed %v", owing.State, c.PayFen, owing.ReturnOwed)
	}
	_, insurance := policy(t, anxin.ShippingInsurance, nil)
	if _, ok := r.Decision(newTicket(insurance, received(5000, t0), 1000, t0), insurance, false); ok {
		t.Error("a 运费险 claim is paid with the order's return, never at intake")
	}
	// The system may refund a pending ticket, but takes no other person's action.
	tk := newTicket(fresh, received(5000, t0), 0, t0)
	if _, err := tk.Decide(anxin.Decision{Action: anxin.Approve, Actor: anxin.System()}, fresh, t0); anxin.ErrorCode(err) != anxin.ENOTALLOWED {
		t.Errorf("the system approving: %v, want not_allowed", err)
	}
}

func TestChangeWebhookEvents(t *testing.T) {
	_, p := policy(t, anxin.FreshSpoiled, nil)
	tk := newTicket(p, received(8800, t0), 0, t0)
	at := t0.Add(time.Minute)
	events := func(d anxin.Decision) []anxin.WebhookEvent {
		t.Helper()
		return step(t, &tk, p, d, at).WebhookEvents()
	}
	want := func(got []anxin.WebhookEvent, w ...anxin.WebhookEvent) {
		t.Helper()
		if !slices.Equal(got, w) {
			t.Fatalf("events %v, want %v", got, w)
		}
	}
	want(events(anxin.Decision{Action: anxin.Approve, Actor: merchant}), anxin.EventStateChanged, anxin.EventRefundRequested)
	want(events(anxin.Decision{Action: anxin.RefundFailure, Actor: anxin.System()}), anxin.EventStateChanged, anxin.EventRefundFailed)
	want(events(anxin.Decision{Action: anxin.RetryRefund, Actor: agent}), anxin.EventStateChanged, anxin.EventRefundRequested)
	want(events(anxin.Decision{Action: anxin.RefundSucceeded, Actor: anxin.System()}), anxin.EventStateChanged, anxin.EventRefundSucceeded)
}

func TestWebhookValidateAndWants(t *testing.T) {
	ok := anxin.Webhook{URL: "https://pay.example.com/anxin", Secret: "0123456789abcdef",
		Events: []anxin.WebhookEvent{anxin.EventRefundRequested}, MerchantID: 3, Active: true}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, w := range map[string]anxin.Webhook{
		"ftp URL":        {URL: "ftp://x.example", Secret: ok.Secret, Events: ok.Events},
		"credentials":    {URL: "https://u:p@x.example", Secret: ok.Secret, Events: ok.Events},
		"no host":        {URL: "https:///x", Secret: ok.Secret, Events: ok.Events},
		"short secret":   {URL: ok.URL, Secret: "short", Events: ok.Events},
		"no events":      {URL: ok.URL, Secret: ok.Secret},
		"unknown events": {URL: ok.URL, Secret: ok.Secret, Events: []anxin.WebhookEvent{"ticket.eaten"}},
	} {
		if anxin.ErrorCode(w.Validate()) != anxin.EINVALID {
			t.Errorf("%s: accepted", name)
		}
	}
	if !ok.Wants(anxin.EventRefundRequested, 3) || ok.Wants(anxin.EventRefundRequested, 4) || ok.Wants(anxin.EventTicketCreated, 3) {
		t.Error("an endpoint hears only its events of its merchant")
	}
	ok.MerchantID = 0
	if !ok.Wants(anxin.EventRefundRequested, 4) {
		t.Error("an endpoint without a merchant hears of every merchant")
	}
	ok.Active = false
	if ok.Wants(anxin.EventRefundRequested, 4) {
		t.Error("a disabled endpoint hears nothing")
	}
}

func TestWebhookBackoff(t *testing.T) {
	var total time.Duration
	attempts := 0
	for total < anxin.WebhookRetryFor {
		attempts++
		next := anxin.WebhookBackoff(attempts)
		if attempts > 1 && next < anxin.WebhookBackoff(attempts-1) {
			t.Fatalf("backoff shrinks at attempt %d", attempts)
		}
		total += next
	}
	if anxin.WebhookBackoff(1) != 10*time.Second || anxin.WebhookBackoff(2) != 20*time.Second || anxin.WebhookBackoff(99) != time.Hour {
		t.Fatalf("backoff 1, 2, 99: %v %v %v", anxin.WebhookBackoff(1), anxin.WebhookBackoff(2), anxin.WebhookBackoff(99))
	}
	if attempts < 20 || attempts > 40 {
		t.Fatalf("%d attempts in 24 h", attempts)
	}
}

// TestDeliveryRetry: a delivery given up on is due again now, and one more
// failed attempt gives it up again (its day is past); a delivery still being
// retried, or delivered, is not retried by hand.
func TestDeliveryRetry(t *testing.T) {
	created := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	d := anxin.Delivery{Status: anxin.DeliveryFailed, Attempts: 30, CreatedAt: created}
	now := created.Add(3 * 24 * time.Hour)
	r, err := d.Retry(now)
	if err != nil || r.Status != anxin.DeliveryPending || !r.NextAt.Equal(now) || r.Attempts != 30 {
		t.Fatalf("retry: %+v %v", r, err)
	}
	if again := r.Next(anxin.DeliveryAttempt{At: now, Status: 503}); again.Status != anxin.DeliveryFailed || !again.NextAt.IsZero() {
		t.Fatalf("the retry failing: %+v", again)
	}
	if ok := r.Next(anxin.DeliveryAttempt{At: now, Status: 204}); ok.Status != anxin.DeliveryDelivered {
		t.Fatalf("the retry delivered: %+v", ok)
	}
	for _, st := range []anxin.DeliveryStatus{anxin.DeliveryPending, anxin.DeliveryDelivered} {
		if _, err := (anxin.Delivery{Status: st}).Retry(now); anxin.ErrorCode(err) != anxin.ECONFLICT {
			t.Errorf("retrying a %s delivery: %v", st, err)
		}
	}
}
