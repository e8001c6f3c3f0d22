package anxin_test

import (
	"strings"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// TestClaimRefusalsNameTheField: a claim refused at intake says which of
// its fields was wrong, as the API's 422 answers do: the order's time a
// window runs from for a late claim, the service for one the merchant does
// not offer, the amount for one that asks too much.
func TestClaimRefusalsNameTheField(t *testing.T) {
	ok := anxin.Claim{MerchantID: 1, Order: received(5000, t0), BuyerPhone: "13800138000", Actor: anxin.Buyer()}
	tests := []struct {
		name    string
		service anxin.ServiceKey
		edit    func(*anxin.Claim)
		at      time.Duration // after receipt
		field   anxin.Field
	}{
		{"fresh food at 23 h", anxin.FreshSpoiled, func(*anxin.Claim) {}, 23 * time.Hour, ""},
		{"fresh food at 25 h", anxin.FreshSpoiled, func(*anxin.Claim) {}, 25 * time.Hour, anxin.FieldReceivedAt},
		{"price protection after 30 days from the order", anxin.PriceProtect, func(c *anxin.Claim) { c.RequestedFen = 500 },
			30 * 24 * time.Hour, anxin.FieldOrderedAt},
		{"an unshipped refund of a shipped order", anxin.UnshippedRefund, func(*anxin.Claim) {}, time.Hour, anxin.FieldShippedAt},
		{"a window from receipt, not received", anxin.QualityReturn, func(c *anxin.Claim) { c.Order.ReceivedAt = time.Time{} },
			time.Hour, anxin.FieldReceivedAt},
		{"allergy, not opted in", anxin.BeautyAllergy, func(*anxin.Claim) {}, time.Hour, anxin.FieldService},
		{"no order id", anxin.FreshSpoiled, func(c *anxin.Claim) { c.Order.ID = "" }, time.Hour, anxin.FieldOrderID},
		{"no product", anxin.FreshSpoiled, func(c *anxin.Claim) { c.Order.Product = "" }, time.Hour, anxin.FieldProduct},
		{"nothing paid", anxin.FreshSpoiled, func(c *anxin.Claim) { c.Order.PaidFen = 0 }, time.Hour, anxin.FieldPaid},
		{"no order time", anxin.FreshSpoiled, func(c *anxin.Claim) { c.Order.OrderedAt = time.Time{} }, time.Hour, anxin.FieldOrderedAt},
		{"shipped before ordered", anxin.FreshSpoiled, func(c *anxin.Claim) { c.Order.ShippedAt = c.Order.OrderedAt.Add(-time.Hour) },
			time.Hour, anxin.FieldShippedAt},
		{"received before shipped", anxin.FreshSpoiled, func(c *anxin.Claim) { c.Order.ReceivedAt = c.Order.ShippedAt.Add(-time.Hour) },
			time.Hour, anxin.FieldReceivedAt},
		{"more than was paid", anxin.FreshSpoiled, func(c *anxin.Claim) { c.RequestedFen = 6000 }, time.Hour, anxin.FieldRequested},
		{"price protection without the difference", anxin.PriceProtect, func(*anxin.Claim) {}, time.Hour, anxin.FieldRequested},
		{"no phone", anxin.FreshSpoiled, func(c *anxin.Claim) { c.BuyerPhone = "" }, time.Hour, anxin.FieldBuyerPhone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, p := policy(t, tt.service, nil)
			c := ok
			c.Service = tt.service
			tt.edit(&c)
			_, _, err := c.Open(s, p, t0.Add(tt.at))
			if got := anxin.ErrorField(err); got != tt.field || (tt.field != "" && err == nil) {
				t.Fatalf("%v names %q, want %q", err, got, tt.field)
			}
		})
	}
	if got := anxin.ErrorField(anxin.Fail(anxin.MsgUnknownService, "free_lunch")); got != anxin.FieldService {
		t.Fatalf("an unknown service names %q", got)
	}
	if got := anxin.ErrorField(anxin.Fail(anxin.MsgUnknownMerchantKey, "nobody")); got != anxin.FieldMerchant {
		t.Fatalf("an unknown merchant names %q", got)
	}
}

// TestPostageCappedDetail: the creation of a capped 运费险 claim says what
// was claimed and what is paid at most, and pages read it back.
func TestPostageCappedDetail(t *testing.T) {
	s, p := policy(t, anxin.ShippingInsurance, nil)
	c := anxin.Claim{MerchantID: 1, Service: s.Key, Order: received(45900, t0), BuyerPhone: "13800138000",
		Reason: "退货运费 25 元", RequestedFen: 2500, Actor: anxin.Buyer()}
	tk, ev, err := c.Open(s, p, t0.Add(time.Hour))
	if err != nil || tk.RequestedFen != 1935 {
		t.Fatalf("a ¥25 claim: %v %+v", err, tk)
	}
	claimed, most, rest, ok := anxin.ParsePostageCapped(ev.Detail)
	if !ok || claimed != 2500 || most != 1935 || rest != "退货运费 25 元" {
		t.Fatalf("%q reads %d %d %q %v", ev.Detail, claimed, most, rest, ok)
	}
	c.Reason = ""
	if _, ev, _ = c.Open(s, p, t0.Add(time.Hour)); !strings.HasSuffix(ev.Detail, "at most.") {
		t.Fatalf("without words: %q", ev.Detail)
	}
	for _, d := range []string{"", "花瓣发黑", "postage capped: lots", "postage capped: 1 fen claimed"} {
		if _, _, _, ok := anxin.ParsePostageCapped(d); ok {
			t.Errorf("%q read as a capped claim", d)
		}
	}
}
