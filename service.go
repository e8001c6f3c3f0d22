package anxin

import (
	"slices"
	"time"
)

// ServiceKey names one of the nine after-sales services of the catalog.
type ServiceKey string

const (
	UnshippedRefund   ServiceKey = "unshipped_refund"   // 未发货退款 / 极速退款
	NoReason7d        ServiceKey = "no_reason_7d"       // 七天无理由退货
	QualityReturn     ServiceKey = "quality_return"     // 质量问题退货退款
	Damaged           ServiceKey = "damaged"            // 破损包退
	FreshSpoiled      ServiceKey = "fresh_spoiled"      // 生鲜坏单包赔
	BeautyAllergy     ServiceKey = "beauty_allergy"     // 美妆过敏包退包换
	Authentic         ServiceKey = "authentic"          // 正品保证 (假一赔三)
	PriceProtect      ServiceKey = "price_protect"      // 价保
	ShippingInsurance ServiceKey = "shipping_insurance" // 运费险
)

// WindowStart is the moment a claim window runs from.
type WindowStart string

const (
	FromReceipt  WindowStart = "receipt"       // the buyer received the order
	FromOrder    WindowStart = "order"         // the buyer placed the order
	UntilShipped WindowStart = "until_shipped" // open until the merchant ships
)

// Compensation is what a service pays when a claim is granted.
type Compensation string

const (
	CompFull       Compensation = "full"         // what was paid
	CompFullOrLess Compensation = "full_or_less" // what was paid, may be lowered
	CompTriple     Compensation = "triple"       // 假一赔三: refund plus 3x the price, at least ¥500 on top
	CompDifference Compensation = "difference"   // 价保: the price difference claimed
	CompPostage    Compensation = "postage"      // 运费险: the postage claimed, up to a cap
)

// TimeoutAction is what the system does by itself when a clock runs out.
type TimeoutAction string

const (
	AutoRefund  TimeoutAction = "auto_refund"
	AutoApprove TimeoutAction = "auto_approve"
	Escalate    TimeoutAction = "escalate"
	AutoReceive TimeoutAction = "auto_receive"
	AutoClose   TimeoutAction = "close"
	OfferLapse  TimeoutAction = "offer_lapsed" // the buyer did not answer an offer: back to the merchant
	// RaiseReturn: goods refunded ahead of their return were not received
	// in time; the ticket is raised to the merchant as a known risk.
	RaiseReturn TimeoutAction = "raise_return"
	// RefundUnshipped: the merchant did not ship an exchange's replacement
	// or a reship in time; the ticket turns into a refund.
	RefundUnshipped TimeoutAction = "refund_unshipped"
	NoAction        TimeoutAction = "" // the deadline shows as overdue; a person must act
)

const (
	// AuthenticFloorFen is the statutory minimum of 假一赔三 compensation: ¥500.
	AuthenticFloorFen int64 = 50000
	// PostageCapPickupFen and PostageCapSelfFen are the default caps of
	// 运费险 payouts (WeChat 无忧退货's figures): a policy may set others.
	PostageCapPickupFen int64 = 1935
	PostageCapSelfFen   int64 = 1000
)

// Policy is one service's rules as they apply to one merchant: the catalog's
// defaults with the merchant's overrides applied.
type Policy struct {
	Service       ServiceKey
	Enabled       bool // false: the merchant has not opted in (or has opted out)
	Window        time.Duration
	WindowFrom    WindowStart
	EvidenceMin   int  // photos required before a decision
	Appraisal     bool // an appraisal report is part of the evidence
	NeedsReturn   bool // the goods come back before the refund
	Compensation  Compensation
	MerchantClock time.Duration
	OnTimeout     TimeoutAction
	OfferClock    time.Duration // how long the buyer has to answer an offer (协商)
	MaxOffers     int           // how many offers a ticket may see
	// InspectClock is how long the merchant has to inspect a return the
	// carrier delivered, before it is taken as received.
	InspectClock time.Duration
	// Pickup is when a doorstep pickup (上门取件) may be booked.
	Pickup PickupRules
	// Postage caps the 运费险 payout of a return, by how it came back.
	Postage PostageCaps
	// Settles is the settlement kinds the buyer may choose at intake.
	Settles SettlementSet
	// ShipClock is how long the merchant has to ship an exchange's
	// replacement (from the return's receipt) or a reship (from approval)
	// before the ticket turns into a refund.
	ShipClock time.Duration
	// DeliveryClock is how long after shipping the buyer's receipt of the
	// replacement or reship is taken as confirmed and the ticket closes.
	DeliveryClock time.Duration
	// MaxReships is how many times an order may be reshipped.
	MaxReships int
}

// The negotiation defaults of every service: TikTok gives the buyer one
// calendar day to answer; Anxin allows 3 offers per ticket (assumed, after
// WeChat's cap on delivery negotiations).
const (
	DefaultOfferClock = 24 * time.Hour
	DefaultMaxOffers  = 3
)

