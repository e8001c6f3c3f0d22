package anxin_test

import (
	"slices"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

func TestCheckEvidence(t *testing.T) {
	photo := func(p anxin.Party, label string) anxin.Evidence { return anxin.Evidence{Party: p, Label: label} }
	cases := []struct {
		service  anxin.ServiceKey
		evidence []anxin.Evidence
		missing  []string
		complete bool
	}{
		{anxin.FreshSpoiled, nil, []string{"product", "label"}, false},
		{anxin.FreshSpoiled, []anxin.Evidence{photo(anxin.PartyBuyer, "product")}, []string{"label"}, false},
		{anxin.FreshSpoiled, []anxin.Evidence{photo(anxin.PartyBuyer, "product"), photo(anxin.PartyBuyer, "label")}, nil, true},
		// The merchant's photos are counter-evidence: they fill nothing in.
		{anxin.FreshSpoiled, []anxin.Evidence{photo(anxin.PartyBuyer, "product"), photo(anxin.PartyMerchant, "label")}, []string{"label"}, false},
		// Damage needs the parcel and the item, and two photos.
		{anxin.Damaged, []anxin.Evidence{photo(anxin.PartyBuyer, "parcel"), photo(anxin.PartyBuyer, "item")}, nil, true},
		{anxin.Damaged, []anxin.Evidence{photo(anxin.PartyBuyer, "parcel"), photo(anxin.PartyBuyer, "")}, []string{"item"}, false},
		// No checklist and no minimum: complete as it is.
		{anxin.UnshippedRefund, nil, nil, true},
	}
	for _, c := range cases {
		s, p := policy(t, c.service, nil)
		got := anxin.CheckEvidence(s, p, c.evidence)
		var missing []string
		for _, i := range got.Missing() {
			missing = append(missing, i.Key)
			if i.Label() == i.Key {
				t.Errorf("%s: item %q has no words", c.service, i.Key)
			}
		}
		if !slices.Equal(missing, c.missing) || got.Complete() != c.complete {
			t.Errorf("%s with %v: missing %v complete %v, want %v %v", c.service, c.evidence, missing, got.Complete(), c.missing, c.complete)
		}
	}
	// A merchant that asks for three photos is not satisfied by two.
	three := 3
	s, p := policy(t, anxin.Damaged, &anxin.PolicyOverride{Service: anxin.Damaged, EvidenceMin: &three})
	got := anxin.CheckEvidence(s, p, []anxin.Evidence{photo(anxin.PartyBuyer, "parcel"), photo(anxin.PartyBuyer, "item")})
	if got.Complete() || got.Photos != 2 || got.Min != 3 {
		t.Fatalf("%+v", got)
	}
}

func TestEveryChecklistItemHasWords(t *testing.T) {
	for _, s := range anxin.Services() {
		for _, key := range s.Checklist {
			if !anxin.IsChecklistItem(key) {
				t.Errorf("%s: checklist item %q has no label", s.Key, key)
			}
			if err := s.ValidLabel(key); err != nil {
				t.Errorf("%s: %v", s.Key, err)
			}
		}
		if s.ValidLabel("") != nil || anxin.ErrorCode(s.ValidLabel("selfie")) != anxin.EINVALID {
			t.Errorf("%s: labels not checked", s.Key)
		}
	}
}

func TestTakenBefore(t *testing.T) {
	received := t0
	cases := []struct {
		taken, received time.Time
		want            bool
	}{
		{received.Add(-24 * time.Hour), received, true},
		{received.Add(-31 * time.Minute), received, true},
		{received.Add(-29 * time.Minute), received, false}, // within the grace: the courier's scan trails
		{received.Add(time.Hour), received, false},
		{time.Time{}, received, false},                      // no capture time
		{received.Add(-24 * time.Hour), time.Time{}, false}, // not received
	}
	for _, c := range cases {
		if got := (anxin.PhotoFacts{TakenAt: c.taken}).TakenBefore(c.received); got != c.want {
			t.Errorf("taken %v, received %v: %v", c.taken, c.received, got)
		}
	}
}

func TestEvidenceParty(t *testing.T) {
	for role, want := range map[anxin.Role]anxin.Party{anxin.RoleAgent: anxin.PartyBuyer, anxin.RoleAdmin: anxin.PartyBuyer,
		anxin.RoleBuyer: anxin.PartyBuyer, anxin.RoleMerchant: anxin.PartyMerchant} {
		if got, err := anxin.EvidenceParty(anxin.Actor{Role: role}); got != want || err != nil {
			t.Errorf("%s: %q %v", role, got, err)
		}
	}
	if _, err := anxin.EvidenceParty(anxin.System()); anxin.ErrorCode(err) != anxin.EFORBIDDEN {
		t.Errorf("the system adds photos: %v", err)
	}
}
