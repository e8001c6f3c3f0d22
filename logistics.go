package anxin

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Logistics: the parcels of a ticket (the buyer's return; the merchant's
// replacement or reship), the carriers' reports on them, doorstep pickups and
// the 运费险 postage paid for a return.

// Direction is which way a parcel goes.
type Direction string

const (
	DirReturn   Direction = "return"   // from the buyer back to the merchant
	DirOutbound Direction = "outbound" // from the merchant to the buyer
)

// ShipmentKind is what a parcel is for: the buyer's return, an exchange's
// replacement (换货) or a reship (补发).
type ShipmentKind string

const (
	KindReturn      ShipmentKind = "return"
	KindReplacement ShipmentKind = "replacement"
	KindReship      ShipmentKind = "reship"
)

// ShipStatus is a carrier's report on a parcel.
type ShipStatus string

const (
	ShipPickedUp  ShipStatus = "picked_up"
	ShipInTransit ShipStatus = "in_transit"
	ShipDelivered ShipStatus = "delivered"
	ShipException ShipStatus = "exception" // lost, refused, returned to sender...
)

var shipStatuses = []ShipStatus{ShipPickedUp, ShipInTransit, ShipDelivered, ShipException}

// ShipStatuses lists the statuses a carrier reports.
func ShipStatuses() []ShipStatus { return slices.Clone(shipStatuses) }

// ShipMethod is how a return travels: the buyer takes it to a carrier
// (self-ship) or a courier collects it at the door (上门取件). It decides the
// 运费险 cap.
type ShipMethod string

const (
	MethodSelf   ShipMethod = "self"
	MethodPickup ShipMethod = "pickup"
)

// Shipment is one parcel of a ticket, with the carrier's reports on it.
type Shipment struct {
	ID         int64
	TicketID   int64
	Direction  Direction
	Kind       ShipmentKind
	Carrier    string
	Tracking   string // "" for a pickup booked and not collected yet
	Method     ShipMethod
	PickupSlot time.Time // the booked slot's start, for a pickup
	Status     ShipStatus
	Events     []ShipmentEvent // oldest first, by the carrier's time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// ShipmentEvent is one carrier report on a parcel.
type ShipmentEvent struct {
	Status     ShipStatus
	At         time.Time // when the carrier says it happened
	RecordedAt time.Time // when Anxin heard of it
}

// Field names of logistics input, for the refusals about them.
const (
	FieldDirection Field = "direction"
	FieldCarrier   Field = "carrier"
	FieldStatus    Field = "status"
	FieldAt        Field = "at"
	FieldSlot      Field = "slot"
)

// MaxCarrierLen bounds a carrier's name or code (顺丰速运, SF, JD).
const MaxCarrierLen = 32

// LogisticsReport is a carrier's report on a ticket's parcel, as the
// platform relays it.
type LogisticsReport struct {
	Direction Direction
	Carrier   string
	Tracking  string
	Status    ShipStatus
	At        time.Time
}

// ReportClockSkew is how far ahead of now a report's time may be: the
// carrier's clock and ours disagree a little, never by much.
const ReportClockSkew = 15 * time.Minute

// Validate checks a report and tidies its text: every refusal names its field.
func (r *LogisticsReport) Validate(now time.Time) error {
	r.Carrier, r.Tracking = strings.TrimSpace(r.Carrier), strings.TrimSpace(r.Tracking)
	switch {
	case r.Direction != DirReturn && r.Direction != DirOutbound:
		return Fail(MsgFieldChoice, FieldDirection, string(r.Direction), "return, outbound")
	case r.Carrier == "":
		return Fail(MsgFieldRequired, FieldCarrier)
	case r.Tracking == "":
		return Fail(MsgFieldRequired, FieldTracking)
	case !slices.Contains(shipStatuses, r.Status):
		return Fail(MsgFieldChoice, FieldStatus, string(r.Status), "picked_up, in_transit, delivered, exception")
	case r.At.IsZero():
		return Fail(MsgFieldRequired, FieldAt)
	case r.At.After(now.Add(ReportClockSkew)):
		return Fail(MsgReportInFuture, FieldAt)
	}
	if err := CheckText(FieldCarrier, r.Carrier, MaxCarrierLen, false); err != nil {
		return err
	}
	return CheckText(FieldTracking, r.Tracking, MaxCodeLen, false)
}

// Kind is what a reported parcel is for, on a ticket that does not say:
// the buyer's return, or a reship.
func (r LogisticsReport) Kind() ShipmentKind {
	if r.Direction == DirReturn {
		return KindReturn
	}
	return KindReship
}

// KindOn is what a reported parcel on the ticket is for: an outbound parcel
// of an exchange is its replacement.
func (r LogisticsReport) KindOn(t Ticket) ShipmentKind {
	if r.Direction == DirOutbound && t.Settlement.Ships() {
		return t.Settlement.ShipmentKind()
	}
	return r.Kind()
}

// ReturnAction is what a carrier's report on the buyer's return does to the
// ticket: a parcel picked up or on its way is the buyer's tracking entry, a
// delivered one is receipt at the merchant's door. ok is false when the
// report changes nothing (an exception, an outbound parcel, or a ticket past
// the report).
func (t Ticket) ReturnAction(r LogisticsReport, p Policy) (Action, bool) {
	if r.Direction != DirReturn {
		return "", false
	}
	var a Action
	switch r.Status {
	case ShipPickedUp, ShipInTransit:
		a = ShipReturn
	case ShipDelivered:
		a = ReturnDelivered
	default:
		return "", false
	}
	tr, ok := LookupFor(t, a, p)
	if !ok || !tr.Allows(RoleSystem) {
		return "", false
	}
	return a, true
}

// LatestStatus is the status of the report the carrier timed last (reports
// may arrive out of order); for equal times, delivery wins over the others.
func LatestStatus(events []ShipmentEvent) ShipStatus {
	var best ShipmentEvent
	for _, e := range events {
		if e.At.After(best.At) || (e.At.Equal(best.At) && rank(e.Status) > rank(best.Status)) {
			best = e
		}
	}
	return best.Status
}

func rank(s ShipStatus) int { return slices.Index(shipStatuses, s) }

// PickupRules say when a courier may be booked to collect a return at the
// buyer's door: slots of SlotLength from DayStart to DayEnd in the zone, on
// today and the DaysAhead days after, booked at least Lead before the slot
// ends, and over before the buyer's return window closes. The carriers' own
// shape (京东: 2 h slots 09-19; no booking within 2 h of a slot's end;
// today, tomorrow, the day after) is the default.
type PickupRules struct {
	SlotLength time.Duration
	DayStart   time.Duration // since local midnight
	DayEnd     time.Duration
	DaysAhead  int
	Lead       time.Duration
	// Zone is the display zone the hours are in (nil: Asia/Shanghai's
	// UTC+8, which has no daylight saving). The store sets its own.
	Zone *time.Location
}

// shanghai is China Standard Time, the default display zone.
var shanghai = time.FixedZone("CST", 8*60*60)

// DefaultPickupRules are the carriers' usual slots (assumed Anxin default).
func DefaultPickupRules() PickupRules {
	return PickupRules{SlotLength: 2 * time.Hour, DayStart: 9 * time.Hour, DayEnd: 19 * time.Hour, DaysAhead: 2, Lead: 2 * time.Hour}
}

func (r PickupRules) zone() *time.Location {
	if r.Zone == nil {
		return shanghai
	}
	return r.Zone
}

// Slot is one pickup slot.
type Slot struct {
	Start, End time.Time
}

// Slots lists the slots a buyer may book at now when the return window
// closes at until (zero: no window), in order.
func (r PickupRules) Slots(now, until time.Time) []Slot {
	if r.SlotLength <= 0 || r.DayEnd <= r.DayStart {
		return nil
	}
	var out []Slot
	y, m, d := now.In(r.zone()).Date()
	for day := 0; day <= r.DaysAhead; day++ {
		midnight := time.Date(y, m, d+day, 0, 0, 0, 0, r.zone())
		for start := r.DayStart; start+r.SlotLength <= r.DayEnd; start += r.SlotLength {
			s := Slot{Start: midnight.Add(start), End: midnight.Add(start + r.SlotLength)}
			if r.check(s, now, until) == nil {
				out = append(out, s)
			}
		}
	}
	return out
}

// Check refuses a slot (given by its start) that is not one of the slots,
// that the buyer can no longer book at now, or that ends after the return
// window closes at until (zero: no window). Every refusal names the field.
func (r PickupRules) Check(start, now, until time.Time) error {
	if start.IsZero() {
		return Fail(MsgSlotRequired)
	}
	local := start.In(r.zone())
	y, m, d := local.Date()
	since := local.Sub(time.Date(y, m, d, 0, 0, 0, 0, r.zone()))
	if r.SlotLength <= 0 || since < r.DayStart || since+r.SlotLength > r.DayEnd || (since-r.DayStart)%r.SlotLength != 0 {
		return Fail(MsgSlotShape, FieldSlot, r.SlotLength, clock(r.DayStart), clock(r.DayEnd))
	}
	return r.check(Slot{Start: start, End: start.Add(r.SlotLength)}, now, until)
}

func (r PickupRules) check(s Slot, now, until time.Time) error {
	switch {
	case s.Start.Before(now) && s.End.Sub(now) < r.Lead:
		return Fail(MsgSlotInPast)
	case s.End.Sub(now) < r.Lead:
		return Fail(MsgSlotTooSoon, FieldSlot, r.Lead)
	}
	ny, nm, nd := now.In(r.zone()).Date()
	last := time.Date(ny, nm, nd+r.DaysAhead+1, 0, 0, 0, 0, r.zone())
	switch {
	case !s.Start.Before(last):
		return Fail(MsgSlotTooFar, FieldSlot, r.DaysAhead)
	case !until.IsZero() && s.End.After(until):
		return Fail(MsgSlotOutsideWindow, FieldSlot, until)
	}
	return nil
}

// clock writes a time of day as 09:00.
func clock(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// PostageCaps cap the 运费险 payout of a return by how it travelled.
type PostageCaps struct {
	PickupFen int64 // a doorstep pickup's postage, deducted by the carrier
	SelfFen   int64 // a self-shipped return's flat payout
}

// Most is the highest cap: what any return's postage may be paid.
func (c PostageCaps) Most() int64 { return max(c.PickupFen, c.SelfFen) }

// Cap is the cap of a return that travelled by the method.
func (c PostageCaps) Cap(m ShipMethod) int64 {
	if m == MethodPickup {
		return c.PickupFen
	}
	return c.SelfFen
}

// PostagePayout is what 运费险 pays for a received return that travelled by
// the method, when the buyer claimed claimedFen of postage (0: no claim, the
// cap is paid): the claim, capped. A claim above the cap is capped, never
// refused.
func (c PostageCaps) PostagePayout(m ShipMethod, claimedFen int64) int64 {
	limit := c.Cap(m)
	if claimedFen <= 0 {
		return max(limit, 0)
	}
	return max(min(claimedFen, limit), 0)
}

// PostageNumber is the number a ticket's 运费险 payout carries to the payment
// system: its own, beside the goods' refund (RF-…).
func PostageNumber(ticketID int64) string { return fmt.Sprintf("YF-%08d", ticketID) }

// RefundLineKind is what a refund line of a ticket pays for.
type RefundLineKind string

const (
	LineGoods   RefundLineKind = "goods"   // the claim: the refund of the goods (RF-…)
	LinePostage RefundLineKind = "postage" // 运费险: the return's postage (YF-…)
)

// PostageLine is the 运费险 payout of an order's return: recorded once per
// order, when the return is received, under its own number.
type PostageLine struct {
	ID         int64
	Number     string
	TicketID   int64 // the return's ticket
	OrderID    string
	Method     ShipMethod
	ClaimedFen int64 // the postage the buyer claimed (a 运费险 claim), 0 for none
	CapFen     int64
	AmountFen  int64
	Status     RefundStatus
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// ReturnReceived reports whether a change is the receipt of the buyer's
// return: the carrier's delivery, or the merchant's confirmation (or its
// clock's) of a return not reported delivered. 运费险 pays on it.
func (c Change) ReturnReceived() bool {
	switch c.Transition.From {
	case AwaitingReturn, AwaitingReceipt, ReturnOverdue:
		return c.Transition.To == Received || c.Transition.Action == Receive ||
			(c.Transition.Action == Timeout && c.Timeout == AutoReceive)
	}
	return false
}

// SendsAddress reports whether a change asks the buyer to send the goods
// back: the ticket enters AwaitingReturn, and the merchant's return address
// goes with it.
func (c Change) SendsAddress() bool {
	return c.Transition.To == AwaitingReturn
}