// DefaultInspectClock is how long a merchant has to inspect a delivered
// return: TikTok gives 2 calendar days to accept or reject the parcel
// (WeChat counts 10 days from the tracking entry instead).
const DefaultInspectClock = 48 * time.Hour

// Service is an entry of the catalog.
type Service struct {
	Key    ServiceKey
	NameZH string
	NameEN string
	// OptIn services are off for a merchant until it opts in.
	OptIn bool
	// Default is the policy before any merchant override.
	Default Policy
	// Checklist names the photos a complete claim shows, in the UI's words.
	Checklist []string
}

const day = 24 * time.Hour

// catalog is the nine services with their default policies (the spec's table;
// figures it marks as assumed are defaults chosen by Anxin).
var catalog = []Service{
	{Key: UnshippedRefund, NameZH: "未发货退款", NameEN: "Unshipped refund",
		Default: Policy{WindowFrom: UntilShipped, Compensation: CompFull, MerchantClock: 48 * time.Hour, OnTimeout: AutoRefund}},
	{Key: NoReason7d, NameZH: "七天无理由退货", NameEN: "7-day no-reason return",
		Default:   Policy{Window: 7 * day, WindowFrom: FromReceipt, NeedsReturn: true, Compensation: CompFull, MerchantClock: 48 * time.Hour, OnTimeout: AutoApprove},
		Checklist: []string{"item"}},
	{Key: QualityReturn, NameZH: "质量问题退货退款", NameEN: "Quality return",
		Default:   Policy{Window: 15 * day, WindowFrom: FromReceipt, EvidenceMin: 1, NeedsReturn: true, Compensation: CompFullOrLess, MerchantClock: 48 * time.Hour, OnTimeout: AutoApprove},
		Checklist: []string{"defect", "item"}},
	{Key: Damaged, NameZH: "破损包退", NameEN: "Damaged on arrival",
		Default:   Policy{Window: 48 * time.Hour, WindowFrom: FromReceipt, EvidenceMin: 2, Compensation: CompFull, MerchantClock: 48 * time.Hour, OnTimeout: AutoApprove, Settles: SettlesBy(SettleRefund, SettleReship)},
		Checklist: []string{"parcel", "item"}},
	{Key: FreshSpoiled, NameZH: "生鲜坏单包赔", NameEN: "Spoiled fresh food",
		Default:   Policy{Window: 24 * time.Hour, WindowFrom: FromReceipt, EvidenceMin: 1, Compensation: CompFull, MerchantClock: 24 * time.Hour, OnTimeout: AutoApprove, Settles: SettlesBy(SettleRefund, SettleReship)},
		Checklist: []string{"product", "label"}},
	{Key: BeautyAllergy, NameZH: "美妆过敏包退包换", NameEN: "Cosmetics allergy", OptIn: true,
		Default:   Policy{Window: 30 * day, WindowFrom: FromReceipt, EvidenceMin: 1, NeedsReturn: true, Compensation: CompFull, MerchantClock: 48 * time.Hour, OnTimeout: AutoApprove, Settles: SettlesBy(SettleRefund, SettleExchange)},
		Checklist: []string{"reaction", "product"}},
	{Key: Authentic, NameZH: "正品保证", NameEN: "Authenticity guarantee",
		Default:   Policy{Window: 30 * day, WindowFrom: FromReceipt, EvidenceMin: 1, Appraisal: true, NeedsReturn: true, Compensation: CompTriple, MerchantClock: 48 * time.Hour, OnTimeout: Escalate},
		Checklist: []string{"item", "appraisal"}},
	{Key: PriceProtect, NameZH: "价保", NameEN: "Price protection",
		Default: Policy{Window: 30 * day, WindowFrom: FromOrder, Compensation: CompDifference, MerchantClock: 48 * time.Hour, OnTimeout: AutoRefund}},
	// 运费险 is claimed with a return; its window is assumed to cover a 7-day
	// return plus the time to ship it back.
	{Key: ShippingInsurance, NameZH: "运费险", NameEN: "Return-shipping insurance",
		Default:   Policy{Window: 30 * day, WindowFrom: FromReceipt, Compensation: CompPostage, MerchantClock: 48 * time.Hour, OnTimeout: AutoApprove},
		Checklist: []string{"tracking"}},
}

var catalogIndex = func() map[ServiceKey]*Service {
	m := make(map[ServiceKey]*Service, len(catalog))
	for i := range catalog {
		s := &catalog[i]
		s.Default.Service = s.Key
		s.Default.Enabled = !s.OptIn
		s.Default.OfferClock = DefaultOfferClock
		s.Default.MaxOffers = DefaultMaxOffers
		s.Default.InspectClock = DefaultInspectClock
		s.Default.Pickup = DefaultPickupRules()
		s.Default.Postage = PostageCaps{PickupFen: PostageCapPickupFen, SelfFen: PostageCapSelfFen}
		if s.Default.Settles == 0 {
			s.Default.Settles = SettlesBy(SettleRefund) // refund only, unless the catalog says more
		}
		s.Default.ShipClock = DefaultShipClock
		s.Default.DeliveryClock = DefaultDeliveryClock
		s.Default.MaxReships = DefaultMaxReships
		m[s.Key] = s
	}
	return m
}()

