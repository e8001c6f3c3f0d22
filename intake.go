package anxin

import (
	"fmt"
	"strings"
	"time"
)

// Claim is a buyer's after-sales request as it arrives, through the intake
// API or typed in by an agent from a call.
type Claim struct {
	MerchantID   int64
	Service      ServiceKey
	Order        Order
	BuyerName    string
	BuyerPhone   string
	Reason       string
	RequestedFen int64 // 0: the service's full compensation
	// Settlement is how the buyer wants the claim settled, among the kinds
	// the service allows ("": refund).
	Settlement Settlement
	// Override is an agent's recorded reason to accept a claim that its
	// window refuses. Only agents may give one.
	Override string
	Actor    Actor
}

// Open decides a claim at the given moment and, when it is accepted, returns
// the new ticket pending the merchant (without ID or number: the store assigns
// them) and its first timeline event.
func (c Claim) Open(s Service, p Policy, now time.Time) (Ticket, Event, error) {
	if err := c.Order.Validate(); err != nil {
		return Ticket{}, Event{}, err
	}
	if err := c.checkText(); err != nil {
		return Ticket{}, Event{}, err
	}
	if strings.TrimSpace(c.BuyerPhone) == "" {
		return Ticket{}, Event{}, Fail(MsgPhoneRequired)
	}
	if err := CheckAmount(FieldRequested, c.RequestedFen); err != nil {
		return Ticket{}, Event{}, err
	}
	kind := c.Settlement.Or()
	if err := p.CheckSettlement(kind); err != nil {
		return Ticket{}, Event{}, err
	}
	if p.Compensation == CompDifference && c.RequestedFen == 0 {
		return Ticket{}, Event{}, Fail(MsgPriceDifference)
	}
	payable, err := p.Payable(c.Order.PaidFen, c.RequestedFen)
	if err != nil {
		return Ticket{}, Event{}, err
	}
	detail := strings.TrimSpace(c.Reason)
	requested := c.RequestedFen
	switch {
	case requested > payable && p.Compensation == CompPostage:
		// 运费险 pays the postage up to its cap: more is capped, not refused.
		detail = strings.TrimSpace(fmt.Sprintf(postageCappedDetail+" %s", requested, payable, detail))
		requested = payable
	case requested > payable:
		return Ticket{}, Event{}, Fail(MsgClaimExceeds, Fen(c.RequestedFen), Fen(payable))
	case requested == 0:
		requested = payable
	}
	if err := p.Eligible(s, c.Order, now); err != nil {
		override := strings.TrimSpace(c.Override)
		if override == "" || !p.Enabled || !rolesOf(RoleAgent).has(c.Actor.Role) {
			return Ticket{}, Event{}, err
		}
		detail = OverridePrefix + override + " (" + ErrorMessage(err) + ")"
	}
	t := Ticket{
		MerchantID:   c.MerchantID,
		Service:      s.Key,
		State:        PendingMerchant,
		Version:      1,
		StateSince:   now,
		Deadline:     now.Add(p.MerchantClock),
		Order:        c.Order,
		BuyerName:    strings.TrimSpace(c.BuyerName),
		BuyerPhone:   strings.TrimSpace(c.BuyerPhone),
		Reason:       strings.TrimSpace(c.Reason),
		Settlement:   kind,
		RequestedFen: requested,
		PayableFen:   payable,
		CreatedAt:    now,
		UpdatedAt:    now,
	}
	e := Event{At: now, Actor: c.Actor, Action: Create, To: PendingMerchant, AmountFen: requested, Detail: detail}
	return t, e, nil
}

// checkText checks what the buyer (or the agent taking the call) typed.
func (c Claim) checkText() error {
	for _, f := range []struct {
		field     Field
		value     string
		max       int
		multiline bool
	}{
		{FieldBuyerName, c.BuyerName, MaxNameLen, false},
		{FieldBuyerPhone, c.BuyerPhone, MaxCodeLen, false},
		{FieldReason, c.Reason, MaxLongText, true},
		{FieldOverride, c.Override, MaxOverrideLen, true},
	} {
		if err := CheckText(f.field, f.value, f.max, f.multiline); err != nil {
			return err
		}
	}
	return nil
}
