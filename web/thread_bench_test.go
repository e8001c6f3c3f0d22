package web_test

import (
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// BenchmarkTicketPageThread serves a ticket page to a logged-in agent with
// no conversation, a 200-message one and a 2,000-message one (the buyer and
// the staff in turn), in one run: the page shows the latest messages only,
// so its cost must not grow with the thread.
func BenchmarkTicketPageThread(b *testing.B) {
	e := newEnv(b)
	m := storetest.MustMerchant(b, e.store, "昆明斗南鲜花园艺")
	agentU := storetest.MustUser(b, e.store, anxin.RoleAgent, "王晓", 0)
	quiet := storetest.MustTicket(b, e.store, m.ID, anxin.FreshSpoiled, 8990)
	long := storetest.MustTicket(b, e.store, m.ID, anxin.FreshSpoiled, 8990)
	longer := storetest.MustTicket(b, e.store, m.ID, anxin.FreshSpoiled, 8990)
	for _, c := range []struct {
		t anxin.Ticket
		n int
	}{{long, 200}, {longer, 2000}} {
		thread(b, e, c.t, agentU.Actor(), c.n)
	}
	agent := e.client()
	agent.login(agentU)
	for _, c := range []struct {
		name string
		t    anxin.Ticket
	}{{"messages=0", quiet}, {"messages=200", long}, {"messages=2000", longer}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				res, err := agent.http.Get(e.srv.URL + "/tickets/" + c.t.Number)
				if err != nil {
					b.Fatal(err)
				}
				n, _ := io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					b.Fatalf("%s: %s", c.t.Number, res.Status)
				}
				b.SetBytes(n)
			}
		})
	}
}

// thread has the buyer and the agent write n messages on the ticket, in turn.
func thread(b *testing.B, e *env, t anxin.Ticket, agent anxin.Actor, n int) {
	buyer := anxin.APIKey{MerchantID: t.MerchantID}.Actor()
	for i := range n / 2 {
		e.clock.Advance(time.Minute)
		if _, _, err := e.store.BuyerMessage(ctx, buyer, t.ID, fmt.Sprintf("第%d次询问：花什么时候能退款？", i+1), nil, store.IdempotencyKey{}); err != nil {
			b.Fatal(err)
		}
		e.clock.Advance(time.Minute)
		if _, err := e.store.SendMessage(ctx, t.ID, agent, fmt.Sprintf("您好，第%d次回复：正在为您处理。", i+1)); err != nil {
			b.Fatal(err)
		}
	}
}
