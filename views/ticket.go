package views

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// TicketPage is everything the ticket page shows.
type TicketPage struct {
	Ticket   anxin.Ticket
	Service  anxin.Service
	Policy   anxin.Policy
	Events   []anxin.Event
	Notes    []anxin.Note
	Messages []anxin.Message // the conversation with the buyer: the latest ThreadLatest, or all
	// EarlierMessages is how many older messages are not shown (with the
	// events before them); ThreadAll, that the viewer asked for every one.
	EarlierMessages int
	ThreadAll       bool
	Reply           string      // the viewer's reply, kept when it was refused
	Macro           int64       // the canned reply the refused reply came from
	Macros          []MacroView // the canned replies the viewer may use here
	Evidence        []anxin.Evidence
	Photos          PhotosView // the gallery, its checklist and the upload form
	Refund          *anxin.RefundRecord
	History         anxin.BuyerHistory  // the buyer's other claims, as far as the viewer may see
	Offers          []anxin.OfferRecord // the negotiation (协商记录), first first
	Actions         []anxin.Action      // what the viewer may do in this state
	Agents          []anxin.User        // whom the ticket may be assigned to (staff only)
	Viewers         []string            // others who have the ticket open
	Outcome         Outcome             // what the viewer's last action did
	Next            *anxin.Ticket       // the ticket to offer after an action
	Form            ActionForm          // the viewer's input, kept when an action was refused
	Staff           bool
	Returns         ReturnsView // the goods' return: address, parcels, postage, pickup slots
}

// PaidTwice is the latest alert that the ticket's refund may have been paid
// twice (by hand, and then by the payment system), if there is one.
func (p TicketPage) PaidTwice() (anxin.Event, bool) {
	for i := len(p.Events) - 1; i >= 0; i-- {
		if p.Events[i].Action == anxin.PaidTwice {
			return p.Events[i], true
		}
	}
	return anxin.Event{}, false
}

// Outcome is what became of an action, shown at the top of the ticket.
type Outcome struct {
	Kind      string // done, handled (someone else was first), refused, confirm
	Action    anxin.Action
	By        anxin.Actor // handled: who was first
	At        time.Time   // handled: when
	Err       error       // refused: why
	AmountFen int64       // confirm: the amount to confirm
}

// ActionForm is the input of an action form.
type ActionForm struct {
	Action     anxin.Action
	Amount     string
	ReasonCode string
	Reason     string
	Tracking   string
	Carrier    string
	Slot       string
	Message    string // to the buyer, sent with the action
	Macro      int64  // the canned reply the action and message came from
}

// rejectReasons are the reasons offered when rejecting (plus free text).
var rejectReasons = []string{
	"Photos do not show the problem",
	"Item used; it cannot be resold",
	"Outside the after-sales window",
	"Settled with the buyer",
	"Other",
}

// RejectReasons lists the reasons offered when rejecting, in English (the
// form's values; the page shows them translated).
func RejectReasons() []string { return slices.Clone(rejectReasons) }

// Has reports whether the viewer may take the action.
func (p TicketPage) Has(a anxin.Action) bool {
	for _, x := range p.Actions {
		if x == a {
			return true
		}
	}
	return false
}

// ActionName is an action in the page's language.
func ActionName(ctx context.Context, a anxin.Action) string { return T(ctx, string(a)) }

// HumanDur formats a duration as days and hours in the page's language.
func HumanDur(ctx context.Context, d time.Duration) string {
	d = d.Truncate(time.Minute)
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	zh := page(ctx).Lang != "en"
	switch {
	case days > 0 && hours > 0 && zh:
		return fmt.Sprintf("%d天%d小时", days, hours)
	case days > 0 && hours > 0:
		return fmt.Sprintf("%d d %d h", days, hours)
	case days > 0 && zh:
		return fmt.Sprintf("%d天", days)
	case days > 0:
		return fmt.Sprintf("%d d", days)
	case hours > 0 && zh:
		return fmt.Sprintf("%d小时", hours)
	case hours > 0:
		return fmt.Sprintf("%d h", hours)
	case zh:
		return fmt.Sprintf("%d分钟", mins)
	}
	return fmt.Sprintf("%d min", mins)
}