// Services lists the catalog: the nine services with their default
// policies, in the spec's order. The entries are copies.
func Services() []Service {
	out := make([]Service, len(catalog))
	for i, s := range catalog {
		out[i] = s.clone()
	}
	return out
}

// LookupService returns (a copy of) the catalog entry for key.
func LookupService(key ServiceKey) (Service, error) {
	s, ok := catalogIndex[key]
	if !ok {
		return Service{}, Fail(MsgUnknownService, string(key))
	}
	return s.clone(), nil
}

// clone copies the entry with its own checklist, so that no caller can
// change the catalog through the slice it was given.
func (s Service) clone() Service {
	s.Checklist = slices.Clone(s.Checklist)
	return s
}

// PolicyOverride is a merchant's change to one service's defaults. Nil fields
// keep the default.
type PolicyOverride struct {
	Service       ServiceKey
	Enabled       *bool
	Window        *time.Duration
	EvidenceMin   *int
	MerchantClock *time.Duration
	OfferClock    *time.Duration
	MaxOffers     *int // 0: no negotiation on this service
	// ShipClock: the merchant's time to ship a replacement or reship.
	ShipClock *time.Duration
}

// PolicyFor returns the service's policy with the override applied.
func (s Service) PolicyFor(o *PolicyOverride) Policy {
	p := s.Default
	if o == nil {
		return p
	}
	if o.Enabled != nil {
		p.Enabled = *o.Enabled
	}
	if o.Window != nil {
		p.Window = *o.Window
	}
	if o.EvidenceMin != nil {
		p.EvidenceMin = *o.EvidenceMin
	}
	if o.MerchantClock != nil {
		p.MerchantClock = *o.MerchantClock
	}
	if o.OfferClock != nil {
		p.OfferClock = *o.OfferClock
	}
	if o.MaxOffers != nil {
		p.MaxOffers = *o.MaxOffers
	}
	if o.ShipClock != nil {
		p.ShipClock = *o.ShipClock
	}
	return p
}

// Validate checks that an override keeps the policy workable.
func (o PolicyOverride) Validate() error {
	if _, err := LookupService(o.Service); err != nil {
		return err
	}
	if o.Window != nil && (*o.Window <= 0 || *o.Window > 365*day) {
		return Fail(MsgWindowRange)
	}
	if o.MerchantClock != nil && (*o.MerchantClock < time.Hour || *o.MerchantClock > 30*day) {
		return Fail(MsgClockRange)
	}
	if o.EvidenceMin != nil && (*o.EvidenceMin < 0 || *o.EvidenceMin > 9) {
		return Fail(MsgEvidenceMinRange)
	}
	if o.OfferClock != nil && (*o.OfferClock < time.Hour || *o.OfferClock > 7*day) {
		return Fail(MsgOfferClockRange)
	}
	if o.MaxOffers != nil && (*o.MaxOffers < 0 || *o.MaxOffers > 9) {
		return Fail(MsgMaxOffersRange)
	}
	if o.ShipClock != nil && (*o.ShipClock < time.Hour || *o.ShipClock > 30*day) {
		return Fail(MsgShipClockRange)
	}
	return nil
}

// Payable is the most a granted claim on this service may pay for an order
// that cost paid, when the buyer asked for requested (0: the service's full
// compensation).
// The arithmetic is checked: amounts within MaxAmountFen cannot overflow it,
// and an amount that would is refused rather than wrapped around.
func (p Policy) Payable(paid, requested int64) (int64, error) {
	if err := CheckAmount(FieldPaid, paid); err != nil {
		return 0, err
	}
	if err := CheckAmount(FieldRequested, requested); err != nil {
		return 0, err
	}
	switch p.Compensation {
	case CompTriple:
		triple, ok1 := mulFen(paid, 3)
		total, ok2 := addFen(paid, max(triple, AuthenticFloorFen))
		if !ok1 || !ok2 {
			return 0, Fail(MsgAmountRange, FieldPaid, Fen(paid), Fen(MaxAmountFen))
		}
		return total, nil
	case CompDifference:
		if requested <= 0 {
			return 0, nil
		}
		return min(requested, paid), nil
	case CompPostage:
		// The postage claimed, up to the most any return's postage is
		// paid: a claim above it is capped, not refused (Claim.Open).
		if requested <= 0 {
			return p.Postage.Most(), nil
		}
		return min(requested, p.Postage.Most()), nil
	}
	return paid, nil
}
