package store_test

import (
	"database/sql"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// TestFiguresKeptAsRecounted: the figures the triggers keep write by write
// are the ones a recount from the tickets, events and refunds gives, over
// days, merchants, services, people and every kind of decision.
func TestFiguresKeptAsRecounted(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "玉颜美妆旗舰店")
	other := storetest.MustMerchant(t, s, "义乌优品家居百货")
	wang := storetest.MustUser(t, s, anxin.RoleAgent, "王晓", 0)
	li := storetest.MustUser(t, s, anxin.RoleAgent, "李娜", 0)
	amei := storetest.MustUser(t, s, anxin.RoleMerchant, "阿梅", m.ID)
	for day := range 3 {
		// Each day several tickets of a merchant and service, so that the
		// kept rows are added to, not only made.
		var late []anxin.Ticket
		for i, merchant := range []int64{m.ID, other.ID, m.ID, m.ID} {
			paid := storetest.MustTicket(t, s, merchant, anxin.Damaged, 5000+int64(100*i))
			if _, err := s.Assign(ctx, paid.ID, wang.ID, wang.Actor()); err != nil {
				t.Fatal(err)
			}
			clock.Advance(time.Duration(3+7*i) * time.Minute)
			mustDecide(t, s, paid.ID, anxin.Decision{Action: anxin.Approve, Actor: li.Actor()})
			mustDecide(t, s, paid.ID, anxin.Decision{Action: anxin.RefundSucceeded, Actor: anxin.System()})

			failed := storetest.MustTicket(t, s, merchant, anxin.FreshSpoiled, 3000)
			clock.Advance(20 * time.Minute)
			by := amei.Actor()
			if merchant != m.ID {
				by = wang.Actor()
			}
			mustDecide(t, s, failed.ID, anxin.Decision{Action: anxin.Approve, Actor: by})
			mustDecide(t, s, failed.ID, anxin.Decision{Action: anxin.RefundFailure, Actor: anxin.System(), Reason: "银行卡已注销"})
			if (day+i)%2 == 0 {
				mustDecide(t, s, failed.ID, anxin.Decision{Action: anxin.RetryRefund, Actor: wang.Actor()})
				mustDecide(t, s, failed.ID, anxin.Decision{Action: anxin.RefundSucceeded, Actor: anxin.System()})
			}

			tk := storetest.MustTicket(t, s, merchant, anxin.FreshSpoiled, 7000)
			if _, err := s.Assign(ctx, tk.ID, li.ID, li.Actor()); err != nil {
				t.Fatal(err)
			}
			late = append(late, tk)

			arb := storetest.MustTicketIn(t, s, merchant, anxin.Arbitration, 3000)
			rule := anxin.RuleForBuyer
			if i == 1 {
				rule = anxin.RuleForMerchant
			}
			mustDecide(t, s, arb.ID, anxin.Decision{Action: rule, Actor: wang.Actor(), Reason: "照片可证明问题"})
		}
		clock.Advance(25 * time.Hour)
		for _, tk := range late {
			mustDecide(t, s, tk.ID, anxin.Decision{Action: anxin.Timeout, Actor: anxin.System()})
			mustDecide(t, s, tk.ID, anxin.Decision{Action: anxin.RefundSucceeded, Actor: anxin.System()})
		}
	}
	kept := figuresTables(t, s)
	if len(kept["figures_daily"]) == 0 || len(kept["figures_people"]) == 0 || len(kept["figures_people_all"]) == 0 {
		t.Fatalf("nothing kept: %v", kept)
	}
	if err := store.RebuildFigures(ctx, s); err != nil {
		t.Fatal(err)
	}
	recounted := figuresTables(t, s)
	for table, rows := range recounted {
		if !reflect.DeepEqual(kept[table], rows) {
			t.Errorf("%s kept:\n%v\nrecounted:\n%v", table, kept[table], rows)
		}
	}
}

// figuresTables reads the figures tables, each row as a string, in key order.
func figuresTables(t *testing.T, s *store.Store) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, table := range []string{"figures_daily", "figures_people", "figures_people_all"} {
		rows, err := storetest.DB(t, s).Query(`SELECT * FROM ` + table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]sql.RawBytes, len(cols))
			dest := make([]any, len(cols))
			for i := range vals {
				dest[i] = &vals[i]
			}
			if err := rows.Scan(dest...); err != nil {
				t.Fatal(err)
			}
			out[table] = append(out[table], fmt.Sprintf("%s", vals))
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		slices.Sort(out[table]) // compared as sets of rows: PostgreSQL keeps them in no key's order
	}
	return out
}

// TestFiguresFollowTheZone: the days are the display zone's; opened with
// another zone, the store counts them again by that zone's days.
func TestFiguresFollowTheZone(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "玉颜美妆旗舰店")
	// 20:00 UTC is 04:00 the next day in Beijing.
	clock.Set(time.Date(2026, 11, 26, 20, 0, 0, 0, time.UTC))
	tk := storetest.MustTicket(t, s, m.ID, anxin.Damaged, 5000)
	mustDecide(t, s, tk.ID, anxin.Decision{Action: anxin.Approve, Actor: anxin.Actor{Role: anxin.RoleAgent, Name: "王晓"}})
	mustDecide(t, s, tk.ID, anxin.Decision{Action: anxin.RefundSucceeded, Actor: anxin.System()})
	paidOn := func(s *store.Store) string {
		f, err := s.Figures(ctx, anxin.AllMerchants(), m.ID, clock.Now(), 2)
		if err != nil {
			t.Fatal(err)
		}
		for i, n := range f.Refunded {
			if n == 1 {
				return f.Days[i]
			}
		}
		t.Fatalf("no refund in %v: %v", f.Days, f.Refunded)
		return ""
	}
	if day := paidOn(s); day != "2026-11-27" {
		t.Fatalf("paid on %s in Beijing", day)
	}
	path := s.Path()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	cfg := storetest.Config(clock)
	cfg.Zone = time.UTC
	utc := storetest.MustOpenWith(t, path, cfg)
	if day := paidOn(utc); day != "2026-11-26" {
		t.Fatalf("paid on %s in UTC", day)
	}
}
