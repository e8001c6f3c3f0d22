package anxin

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Ticket is one after-sales request: a claim on one order under one service.
type Ticket struct {
	ID           int64
	Number       string // AX-000123, shown to people
	MerchantID   int64
	MerchantName string
	Service      ServiceKey
	State        State
	Version      int64     // bumped by every state change; the compare-and-set token
	StateSince   time.Time // when the current state was entered
	Deadline     time.Time // zero: the state runs no clock
	PausedLeft   time.Duration
	AssigneeID   int64
	AssigneeName string

	Order      Order
	BuyerName  string
	BuyerPhone string
	Reason     string

	RequestedFen int64 // what the buyer claims
	PayableFen   int64 // the most this ticket may ever pay
	RefundedFen  int64 // what refunds already issued on it pay
	// Settlement is how the ticket settles: refund, exchange or reship.
	Settlement Settlement
	// ReturnOwed: the refund was issued ahead of the goods (极速退款), and
	// the buyer still owes the return.
	ReturnOwed bool

	// The negotiation (协商): the amount of the offer the buyer is to
	// answer and the state it was made in (zero unless OfferPending), and
	// how many offers the ticket has seen.
	OfferFen   int64
	OfferFrom  State
	OffersMade int

	CreatedAt     time.Time
	UpdatedAt     time.Time
	FirstActionAt time.Time // the first decision by a person or the system
	ContactErased time.Time // when the buyer's name and phone were erased (retention.go); zero while kept
	PhotosErased  time.Time // when its evidence photos were deleted (retention.go); zero while kept

	// The conversation: the buyer's latest message (0: none), and since
	// when the oldest of the buyer's messages waits for a person's reply
	// (zero: none waits).
	BuyerMessageID     int64
	AwaitingReplySince time.Time
}

// TicketNumber formats a ticket's id as the number people quote.
func TicketNumber(id int64) string { return fmt.Sprintf("AX-%06d", id) }

// Refundable is what the ticket may still pay.
func (t Ticket) Refundable() int64 { return max(t.PayableFen-t.RefundedFen, 0) }

// Overdue reports whether the ticket's clock has run out at now.
func (t Ticket) Overdue(now time.Time) bool { return !t.Deadline.IsZero() && !now.Before(t.Deadline) }

// ClockUsed is the share of the current clock used at now, from 0 to 1 (or
// more when overdue); 0 when the state runs no clock.
func (t Ticket) ClockUsed(now time.Time) float64 {
	total := t.Deadline.Sub(t.StateSince)
	if t.Deadline.IsZero() || total <= 0 {
		return 0
	}
	return float64(now.Sub(t.StateSince)) / float64(total)
}

// AutoAt is when the scheduler acts on the ticket by itself: its deadline
// when its state has a timeout action under the policy, else zero.
func (t Ticket) AutoAt(p Policy) time.Time {
	if t.TimeoutAction(p) == NoAction {
		return time.Time{}
	}
	return t.Deadline
}

// Decision is an actor's request to act on a ticket.
type Decision struct {
	Action    Action
	Actor     Actor
	Version   int64     // the version the actor saw; 0 means "whatever it is now"
	AmountFen int64     // Refund and RuleForBuyer: 0 pays what was claimed; Offer: the amount offered
	Reason    string    // Reject, RefuseReturn, RuleForMerchant, ManualRefund (the proof), Offer (the message), and optional elsewhere
	Tracking  string    // ShipReturn, ShipOut
	Carrier   string    // ShipReturn, optional: who carries the parcel; ShipOut, required
	Slot      time.Time // BookPickup: the slot's start
	// Message is sent to the buyer with the decision, in its transaction:
	// what a request for evidence asks for, a macro's text. Optional.
	Message string

	// ConfirmAboveFen asks for a second press on payouts above it (0: never);
	// Confirmed is that press.
	ConfirmAboveFen int64
	Confirmed       bool
}

// Change is what a decision does to a ticket: the store records it in one
// transaction, compare-and-set on the version the decision was based on.
type Change struct {
	Transition Transition
	Timeout    TimeoutAction // for Timeout: what the system did
	Deadline   time.Time     // of the new state; zero for none
	PausedLeft time.Duration // merchant clock left, kept while evidence or an offer's answer is awaited
	PayFen     int64         // a new refund of this amount; 0 for none
	OfferFen   int64         // Offer: the amount offered
	OfferFrom  State         // Offer: the state it is made in, where a decline returns
	Event      Event
	Message    *Message // to the buyer, sent with the change; nil for none
}