// WindowCheck says in words how the claim stood against its window when it was made.
func WindowCheck(ctx context.Context, p TicketPage) (string, bool) {
	u := p.Policy.WindowUse(p.Ticket.Order, p.Ticket.CreatedAt)
	switch {
	case u.From == anxin.UntilShipped && u.Open:
		return T(ctx, "within window: requested before shipment"), true
	case u.From == anxin.UntilShipped:
		return T(ctx, "outside window: requested after shipment"), false
	case u.Open:
		return Tf(ctx, "within window: %s of %s used", HumanDur(ctx, u.Used), HumanDur(ctx, u.Window)), true
	}
	return Tf(ctx, "outside window: %s of %s (accepted by override)", HumanDur(ctx, u.Used), HumanDur(ctx, u.Window)), false
}

// EvidenceCheck says in words whether the buyer's photos meet the service's minimum.
func EvidenceCheck(ctx context.Context, p TicketPage) (string, bool) {
	c := p.Photos.Check
	if c.Min == 0 {
		return T(ctx, "evidence: none required"), true
	}
	return Tf(ctx, "evidence: %s", EvidenceCount(ctx, c)), c.Photos >= c.Min
}

// CompensationWords says what the service pays.
func CompensationWords(ctx context.Context, c anxin.Compensation) string {
	return T(ctx, "compensation:"+string(c))
}

// TimeoutWords says what happens when the merchant's clock runs out.
func TimeoutWords(ctx context.Context, a anxin.TimeoutAction) string {
	if a == anxin.NoAction {
		return T(ctx, "nothing automatic")
	}
	return T(ctx, "timeout:"+string(a))
}

// ActorName names who took an action: the system and the buyer by role.
func ActorName(ctx context.Context, a anxin.Actor) string {
	switch a.Role {
	case anxin.RoleSystem:
		return T(ctx, "System")
	case anxin.RoleBuyer:
		return T(ctx, "Buyer")
	}
	return a.Name
}

// RoleName is a role in the page's language.
func RoleName(ctx context.Context, r anxin.Role) string { return T(ctx, "role:"+string(r)) }

// EventDetail is an event's detail in the page's language: the timeout action
// it names, or the free text it carries.
func EventDetail(ctx context.Context, e anxin.Event) string {
	if k, ok := anxin.RuleOf(e.Detail); ok && e.Action == anxin.RuleScheduled {
		return Tf(ctx, "the rule “%s” acts when the clock runs out", RuleName(ctx, k))
	} else if ok { // a merchant's rule decided
		return RuleEventDetail(ctx, k)
	}
	switch {
	case e.Action == anxin.Timeout:
		return TimeoutWords(ctx, anxin.TimeoutAction(e.Detail))
	case e.Action == anxin.PhotoAdded && e.Detail != "", e.Action == anxin.AddEvidence && anxin.IsChecklistItem(e.Detail):
		return T(ctx, anxin.ChecklistLabel(e.Detail))
	case e.Detail == anxin.InstantRefundReason:
		return T(ctx, "instant refund (极速退款) at intake")
	case e.Action == anxin.BookPickup:
		return slotDetail(ctx, e.Detail) // stored in UTC, shown in the zone
	case e.Action == anxin.ShipReturn, e.Action == anxin.ReturnDelivered, e.Action == anxin.ShipOut, e.Action == anxin.OutboundDelivered:
		return "" // the parcel, its carrier and reports are on the logistics panel
	case e.Action == anxin.Create && strings.HasPrefix(e.Detail, "postage capped: "):
		claimed, most, rest, ok := anxin.ParsePostageCapped(e.Detail)
		if !ok {
			return e.Detail
		}
		return strings.TrimSpace(Tf(ctx, "postage capped at %s: %s claimed", Money(most), Money(claimed)) + " " + rest)
	case e.Action == anxin.RuleForBuyer && strings.HasPrefix(e.Detail, anxin.PartialAwardPrefix):
		if reason := strings.TrimPrefix(e.Detail, anxin.PartialAwardPrefix); reason != "" {
			return Tf(ctx, "partial award: %s", reason)
		}
		return T(ctx, "partial award")
	case e.Action == anxin.Create && strings.HasPrefix(e.Detail, "override: "):
		// "override: REASON (the rule's refusal, in English)": the rule is
		// said by the policy check; the agent's reason is said here.
		reason := strings.TrimPrefix(e.Detail, "override: ")
		if i := strings.LastIndex(reason, " ("); i >= 0 && strings.HasSuffix(reason, ")") {
			reason = reason[:i]
		}
		return Tf(ctx, "accepted outside its window by an agent: %s", reason)
	}
	return e.Detail
}

