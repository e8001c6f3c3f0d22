package anxin

import "time"

// OfferAnswer is how an offer ended; empty while the buyer is to answer.
type OfferAnswer string

const (
	OfferOpen      OfferAnswer = ""
	OfferTaken     OfferAnswer = "accepted"
	OfferRefused   OfferAnswer = "declined"
	OfferLapsed    OfferAnswer = "lapsed"
	OfferCancelled OfferAnswer = "cancelled" // the buyer withdrew the claim instead
)

// OfferRecord is one offer of a ticket's negotiation (协商记录): a partial
// amount proposed by the staff with a message for the buyer, and its answer.
type OfferRecord struct {
	ID         int64
	TicketID   int64
	AmountFen  int64
	Message    string
	From       State // the state it was made in
	By         Actor
	CreatedAt  time.Time
	ExpiresAt  time.Time
	Answer     OfferAnswer
	AnsweredAt time.Time
}

// OfferAnswerOf is what a change out of OfferPending does to the offer.
func OfferAnswerOf(c Change) (OfferAnswer, bool) {
	if c.Event.From != OfferPending {
		return OfferOpen, false
	}
	switch c.Transition.Action {
	case OfferAccepted:
		return OfferTaken, true
	case OfferDeclined:
		return OfferRefused, true
	case Timeout:
		return OfferLapsed, true
	}
	return OfferCancelled, true
}