// Decide checks a decision against the transition table and the money rules
// and says what it changes. It does not modify the ticket.
func (t Ticket) Decide(d Decision, p Policy, now time.Time) (Change, error) {
	if d.Actor.Role == RoleMerchant && d.Actor.MerchantID != t.MerchantID {
		return Change{}, Fail(MsgTicketNotFound)
	}
	if t.State.Terminal() {
		return Change{}, Fail(MsgTicketFinished, t.Number, t.State)
	}
	tr, ok := LookupFor(t, d.Action, p)
	if !ok {
		return Change{}, Fail(MsgNotPossibleNow, d.Action, t.State)
	}
	if !tr.Allows(d.Actor.Role) && !(d.Actor.Role == RoleSystem && tr.ByRule && isRuleReason(d.Reason)) {
		return Change{}, Fail(MsgRoleMayNot, d.Actor.Role, d.Action)
	}
	if d.Action == Timeout && !t.Overdue(now) {
		return Change{}, Fail(MsgNotDueYet, t.Number, t.Deadline)
	}
	d.Reason = strings.TrimSpace(d.Reason)
	d.Tracking = strings.TrimSpace(d.Tracking)
	if err := CheckText(FieldReason, d.Reason, MaxLongText, true); err != nil {
		return Change{}, err
	}
	if err := CheckText(FieldTracking, d.Tracking, MaxCodeLen, false); err != nil {
		return Change{}, err
	}
	d.Carrier = strings.TrimSpace(d.Carrier)
	if err := CheckText(FieldCarrier, d.Carrier, MaxCarrierLen, false); err != nil {
		return Change{}, err
	}
	switch tr.Needs {
	case needReason:
		if d.Reason == "" {
			return Change{}, Fail(MsgReasonRequired)
		}
	case needTracking:
		if d.Tracking == "" {
			return Change{}, Fail(MsgTrackingRequired)
		}
	case needShipment:
		if d.Carrier == "" {
			return Change{}, Fail(MsgFieldRequired, FieldCarrier)
		}
		if d.Tracking == "" {
			return Change{}, Fail(MsgTrackingRequired)
		}
	case needSlot:
		// Inside the buyer's window to send the goods back (the state's
		// deadline), and one of the carriers' slots.
		if err := p.Pickup.Check(d.Slot, now, t.Deadline); err != nil {
			return Change{}, err
		}
	case needOffer:
		if err := t.checkOffer(d, p); err != nil {
			return Change{}, err
		}
	}

	c := Change{Transition: tr}
	if strings.TrimSpace(d.Message) != "" {
		m, err := NewMessage(t.ID, d.Actor, d.Message, nil)
		if err != nil {
			return Change{}, err
		}
		m.CreatedAt = now
		c.Message = &m
	}
	if d.Action == Timeout {
		c.Timeout = tr.timeoutAction(p)
	}
	switch tr.Sets {
	case NoTimer:
	case MerchantReply:
		c.Deadline = now.Add(p.MerchantClock)
	case MerchantResume:
		c.Deadline = now.Add(t.PausedLeft)
	case BuyerOffer:
		c.Deadline = now.Add(p.OfferClock)
	case MerchantInspect:
		c.Deadline = now.Add(p.InspectClock)
	case MerchantShip:
		c.Deadline = now.Add(p.ShipClock)
	case BuyerDelivery:
		c.Deadline = now.Add(p.DeliveryClock)
	default:
		c.Deadline = now.Add(tr.Sets.Length())
	}
	if tr.To == NeedsEvidence || tr.To == OfferPending {
		c.PausedLeft = max(t.Deadline.Sub(now), 0)
	}
	if tr.To == OfferPending {
		c.OfferFen, c.OfferFrom = d.AmountFen, t.State
	}

	pay, err := t.pays(tr, d.AmountFen)
	if err != nil {
		return Change{}, err
	}
	if d.ConfirmAboveFen > 0 && pay > d.ConfirmAboveFen && !d.Confirmed {
		e := Fail(MsgConfirmRefund, Fen(pay))
		e.AmountFen = pay
		return Change{}, e
	}
	c.PayFen = pay
	detail := eventDetail(d, c.Timeout)
	if d.Action == RuleForBuyer && pay < min(t.RequestedFen, t.Refundable()) {
		// 部分裁决: the ruling names less than the claim; the timeline says so.
		detail = strings.TrimSpace(PartialAwardPrefix + d.Reason)
	}

	c.Event = Event{
		TicketID:  t.ID,
		At:        now,
		Actor:     d.Actor,
		Action:    d.Action,
		From:      t.State,
		To:        tr.To,
		AmountFen: pay,
		Detail:    detail,
	}
	if tr.To == OfferPending {
		c.Event.AmountFen = c.OfferFen // what is offered, not paid: the offer's record says so
	}
	return c, nil
}

