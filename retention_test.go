package anxin_test

import (
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

func TestContactErasable(t *testing.T) {
	now := time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC)
	keep := anxin.DefaultRetainContact
	ended := now.Add(-keep)
	for _, c := range []struct {
		name  string
		state anxin.State
		since time.Time
		keep  time.Duration
		want  bool
	}{
		{"refunded 90 days ago", anxin.Refunded, ended, keep, true},
		{"closed 91 days ago", anxin.Closed, ended.Add(-24 * time.Hour), keep, true},
		{"closed a minute short", anxin.Closed, ended.Add(time.Minute), keep, false},
		{"rejected long ago: the appeal may still come", anxin.Rejected, ended.Add(-30 * 24 * time.Hour), keep, false},
		{"in arbitration", anxin.Arbitration, ended.Add(-30 * 24 * time.Hour), keep, false},
		{"retention off", anxin.Refunded, ended.Add(-300 * 24 * time.Hour), 0, false},
	} {
		tk := anxin.Ticket{State: c.state, StateSince: c.since, BuyerName: "张晓明", BuyerPhone: "13800138000"}
		if got := tk.ContactErasable(now, c.keep); got != c.want {
			t.Errorf("%s: erasable %v, want %v", c.name, got, c.want)
		}
	}
	tk := anxin.Ticket{State: anxin.Refunded, StateSince: ended, BuyerName: "张晓明", BuyerPhone: "13800138000", RefundedFen: 149000}
	erased := tk.EraseContact(now)
	if erased.BuyerName != "张**" || erased.BuyerPhone != "138****8000" || erased.RefundedFen != 149000 || !erased.ContactErased.Equal(now) {
		t.Fatalf("erased %+v", erased)
	}
	if erased.ContactErasable(now.Add(keep), keep) {
		t.Fatal("an erased contact is erased once")
	}
	for in, want := range map[string]string{"": "", "李": "李", "张晓明": "张**"} {
		if got := anxin.MaskName(in); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"13800138000": "138****8000", "138****8000": "138****8000",
		"+86 138": "*******", "12345": "*****"} {
		if got := anxin.MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPhotosErasable(t *testing.T) {
	now := time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC)
	keep := anxin.DefaultRetainPhotos
	ended := now.Add(-keep)
	for _, c := range []struct {
		name   string
		state  anxin.State
		since  time.Time
		erased time.Time
		keep   time.Duration
		want   bool
	}{
		{"refunded a year ago", anxin.Refunded, ended, time.Time{}, keep, true},
		{"closed a minute short of a year", anxin.Closed, ended.Add(time.Minute), time.Time{}, keep, false},
		{"rejected long ago: the appeal may still come", anxin.Rejected, ended.Add(-300 * 24 * time.Hour), time.Time{}, keep, false},
		{"deleted already", anxin.Closed, ended.Add(-24 * time.Hour), ended, keep, false},
		{"retention off", anxin.Refunded, ended.Add(-300 * 24 * time.Hour), time.Time{}, 0, false},
	} {
		tk := anxin.Ticket{State: c.state, StateSince: c.since, PhotosErased: c.erased}
		if got := tk.PhotosErasable(now, c.keep); got != c.want {
			t.Errorf("%s: erasable %v, want %v", c.name, got, c.want)
		}
	}
}
