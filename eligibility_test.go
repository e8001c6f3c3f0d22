package anxin_test

import (
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

var t0 = time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)

func received(paid int64, at time.Time) anxin.Order {
	return anxin.Order{ID: "O1", Product: "p", PaidFen: paid, OrderedAt: at.Add(-72 * time.Hour),
		ShippedAt: at.Add(-48 * time.Hour), ReceivedAt: at}
}

func policy(t *testing.T, key anxin.ServiceKey, o *anxin.PolicyOverride) (anxin.Service, anxin.Policy) {
	t.Helper()
	s, err := anxin.LookupService(key)
	if err != nil {
		t.Fatal(err)
	}
	return s, s.PolicyFor(o)
}

func TestEligible(t *testing.T) {
	yes := true
	optIn := &anxin.PolicyOverride{Service: anxin.BeautyAllergy, Enabled: &yes}
	unshipped := anxin.Order{ID: "O2", Product: "p", PaidFen: 9900, OrderedAt: t0}
	shipped := unshipped
	shipped.ShippedAt = t0.Add(3 * time.Hour)
	notReceived := shipped

	tests := []struct {
		name     string
		service  anxin.ServiceKey
		override *anxin.PolicyOverride
		order    anxin.Order
		at       time.Time
		code     string // "" accepts
	}{
		{"spoiled fresh 23h after receipt", anxin.FreshSpoiled, nil, received(5000, t0), t0.Add(23 * time.Hour), ""},
		{"spoiled fresh 25h after receipt", anxin.FreshSpoiled, nil, received(5000, t0), t0.Add(25 * time.Hour), anxin.EOUTSIDEWINDOW},
		{"spoiled fresh exactly 24h", anxin.FreshSpoiled, nil, received(5000, t0), t0.Add(24 * time.Hour), ""},
		{"allergy day 29, merchant opted in", anxin.BeautyAllergy, optIn, received(149000, t0), t0.Add(29 * 24 * time.Hour), ""},
		{"allergy day 29, merchant not opted in", anxin.BeautyAllergy, nil, received(149000, t0), t0.Add(29 * 24 * time.Hour), anxin.ENOTOPTEDIN},
		{"allergy day 31, opted in", anxin.BeautyAllergy, optIn, received(149000, t0), t0.Add(31 * 24 * time.Hour), anxin.EOUTSIDEWINDOW},
		{"impulse refund 2h after order, unshipped", anxin.UnshippedRefund, nil, unshipped, t0.Add(2 * time.Hour), ""},
		{"unshipped refund after shipment", anxin.UnshippedRefund, nil, shipped, t0.Add(4 * time.Hour), anxin.EALREADYSHIPPED},
		{"unshipped refund requested before the shipment", anxin.UnshippedRefund, nil, shipped, t0.Add(2 * time.Hour), ""},
		{"no-reason return before receipt", anxin.NoReason7d, nil, notReceived, t0.Add(5 * time.Hour), anxin.ENOTRECEIVED},
		{"no-reason return day 6", anxin.NoReason7d, nil, received(9900, t0), t0.Add(6 * 24 * time.Hour), ""},
		{"no-reason return day 8", anxin.NoReason7d, nil, received(9900, t0), t0.Add(8 * 24 * time.Hour), anxin.EOUTSIDEWINDOW},
		{"damaged 47h", anxin.Damaged, nil, received(9900, t0), t0.Add(47 * time.Hour), ""},
		{"damaged 49h", anxin.Damaged, nil, received(9900, t0), t0.Add(49 * time.Hour), anxin.EOUTSIDEWINDOW},
		{"price protection runs from the order", anxin.PriceProtect, nil, received(9900, t0), t0.Add(-72*time.Hour + 30*24*time.Hour), ""},
		{"price protection day 31 from order", anxin.PriceProtect, nil, received(9900, t0), t0.Add(-72*time.Hour + 31*24*time.Hour), anxin.EOUTSIDEWINDOW},
		{"claim dated before receipt", anxin.QualityReturn, nil, received(9900, t0), t0.Add(-time.Hour), anxin.EOUTSIDEWINDOW},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, p := policy(t, tt.service, tt.override)
			err := p.Eligible(s, tt.order, tt.at)
			if got := anxin.ErrorCode(err); got != tt.code {
				t.Fatalf("Eligible = %v (code %q), want code %q", err, got, tt.code)
			}
			if err != nil && anxin.ErrorMessage(err) == "" {
				t.Fatal("a refusal must name its rule in its message")
			}
		})
	}
}

