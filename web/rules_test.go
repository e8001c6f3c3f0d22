package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// rulesForm is the settings form with every rule off but returnless
// refunds for fresh food up to max, each rule capped at 3 per buyer.
func rulesForm(max string) url.Values {
	f := url.Values{"instant_max": {"0"}}
	for _, k := range anxin.RuleKeys() {
		f.Set(string(k)+".cap", "3")
	}
	f.Set(string(anxin.RuleReceiveOnSigned)+".after", "0")
	f.Set(string(anxin.RuleReturnless)+".on", "1")
	f.Set(string(anxin.RuleReturnless)+".max", max)
	f.Set(string(anxin.RuleReturnless)+".services", string(anxin.FreshSpoiled))
	f.Set(string(anxin.RuleReturnless)+".reasons", "腐烂，变质")
	return f
}

// TestRulesSettingsPage: the merchant sets its rules on its page, each
// field with its limit beside it; bad input is refused with the message at
// its field and the form as typed, nothing stored; the change is audited
// in Chinese; another merchant neither sees nor changes them.
func TestRulesSettingsPage(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "鲜果园")
	other := storetest.MustMerchant(t, e.store, "别家")
	c := e.client()
	c.login(storetest.MustUser(t, e.store, anxin.RoleMerchant, "阿梅", m.ID))

	res, doc := c.get("/settings/rules")
	if res.StatusCode != http.StatusOK || doc.Find(`#rule-returnless_refund`).Length() != 1 {
		t.Fatalf("the page: %s", res.Status)
	}
	if got := doc.Find(`#rule-returnless_refund [data-testid=limit]`).First().Text(); got != "上限 ¥100.00" {
		t.Fatalf("the limit shown: %q", got)
	}
	// Above the ¥100 limit: 422, the message at the field, the form as typed.
	res, doc = c.post("/settings/rules", rulesForm("150"))
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("above the limit: %s", res.Status)
	}
	msg := doc.Find(`[data-field="rules.returnless_max"]`).Text()
	if !strings.Contains(msg, "仅退款金额") || !strings.Contains(msg, "¥100.00") {
		t.Fatalf("the message: %q", msg)
	}
	if v := doc.Find(`input[name="returnless_refund.max"]`).AttrOr("value", ""); v != "150.00" {
		t.Fatalf("the amount typed is kept: %q", v)
	}
	if v := doc.Find(`input[name="returnless_refund.reasons"]`).AttrOr("value", ""); v != "腐烂，变质" {
		t.Fatalf("the reasons typed are kept: %q", v)
	}
	// Not a number: refused at its field.
	bad := rulesForm("50")
	bad.Set(string(anxin.RuleApproveReturn)+".cap", "many")
	if res, doc := c.post("/settings/rules", bad); res.StatusCode != http.StatusUnprocessableEntity ||
		doc.Find(`#rule-auto_approve_return [data-field="rules.per_buyer"]`).Length() != 1 {
		t.Fatalf("a cap that is not a number: %s", res.Status)
	}
	st, _ := e.store.RuleSettings(ctx, anxin.AllMerchants(), m.ID)
	if st.Rules.Rule(anxin.RuleReturnless).On {
		t.Fatal("a refused form stored something")
	}
	// Within it: saved.
	if res, _ := c.post("/settings/rules", rulesForm("50")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %s", res.Status)
	}
	_, doc = c.get("/settings/rules")
	if v := doc.Find(`input[name="returnless_refund.max"]`).AttrOr("value", ""); v != "50.00" ||
		doc.Find(`input[name="returnless_refund.services"][value=fresh_spoiled]`).AttrOr("checked", "no") == "no" {
		t.Fatalf("after saving: max %q", v)
	}
	st, _ = e.store.RuleSettings(ctx, anxin.AllMerchants(), m.ID)
	if r := st.Rules.Rule(anxin.RuleReturnless); !r.On || r.MaxFen != 5000 || len(r.Reasons) != 2 {
		t.Fatalf("stored %+v", r)
	}
	// Without the CSRF token: refused.
	form := rulesForm("10")
	form.Set("_csrf", "forged")
	if res, _ := c.post("/settings/rules", form); res.StatusCode != http.StatusForbidden {
		t.Fatalf("without CSRF: %s", res.Status)
	}

	// The admin reads the audit log in Chinese.
	admin := e.client()
	admin.login(storetest.MustUser(t, e.store, anxin.RoleAdmin, "管理员", 0))
	_, doc = admin.get("/admin/audit")
	if text := doc.Text(); !strings.Contains(text, "修改了自动化售后规则") || !strings.Contains(text, "自动仅退款（无需退货）：¥50.00 以内") {
		t.Fatalf("the audit log does not say the change: %s", text)
	}
	// The admin lowers the limit on the merchant's rules page; a bad limit is refused at its field.
	res, doc = admin.post("/admin/merchants/"+m.Code+"/rules", url.Values{"unshipped_max": {"500"},
		"returnless_max": {"abc"}, "instant_max": {"200"}, "per_buyer": {"5"}})
	if res.StatusCode != http.StatusUnprocessableEntity || doc.Find(`#limits-form [data-field="rules.returnless_max"]`).Length() != 1 {
		t.Fatalf("a bad limit: %s", res.Status)
	}
	res, _ = admin.post("/admin/merchants/"+m.Code+"/rules", url.Values{"unshipped_max": {"500"},
		"returnless_max": {"30"}, "instant_max": {"200"}, "per_buyer": {"5"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the admin's limits: %s", res.Status)
	}
	_, doc = c.get("/settings/rules")
	if got := doc.Find(`#rule-returnless_refund [data-testid=limit]`).First().Text(); got != "上限 ¥30.00" {
		t.Fatalf("the new limit shown: %q", got)
	}

	// Another merchant sees its own rules only, and changes only its own.
	oc := e.client()
	oc.login(storetest.MustUser(t, e.store, anxin.RoleMerchant, "别家店员", other.ID))
	_, doc = oc.get("/settings/rules")
	if strings.Contains(doc.Text(), "鲜果园") || doc.Find(`input[name="returnless_refund.on"]`).AttrOr("checked", "no") != "no" {
		t.Fatal("another merchant sees the first one's rules")
	}
	if res, _ := oc.post("/settings/rules", rulesForm("20")); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the other's own save: %s", res.Status)
	}
	st, _ = e.store.RuleSettings(ctx, anxin.AllMerchants(), m.ID)
	if r := st.Rules.Rule(anxin.RuleReturnless); r.MaxFen != 5000 {
		t.Fatalf("the other merchant changed the first's rules: %+v", r)
	}
	for _, path := range []string{"/admin/merchants/" + m.Code + "/rules"} {
		if res, _ := oc.get(path); res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusNotFound {
			t.Fatalf("a merchant on %s: %s", path, res.Status)
		}
	}
	// Agents have no rules page.
	ag := e.client()
	ag.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	if res, _ := ag.get("/settings/rules"); res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusNotFound {
		t.Fatalf("an agent: %s", res.Status)
	}
}

