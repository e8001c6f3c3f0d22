package anxin

import (
	"slices"
	"strings"
	"time"
)

// Sender is whom a message on a ticket's conversation is from. Buyers do
// not log in: the platform relays their messages through the API, and the
// replies go back to it through the ticket.message webhook.
type Sender string

const (
	SenderBuyer    Sender = "buyer"
	SenderMerchant Sender = "merchant"
	SenderAgent    Sender = "agent"
	SenderSystem   Sender = "system"
)

// SenderOf is the sender a message written by an actor of the role shows.
func SenderOf(r Role) Sender {
	switch r {
	case RoleBuyer:
		return SenderBuyer
	case RoleMerchant:
		return SenderMerchant
	case RoleSystem:
		return SenderSystem
	}
	return SenderAgent // agents and admins answer as the support team
}

// MaxMessagePhotos is how many photos one message may show.
const MaxMessagePhotos = 9

// Message is one message of a ticket's conversation with the buyer: from
// the buyer (relayed by the platform), or to the buyer from the merchant,
// the support team or the system. Internal notes are not messages: they
// never leave Anxin.
type Message struct {
	ID         int64
	TicketID   int64
	From       Sender
	AuthorID   int64 // the user who wrote it; 0 for the buyer and the system
	AuthorName string
	Body       string
	Photos     []int64 // ids of the ticket's evidence the message shows
	CreatedAt  time.Time

	// A buyer's message is answered by the first message a person (the
	// merchant or an agent) sends after it: when, and by whom.
	RepliedAt time.Time
	ReplyBy   string
}

// NewMessage is the message the actor sends on a ticket, once its text and
// photos pass: only the buyer's messages carry photos (evidence already
// uploaded to the ticket, named by id).
func NewMessage(ticketID int64, by Actor, body string, photos []int64) (Message, error) {
	m := Message{TicketID: ticketID, From: SenderOf(by.Role), AuthorID: by.UserID, AuthorName: by.Name,
		Body: strings.TrimSpace(body)}
	if m.Body == "" {
		return m, Fail(MsgMessageEmpty)
	}
	if err := CheckText(FieldMessage, m.Body, MaxLongText, true); err != nil {
		return m, err
	}
	if m.From != SenderBuyer {
		if v := Unfilled(m.Body); len(v) > 0 {
			return m, Fail(MsgMacroUnfilled, v[0].Placeholder())
		}
	}
	if len(photos) > 0 && m.From != SenderBuyer {
		return m, Fail(MsgMessagePhotosBuyer)
	}
	for _, id := range photos {
		if id <= 0 {
			return m, Fail(MsgMessagePhotoUnknown)
		}
		if !slices.Contains(m.Photos, id) {
			m.Photos = append(m.Photos, id)
		}
	}
	if len(m.Photos) > MaxMessagePhotos {
		return m, Fail(MsgMessagePhotos, MaxMessagePhotos)
	}
	return m, nil
}

// Answers reports whether the message answers the buyer: a person (the
// merchant or an agent) wrote it. The system's messages answer nobody.
func (m Message) Answers() bool { return m.From == SenderMerchant || m.From == SenderAgent }

// Answered reports whether a buyer's message has had a person's reply.
func (m Message) Answered() bool { return !m.RepliedAt.IsZero() }
