package anxin

import (
	"errors"
	"fmt"
	"time"
)

// Error codes. The generic ones map to HTTP statuses in one place (web);
// the specific ones tell an API client exactly which rule refused a request.
const (
	ECONFLICT  = "conflict"
	EFORBIDDEN = "forbidden"
	EINTERNAL  = "internal"
	EINVALID   = "invalid"
	ENOTFOUND  = "not_found"

	// ENOTALLOWED: the action is not one the ticket's state allows, or not
	// one the actor's role may take.
	ENOTALLOWED = "not_allowed"
	// EOVERREFUND: the amount exceeds what remains refundable.
	EOVERREFUND = "over_refund"
	// ECONFIRM: the decision pays more than the actor may pay unconfirmed.
	ECONFIRM = "needs_confirmation"

	// Eligibility refusals, each naming the rule that refused the claim.
	EOUTSIDEWINDOW   = "outside_window"
	ENOTRECEIVED     = "not_received"
	EALREADYSHIPPED  = "already_shipped"
	ENOTOPTEDIN      = "not_opted_in"
	EUNKNOWNSERVICE  = "unknown_service"
	EUNKNOWNMERCHANT = "unknown_merchant"

	// EUNAUTHORIZED: a missing, unknown or revoked API key.
	EUNAUTHORIZED = "unauthorized"
	// EIDEMPOTENCYREUSED: an Idempotency-Key already used for another request.
	EIDEMPOTENCYREUSED = "idempotency_key_reused"
	// EAMOUNTRANGE: an amount of money below zero or above MaxAmountFen.
	EAMOUNTRANGE = "amount_out_of_range"
)

// ErrorCodes lists every error code.
func ErrorCodes() []string {
	return []string{ECONFLICT, EFORBIDDEN, EINTERNAL, EINVALID, ENOTFOUND, ENOTALLOWED, EOVERREFUND, ECONFIRM,
		EOUTSIDEWINDOW, ENOTRECEIVED, EALREADYSHIPPED, ENOTOPTEDIN, EUNKNOWNSERVICE, EUNKNOWNMERCHANT,
		EUNAUTHORIZED, EIDEMPOTENCYREUSED, EAMOUNTRANGE}
}

// Error is a domain error: a code for programs, and for people the message
// that Msg names with the values in Args. Pages say it in their language
// from Msg and Args; Message is its English, which the HTTP API and the logs
// show. Messages are safe to show to the user; internal details never go here.
type Error struct {
	Code    string
	Msg     Msg   // empty for an English-only error made by Errorf
	Args    []any // the message's values
	Message string
	// AmountFen is the amount at stake, for ECONFIRM.
	AmountFen int64
}

func (e *Error) Error() string { return fmt.Sprintf("anxin: %s: %s", e.Code, e.Message) }

// Errorf returns an *Error with the given code and an English message and
// no Msg: for refusals only the HTTP API gives (it speaks English), such as
// a malformed request. Anything a page may show is made by Fail, so that it
// can be said in the page's language; a page shows an Errorf error by its
// code alone.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the domain error in err's chain, ECONFLICT for
// an *AlreadyHandled, and EINTERNAL for anything else (or "" for nil).
func ErrorCode(err error) string {
	var e *Error
	var h *AlreadyHandled
	switch {
	case err == nil:
		return ""
	case errors.As(err, &h):
		return ECONFLICT
	case errors.As(err, &e):
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err. Internal errors get a
// generic message so that no detail of the system leaks to the user.
func ErrorMessage(err error) string {
	var e *Error
	var h *AlreadyHandled
	switch {
	case err == nil:
		return ""
	case errors.As(err, &h):
		return h.Error()
	case errors.As(err, &e):
		return e.Message
	}
	return "internal error"
}

// AlreadyHandled is returned when an action was based on a version of the
// ticket that someone else has changed since: the double click, the second
// agent, the agent who raced the scheduler. It carries what happened instead
// so the loser can be shown "already handled by X at T" and the current state.
type AlreadyHandled struct {
	Ticket Ticket // the ticket as it is now
	By     string // who made the change that won (a person's name or "system")
	ByRole Role   // their role: the system's name is said in the page's language
	Action Action
	At     time.Time
}

func (h *AlreadyHandled) Error() string {
	return fmt.Sprintf("ticket %s already handled by %s at %s (%s); it is now %s",
		h.Ticket.Number, h.By, h.At.Format(time.RFC3339), h.Action, h.Ticket.State)
}
