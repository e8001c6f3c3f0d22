package demo_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/demo"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

var ctx = context.Background()

func TestSeedDemo(t *testing.T) {
	clock := anxin.NewManualClock(storetest.Epoch)
	path := filepath.Join(t.TempDir(), "anxin.db")
	n, err := demo.Seed(ctx, path, storetest.Config(clock))
	if err != nil {
		t.Fatal(err)
	}
	if n < 200 {
		t.Fatalf("seeded %d tickets, want a few hundred", n)
	}
	if !clock.Now().Equal(storetest.Epoch) {
		t.Fatal("seeding moved the clock it was given")
	}
	again, err := demo.Seed(ctx, path, storetest.Config(clock))
	if err != nil || again != 0 {
		t.Fatalf("seeding a second time: %d, %v", again, err)
	}

	s := storetest.MustOpenWith(t, path, storetest.Config(clock))
	db := storetest.DB(t, s)
	states := map[anxin.State]int{}
	rows, err := db.Query(`SELECT state, count(*) FROM tickets GROUP BY state`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var st anxin.State
		var c int
		rows.Scan(&st, &c)
		states[st] = c
	}
	rows.Close()
	for _, st := range anxin.States() {
		if st != anxin.NeedsEvidence && states[st] == 0 && st != anxin.Refunding {
			t.Errorf("no demo ticket is %s", st)
		}
	}
	var services, overdue, ahead, photos, refunds int
	db.QueryRow(`SELECT count(DISTINCT service) FROM tickets`).Scan(&services)
	db.QueryRow(`SELECT count(*) FROM tickets WHERE deadline < ?`, clock.Now().UnixMilli()).Scan(&overdue)
	db.QueryRow(`SELECT count(*) FROM tickets WHERE deadline > ?`, clock.Now().Add(48*3600e9).UnixMilli()).Scan(&ahead)
	db.QueryRow(`SELECT count(*) FROM evidence`).Scan(&photos)
	db.QueryRow(`SELECT count(*) FROM refunds`).Scan(&refunds)
	if services != 9 || overdue == 0 || ahead == 0 || photos < 100 || refunds == 0 {
		t.Fatalf("demo data: %d services, %d overdue, %d due in over 2 days, %d photos, %d refunds",
			services, overdue, ahead, photos, refunds)
	}
	// Two merchants run automatic rules, and their decisions name them.
	var ruled int
	db.QueryRow(`SELECT count(*) FROM ticket_events WHERE actor_role = 'system' AND detail IN (?, ?)`,
		anxin.RuleReason(anxin.RuleReturnless), anxin.RuleReason(anxin.RuleApproveReturn)).Scan(&ruled)
	if ruled != 2 {
		t.Errorf("%d demo decisions made by a rule, want 2", ruled)
	}
	for _, l := range demo.Logins() {
		if _, err := s.Authenticate(ctx, l.Email, demo.Password); err != nil {
			t.Errorf("demo login %s: %v", l.Email, err)
		}
	}
	// Demo photos went through the upload pipeline: both sizes exist and
	// are clean JPEGs, most carry facts, and a few are flagged copies.
	var withFacts, beforeReceipt, linked, thumbs int
	db.QueryRow(`SELECT count(*) FROM evidence WHERE camera != '' AND taken_at IS NOT NULL`).Scan(&withFacts)
	db.QueryRow(`SELECT count(*) FROM evidence e JOIN tickets t ON t.id = e.ticket_id
		WHERE e.taken_at < t.received_at - ?`, anxin.ReceiptGrace.Milliseconds()).Scan(&beforeReceipt)
	db.QueryRow(`SELECT count(*) FROM evidence_duplicates`).Scan(&linked)
	db.QueryRow(`SELECT count(*) FROM evidence WHERE thumb_sha256 != sha256 AND phash IS NOT NULL`).Scan(&thumbs)
	if withFacts < photos/2 || beforeReceipt == 0 || linked == 0 || thumbs != photos {
		t.Fatalf("demo photos: %d of %d with facts, %d before receipt, %d duplicate links, %d with thumbnails",
			withFacts, photos, beforeReceipt, linked, thumbs)
	}
	// Links come in pairs, between different tickets, and only from the
	// planted copies (exact, or recompressed: within 4 bits); a link further
	// apart would be two different demo drawings the hash cannot tell apart.
	var oneWay, sameTicket, farthest int
	db.QueryRow(`SELECT coalesce(max(distance), 0) FROM evidence_duplicates`).Scan(&farthest)
	if farthest > 4 {
		t.Fatalf("demo photos %d bits apart are linked: the drawings are too alike", farthest)
	}
	db.QueryRow(`SELECT count(*) FROM evidence_duplicates d WHERE NOT EXISTS (SELECT 1 FROM evidence_duplicates r
		WHERE r.evidence_id = d.other_id AND r.other_id = d.evidence_id)`).Scan(&oneWay)
	db.QueryRow(`SELECT count(*) FROM evidence_duplicates d JOIN evidence a ON a.id = d.evidence_id
		JOIN evidence b ON b.id = d.other_id WHERE a.ticket_id = b.ticket_id`).Scan(&sameTicket)
	if oneWay != 0 || sameTicket != 0 {
		t.Fatalf("%d one-way links, %d links within a ticket", oneWay, sameTicket)
	}
	var id int64
	db.QueryRow(`SELECT id FROM evidence ORDER BY id LIMIT 1`).Scan(&id)
	for _, size := range []store.PhotoSize{store.Thumb, store.Display} {
		_, f, err := s.Photo(ctx, anxin.AllMerchants(), id, size)
		if err != nil {
			t.Fatal(err)
		}
		head := make([]byte, 4)
		f.Read(head)
		f.Close()
		if string(head) != "\xff\xd8\xff\xdb" { // SOI then straight to a quantisation table: no APPn
			t.Fatalf("photo %d %s starts %x", id, size, head)
		}
	}
}
