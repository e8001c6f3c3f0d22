package anxin

import (
	"slices"
	"strings"
	"time"
)

// Settlement is how a granted claim settles: money back (refund), the goods
// returned and a replacement shipped (换货, exchange), or the goods shipped
// again without a return (补发, reship). The buyer chooses at intake among
// the kinds the service's policy allows.
type Settlement string

const (
	SettleRefund   Settlement = "refund"
	SettleExchange Settlement = "exchange"
	SettleReship   Settlement = "reship"
)

var settlements = []Settlement{SettleRefund, SettleExchange, SettleReship}

// Settlements lists every settlement kind.
func Settlements() []Settlement { return slices.Clone(settlements) }

// Valid reports whether s is one of the kinds.
func (s Settlement) Valid() bool { return slices.Contains(settlements, s) }

// Or is the kind, or refund when none is named (a ticket from before the
// kinds existed, a claim that names none).
func (s Settlement) Or() Settlement {
	if s == "" {
		return SettleRefund
	}
	return s
}

// Ships reports whether the merchant ships goods to settle: an exchange's
// replacement or a reship.
func (s Settlement) Ships() bool { return s == SettleExchange || s == SettleReship }

// ShipmentKind is what the merchant's parcel of the settlement is.
func (s Settlement) ShipmentKind() ShipmentKind {
	if s == SettleExchange {
		return KindReplacement
	}
	return KindReship
}

// SettlementSet is the kinds a service's policy allows: a value, so that a
// policy handed out cannot be changed through it.
type SettlementSet uint8

// SettlesBy is the set of the kinds.
func SettlesBy(kinds ...Settlement) SettlementSet {
	var s SettlementSet
	for _, k := range kinds {
		if i := slices.Index(settlements, k); i >= 0 {
			s |= 1 << i
		}
	}
	return s
}

// Has reports whether the set allows the kind.
func (s SettlementSet) Has(k Settlement) bool {
	i := slices.Index(settlements, k.Or())
	return i >= 0 && s&(1<<i) != 0
}

// List is the kinds of the set, in the catalogue's order.
func (s SettlementSet) List() []Settlement {
	var out []Settlement
	for _, k := range settlements {
		if s.Has(k) {
			out = append(out, k)
		}
	}
	return out
}

// FieldSettlement is the claim's settlement kind, for the refusals about it.
const FieldSettlement Field = "settlement"

// The clocks and limits of exchanges and reships (after-sales-rules.md,
// sections 1 and 2): the merchant ships the replacement within 48 h of the
// return's receipt, or a reship within 48 h of approval (else the ticket
// turns into a refund); the buyer's receipt of it is taken as confirmed 10
// days after it shipped; an order is reshipped at most 10 times.
const (
	DefaultShipClock     = 48 * time.Hour
	DefaultDeliveryClock = 10 * day
	DefaultMaxReships    = 10
)

// CheckSettlement refuses a kind the policy does not allow, naming the field.
func (p Policy) CheckSettlement(k Settlement) error {
	if !k.Valid() {
		return Fail(MsgSettlementUnknown, FieldSettlement, string(k))
	}
	if !p.Settles.Has(k) {
		return Fail(MsgSettlementNotAllowed, FieldSettlement, p.Service, k)
	}
	return nil
}

// CheckReships refuses one more reship of an order that has had done of
// them, under the policy's limit.
func (p Policy) CheckReships(orderID string, done int) error {
	if done >= p.MaxReships {
		return Fail(MsgReshipLimit, FieldSettlement, orderID, p.MaxReships)
	}
	return nil
}

// Shipment is the parcel a ship-out decision sends: the merchant's
// replacement or reship, with the carrier and tracking number it names.
func (c Change) Shipment(t Ticket, d Decision) (Shipment, bool) {
	if c.Transition.Action != ShipOut {
		return Shipment{}, false
	}
	return Shipment{TicketID: t.ID, Direction: DirOutbound, Kind: t.Settlement.ShipmentKind(),
		Carrier: strings.TrimSpace(d.Carrier), Tracking: strings.TrimSpace(d.Tracking), Method: MethodSelf}, true
}

// OutboundAction is what a carrier's report on the merchant's parcel does
// to the ticket: delivered closes an exchange or reship that shipped. ok is
// false when the report changes nothing.
func (t Ticket) OutboundAction(r LogisticsReport, p Policy) (Action, bool) {
	if r.Direction != DirOutbound || r.Status != ShipDelivered {
		return "", false
	}
	tr, ok := LookupFor(t, OutboundDelivered, p)
	if !ok || !tr.Allows(RoleSystem) {
		return "", false
	}
	return OutboundDelivered, true
}
