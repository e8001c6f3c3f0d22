package anxin

import (
	"cmp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Auto-assignment: new tickets, and tickets coming back from the buyer, go
// to an agent on duty. The store gathers the candidates; the choice is here.

// Candidate is an agent a ticket could be assigned to, as the store found it.
type Candidate struct {
	UserID   int64
	OnDuty   bool
	Disabled bool
	Open     int       // open tickets assigned to the agent now
	LastAuto time.Time // when the agent was last given a ticket automatically; zero: never
}

// ChooseAgent picks who gets a ticket: among the enabled agents on duty (and
// in the merchant's group, when it has one), the one with the fewest open
// tickets; between equals the one auto-assigned longest ago (round robin),
// then the lowest id. ok is false when nobody qualifies.
func ChooseAgent(cands []Candidate, group []int64) (userID int64, ok bool) {
	var best *Candidate
	for i := range cands {
		c := &cands[i]
		if !c.OnDuty || c.Disabled || c.UserID == 0 {
			continue
		}
		if len(group) > 0 && !slices.Contains(group, c.UserID) {
			continue
		}
		if best == nil || better(*c, *best) {
			best = c
		}
	}
	if best == nil {
		return 0, false
	}
	return best.UserID, true
}

func better(a, b Candidate) bool {
	if a.Open != b.Open {
		return a.Open < b.Open
	}
	if !a.LastAuto.Equal(b.LastAuto) {
		return a.LastAuto.Before(b.LastAuto)
	}
	return a.UserID < b.UserID
}

// ComesBack reports whether a change brings a ticket back to the merchant's
// side from the buyer's (evidence added, an offer declined...): such a ticket
// is auto-assigned again, as a new one is.
func ComesBack(c Change) bool {
	return c.Transition.To == PendingMerchant && c.Transition.From != PendingMerchant && c.Transition.Roles.has(RoleBuyer)
}

// MerchantOwes reports whether the state's clock is the merchant's: a
// deadline soon is the merchant's news too.
func (s State) MerchantOwes() bool {
	switch s.Timer() {
	case MerchantReply, MerchantResume, MerchantReceipt, MerchantInspect:
		return true
	}
	return false
}

// AlertKind is what an alert tells its user about a ticket.
type AlertKind string

const (
	AlertAssigned     AlertKind = "assigned"      // the ticket was assigned to me (by someone else, or automatically)
	AlertBuyerReplied AlertKind = "buyer_replied" // the buyer replied on my ticket
	AlertDueSoon      AlertKind = "due_soon"      // the ticket's clock runs out within DeadlineSoonBefore
	AlertRefundFailed AlertKind = "refund_failed" // the payment provider refused the ticket's refund
	AlertMentioned    AlertKind = "mentioned"     // I was @mentioned in a note
	// AlertReturnOverdue: goods refunded ahead of their return (极速退款)
	// were not received by the deadline.
	AlertReturnOverdue AlertKind = "return_overdue"
	// AlertNoAddress: a return was approved automatically and the merchant
	// has no return address to send the buyer.
	AlertNoAddress AlertKind = "no_return_address"
	// AlertShipmentException: a carrier reported a problem with a parcel.
	AlertShipmentException AlertKind = "shipment_exception"
)

// AlertKinds lists every kind of alert.
func AlertKinds() []AlertKind {
	return []AlertKind{AlertAssigned, AlertBuyerReplied, AlertDueSoon, AlertRefundFailed, AlertMentioned,
		AlertReturnOverdue, AlertNoAddress, AlertShipmentException}
}

// ForMerchant reports whether the merchant's own users are told too (about
// their own store's tickets only), beside the assignee.
func (k AlertKind) ForMerchant() bool {
	switch k {
	case AlertBuyerReplied, AlertDueSoon, AlertReturnOverdue, AlertNoAddress, AlertShipmentException:
		return true
	}
	return false
}

// Alert is one entry of a user's alert centre.
type Alert struct {
	ID           int64
	UserID       int64
	TicketID     int64
	TicketNumber string
	Kind         AlertKind
	Detail       string
	CreatedAt    time.Time
	ReadAt       time.Time // zero: unread
}

// Unread reports whether the alert has not been opened.
func (a Alert) Unread() bool { return a.ReadAt.IsZero() }

// Mentionable is someone a note may @mention: by name ("@王晓") or by the
// part of the email before the @ ("@agent1").
type Mentionable struct {
	UserID int64
	Name   string
	Handle string
}

// Mentions lists the people a note's body @mentions, once each, in the
// order of the list given. A mention is "@" followed by the name or handle;
// a name ending in a letter or digit of a spaced script (Latin) must not run
// on into another such letter, so that "@Li" does not mention "Lin"; a name
// in Chinese needs no space after it ("@王晓请看").
func Mentions(body string, people []Mentionable) []int64 {
	var out []int64
	for _, p := range people {
		for _, name := range []string{p.Name, p.Handle} {
			if strings.TrimSpace(name) != "" && mentioned(body, name) {
				out = append(out, p.UserID)
				break
			}
		}
	}
	return out
}

func mentioned(body, name string) bool {
	rest := body
	for {
		i := strings.Index(rest, "@")
		if i < 0 {
			return false
		}
		rest = rest[i+1:]
		if len(rest) < len(name) || !strings.EqualFold(rest[:len(name)], name) {
			continue
		}
		last, _ := utf8.DecodeLastRuneInString(name)
		next, _ := utf8.DecodeRuneInString(rest[len(name):])
		if len(rest) == len(name) || !spaced(last) || !(spaced(next) || next == '_' || next == '.' || next == '-') {
			return true
		}
	}
}

// spaced is a letter or digit of a script written with spaces between words.
func spaced(r rune) bool {
	return (unicode.IsLetter(r) || unicode.IsDigit(r)) && !unicode.Is(unicode.Han, r) &&
		!unicode.Is(unicode.Hiragana, r) && !unicode.Is(unicode.Katakana, r) && !unicode.Is(unicode.Hangul, r)
}

// SortAlerts orders alerts newest first.
func SortAlerts(as []Alert) {
	slices.SortFunc(as, func(a, b Alert) int { return cmp.Compare(b.ID, a.ID) })
}
