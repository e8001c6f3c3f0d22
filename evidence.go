package anxin

import (
	"slices"
	"time"
)

// PhotoFacts are what an uploaded photo's original file said about it, kept
// as evidence after the file itself was re-encoded without its metadata.
type PhotoFacts struct {
	Format  string    // of the original: jpeg, png or webp
	Width   int       // of the original
	Height  int       //
	Bytes   int64     //
	TakenAt time.Time // capture time from EXIF; zero when the photo gave none
	Camera  string    // make and model from EXIF
	HadGPS  bool      // the original recorded where it was taken (removed)
	// BeforeReceipt: taken before the order was received (see TakenBefore);
	// the store sets it when it lists a ticket's evidence.
	BeforeReceipt bool
}

// ReceiptGrace is how long before the recorded receipt a photo may be taken
// without being flagged: the receipt is a courier's scan that can trail the
// moment at the door, and camera clocks drift.
const ReceiptGrace = 30 * time.Minute

// TakenBefore reports whether the photo was taken before the order was
// received (received, more than ReceiptGrace earlier): a photo of what
// arrived cannot predate its arrival. Unknown times are never flagged.
func (f PhotoFacts) TakenBefore(received time.Time) bool {
	return !f.TakenAt.IsZero() && !received.IsZero() && f.TakenAt.Before(received.Add(-ReceiptGrace))
}

// Duplicate is the same picture submitted on another ticket: the exact image,
// or a near-duplicate (resized, compressed again) by its perceptual hash.
type Duplicate struct {
	EvidenceID   int64 // the other photo
	TicketID     int64 // its ticket
	TicketNumber string
	Exact        bool
	Distance     int // between the perceptual hashes; 0 for an exact copy
}

// EvidenceParty is whose evidence a photo added by the actor is. A merchant's
// staff add the merchant's counter-evidence; agents and admins add the
// buyer's, on the buyer's behalf, as the buyer does through the intake API.
func EvidenceParty(a Actor) (Party, error) {
	switch a.Role {
	case RoleMerchant:
		return PartyMerchant, nil
	case RoleAgent, RoleAdmin, RoleBuyer:
		return PartyBuyer, nil
	}
	return "", Fail(MsgPhotoParty)
}

// checklistLabels are the checklist items in the UI's English words (the
// views translate them).
var checklistLabels = map[string]string{
	"product":   "The product",
	"label":     "The packing label",
	"parcel":    "The parcel as delivered",
	"item":      "The item",
	"defect":    "The defect, close up",
	"reaction":  "The skin reaction",
	"appraisal": "The appraisal report",
	"tracking":  "The return tracking slip",
}

// ChecklistLabel is the English words for a checklist item (the key itself
// for one the domain does not know).
func ChecklistLabel(key string) string {
	if l, ok := checklistLabels[key]; ok {
		return l
	}
	return key
}

// IsChecklistItem reports whether key names a checklist item of any service.
func IsChecklistItem(key string) bool {
	_, ok := checklistLabels[key]
	return ok
}

// ValidLabel checks the checklist item a photo is said to show: none, or
// one of the service's.
func (s Service) ValidLabel(label string) error {
	if label == "" || slices.Contains(s.Checklist, label) {
		return nil
	}
	return Fail(MsgNotOnChecklist)
}

// ChecklistItem is one photo a complete claim shows, and how many of the
// buyer's photos show it.
type ChecklistItem struct {
	Key    string
	Photos int
}

// Present reports whether a photo shows the item.
func (i ChecklistItem) Present() bool { return i.Photos > 0 }

// Label is the item in the UI's English words.
func (i ChecklistItem) Label() string { return ChecklistLabel(i.Key) }

// EvidenceCheck is a ticket's photo evidence held against its service's
// checklist and its policy's minimum number of photos. Only the buyer's
// photos count: the merchant's are counter-evidence.
type EvidenceCheck struct {
	Items  []ChecklistItem
	Photos int // the buyer's photos
	Min    int // the photos the policy requires
}

// CheckEvidence says which of the service's checklist items the evidence
// shows and which are missing.
func CheckEvidence(s Service, p Policy, evidence []Evidence) EvidenceCheck {
	c := EvidenceCheck{Min: p.EvidenceMin}
	for _, key := range s.Checklist {
		c.Items = append(c.Items, ChecklistItem{Key: key})
	}
	for _, e := range evidence {
		if e.Party != PartyBuyer {
			continue
		}
		c.Photos++
		for i := range c.Items {
			if c.Items[i].Key == e.Label {
				c.Items[i].Photos++
			}
		}
	}
	return c
}

// Missing lists the items no photo shows yet.
func (c EvidenceCheck) Missing() []ChecklistItem {
	var out []ChecklistItem
	for _, i := range c.Items {
		if !i.Present() {
			out = append(out, i)
		}
	}
	return out
}

// Complete reports whether every item is shown and the minimum is met.
func (c EvidenceCheck) Complete() bool { return len(c.Missing()) == 0 && c.Photos >= c.Min }

// EvidenceWarning is what a ticket's photos say against the claim: a photo
// taken before the order was received, a photo also on another ticket, or
// fewer photos than the policy requires. A warning is a fact for a person
// to look at before deciding: a ticket with one is never decided from the
// queue without being opened.
type EvidenceWarning string

const (
	WarnBeforeReceipt EvidenceWarning = "before_receipt"
	WarnDuplicate     EvidenceWarning = "duplicate"
	WarnMissing       EvidenceWarning = "missing"
)

// Warnings lists the warnings of a ticket's evidence (the buyer's photos,
// their facts and duplicates filled in) held against its check.
func Warnings(evidence []Evidence, c EvidenceCheck) []EvidenceWarning {
	var before, dup bool
	for _, e := range evidence {
		if e.Party == PartyBuyer {
			before = before || e.Facts.BeforeReceipt
			dup = dup || len(e.Duplicates) > 0
		}
	}
	return WarningsOf(before, dup, c.Photos, c.Min)
}

// WarningsOf lists the warnings of a ticket whose buyer's photos include one
// taken before receipt (before), one also on another ticket (dup), and
// number photos of the min its policy requires.
func WarningsOf(before, dup bool, photos, min int) []EvidenceWarning {
	var out []EvidenceWarning
	if before {
		out = append(out, WarnBeforeReceipt)
	}
	if dup {
		out = append(out, WarnDuplicate)
	}
	if min > 0 && photos < min {
		out = append(out, WarnMissing)
	}
	return out
}
