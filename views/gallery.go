package views

import (
	"context"
	"fmt"

	"github.com/anxin-helpdesk/anxin"
)

// PhotosView is the photo evidence of a ticket: the gallery of both parties'
// photos with their facts and duplicate flags, the checklist, and the upload
// form for the logged-in user's side.
type PhotosView struct {
	Ticket   anxin.Ticket
	Evidence []anxin.Evidence
	Check    anxin.EvidenceCheck
	Upload   UploadForm
}

// UploadForm is the photo upload form and the outcome of the last upload.
type UploadForm struct {
	Allowed     bool        // the ticket takes photos and the user may add them
	Party       anxin.Party // whose photos the user adds
	Labels      []string    // the service's checklist items, to say what photos show
	MaxMB       int64       // per photo
	MaxMP       int64       // megapixels per photo
	MaxPerParty int         // photos per ticket per party
	Results     []UploadResult
}

// UploadResult is what became of one uploaded file. Message is in the
// user's words already (the handler translates it with the file's name).
type UploadResult struct {
	Name    string
	OK      bool
	Message string
}

// Photos of one party, in upload order.
func (v PhotosView) Photos(p anxin.Party) []anxin.Evidence {
	var out []anxin.Evidence
	for _, e := range v.Evidence {
		if e.Party == p {
			out = append(out, e)
		}
	}
	return out
}

// firstKept is the first photo whose files are kept: the one the viewer
// opens on.
func (v PhotosView) firstKept() (anxin.Evidence, bool) {
	for _, e := range v.Evidence {
		if e.Erased.IsZero() {
			return e, true
		}
	}
	return anxin.Evidence{}, false
}

func thumbURL(e anxin.Evidence) string   { return fmt.Sprintf("/photos/%d/thumb", e.ID) }
func displayURL(e anxin.Evidence) string { return fmt.Sprintf("/photos/%d/display", e.ID) }

// photoAlt describes a photo for those who cannot see it.
func photoAlt(ctx context.Context, e anxin.Evidence, n int) string {
	who := T(ctx, "Buyer's photo %d")
	if e.Party == anxin.PartyMerchant {
		who = T(ctx, "Merchant's photo %d")
	}
	s := fmt.Sprintf(who, n)
	if e.Label != "" {
		s += ": " + T(ctx, anxin.ChecklistLabel(e.Label))
	}
	return s
}

func partyTitle(p anxin.Party) string {
	if p == anxin.PartyMerchant {
		return "Merchant's photos"
	}
	return "Buyer's photos"
}

func uploadTitle(p anxin.Party) string {
	if p == anxin.PartyMerchant {
		return "Add counter-evidence"
	}
	return "Add the buyer's photos"
}

func checkClass(c anxin.EvidenceCheck, i anxin.ChecklistItem) string {
	switch {
	case i.Present():
		return "check-present"
	case c.Min == 0:
		return "check-optional"
	}
	return "check-missing"
}

// EvidenceCount says how many photos the buyer gave against the number
// required: the same count, in the same words, wherever the page says it.
func EvidenceCount(ctx context.Context, c anxin.EvidenceCheck) string {
	if c.Photos > c.Min {
		return Tf(ctx, "%d photos (%d required)", c.Photos, c.Min)
	}
	return Tf(ctx, "%d of the %d photos required", c.Photos, c.Min)
}