// checkOffer holds an offer to the negotiation's rules: a positive amount
// lower than the claim and not above what remains refundable, a message
// for the buyer, and no more offers than the policy allows.
func (t Ticket) checkOffer(d Decision, p Policy) error {
	switch left := t.Refundable(); {
	case t.OffersMade >= p.MaxOffers:
		return Fail(MsgOfferLimit, p.MaxOffers)
	case d.AmountFen <= 0:
		return Fail(MsgOfferNotPositive)
	case d.AmountFen >= t.RequestedFen:
		return Fail(MsgOfferNotLower, Fen(d.AmountFen), Fen(t.RequestedFen))
	case d.AmountFen > left:
		return Fail(MsgRefundExceeds, Fen(d.AmountFen), Fen(left))
	case d.Reason == "":
		return Fail(MsgOfferNeedsText)
	}
	return nil
}

// CanOffer reports whether the ticket may see one more offer under p: its
// state allows one and the policy's count is not used up.
func (t Ticket) CanOffer(p Policy) bool {
	_, ok := LookupFor(t, Offer, p)
	return ok && t.OffersMade < p.MaxOffers && min(t.RequestedFen-1, t.Refundable()) > 0
}

// WouldPay is what taking action a on the ticket under p would pay as a new
// refund, when the actor names no amount: what the action's button offers.
// Decide pays by the same rule. It is 0 for an action that pays nothing new
// (a retry pays the refund already recorded, under its number), and an error
// for one the ticket's state does not allow or that has nothing left to pay.
func (t Ticket) WouldPay(a Action, p Policy) (int64, error) {
	if t.State.Terminal() {
		return 0, Fail(MsgTicketFinished, t.Number, t.State)
	}
	tr, ok := LookupFor(t, a, p)
	if !ok {
		return 0, Fail(MsgNotPossibleNow, a, t.State)
	}
	return t.pays(tr, 0)
}

// pays is what the transition pays as a new refund, asked being the amount
// the actor named (0: none).
func (t Ticket) pays(tr Transition, asked int64) (int64, error) {
	left := t.Refundable()
	switch tr.Refund {
	case payRequested:
		if left <= 0 {
			return 0, Fail(MsgNothingLeft, t.Number)
		}
		return min(t.RequestedFen, left), nil
	case payChosen:
		if asked < 0 {
			return 0, Fail(MsgNegativeRefund)
		}
		if left <= 0 {
			return 0, Fail(MsgNothingLeft, t.Number)
		}
		if asked == 0 {
			return min(t.RequestedFen, left), nil
		}
		if asked > left {
			return 0, Fail(MsgRefundExceeds, Fen(asked), Fen(left))
		}
		return asked, nil
	case payOffered:
		if left <= 0 {
			return 0, Fail(MsgNothingLeft, t.Number)
		}
		return min(t.OfferFen, left), nil
	}
	return 0, nil
}

// PartialAwardPrefix starts the detail of a ruling for the buyer that awards
// less than the claim (部分裁决); the ruling's reason, if any, follows.
const PartialAwardPrefix = "partial award: "

func eventDetail(d Decision, timeout TimeoutAction) string {
	switch {
	case timeout != NoAction && isRuleReason(d.Reason):
		return d.Reason // the timeout carries out a merchant's rule
	case timeout != NoAction:
		return string(timeout)
	case d.Action == ShipOut:
		return strings.TrimSpace(d.Carrier + " " + d.Tracking)
	case d.Tracking != "":
		return d.Tracking
	case !d.Slot.IsZero():
		return d.Slot.UTC().Format(time.RFC3339)
	}
	return d.Reason
}

// Apply makes the change on the ticket (the in-memory copy the store writes).
func (t *Ticket) Apply(c Change) {
	t.State = c.Transition.To
	t.Version++
	t.StateSince = c.Event.At
	t.Deadline = c.Deadline
	t.PausedLeft = c.PausedLeft
	t.RefundedFen += c.PayFen
	t.OfferFen, t.OfferFrom = c.OfferFen, c.OfferFrom
	if c.Transition.Owes {
		t.ReturnOwed = true
	}
	if c.Transition.Action == Offer {
		t.OffersMade++
	}
	t.UpdatedAt = c.Event.At
	if t.FirstActionAt.IsZero() && c.Event.Actor.Role != RoleBuyer {
		t.FirstActionAt = c.Event.At
	}
}

