package anxin

import (
	"fmt"
	"time"
)

// Order is the snapshot of the order a claim is about, taken at intake.
// ShippedAt and ReceivedAt are zero while the order is not shipped or received.
type Order struct {
	ID         string
	Product    string
	PaidFen    int64
	OrderedAt  time.Time
	ShippedAt  time.Time
	ReceivedAt time.Time
}

// Validate checks the snapshot is self-consistent.
func (o Order) Validate() error {
	if err := CheckText(FieldOrderID, o.ID, MaxCodeLen, false); err != nil {
		return err
	}
	if err := CheckText(FieldProduct, o.Product, MaxProductLen, false); err != nil {
		return err
	}
	if err := CheckAmount(FieldPaid, o.PaidFen); err != nil {
		return err
	}
	switch {
	case o.ID == "":
		return Fail(MsgOrderIDRequired)
	case o.Product == "":
		return Fail(MsgProductRequired)
	case o.PaidFen == 0:
		return Fail(MsgPaidNotPositive)
	case o.OrderedAt.IsZero():
		return Fail(MsgOrderTimeRequired)
	case !o.ShippedAt.IsZero() && o.ShippedAt.Before(o.OrderedAt):
		return Fail(MsgShippedBeforeOrdered)
	case !o.ReceivedAt.IsZero() && o.ShippedAt.IsZero():
		return Fail(MsgReceivedBeforeShipped)
	case !o.ReceivedAt.IsZero() && o.ReceivedAt.Before(o.ShippedAt):
		return Fail(MsgReceivedBeforeShipped)
	}
	return nil
}

// field is the order's time a window runs from: a claim outside the window
// is refused for it.
func (w WindowStart) field() Field {
	switch w {
	case FromReceipt:
		return FieldReceivedAt
	case FromOrder:
		return FieldOrderedAt
	case UntilShipped:
		return FieldShippedAt
	}
	return ""
}

// WindowUse is how much of a claim window a claim at some moment has used.
type WindowUse struct {
	From   WindowStart
	Used   time.Duration // since the window opened
	Window time.Duration // 0 for a window that runs until an event (UntilShipped)
	Open   bool          // the claim falls inside the window
}

// WindowUse measures a claim at the given moment against the policy's window.
func (p Policy) WindowUse(o Order, at time.Time) WindowUse {
	u := WindowUse{From: p.WindowFrom, Window: p.Window}
	switch p.WindowFrom {
	case UntilShipped:
		u.Used = at.Sub(o.OrderedAt)
		u.Window = 0
		u.Open = o.ShippedAt.IsZero() || at.Before(o.ShippedAt)
	case FromOrder:
		u.Used = at.Sub(o.OrderedAt)
		u.Open = u.Used >= 0 && u.Used <= p.Window
	case FromReceipt:
		if o.ReceivedAt.IsZero() {
			return u
		}
		u.Used = at.Sub(o.ReceivedAt)
		u.Open = u.Used >= 0 && u.Used <= p.Window
	}
	return u
}

// Eligible decides a claim on the order made at the given moment: nil to
// accept it, or an *Error whose code and message name the rule that refused it.
func (p Policy) Eligible(s Service, o Order, at time.Time) error {
	if !p.Enabled {
		return Fail(MsgNotOptedIn, s.Key, string(s.Key))
	}
	u := p.WindowUse(o, at)
	if u.Open {
		return nil
	}
	switch {
	case p.WindowFrom == UntilShipped:
		return Fail(MsgAlreadyShipped, s.Key, o.ShippedAt)
	case p.WindowFrom == FromReceipt && o.ReceivedAt.IsZero():
		return Fail(MsgNotReceived, s.Key)
	case u.Used < 0:
		return Fail(MsgBeforeWindow)
	}
	return Fail(MsgOutsideWindow, s.Key, p.Window, p.WindowFrom, u.Used)
}

var windowStartWords = map[WindowStart]string{
	FromReceipt: "receipt",
	FromOrder:   "the order",
}

// HumanDuration renders a duration as whole days and hours ("29d 23h", "25h"
// under two days), for messages. Views have their own localized formatting.
func HumanDuration(d time.Duration) string {
	d = d.Truncate(time.Minute)
	switch {
	case d >= 2*day:
		days, hours := d/day, (d%day)/time.Hour
		if hours == 0 {
			return fmt.Sprintf("%dd", days)
		}
		return fmt.Sprintf("%dd %dh", days, hours)
	case d >= time.Hour:
		if d%time.Hour == 0 {
			return fmt.Sprintf("%dh", d/time.Hour)
		}
		return fmt.Sprintf("%dh %dm", d/time.Hour, (d%time.Hour)/time.Minute)
	}
	return fmt.Sprintf("%dm", d/time.Minute)
}

// InstantRefund is a merchant's 极速退款 setting: a qualifying request is
// refunded at intake by the system, before any merchant review.
type InstantRefund struct {
	Enabled   bool
	Unshipped bool  // every request on an unshipped order qualifies
	MaxFen    int64 // requests up to this amount qualify when the buyer has no open dispute
}

// DefaultInstantRefund is the spec's default: unshipped, or at most ¥200.
func DefaultInstantRefund() InstantRefund {
	return InstantRefund{Enabled: true, Unshipped: true, MaxFen: 20000}
}

// Qualifies reports whether a claim for amount on the order is refunded at intake.
func (r InstantRefund) Qualifies(o Order, amount int64, openDispute bool) bool {
	if !r.Enabled {
		return false
	}
	if r.Unshipped && o.ShippedAt.IsZero() {
		return true
	}
	return !openDispute && amount > 0 && amount <= r.MaxFen
}

// InstantRefundReason is the detail an instant refund is recorded with.
const InstantRefundReason = "instant_refund"

// Decision is the system's refund of a ticket just opened, when the merchant's
// setting covers the claim (openDispute: the buyer has a ticket in
// arbitration). A claim that needs the goods back is refunded ahead of them
// (RefundAhead): the return stays owed and tracked, and a return never
// received is raised to the merchant. A 运费险 claim never qualifies: its
// postage is paid with the order's return, once it is received. Nor does a
// claim settled by exchange or reship: the buyer asked for goods, not money.
func (r InstantRefund) Decision(t Ticket, p Policy, openDispute bool) (Decision, bool) {
	if t.State != PendingMerchant || p.Compensation == CompPostage || t.Settlement.Ships() ||
		!r.Qualifies(t.Order, t.RequestedFen, openDispute) {
		return Decision{}, false
	}
	a := Refund
	if p.NeedsReturn {
		a = RefundAhead
	}
	return Decision{Action: a, Actor: System(), Version: t.Version, Reason: InstantRefundReason}, true
}
