package store_test

import (
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
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
	// The system's decisions are nobody's.
	// 王晓's assigned tickets: one decided in time (by 阿梅), one whose clock runs out.
	if _, err := s.Assign(ctx, own.ID, wang.ID, wang.Actor()); err != nil {
		t.Fatal(err)
	}
	missed := storetest.MustTicket(t, s, m.ID, anxin.FreshSpoiled, 7000)
	if _, err := s.Assign(ctx, missed.ID, wang.ID, wang.Actor()); err != nil {
		t.Fatal(err)
	}
	mustDecide(t, s, own.ID, anxin.Decision{Action: anxin.Approve, Actor: amei.Actor()})
	clock.Advance(25 * time.Hour)
	mustDecide(t, s, missed.ID, anxin.Decision{Action: anxin.Timeout, Actor: anxin.System()})

	first, last := from.In(zone).Format(time.DateOnly), clock.Now().In(zone).Format(time.DateOnly)
	people, err := s.DecisionsByPerson(ctx, anxin.AllMerchants(), 0, "", first, last)
	if err != nil {
		t.Fatal(err)
	}
	if len(people) != 3 || people[0].Name != "王晓" || people[0].Total() != 3 || people[0].Busiest() != 2 || len(people[0].Days) != 2 || people[2].Total() != 1 {
		t.Fatalf("people %+v", people)
	}
	if w := people[0]; w.ClocksEnded != 2 || w.ClocksMissed != 1 || w.Compliance() != 0.5 || people[1].ClocksEnded != 0 {
		t.Fatalf("王晓's assigned clocks: %d ended, %d missed", w.ClocksEnded, w.ClocksMissed)
	}
	// The merchant sees its own person by name and the support team as one.
	mine, err := s.DecisionsByPerson(ctx, anxin.Scope{MerchantID: m.ID}, 0, "", first, last)
	if err != nil || len(mine) != 2 || mine[0].ActorID != anxin.TeamActorID || mine[0].Total() != 3 || mine[0].ClocksEnded != 2 || mine[1].Name != "阿梅" {
		t.Fatalf("the merchant's view: %+v, %v", mine, err)
	}
	one, err := s.DecisionsByPerson(ctx, anxin.Scope{MerchantID: other.ID}, 0, "", first, last)
	if err != nil || len(one) != 1 || one[0].ActorID != anxin.TeamActorID || one[0].Name != "" || one[0].Total() != 1 {
		t.Fatalf("a merchant's scope: %+v, %v", one, err)
	}
	if _, err := s.DecisionsByPerson(ctx, anxin.Scope{MerchantID: other.ID}, m.ID, "", first, last); anxin.ErrorCode(err) != anxin.ENOTFOUND {
		t.Fatalf("another merchant's people: %v", err)
	}
	// On one service: nobody decided, 王晓's assigned ticket ran out.
	if fresh, _ := s.DecisionsByPerson(ctx, anxin.AllMerchants(), m.ID, anxin.FreshSpoiled, first, last); len(fresh) != 1 ||
		fresh[0].Total() != 0 || fresh[0].ClocksMissed != 1 || fresh[0].Compliance() != 0 {
		t.Fatalf("one service: %+v", fresh)
	}

}