// Event is one entry of a ticket's append-only timeline.
type Event struct {
	ID        int64
	TicketID  int64
	At        time.Time
	Actor     Actor
	Action    Action
	From, To  State
	AmountFen int64
	Detail    string
}

// RefundStatus is where a refund stands with the payment provider. The
// provider's answers are the actions RefundSucceeded and RefundFailure.
type RefundStatus string

const (
	RefundStatusPending   RefundStatus = "pending"   // recorded; the provider is to pay it
	RefundStatusSucceeded RefundStatus = "succeeded" // the provider paid it (or an agent, by hand)
	RefundStatusFailed    RefundStatus = "failed"    // the provider refused it; a retry reuses its number
)

// RefundRecord is one refund: recorded before the provider is called, under a
// number that every retry reuses.
type RefundRecord struct {
	ID        int64
	Number    string
	TicketID  int64
	AmountFen int64
	Status    RefundStatus
	Manual    bool // paid by hand by an agent, with proof
	Attempts  int
	// HandOverAt is when a refund a person pressed is handed to the
	// payment system, until which it may be undone; zero once handed over
	// (and for refunds handed over at once).
	HandOverAt time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// RefundNumber is the number a ticket's refund carries to the provider.
func RefundNumber(ticketID int64) string { return fmt.Sprintf("RF-%08d", ticketID) }

// Note is written on a ticket by its people: an internal note among the
// staff (agents and admins), which the merchant never sees, or a comment
// between the staff and the merchant, which both see. A merchant writes
// comments only: nothing it writes is hidden from the agents.
type Note struct {
	ID         int64
	TicketID   int64
	AuthorID   int64
	AuthorName string
	AuthorRole Role
	Body       string
	Shared     bool // a comment the merchant sees; false: internal to the staff
	CreatedAt  time.Time
}

// NewNote is the note the actor writes on a ticket, shared with the
// merchant or not (a merchant's always is), once its text passes.
func NewNote(ticketID int64, by Actor, body string, shared bool) (Note, error) {
	n := Note{TicketID: ticketID, AuthorID: by.UserID, AuthorName: by.Name, AuthorRole: by.Role,
		Body: strings.TrimSpace(body), Shared: shared || by.Role == RoleMerchant}
	if n.Body == "" {
		return n, Fail(MsgNoteEmpty)
	}
	return n, CheckText(FieldNote, n.Body, MaxLongText, true)
}

// VisibleTo reports whether a viewer of the scope may read the note: the
// staff read every note, a merchant the comments only.
func (n Note) VisibleTo(s Scope) bool { return n.Shared || s.MerchantID == 0 }

// Party is whose photo a piece of evidence is.
type Party string

const (
	PartyBuyer    Party = "buyer"
	PartyMerchant Party = "merchant"
)

// Evidence is one photo on a ticket: the re-encoded image that is served,
// what its original said about it, and the other tickets it also appears on.
type Evidence struct {
	ID           int64
	TicketID     int64
	Party        Party
	SHA256       string // of the display-size JPEG: its file name and ETag
	Width        int    // of the display size
	Height       int
	Bytes        int64 // of the display size
	ThumbSHA256  string
	ThumbWidth   int
	ThumbHeight  int
	Label        string // the checklist item it shows, if known
	UploadedBy   string
	UploaderRole Role
	CreatedAt    time.Time
	Facts        PhotoFacts
	PHash        uint64      // perceptual hash of the picture
	Duplicates   []Duplicate // the same picture on other tickets
	Erased       time.Time   // when its files were deleted (retention.go); its facts stay
}

// ParseTicketNumber reads "AX-000123", "ax123" or "123" as ticket id 123:
// the one reader of ticket numbers and ids, for pages, searches and the API.
func ParseTicketNumber(s string) (int64, bool) {
	s = strings.TrimSpace(strings.ToUpper(s))
	if rest, ok := strings.CutPrefix(s, "AX"); ok {
		s = strings.TrimPrefix(rest, "-")
	}
	if s == "" || strings.Trim(s, "0123456789") != "" { // digits only: no sign
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, false
	}
	return id, true
}
