package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// loggedIn reports whether the client's session still stands.
func loggedIn(c *client) bool {
	res, _ := c.get("/queue")
	return res.StatusCode == http.StatusOK
}

func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	e := newEnv(t)
	u := storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0)
	here, there := e.client(), e.client()
	here.login(u)
	there.login(u)
	here.get("/account")
	res, doc := here.post("/account/password", url.Values{"current": {"not-my-password"}, "new": {"a-new-password-1"}, "confirm": {"a-new-password-1"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find("#form-error").Text(), "当前密码不正确") {
		t.Fatalf("a wrong current password: %s %q", res.Status, doc.Find("#form-error").Text())
	}
	res, _ = here.post("/account/password", url.Values{"current": {storetest.Password}, "new": {"a-new-password-1"}, "confirm": {"a-new-password-2"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("mismatched new passwords: %s", res.Status)
	}
	res, _ = here.post("/account/password", url.Values{"current": {storetest.Password}, "new": {"a-new-password-1"}, "confirm": {"a-new-password-1"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("change: %s", res.Status)
	}
	if !loggedIn(here) {
		t.Fatal("the browser that changed the password was logged out")
	}
	if loggedIn(there) {
		t.Fatal("another session survived the password change")
	}
	if _, err := e.store.Authenticate(ctx, u.Email, "a-new-password-1"); err != nil {
		t.Fatal("the new password does not work")
	}
}

func TestSessionsEnd(t *testing.T) {
	e := newEnv(t)
	admin := storetest.MustUser(t, e.store, anxin.RoleAdmin, "管理员", 0)
	u := storetest.MustUser(t, e.store, anxin.RoleAgent, "陈静", 0)
	a, c := e.client(), e.client()
	a.login(admin)
	c.login(u)
	a.get("/admin/users")
	if res, _ := a.post(fmt.Sprintf("/admin/users/%d/disable", u.ID), nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %s", res.Status)
	}
	if loggedIn(c) {
		t.Fatal("a disabled user's session survived")
	}
	c.get("/login")
	if res, _ := c.post("/login", url.Values{"email": {u.Email}, "password": {storetest.Password}}); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a disabled user logged in: %s", res.Status)
	}
	if res, _ := a.post(fmt.Sprintf("/admin/users/%d/disable", admin.ID), nil); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("an admin disabling themselves: %s", res.Status)
	}

	// Idle for longer than 12 hours, or logged in over 7 days ago: out.
	b := e.client()
	b.login(admin)
	e.clock.Advance(12*time.Hour + time.Minute)
	if loggedIn(b) {
		t.Fatal("a session idle for 12 h survived")
	}
	b.login(admin)
	for range 15 { // active every 11 hours, for 165 hours
		e.clock.Advance(11 * time.Hour)
		if !loggedIn(b) {
			t.Fatal("an active session ended before 7 days")
		}
	}
	e.clock.Advance(4 * time.Hour) // 169 h: past 7 days, idle only 4 h
	if loggedIn(b) {
		t.Fatal("a session older than 7 days survived")
	}
}

func TestAdminUsersMerchantsAndAudit(t *testing.T) {
	e := newEnv(t)
	admin := storetest.MustUser(t, e.store, anxin.RoleAdmin, "管理员", 0)
	a := e.client()
	a.login(admin)

	// A new merchant that opts into cosmetics allergies with a 20-day window.
	a.get("/admin/merchants")
	res, _ := a.post("/admin/merchants", url.Values{"code": {"lanzhi-beauty"}, "name": {"兰芝美妆"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create merchant: %s", res.Status)
	}
	if res, doc := a.post("/admin/merchants", url.Values{"code": {"Bad Code"}, "name": {"x"}}); res.StatusCode != http.StatusUnprocessableEntity || doc.Find("#form-error").Length() != 1 {
		t.Fatalf("a bad code: %s", res.Status)
	}
	res, _ = a.post("/admin/merchants/lanzhi-beauty/policies/beauty_allergy", url.Values{"enabled": {"1"}, "window_hours": {"480"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("opt in: %s", res.Status)
	}
	m, _ := e.store.MerchantByCode(ctx, "lanzhi-beauty")
	_, pol, _ := e.store.Policy(ctx, m.ID, anxin.BeautyAllergy)
	if !pol.Enabled || pol.Window != 480*time.Hour {
		t.Fatalf("policy after the admin's change: %+v", pol)
	}
	if res, _ := a.post("/admin/merchants/lanzhi-beauty/policies/beauty_allergy", url.Values{"enabled": {"1"}, "clock_hours": {"0.1"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a 6-minute merchant clock: %s", res.Status)
	}
	_, doc := a.get("/admin/merchants/lanzhi-beauty")
	if !doc.Find("tr[data-service=beauty_allergy] input[name=enabled]").Is("[checked]") {
		t.Fatal("the opt-in is not shown")
	}

	// A merchant user for it, with a generated password shown once.
	a.get("/admin/users")
	res, doc = a.post("/admin/users", url.Values{"email": {"shop@lanzhi.test"}, "name": {"小兰"}, "role": {"merchant"}, "merchant": {fmt.Sprint(m.ID)}})
	password := doc.Find("#new-password code").Text()
	if res.StatusCode != http.StatusOK || len(password) < 20 {
		t.Fatalf("create user: %s, password %q", res.Status, password)
	}
	created, err := e.store.Authenticate(ctx, "shop@lanzhi.test", password)
	if err != nil || created.MerchantID != m.ID {
		t.Fatalf("the new user: %+v %v", created, err)
	}
	if res, _ := a.post("/admin/users", url.Values{"email": {"x@lanzhi.test"}, "name": {"x"}, "role": {"merchant"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("a merchant user without a merchant: %s", res.Status)
	}
	res, _ = a.post(fmt.Sprintf("/admin/users/%d/role", created.ID), url.Values{"role": {"agent"}, "merchant": {""}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("change role: %s", res.Status)
	}
	if u, _ := e.store.UserByID(ctx, created.ID); u.Role != anxin.RoleAgent || u.MerchantID != 0 {
		t.Fatalf("after the role change: %+v", u)
	}

	_, doc = a.get("/admin/audit")
	var actions []string
	doc.Find("#audit tbody tr").Each(func(_ int, s *goquery.Selection) { actions = append(actions, s.AttrOr("data-audit", "")) })
	if strings.Join(actions, " ") != "change_role create_user set_policy create_merchant" {
		t.Fatalf("audit log: %v", actions)
	}

	// Only admins.
	agent := e.client()
	agent.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	for _, p := range []string{"/admin/users", "/admin/merchants", "/admin/audit"} {
		if res, _ := agent.get(p); res.StatusCode != http.StatusForbidden {
			t.Errorf("an agent on %s: %s", p, res.Status)
		}
	}
}
