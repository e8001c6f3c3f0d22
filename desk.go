package anxin

import "time"

// The desk: claims an agent enters from a call (with an override of the
// claim window), and the undo of a refund a person pressed.

// Fields of the agent's new-ticket form that the API has no text for.
const (
	FieldMerchant   Field = "merchant"
	FieldService    Field = "service"
	FieldOrderedAt  Field = "order.ordered_at"
	FieldShippedAt  Field = "order.shipped_at"
	FieldReceivedAt Field = "order.received_at"
)

// MaxOverrideLen bounds an agent's reason to accept a claim outside its
// window: a sentence or two, not a letter.
const MaxOverrideLen = 500

// OverridePrefix starts the detail of a claim accepted outside its window
// by an agent: the agent's reason follows, then the rule's refusal in
// brackets.
const OverridePrefix = "override: "

// The desk's refusals.
const (
	MsgOverrideReason Msg = "override_reason" // (an override ticked without its reason)
	MsgTimeNotValid   Msg = "time_not_valid"  // Field
	MsgUndoTooLate    Msg = "undo_too_late"   // refund number
	MsgNothingToUndo  Msg = "nothing_to_undo" // ticket number
)

func init() {
	messages[MsgOverrideReason] = message{EINVALID, "accepting a claim outside its window needs the reason"}
	messages[MsgTimeNotValid] = message{EINVALID, "%s is not a date and time"}
	messages[MsgUndoTooLate] = message{ECONFLICT, "refund %s was already handed to the payment system: it can no longer be undone"}
	messages[MsgNothingToUndo] = message{ENOTALLOWED, "ticket %s has no refund waiting to be handed over"}
	fieldOf[MsgOverrideReason] = FieldOverride
}

// UndoRefund is a person taking back a refund they (or a colleague)
// pressed, before it was handed to the payment system: the ticket returns to
// the state it was in. It is not a row of the state table: it leads back
// to whichever state the refund left, which the store kept with the refund.
const UndoRefund Action = "undo_refund"

// HeldForUndo reports whether a refund the actor causes waits for its undo
// time before it is handed to the payment system: one pressed by a person.
// The system's refunds (timeouts, instant refunds, rules) and the buyer's
// (an accepted offer, through the platform) are handed over at once.
func HeldForUndo(a Actor) bool {
	return a.Role == RoleAgent || a.Role == RoleMerchant || a.Role == RoleAdmin
}

// Undoable reports whether the refund may still be taken back at now: it
// waits to be handed over, and its undo time has not passed.
func (r RefundRecord) Undoable(now time.Time) bool {
	return r.ID != 0 && r.Status == RefundStatusPending && !r.HandOverAt.IsZero() && now.Before(r.HandOverAt)
}

// UndoLeft is how long the refund may still be taken back at now (0: no
// longer).
func (r RefundRecord) UndoLeft(now time.Time) time.Duration {
	if !r.Undoable(now) {
		return 0
	}
	return r.HandOverAt.Sub(now)
}

// Undo takes back the ticket's refund r, which moved it from before (the
// ticket as it was when the refund was pressed) to where it is: the ticket
// as it was, with a new version, and the timeline's event. Only a person
// who may act on the ticket undoes, and only while the refund waits.
func (t Ticket) Undo(r RefundRecord, before Ticket, by Actor, now time.Time) (Ticket, Event, error) {
	switch {
	case by.Role == RoleMerchant && by.MerchantID != t.MerchantID:
		return t, Event{}, Fail(MsgTicketNotFound)
	case !HeldForUndo(by):
		return t, Event{}, Fail(MsgRoleMayNot, by.Role, UndoRefund)
	case r.ID == 0 || r.Status != RefundStatusPending || t.State != Refunding:
		return t, Event{}, Fail(MsgNothingToUndo, t.Number)
	case r.HandOverAt.IsZero() || !now.Before(r.HandOverAt):
		return t, Event{}, Fail(MsgUndoTooLate, r.Number)
	}
	// What the refund's decision changed comes back; who the ticket is, its
	// buyer and its order stay as they are now.
	u := t
	u.State, u.StateSince, u.Deadline, u.PausedLeft = before.State, before.StateSince, before.Deadline, before.PausedLeft
	u.OfferFen, u.OfferFrom, u.OffersMade = before.OfferFen, before.OfferFrom, before.OffersMade
	u.ReturnOwed, u.FirstActionAt = before.ReturnOwed, before.FirstActionAt
	u.Version = t.Version + 1
	u.RefundedFen = t.RefundedFen - r.AmountFen
	u.UpdatedAt = now
	e := Event{TicketID: t.ID, At: now, Actor: by, Action: UndoRefund, From: t.State, To: u.State,
		AmountFen: r.AmountFen, Detail: r.Number}
	return u, e, nil
}