func yuan(fen int64) string { return fmt.Sprintf("%d.%02d", fen/100, fen%100) }

// keyFor is the keyboard shortcut of an action on the ticket page.
func keyFor(a anxin.Action) string {
	switch a {
	case anxin.Approve:
		return "a"
	case anxin.Refund:
		return "r"
	case anxin.Reject:
		return "x"
	}
	return ""
}

// undoLeft is how many whole seconds (rounded up) the ticket's refund may
// still be undone at now; 0 when it may not.
func (p TicketPage) undoLeft(now time.Time) int {
	if p.Refund == nil {
		return 0
	}
	left := p.Refund.UndoLeft(now)
	return int((left + time.Second - 1) / time.Second)
}

// pays is what pressing the action's button pays, as the domain says; 0 when
// it pays nothing new or cannot be taken.
func (p TicketPage) pays(a anxin.Action) int64 {
	fen, err := p.Ticket.WouldPay(a, p.Policy)
	if err != nil {
		return 0
	}
	return fen
}

// PendingOffer is the offer the buyer is to answer, if there is one.
func (p TicketPage) PendingOffer() (anxin.OfferRecord, bool) {
	if n := len(p.Offers); n > 0 && p.Offers[n-1].Answer == anxin.OfferOpen && p.Ticket.State == anxin.OfferPending {
		return p.Offers[n-1], true
	}
	return anxin.OfferRecord{}, false
}

// OfferAnswerName says how an offer ended, in the page's language.
func OfferAnswerName(ctx context.Context, a anxin.OfferAnswer) string {
	if a == anxin.OfferOpen {
		return T(ctx, "offer:open")
	}
	return T(ctx, "offer:"+string(a))
}

func formReason(p TicketPage, a anxin.Action) string {
	if p.Form.Action == a {
		return p.Form.Reason
	}
	return ""
}

func formCarrier(p TicketPage, a anxin.Action) string {
	if p.Form.Action == a {
		return p.Form.Carrier
	}
	return ""
}

func formTracking(p TicketPage, a anxin.Action) string {
	if p.Form.Action == a {
		return p.Form.Tracking
	}
	return ""
}

func formAmount(p TicketPage, a anxin.Action) string {
	if p.Form.Action == a {
		return p.Form.Amount
	}
	return ""
}

func (p TicketPage) hasBuyerSide() bool {
	for _, a := range p.Actions {
		if anxin.BuyerSide(a) {
			return true
		}
	}
	return false
}

// refundLabel names the order card's refund line by where the refund
// stands: only money the payment system paid (or an agent paid by hand) is
// "refunded"; a refund still on its way or declined says so.
func (p TicketPage) refundLabel() string {
	switch {
	case p.Refund == nil:
		return "Refunded"
	case p.Refund.Status == anxin.RefundStatusPending:
		return "Refund in progress"
	case p.Refund.Status == anxin.RefundStatusFailed:
		return "Refund failed (not paid)"
	}
	return "Refunded"
}