// TestRuleDecisionsOnTheTicketPage: a receipt a rule leaves 6 hours of
// inspection says so on the timeline, and the timeout that takes it names
// the rule, in Chinese.
func TestRuleDecisionsOnTheTicketPage(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "虎门服装")
	shop := storetest.MustUser(t, e.store, anxin.RoleMerchant, "阿梅", m.ID)
	rs := anxin.NewRuleSet(m.ID, anxin.InstantRefund{})
	rs.Set(anxin.Rule{Key: anxin.RuleReceiveOnSigned, On: true, PerBuyer: 3, After: 6 * time.Hour})
	if err := e.store.SetRules(ctx, shop.Actor(), rs); err != nil {
		t.Fatal(err)
	}
	tk := storetest.MustTicketIn(t, e.store, m.ID, anxin.AwaitingReturn, 8900)
	r := anxin.LogisticsReport{Direction: anxin.DirReturn, Carrier: "顺丰速运", Tracking: "SF1234567890",
		Status: anxin.ShipDelivered, At: e.clock.Now().Add(-time.Minute)}
	if _, _, err := e.store.ReportLogistics(ctx, anxin.AllMerchants(), tk.ID, r, store.IdempotencyKey{}); err != nil {
		t.Fatal(err)
	}
	c := e.client()
	c.login(shop)
	_, doc := c.get("/tickets/" + tk.Number)
	if got := doc.Find("#timeline").Text(); !strings.Contains(got, "按规则「签收后自动确认收货」，到时自动处理") {
		t.Fatalf("the timeline after delivery: %s", got)
	}
	e.clock.Advance(6*time.Hour + time.Second)
	if _, err := e.store.RunTimeouts(ctx); err != nil {
		t.Fatal(err)
	}
	_, doc = c.get("/tickets/" + tk.Number)
	if got := doc.Find("#timeline").Text(); !strings.Contains(got, "按规则「签收后自动确认收货」处理") {
		t.Fatalf("the timeline after the timeout: %s", got)
	}
}

// TestPlatformDefaultLimits: the admin sets the platform's default limits;
// a merchant without limits of its own sees them beside its fields.
func TestPlatformDefaultLimits(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "鲜果园")
	admin := e.client()
	admin.login(storetest.MustUser(t, e.store, anxin.RoleAdmin, "管理员", 0))
	if res, doc := admin.get("/admin/rules"); res.StatusCode != http.StatusOK || doc.Find(`#rules-form`).Length() != 0 ||
		doc.Find(`#limits-form input[name=returnless_max]`).AttrOr("value", "") != "100.00" {
		t.Fatalf("the default limits page: %s", res.Status)
	}
	form := url.Values{"unshipped_max": {"500"}, "returnless_max": {"80"}, "instant_max": {"200"}, "per_buyer": {"0"}}
	if res, doc := admin.post("/admin/rules", form); res.StatusCode != http.StatusUnprocessableEntity ||
		doc.Find(`#limits-form [data-field="rules.per_buyer"]`).Length() != 1 {
		t.Fatalf("a cap of 0: %s", res.Status)
	}
	form.Set("per_buyer", "4")
	if res, _ := admin.post("/admin/rules", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %s", res.Status)
	}
	c := e.client()
	c.login(storetest.MustUser(t, e.store, anxin.RoleMerchant, "阿梅", m.ID))
	_, doc := c.get("/settings/rules")
	if got := doc.Find(`#rule-returnless_refund [data-testid=limit]`).First().Text(); got != "上限 ¥80.00" {
		t.Fatalf("the default limit shown: %q", got)
	}
	if res, _ := c.get("/admin/rules"); res.StatusCode != http.StatusForbidden && res.StatusCode != http.StatusNotFound {
		t.Fatalf("a merchant on the default limits: %s", res.Status)
	}
}
