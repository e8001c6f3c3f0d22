package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

func TestDecisionsByPerson(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	zone, _ := time.LoadLocation("Asia/Shanghai")
	m := storetest.MustMerchant(t, s, "玉颜美妆旗舰店")
	other := storetest.MustMerchant(t, s, "义乌优品家居百货")
	wang := storetest.MustUser(t, s, anxin.RoleAgent, "王晓", 0)
	li := storetest.MustUser(t, s, anxin.RoleAgent, "李娜", 0)
	from := clock.Now()

	// 王晓 approves two tickets today and one tomorrow; 李娜 one of the other merchant's.
	for i, day := range []int{0, 0, 1} {
		clock.Advance(time.Duration(day*24) * time.Hour)
		tk := storetest.MustTicket(t, s, m.ID, anxin.Damaged, 5000+int64(i))
		mustDecide(t, s, tk.ID, anxin.Decision{Action: anxin.Approve, Actor: wang.Actor(), Version: tk.Version})
	}
	tk := storetest.MustTicket(t, s, other.ID, anxin.Damaged, 3000)
	mustDecide(t, s, tk.ID, anxin.Decision{Action: anxin.Approve, Actor: li.Actor(), Version: tk.Version})
	// The merchant's own person decides too.
	amei := storetest.MustUser(t, s, anxin.RoleMerchant, "阿梅", m.ID)
	own := storetest.MustTicket(t, s, m.ID, anxin.Damaged, 4000)
	mustDecide(t, s, own.ID, anxin.Decision{Action: anxin.Approve, Actor: amei.Actor(), Version: own.Version})
	// The system's decisions are nobody's.
	missed := storetest.MustTicket(t, s, m.ID, anxin.FreshSpoiled, 7000)
	clock.Advance(25 * time.Hour)
	mustDecide(t, s, missed.ID, anxin.Decision{Action: anxin.Timeout, Actor: anxin.System()})

	until := clock.Now()
	people, err := s.DecisionsByPerson(ctx, anxin.AllMerchants(), 0, "", from, until, zone)
	if err != nil {
		t.Fatal(err)
	}
	if len(people) != 3 || people[0].Name != "王晓" || people[0].Total() != 3 || people[0].Busiest() != 2 || len(people[0].Days) != 2 || people[2].Total() != 1 {
		t.Fatalf("people %+v", people)
	}
	// The merchant sees its own person by name and the support team as one.
	mine, err := s.DecisionsByPerson(ctx, anxin.Scope{MerchantID: m.ID}, 0, "", from, until, zone)
	if err != nil || len(mine) != 2 || mine[0].ActorID != anxin.TeamActorID || mine[0].Total() != 3 || mine[1].Name != "阿梅" {
		t.Fatalf("the merchant's view: %+v, %v", mine, err)
	}
	one, err := s.DecisionsByPerson(ctx, anxin.Scope{MerchantID: other.ID}, 0, "", from, until, zone)
	if err != nil || len(one) != 1 || one[0].ActorID != anxin.TeamActorID || one[0].Name != "" || one[0].Total() != 1 {
		t.Fatalf("a merchant's scope: %+v, %v", one, err)
	}
	if _, err := s.DecisionsByPerson(ctx, anxin.Scope{MerchantID: other.ID}, m.ID, "", from, until, zone); anxin.ErrorCode(err) != anxin.ENOTFOUND {
		t.Fatalf("another merchant's people: %v", err)
	}
	if none, _ := s.DecisionsByPerson(ctx, anxin.AllMerchants(), m.ID, anxin.FreshSpoiled, from, until, zone); len(none) != 0 {
		t.Fatalf("a service with no one's decisions: %+v", none)
	}

	// The query walks the (action, at) index of ticket_events, for all merchants and one.
	db := storetest.DB(t, s)
	for _, merchant := range []int64{0, m.ID} {
		args := []any{"+28800 seconds"}
		for _, a := range anxin.DecisionActions {
			args = append(args, string(a))
		}
		args = append(args, 0, 1, merchant, merchant, "", "")
		rows, err := db.Query("EXPLAIN QUERY PLAN "+store.DecisionsByPersonSQL(len(anxin.DecisionActions)), args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		p := strings.Join(plan, "\n")
		if !strings.Contains(p, "ticket_events_action_at") || strings.Contains(p, "SCAN e") {
			t.Errorf("merchant %d: plan\n%s", merchant, p)
		}
		t.Logf("merchant %d:\n%s", merchant, p)
	}
}
