package store_test

import (
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// TestEraseContacts: the buyers' names and phones of tickets that ended 90
// days ago are erased to their masked forms; the money facts stay, search
// no longer finds the full phone but still the last four digits, and each
// run writes an audit record with its count.
func TestEraseContacts(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "花漾鲜花旗舰店")
	keep := anxin.DefaultRetainContact
	old := storetest.MustTicketIn(t, s, m.ID, anxin.Refunded, 149000)
	rejected := storetest.MustTicketIn(t, s, m.ID, anxin.Rejected, 5000) // the appeal may still come
	clock.Advance(keep - time.Hour)
	recent := storetest.MustTicketIn(t, s, m.ID, anxin.Closed, 3000)
	clock.Advance(time.Hour)

	n, err := s.EraseContacts(ctx, keep)
	if err != nil || n != 1 {
		t.Fatalf("erased %d, %v", n, err)
	}
	got, err := s.Ticket(ctx, anxin.AllMerchants(), old.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.BuyerName != "李**" || got.BuyerPhone != "138****8000" || !got.ContactErased.Equal(clock.Now()) ||
		got.RefundedFen != 149000 || got.State != anxin.Refunded {
		t.Fatalf("erased ticket %+v", got)
	}
	for _, id := range []int64{rejected.ID, recent.ID} {
		kept, _ := s.Ticket(ctx, anxin.AllMerchants(), id)
		if kept.BuyerPhone != "13800138000" || !kept.ContactErased.IsZero() {
			t.Fatalf("ticket %s erased too soon: %+v", kept.Number, kept)
		}
	}
	found := func(q string) map[int64]bool {
		ts, err := s.Search(ctx, store.QueueFilter{Scope: anxin.AllMerchants(), Search: q})
		if err != nil {
			t.Fatal(err)
		}
		ids := map[int64]bool{}
		for _, tk := range ts {
			ids[tk.ID] = true
		}
		return ids
	}
	if ids := found("13800138000"); ids[old.ID] || !ids[recent.ID] {
		t.Fatalf("the full phone finds %v", ids)
	}
	if ids := found("8000"); !ids[old.ID] || !ids[recent.ID] {
		t.Fatalf("the last four digits find %v", ids)
	}
	var audits int
	var detail string
	storetest.DB(t, s).QueryRow(`SELECT count(*), max(detail) FROM audit_log WHERE action = 'erase_contacts'`).Scan(&audits, &detail)
	if audits != 1 || detail == "" || detail[:2] != "1 " {
		t.Fatalf("%d audit records: %q", audits, detail)
	}
	// Once: a second run finds nothing; off erases nothing.
	if n, err := s.EraseContacts(ctx, keep); n != 0 || err != nil {
		t.Fatalf("a second run erased %d, %v", n, err)
	}
	clock.Advance(keep)
	if n, err := s.EraseContacts(ctx, 0); n != 0 || err != nil {
		t.Fatalf("retention off erased %d, %v", n, err)
	}
	if n, err := s.EraseContacts(ctx, keep); n != 1 || err != nil {
		t.Fatalf("the closed one in its turn: %d, %v", n, err)
	}
}
