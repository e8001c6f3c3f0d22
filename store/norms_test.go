package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// TestAsked: the buyer's messages of a period come back with the time of
// the first person's reply and who it was, within the scope.
func TestAsked(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	a := storetest.MustMerchant(t, s, "玉颜美妆旗舰店")
	b := storetest.MustMerchant(t, s, "鲜果园")
	ta := storetest.MustTicket(t, s, a.ID, anxin.QualityReturn, 36800)
	tb := storetest.MustTicket(t, s, b.ID, anxin.QualityReturn, 5900)
	agent := storetest.MustUser(t, s, anxin.RoleAgent, "王晓", 0)
	shop := storetest.MustUser(t, s, anxin.RoleMerchant, "林娜", a.ID)
	buyerA, buyerB := anxin.APIKey{MerchantID: a.ID}.Actor(), anxin.APIKey{MerchantID: b.ID}.Actor()
	ask := func(by anxin.Actor, tk anxin.Ticket, body string) {
		t.Helper()
		if _, _, err := s.BuyerMessage(ctx, by, tk.ID, body, nil, store.IdempotencyKey{}); err != nil {
			t.Fatal(err)
		}
	}
	reply := func(by anxin.User, tk anxin.Ticket) {
		t.Helper()
		if _, err := s.SendMessage(ctx, tk.ID, by.Actor(), "您好"); err != nil {
			t.Fatal(err)
		}
	}

	before := clock.Now()
	ask(buyerA, ta, "在吗") // answered by the merchant after 2 min
	clock.Advance(time.Minute)
	ask(buyerA, ta, "在吗？") // the same reply answers it, after 1 min
	clock.Advance(time.Minute)
	reply(shop, ta)
	reply(agent, ta) // not the first reply: answers nothing
	ask(buyerB, tb, "快递到了吗")
	clock.Advance(5 * time.Minute)
	reply(agent, tb)
	ask(buyerB, tb, "谢谢") // still open
	if _, err := s.SendMessage(ctx, ta.ID, anxin.System(), "系统消息"); err != nil {
		t.Fatal(err) // the system's message answers nobody
	}
	ask(buyerA, ta, "还有问题") // open: the system did not answer it
	clock.Advance(time.Minute)
	end := clock.Now()

	all, err := s.Asked(ctx, anxin.AllMerchants(), before, end)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 5 {
		t.Fatalf("asked %+v", all)
	}
	at := func(d time.Duration) time.Time { return before.Add(d) }
	want := []anxin.Asked{
		{MerchantID: a.ID, At: at(0), RepliedAt: at(2 * time.Minute),
			ReplyBy: anxin.Responder{UserID: shop.ID, Name: "林娜", From: anxin.SenderMerchant, MerchantID: a.ID}},
		{MerchantID: a.ID, At: at(time.Minute), RepliedAt: at(2 * time.Minute),
			ReplyBy: anxin.Responder{UserID: shop.ID, Name: "林娜", From: anxin.SenderMerchant, MerchantID: a.ID}},
		{MerchantID: b.ID, At: at(2 * time.Minute), RepliedAt: at(7 * time.Minute),
			ReplyBy: anxin.Responder{UserID: agent.ID, Name: "王晓", From: anxin.SenderAgent}},
		{MerchantID: b.ID, At: at(7 * time.Minute)},
		{MerchantID: a.ID, At: at(7 * time.Minute)},
	}
	for i := range want {
		g, w := all[i], want[i]
		if g.MerchantID != w.MerchantID || !g.At.Equal(w.At) || !g.RepliedAt.Equal(w.RepliedAt) || g.ReplyBy != w.ReplyBy {
			t.Errorf("%d: %+v, want %+v", i, g, w)
		}
	}

	// Merchant A's scope: its own three, none of B's.
	own, err := s.Asked(ctx, shop.Actor().Scope(), before, end)
	if err != nil {
		t.Fatal(err)
	}
	if len(own) != 3 {
		t.Fatalf("A's scope: %+v", own)
	}
	for _, x := range own {
		if x.MerchantID != a.ID {
			t.Errorf("A's scope sees %+v", x)
		}
	}
	// The period is by the time asked: [from, to).
	if got, _ := s.Asked(ctx, anxin.AllMerchants(), at(time.Minute), at(7*time.Minute)); len(got) != 2 {
		t.Errorf("from 1 min until 7 min: %+v", got)
	}
}

// TestAskedUsesItsIndex: a period's buyer messages are found through the
// index on the time asked, not by reading the whole table, in both scopes.
func TestAskedUsesItsIndex(t *testing.T) {
	storetest.SQLiteOnly(t, "the plan is SQLite's EXPLAIN QUERY PLAN")
	s, _ := storetest.MustOpen(t)
	db := storetest.DB(t, s)
	for _, merchant := range []int64{0, 1} {
		rows, err := db.Query("EXPLAIN QUERY PLAN "+store.AskedSQL, 0, 1, merchant)
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
		if !strings.Contains(p, "USING INDEX messages_asked") || strings.Contains(p, "SCAN m") || strings.Contains(p, "SCAN t") {
			t.Errorf("merchant %d: plan\n%s", merchant, p)
		}
		t.Logf("merchant %d:\n%s", merchant, p)
	}
}
