package store_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/photo/phototest"
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

// TestErasePhotos: the photos of a ticket that ended a year ago are
// deleted: their files go, unless a kept photo on another ticket shows the
// same picture; their rows and facts stay, marked; the ticket says when;
// an upload of the same picture later writes its file again; the database
// check and backups no longer ask for the deleted files.
func TestErasePhotos(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "花漾鲜花旗舰店")
	keep := anxin.DefaultRetainPhotos
	shared := phototest.JPEG(phototest.Scene(11, 800, 600), 90)
	own := phototest.JPEG(phototest.Scene(12, 800, 600), 90)
	add := func(id int64, data []byte) anxin.Evidence {
		t.Helper()
		e, err := s.AddPhoto(ctx, anxin.Buyer(), store.Upload{TicketID: id, Data: data, Backdated: true})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	old := storetest.MustTicketIn(t, s, m.ID, anxin.Refunded, 149000)
	gone, kept := add(old.ID, own), add(old.ID, shared)
	rejected := storetest.MustTicketIn(t, s, m.ID, anxin.Rejected, 5000) // the appeal may still come
	add(rejected.ID, phototest.JPEG(phototest.Scene(13, 800, 600), 90))
	clock.Advance(keep - time.Hour)
	open := storetest.MustTicket(t, s, m.ID, anxin.Damaged, 6800)
	again := add(open.ID, shared)
	clock.Advance(time.Hour)

	onDisk := func(sum string) bool {
		sums, err := store.PhotoFileSums(s)
		if err != nil {
			t.Fatal(err)
		}
		return slices.Contains(sums, sum)
	}
	got, err := s.ErasePhotos(ctx, keep)
	if err != nil || got != (store.ErasedPhotos{Tickets: 1, Photos: 2, Files: 2}) {
		t.Fatalf("erased %+v, %v", got, err)
	}
	if onDisk(gone.SHA256) || onDisk(gone.ThumbSHA256) {
		t.Fatal("the deleted photo's files are still there")
	}
	if !onDisk(kept.SHA256) || !onDisk(kept.ThumbSHA256) {
		t.Fatal("a picture another ticket keeps lost its files")
	}
	tk, err := s.Ticket(ctx, anxin.AllMerchants(), old.ID)
	if err != nil || !tk.PhotosErased.Equal(clock.Now()) || tk.RefundedFen != 149000 {
		t.Fatalf("the ticket after: %+v %v", tk, err)
	}
	ev, err := s.Evidence(ctx, anxin.AllMerchants(), old.ID)
	if err != nil || len(ev) != 2 {
		t.Fatalf("evidence after: %d, %v", len(ev), err)
	}
	for _, e := range ev {
		if !e.Erased.Equal(clock.Now()) || e.UploadedBy == "" || e.CreatedAt.IsZero() {
			t.Fatalf("a deleted photo's facts: %+v", e)
		}
	}
	if ev[1].ID != kept.ID || len(ev[1].Duplicates) != 1 || ev[1].Duplicates[0].TicketID != open.ID {
		t.Fatalf("the deleted photo no longer names the other ticket it was on: %+v", ev[1].Duplicates)
	}
	for _, id := range []int64{gone.ID, kept.ID} {
		if _, f, err := s.Photo(ctx, anxin.AllMerchants(), id, store.Thumb); !isMsg(err, anxin.MsgPhotoErased) {
			if f != nil {
				f.Close()
			}
			t.Fatalf("a deleted photo opens: %v", err)
		}
	}
	_, f, err := s.Photo(ctx, anxin.AllMerchants(), again.ID, store.Display)
	if err != nil {
		t.Fatalf("the open ticket's copy: %v", err)
	}
	f.Close()
	if tk, _ := s.Ticket(ctx, anxin.AllMerchants(), rejected.ID); !tk.PhotosErased.IsZero() {
		t.Fatal("a rejected ticket, whose appeal may come, lost its photos")
	}

	var audits, pending int
	var detail string
	db := storetest.DB(t, s)
	if err := db.QueryRow(`SELECT count(*), max(detail) FROM audit_log WHERE action = 'erase_photos'`).Scan(&audits, &detail); err != nil {
		t.Fatal(err)
	}
	if audits != 1 || !strings.HasPrefix(detail, "2 photos of 1 tickets ended before ") {
		t.Fatalf("%d audit records: %q", audits, detail)
	}
	if err := db.QueryRow(`SELECT count(*) FROM photo_files_unlinked`).Scan(&pending); err != nil || pending != 0 {
		t.Fatalf("%d files left on the removal list, %v", pending, err)
	}
	if !storetest.OnPostgres() { // anxin check is SQLite's
		chk, err := store.Check(ctx, s.Path(), storetest.Config(clock))
		if err != nil || chk.Err() != nil {
			t.Fatalf("the check after deleting: %v %v", err, chk.Err())
		}
	}

	// Once; and the same picture uploaded again is stored again.
	if got, err := s.ErasePhotos(ctx, keep); got != (store.ErasedPhotos{}) || err != nil {
		t.Fatalf("a second run: %+v, %v", got, err)
	}
	if e := add(open.ID, own); !onDisk(e.SHA256) || !onDisk(e.ThumbSHA256) {
		t.Fatal("a new upload of a deleted picture has no file")
	}
	clock.Advance(keep)
	if got, err := s.ErasePhotos(ctx, 0); got != (store.ErasedPhotos{}) || err != nil {
		t.Fatalf("retention off: %+v, %v", got, err)
	}
}

func isMsg(err error, m anxin.Msg) bool {
	var e *anxin.Error
	return errors.As(err, &e) && e.Msg == m
}
