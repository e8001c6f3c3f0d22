package views

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// SendMessage names sending a reply where an outcome names its action.
const SendMessage anxin.Action = "send_message"

// SendAddress names sending the buyer another return address, likewise.
const SendAddress anxin.Action = "send_address"

// ThreadLatest is how many of a conversation's messages the ticket page
// shows at first, newest last: a long thread stays as quick to open.
const ThreadLatest = 30

// threadURL is where the thread is refreshed from, keeping "show all".
func (p TicketPage) threadURL() string {
	u := "/tickets/" + p.Ticket.Number + "/thread"
	if p.ThreadAll {
		u += "?thread=all"
	}
	return u
}

// ThreadItem is one entry of a ticket's conversation: a message, or an
// event of the timeline between the messages.
type ThreadItem struct {
	At      time.Time
	Event   *anxin.Event
	Message *anxin.Message
}

// Thread is the ticket's timeline and conversation as one list in time
// order; an event and a message at the same moment (a decision and the
// words sent with it) keep that order.
func (p TicketPage) Thread() []ThreadItem {
	out := make([]ThreadItem, 0, len(p.Events)+len(p.Messages))
	for i := range p.Events {
		out = append(out, ThreadItem{At: p.Events[i].At, Event: &p.Events[i]})
	}
	for i := range p.Messages {
		out = append(out, ThreadItem{At: p.Messages[i].CreatedAt, Message: &p.Messages[i]})
	}
	// In time order: a photo recorded after the fact (with the time it was
	// taken) goes where it happened. Events come before messages of the
	// same moment, each in the order written.
	slices.SortStableFunc(out, func(a, b ThreadItem) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return cmp.Compare(boolInt(a.Message != nil), boolInt(b.Message != nil))
	})
	if p.EarlierMessages > 0 && len(p.Messages) > 0 {
		first := p.Messages[0].CreatedAt
		for len(out) > 0 && out[0].Message == nil && out[0].At.Before(first) {
			out = out[1:] // hidden with the messages of their time
		}
	}
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// photo is the ticket's evidence with the id, if the page has it.
func (p TicketPage) photo(id int64) (anxin.Evidence, bool) {
	for _, e := range p.Evidence {
		if e.ID == id {
			return e, true
		}
	}
	return anxin.Evidence{}, false
}

// SenderName says who wrote a message: the buyer, the system, or the
// person (with their side: the merchant or the support team).
func SenderName(ctx context.Context, m anxin.Message) string {
	switch m.From {
	case anxin.SenderBuyer:
		return T(ctx, "Buyer")
	case anxin.SenderSystem:
		return T(ctx, "System")
	case anxin.SenderMerchant:
		return Tf(ctx, "%s (merchant)", m.AuthorName)
	}
	return Tf(ctx, "%s (support)", m.AuthorName)
}

// Waiting is how long a buyer has waited for a reply, as the running timer
// shows it at first: 02:13, or 1天3小时 past a day.
func Waiting(ctx context.Context, since, now time.Time) string {
	d := max(now.Sub(since), 0).Truncate(time.Second)
	if d >= 24*time.Hour {
		return HumanDur(ctx, d)
	}
	h, m, s := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	if h > 0 {
		return twoDigits(h) + ":" + twoDigits(m) + ":" + twoDigits(s)
	}
	return twoDigits(m) + ":" + twoDigits(s)
}

func twoDigits(n int) string { return string([]byte{byte('0' + n/10%10), byte('0' + n%10)}) }

// waitClass marks a wait past the platform's reply norm as late.
func waitClass(since, now time.Time) string {
	if now.Sub(since) >= anxin.ReplyNorm {
		return "waiting late"
	}
	return "waiting ok"
}

// EvidenceRequest is the message a request for evidence sends unless the
// viewer edits it: what the checklist still misses, in the viewer's
// language.
func EvidenceRequest(ctx context.Context, p TicketPage) string {
	if p.Form.Action == anxin.RequestEvidence {
		return p.Form.Message
	}
	c := p.Photos.Check
	text := T(ctx, "Hello, to handle your request we need more photos:")
	for _, i := range c.Missing() {
		text += "\n· " + T(ctx, i.Label())
	}
	if len(c.Missing()) == 0 {
		text += "\n· " + T(ctx, "a clear photo of the problem")
	}
	if c.Photos < c.Min {
		text += "\n" + Tf(ctx, "We have %d of the %d photos needed.", c.Photos, c.Min)
	}
	return text + "\n" + T(ctx, "Please send them within 72 hours. Thank you!")
}

// FlagText says a flag's fact in words.
func FlagText(ctx context.Context, f anxin.Flag) string {
	switch f.Kind {
	case anxin.FlagManyClaims:
		return Tf(ctx, "%d claims within 30 days:", f.Count)
	case anxin.FlagSamePhoto:
		return Tf(ctx, "%d photos also submitted on another ticket:", f.Count)
	case anxin.FlagSoonAfterValue:
		return Tf(ctx, "claimed within a day of receipt on goods of ¥500 or more (%d):", f.Count)
	}
	return string(f.Kind)
}

// Warnings are what the ticket's photos say against the claim: a photo
// taken before receipt, or also on another ticket. (Too few photos is the
// evidence check's own ✗.)
func (p TicketPage) Warnings() []anxin.EvidenceWarning {
	return anxin.Warnings(p.Photos.Evidence, anxin.EvidenceCheck{})
}

func warningKeys(ws []anxin.EvidenceWarning) string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = string(w)
	}
	return strings.Join(out, " ")
}

// WarningText says a warning in words.
func WarningText(ctx context.Context, w anxin.EvidenceWarning) string {
	return T(ctx, "warning:"+string(w))
}
