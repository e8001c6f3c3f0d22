package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

func TestMerchantHomeAndOverview(t *testing.T) {
	e := newEnv(t)
	a := storetest.MustMerchant(t, e.store, "东莞虎门服装厂")
	b := storetest.MustMerchant(t, e.store, "义乌优品家居百货")
	zone, _ := time.LoadLocation("Asia/Shanghai")
	if err := e.store.AddDailyOrders(ctx, a.ID, e.clock.Now().In(zone).Format(time.DateOnly), 4); err != nil {
		t.Fatal(err)
	}
	tk := storetest.MustTicketIn(t, e.store, a.ID, anxin.Refunded, 9900) // 1 refund over 4 orders: 25%
	merchant := e.client()
	merchant.login(storetest.MustUser(t, e.store, anxin.RoleMerchant, "阿梅", a.ID))
	if res, _ := merchant.get("/"); res.Header.Get("Location") != "/home" {
		t.Fatalf("a merchant's / leads to %q", res.Header.Get("Location"))
	}
	res, doc := merchant.get("/home")
	rr := doc.Find("[data-figure=return-rate]")
	if res.StatusCode != http.StatusOK || rr.Find(".figure-value").Text() != "25.0%" || !rr.HasClass("figure-bad") {
		t.Fatalf("home: %s, return rate %q (%s)", res.Status, rr.Find(".figure-value").Text(), rr.AttrOr("class", ""))
	}
	if rr.Find("svg.chart polyline").Length() != 1 || rr.Find("svg.chart line.ref-red").Length() != 1 {
		t.Fatal("the return rate has no trend chart with its red line")
	}
	if doc.Find("a[data-link=reports]").AttrOr("href", "") != "/reports" {
		t.Fatal("the home does not lead to the reports")
	}
	if !strings.Contains(doc.Find("[data-figure=refunds]").Text(), "¥99.00") {
		t.Fatal("refunds paid are not shown")
	}
	for _, path := range []string{"/merchants", "/merchants/" + b.Code} {
		if res, _ := merchant.get(path); res.StatusCode != http.StatusForbidden {
			t.Errorf("a merchant on %s: %s", path, res.Status)
		}
	}
	agent := e.client()
	agent.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	_, doc = agent.get("/merchants")
	if doc.Find("#merchants tbody tr").Length() != 2 || doc.Find("tr[data-merchant="+a.Code+"] .health-bad").Text() != "25.0%" {
		t.Fatalf("overview: %q", doc.Find("#merchants").Text())
	}
	if res, _ := agent.get("/home"); res.StatusCode != http.StatusForbidden {
		t.Errorf("an agent's /home: %s", res.Status)
	}
	_ = tk
}
