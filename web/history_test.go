package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// TestBuyerHistoryOnTheTicket: the staff see the buyer's claims at every
// merchant, with the facts that may point at abuse as links; a merchant
// sees its own store's only.
func TestBuyerHistoryOnTheTicket(t *testing.T) {
	e := newEnv(t)
	a := storetest.MustMerchant(t, e.store, "昆明斗南鲜花园艺")
	b := storetest.MustMerchant(t, e.store, "鲜果园")
	var made []anxin.Ticket
	for _, m := range []int64{a.ID, b.ID, a.ID} {
		c := storetest.Claim(m, anxin.FreshSpoiled, 8990, e.clock.Now())
		c.BuyerPhone = "13912345678"
		tk, err := e.store.CreateTicket(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, tk)
		e.clock.Advance(24 * time.Hour)
	}
	agent, shop := e.client(), e.client()
	agent.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	shop.login(storetest.MustUser(t, e.store, anxin.RoleMerchant, "小李", a.ID))

	_, doc := agent.get("/tickets/" + made[2].Number)
	if got := doc.Find("#history [data-testid=history-counts]").Text(); got != "90 天内申请 3 次，其中 0 次已退款" {
		t.Fatalf("counts %q", got)
	}
	flag := doc.Find("#history [data-flag=many_claims]")
	if flag.Length() != 1 || flag.Find("a[href='/tickets/"+made[1].Number+"']").Length() != 1 {
		t.Fatalf("flag %q", flag.Text())
	}
	if doc.Find("#history tbody tr").Length() != 2 {
		t.Fatalf("%d other tickets", doc.Find("#history tbody tr").Length())
	}
	_, doc = shop.get("/tickets/" + made[2].Number)
	if doc.Find("#history tbody tr").Length() != 1 || strings.Contains(doc.Find("#history").Text(), made[1].Number) ||
		doc.Find("#history [data-flag]").Length() != 0 {
		t.Fatalf("the merchant's history: %q", doc.Find("#history").Text())
	}
}
