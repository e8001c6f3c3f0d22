package views

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

func BenchmarkQueuePageRender(b *testing.B) {
	now := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	zone, _ := time.LoadLocation("Asia/Shanghai")
	u := &anxin.User{ID: 1, Name: "王晓", Role: anxin.RoleAgent}
	ctx := WithPage(context.Background(), Page{User: u, Lang: "zh", Zone: zone, Now: now, CSRF: "token"})
	services, states := anxin.Services(), anxin.States()
	q := Queue{Staff: true, Services: services, Policies: map[anxin.ServiceKey]anxin.Policy{}, Filter: QueueFilter{Tab: "all"}}
	for _, s := range services {
		q.Policies[s.Key] = s.Default
	}
	for i := range 50 {
		q.Tickets = append(q.Tickets, anxin.Ticket{ID: int64(i + 1), Number: anxin.TicketNumber(int64(i + 1)), MerchantName: "昆明斗南鲜花园艺",
			Service: services[i%9].Key, State: states[i%8], Version: 3, StateSince: now.Add(-time.Hour),
			Deadline: now.Add(time.Duration(i) * time.Hour), Order: anxin.Order{Product: fmt.Sprintf("云南鲜切玫瑰 %d枝", i)},
			BuyerPhone: "13800138000", RequestedFen: 8990})
	}
	for _, tab := range []string{"all", "overdue", "soon", "mine", "unassigned", "arbitration"} {
		q.Tabs = append(q.Tabs, Tab{Key: tab, Label: "All open", Count: 999, URL: "/queue"})
	}
	for b.Loop() {
		if err := QueuePage(q).Render(ctx, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
