package anxin

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Buyers' names and phones are personal data (PIPL Articles 19 and 47: kept
// only as long as the purpose needs); the transaction record stays at least
// three years (E-commerce Law Article 31). A ticket that has ended keeps its
// money facts and the masked forms of the contact, and loses the rest.

// DefaultRetainContact is how long after a ticket has ended its buyer's
// name and phone are kept.
const DefaultRetainContact = 90 * 24 * time.Hour

// DefaultRetainPhotos is how long after a ticket has ended its evidence
// photos are kept. The photo's facts (who added it, when, what it showed,
// when it was taken, the other tickets it was also on) stay with the
// ticket; the pictures go.
const DefaultRetainPhotos = 365 * 24 * time.Hour

// ContactErasable reports whether the ticket's buyer contact is due for
// erasure at now when contacts are kept for keep (0: kept for ever): the
// ticket has ended (refunded or closed, so no appeal window is open) at
// least keep ago, and its contact is still there.
func (t Ticket) ContactErasable(now time.Time, keep time.Duration) bool {
	return keep > 0 && t.State.Terminal() && t.ContactErased.IsZero() && !t.StateSince.After(now.Add(-keep))
}

// PhotosErasable reports whether the ticket's photos are due for deletion
// at now when photos are kept for keep (0: kept for ever), on the same
// terms as its contact (ContactErasable).
func (t Ticket) PhotosErasable(now time.Time, keep time.Duration) bool {
	return keep > 0 && t.State.Terminal() && t.PhotosErased.IsZero() && !t.StateSince.After(now.Add(-keep))
}

// EraseContact keeps only the masked forms of the buyer's name and phone.
func (t Ticket) EraseContact(now time.Time) Ticket {
	t.BuyerName, t.BuyerPhone = MaskName(t.BuyerName), MaskPhone(t.BuyerPhone)
	t.ContactErased = now
	return t
}

// MaskPhone hides the middle of a phone number: 13800138000 -> 138****8000
// (and a masked one stays as it is); anything else, whole.
func MaskPhone(p string) string {
	if len(p) < 7 || strings.Trim(p, "0123456789*") != "" {
		return strings.Repeat("*", utf8.RuneCountInString(p))
	}
	return p[:3] + strings.Repeat("*", len(p)-7) + p[len(p)-4:]
}

// MaskName keeps a name's first character: 张晓明 -> 张**.
func MaskName(n string) string {
	r, size := utf8.DecodeRuneInString(n)
	if size == 0 {
		return ""
	}
	return string(r) + strings.Repeat("*", utf8.RuneCountInString(n[size:]))
}
