package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// TestErasedContactOnTheTicket: a ticket whose buyer contact was erased
// shows the masked forms and says when, in Chinese.
func TestErasedContactOnTheTicket(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "花漾鲜花旗舰店")
	tk := storetest.MustTicketIn(t, e.store, m.ID, anxin.Refunded, 8990)
	agent := e.client()
	agent.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	if _, doc := agent.get("/tickets/" + tk.Number); doc.Find("[data-testid=contact-erased]").Length() != 0 {
		t.Fatal("a kept contact is said to be erased")
	}
	e.clock.Advance(anxin.DefaultRetainContact)
	if n, err := e.store.EraseContacts(ctx, anxin.DefaultRetainContact); n != 1 || err != nil {
		t.Fatalf("erased %d, %v", n, err)
	}
	agent = e.client() // 90 days on, the session has ended
	agent.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "李娜", 0))
	_, doc := agent.get("/tickets/" + tk.Number)
	zone, _ := time.LoadLocation("Asia/Shanghai")
	want := "个人信息已于 " + e.clock.Now().In(zone).Format("2006-01-02") + " 清除"
	if got := strings.TrimSpace(doc.Find("[data-testid=contact-erased]").Text()); got != want {
		t.Fatalf("erased note %q, want %q", got, want)
	}
	if strings.Contains(doc.Text(), "13800138000") || !strings.Contains(doc.Text(), "李**") {
		t.Fatal("the page shows more than the masked contact")
	}
}
