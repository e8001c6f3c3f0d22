package store_test

import (
	"testing"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

func TestSeedDemo(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	n, err := store.SeedDemo(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if n < 200 {
		t.Fatalf("seeded %d tickets, want a few hundred", n)
	}
	if s.Clock != clock {
		t.Fatal("seeding must give the store its clock back")
	}
	again, err := store.SeedDemo(ctx, s)
	if err != nil || again != 0 {
		t.Fatalf("seeding a second time: %d, %v", again, err)
	}

	db := store.DB(s)
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
	for _, st := range anxin.States {
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
	for _, l := range store.DemoLogins {
		if _, err := s.Authenticate(ctx, l.Email, store.DemoPassword); err != nil {
			t.Errorf("demo login %s: %v", l.Email, err)
		}
	}
	evs, _ := s.Evidence(ctx, anxin.AllMerchants, 1)
	for _, e := range evs {
		_, f, err := s.Photo(ctx, anxin.AllMerchants, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		head := make([]byte, 3)
		f.Read(head)
		f.Close()
		if string(head) != "\xff\xd8\xff" {
			t.Fatalf("photo %d is not a JPEG", e.ID)
		}
	}
}
