package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

func TestDutyToggleWithCSRF(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "m")
	me := storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0)
	colleague := storetest.MustUser(t, e.store, anxin.RoleAgent, "陈静", 0)
	admin := storetest.MustUser(t, e.store, anxin.RoleAdmin, "管理员", 0)
	shop := storetest.MustUser(t, e.store, anxin.RoleMerchant, "店长", m.ID)
	agent := e.client()
	agent.login(me)

	_, doc := agent.get("/queue")
	if doc.Find("[data-testid=go-on-duty]").Length() != 1 {
		t.Fatal("no way to go on duty in the top bar")
	}
	if res, _ := agent.post("/duty", url.Values{"on": {"1"}, "_csrf": {"forged"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a forged toggle: %s", res.Status)
	}
	if u, _ := e.store.UserByID(ctx, me.ID); u.OnDuty {
		t.Fatal("on duty without a token")
	}
	if res, _ := agent.post("/duty", url.Values{"on": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("going on duty: %s", res.Status)
	}
	_, doc = agent.get("/queue")
	if doc.Find("[data-testid=off-keep]").Length() != 1 || doc.Find("[data-testid=off-hand-back]").Length() != 1 {
		t.Fatal("on duty, the top bar offers no way off")
	}

	// An admin turns auto-assignment on; a ticket comes to me.
	if err := e.store.SetAutoAssign(ctx, admin.Actor(), true); err != nil {
		t.Fatal(err)
	}
	tk := storetest.MustTicket(t, e.store, m.ID, anxin.QualityReturn, 1000)
	if tk.AssigneeID != me.ID {
		t.Fatalf("assigned to %d", tk.AssigneeID)
	}
	if err := e.store.SetDuty(ctx, colleague.Actor(), true, false); err != nil {
		t.Fatal(err)
	}
	// Off duty, handing back: the colleague on duty gets it.
	agent.get("/queue")
	if res, _ := agent.post("/duty", url.Values{"on": {"0"}, "tickets": {"hand_back"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("going off duty: %s", res.Status)
	}
	if got, _ := e.store.Ticket(ctx, anxin.AllMerchants(), tk.ID); got.AssigneeID != colleague.ID {
		t.Fatalf("handed back to %d, want %d", got.AssigneeID, colleague.ID)
	}
	// A merchant has no duty.
	merchant := e.client()
	merchant.login(shop)
	_, doc = merchant.get("/home")
	if doc.Find("[data-testid=duty]").Length() != 0 {
		t.Fatal("a merchant sees the duty toggle")
	}
	if res, _ := merchant.post("/duty", url.Values{"on": {"1"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a merchant went on duty: %s", res.Status)
	}
}

func TestAdminAssignmentSettings(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "m")
	a := storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0)
	b := storetest.MustUser(t, e.store, anxin.RoleAgent, "陈静", 0)
	admin, agent := e.client(), e.client()
	admin.login(storetest.MustUser(t, e.store, anxin.RoleAdmin, "管理员", 0))
	agent.login(a)

	if res, _ := agent.get("/admin/assignment"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("an agent on the admin page: %s", res.Status)
	}
	_, doc := admin.get("/admin/assignment")
	if doc.Find("[data-testid=auto-assign]").Length() != 1 || doc.Find("form[data-group="+m.Code+"]").Length() != 1 {
		t.Fatal("the admin page lacks its settings")
	}
	if res, _ := admin.post("/admin/assignment", url.Values{"on": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("turning auto-assignment on: %s", res.Status)
	}
	if on, _ := e.store.AutoAssignOn(ctx); !on {
		t.Fatal("auto-assignment still off")
	}
	if res, _ := admin.post("/admin/assignment/groups/"+m.Code, url.Values{"agent": {strconv.FormatInt(b.ID, 10)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("setting the group: %s", res.Status)
	}
	_, doc = admin.get("/admin/assignment")
	if _, ok := doc.Find("form[data-group=" + m.Code + "] input[value=\"" + strconv.FormatInt(b.ID, 10) + "\"]").Attr("checked"); !ok {
		t.Fatal("the group is not shown checked")
	}
	for _, u := range []anxin.User{a, b} {
		if err := e.store.SetDuty(ctx, u.Actor(), true, false); err != nil {
			t.Fatal(err)
		}
	}
	if tk := storetest.MustTicket(t, e.store, m.ID, anxin.QualityReturn, 1000); tk.AssigneeID != b.ID {
		t.Fatalf("the group's merchant's ticket went to %d", tk.AssigneeID)
	}
	if res, _ := admin.post("/admin/assignment", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("turning auto-assignment off: %s", res.Status)
	}
	if tk := storetest.MustTicket(t, e.store, m.ID, anxin.QualityReturn, 1000); tk.AssigneeID != 0 {
		t.Fatal("assigned with auto-assignment off")
	}
}

func TestBellAndAlertsPage(t *testing.T) {
	e := newEnv(t)
	m1 := storetest.MustMerchant(t, e.store, "m1")
	m2 := storetest.MustMerchant(t, e.store, "m2")
	a := storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0)
	b := storetest.MustUser(t, e.store, anxin.RoleAgent, "陈静", 0)
	own := storetest.MustUser(t, e.store, anxin.RoleMerchant, "店长", m1.ID)
	other := storetest.MustUser(t, e.store, anxin.RoleMerchant, "店长", m2.ID)
	t1 := storetest.MustTicket(t, e.store, m1.ID, anxin.QualityReturn, 1000)
	t2 := storetest.MustTicket(t, e.store, m1.ID, anxin.QualityReturn, 1000)
	agent, shop, otherShop := e.client(), e.client(), e.client()
	agent.login(b)
	shop.login(own)
	otherShop.login(other)

	for _, tk := range []anxin.Ticket{t1, t2} {
		if _, err := e.store.Assign(ctx, tk.ID, b.ID, a.Actor()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.store.AddNote(ctx, t1.ID, a.Actor(), "@店长 请补充照片", true); err != nil {
		t.Fatal(err)
	}
	_, doc := agent.get("/queue")
	if got := doc.Find("[data-alert-count]").Text(); got != "2" {
		t.Fatalf("the bell says %q", got)
	}
	_, doc = agent.get("/alerts")
	if n := doc.Find("#alerts li[data-unread]").Length(); n != 2 {
		t.Fatalf("%d unread alerts listed", n)
	}
	if href := doc.Find("#alerts li a").First().AttrOr("href", ""); href != "/tickets/"+t2.Number {
		t.Fatalf("newest first links to %q", href)
	}
	agent.get("/tickets/" + t1.Number) // opening it reads its alerts
	_, doc = agent.get("/alerts")
	if n := doc.Find("#alerts li[data-unread]").Length(); n != 1 || doc.Find("[data-alert-count]").Text() != "1" {
		t.Fatalf("after opening %s: %d unread, bell %q", t1.Number, n, doc.Find("[data-alert-count]").Text())
	}

	// The merchant's own mention; the other merchant's user of the same name
	// has nothing, and cannot read anyone else's.
	_, doc = shop.get("/alerts")
	if n := doc.Find("#alerts li").Length(); n != 1 || doc.Find("[data-alert-count]").Text() != "1" {
		t.Fatalf("the merchant's alerts: %d", n)
	}
	_, doc = otherShop.get("/alerts")
	if doc.Find("#alerts li").Length() != 0 || doc.Find("[data-testid=no-alerts]").Length() != 1 {
		t.Fatal("another merchant sees alerts")
	}
	if _, ok := doc.Find("[data-alert-count]").Attr("hidden"); !ok {
		t.Fatal("a bell with nothing unread shows a count")
	}
}

func TestAlertEventsOnlyToTheirUser(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "m")
	a := storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0)
	b := storetest.MustUser(t, e.store, anxin.RoleAgent, "陈静", 0)
	shop := storetest.MustUser(t, e.store, anxin.RoleMerchant, "店长", m.ID)
	tk := storetest.MustTicket(t, e.store, m.ID, anxin.QualityReturn, 1000)
	ca, cb, cs := e.client(), e.client(), e.client()
	ca.login(a)
	cb.login(b)
	cs.login(shop)
	evA, stopA := readEvents(t, ca, "/events")
	defer stopA()
	evB, stopB := readEvents(t, cb, "/events?ticket="+tk.Number)
	defer stopB()
	evS, stopS := readEvents(t, cs, "/events")
	defer stopS()

	if _, err := e.store.Assign(ctx, tk.ID, b.ID, a.Actor()); err != nil {
		t.Fatal(err)
	}
	expectEvent(t, evB, "alerts 1")
	expectNoEvent(t, evA, "alerts 1")
	expectNoEvent(t, evS, "alerts 1")
	cb.get("/tickets/" + tk.Number)
	expectEvent(t, evB, "alerts 0")
}