func TestPolicyOverride(t *testing.T) {
	s, _ := anxin.LookupService(anxin.FreshSpoiled)
	w, clock := 36*time.Hour, 12*time.Hour
	p := s.PolicyFor(&anxin.PolicyOverride{Service: s.Key, Window: &w, MerchantClock: &clock})
	if p.Window != w || p.MerchantClock != clock || p.EvidenceMin != 1 {
		t.Fatalf("override not applied: %+v", p)
	}
	if err := p.Eligible(s, received(100, t0), t0.Add(30*time.Hour)); err != nil {
		t.Fatalf("30h inside a 36h window refused: %v", err)
	}
	bad := time.Duration(0)
	if err := (anxin.PolicyOverride{Service: s.Key, Window: &bad}).Validate(); anxin.ErrorCode(err) != anxin.EINVALID {
		t.Fatalf("zero window accepted: %v", err)
	}
	if err := (anxin.PolicyOverride{Service: "nope"}).Validate(); anxin.ErrorCode(err) != anxin.EUNKNOWNSERVICE {
		t.Fatalf("unknown service accepted: %v", err)
	}
}

func TestCatalogHasNineServices(t *testing.T) {
	if len(anxin.Services()) != 9 {
		t.Fatalf("catalog has %d services, the spec has 9", len(anxin.Services()))
	}
	for _, s := range anxin.Services() {
		if s.Default.MerchantClock <= 0 || s.NameZH == "" || s.NameEN == "" {
			t.Errorf("%s: incomplete catalog entry %+v", s.Key, s)
		}
		if s.Default.Enabled == s.OptIn {
			t.Errorf("%s: enabled by default must be the opposite of opt-in", s.Key)
		}
	}
}

func TestPayable(t *testing.T) {
	tests := []struct {
		service         anxin.ServiceKey
		paid, requested int64
		want            int64
	}{
		{anxin.BeautyAllergy, 149000, 0, 149000},
		{anxin.Authentic, 10000, 0, 10000 + 50000},  // 3x ¥100 is under the ¥500 floor
		{anxin.Authentic, 50000, 0, 50000 + 150000}, // 3x ¥500
		{anxin.PriceProtect, 10000, 1200, 1200},
		{anxin.PriceProtect, 10000, 20000, 10000},
		{anxin.ShippingInsurance, 10000, 2500, anxin.PostageCapPickupFen},
		{anxin.ShippingInsurance, 10000, 800, 800},
	}
	for _, tt := range tests {
		_, p := policy(t, tt.service, nil)
		if got, err := p.Payable(tt.paid, tt.requested); err != nil || got != tt.want {
			t.Errorf("%s Payable(%d, %d) = %d, %v, want %d", tt.service, tt.paid, tt.requested, got, err, tt.want)
		}
	}
	// At the bounds: the most a price may be pays four times it, and a
	// price or a claim past the bounds is refused, never wrapped around.
	_, triple := policy(t, anxin.Authentic, nil)
	if got, err := triple.Payable(anxin.MaxAmountFen, 0); err != nil || got != 4*anxin.MaxAmountFen {
		t.Errorf("假一赔三 at the most a price may be: %d, %v", got, err)
	}
	for _, bad := range [][2]int64{{anxin.MaxAmountFen + 1, 0}, {-1, 0}, {1 << 62, 0}, {100, -1}, {100, anxin.MaxAmountFen + 1}} {
		if _, err := triple.Payable(bad[0], bad[1]); anxin.ErrorCode(err) != anxin.EAMOUNTRANGE {
			t.Errorf("Payable(%d, %d): %v, want %s", bad[0], bad[1], err, anxin.EAMOUNTRANGE)
		}
	}
}

func TestInstantRefund(t *testing.T) {
	r := anxin.DefaultInstantRefund()
	unshipped := anxin.Order{PaidFen: 90000, OrderedAt: t0}
	if !r.Qualifies(unshipped, 90000, true) {
		t.Error("an unshipped order qualifies whatever the amount")
	}
	o := received(15000, t0)
	if !r.Qualifies(o, 15000, false) || r.Qualifies(o, 15000, true) || r.Qualifies(o, 20001, false) {
		t.Error("shipped orders qualify up to ¥200 without an open dispute")
	}
	r.Enabled = false
	if r.Qualifies(unshipped, 100, false) {
		t.Error("a disabled instant refund qualifies nothing")
	}
}

func TestHumanDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		25 * time.Hour: "25h", 90 * time.Minute: "1h 30m", 29*24*time.Hour + 23*time.Hour: "29d 23h",
		3 * 24 * time.Hour: "3d", 5 * time.Minute: "5m",
	} {
		if got := anxin.HumanDuration(d); got != want {
			t.Errorf("HumanDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
