package web_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// reportScene has two merchants over 30 days: 虎门 refunds 3 of its 10
// orders (30%, over the red line), 优品 2 of 100 (2%); 虎门's refunds are
// approved by an agent 2 minutes after they open, on three different days.
type reportScene struct {
	over, under anxin.Merchant
	agent       anxin.User
}

func newReportScene(t testing.TB, e *env) reportScene {
	t.Helper()
	sc := reportScene{over: storetest.MustMerchant(t, e.store, "东莞虎门服装厂"), under: storetest.MustMerchant(t, e.store, "义乌优品家居百货"),
		agent: storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0)}
	zone, _ := time.LoadLocation("Asia/Shanghai")
	day := func(back int) string { return e.clock.Now().In(zone).AddDate(0, 0, -back).Format(time.DateOnly) }
	// The refunds are paid on the last three days (counted from the scene's end).
	if err := e.store.SetDailyOrders(ctx, sc.over.ID, []store.DayOrders{{Day: day(-1), Orders: 4}, {Day: day(-2), Orders: 3}, {Day: day(-3), Orders: 3}}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetDailyOrders(ctx, sc.under.ID, []store.DayOrders{{Day: day(-1), Orders: 50}, {Day: day(-3), Orders: 50}}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		e.clock.Advance(24 * time.Hour)
		tk := storetest.MustTicket(t, e.store, sc.over.ID, anxin.Damaged, 5000)
		e.clock.Advance(2 * time.Minute)
		tk, err := e.store.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.Approve, Actor: sc.agent.Actor(), Version: tk.Version})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.RefundSucceeded, Actor: anxin.System(), Version: tk.Version}); err != nil {
			t.Fatal(err)
		}
	}
	storetest.MustTicketIn(t, e.store, sc.under.ID, anxin.Refunded, 9900)
	storetest.MustTicketIn(t, e.store, sc.under.ID, anxin.Refunded, 1100)
	return sc
}

func cell(row *goquery.Selection, col string) string {
	return strings.TrimSpace(row.Find("td[data-col=" + col + "]").Text())
}

func TestReportsForStaff(t *testing.T) {
	e := newEnv(t)
	sc := newReportScene(t, e)
	agent := e.client()
	agent.login(sc.agent)
	res, doc := agent.get("/reports?days=30")
	if res.StatusCode != http.StatusOK {
		t.Fatal(res.Status)
	}
	if doc.Find(`.topbar a[href="/reports"]`).Text() != "报表" || strings.Contains(doc.Text(), "%!") {
		t.Fatal("no 报表 in the top bar")
	}
	over := doc.Find("#report-merchants tbody tr[data-merchant=" + sc.over.Code + "]")
	if cell(over, "orders") != "10" || cell(over, "refunded") != "3" || cell(over, "return-rate") != "30.0%" ||
		over.AttrOr("data-over-red-line", "") != "true" || over.Find(".health-bad").Length() != 1 {
		t.Fatalf("the merchant over the red line: %q", over.Text())
	}
	if cell(over, "compliance") != "100.0%" || cell(over, "first-median") != "2分钟" || cell(over, "first-p90") != "2分钟" || cell(over, "refunds") != "¥150.00" {
		t.Fatalf("compliance %q, first action %q / %q, refunds %q", cell(over, "compliance"), cell(over, "first-median"), cell(over, "first-p90"), cell(over, "refunds"))
	}
	under := doc.Find("#report-merchants tbody tr[data-merchant=" + sc.under.Code + "]")
	if cell(under, "return-rate") != "2.0%" || under.AttrOr("data-over-red-line", "") != "false" {
		t.Fatalf("the merchant under the target: %q", under.Text())
	}
	if all := doc.Find("#report-merchants tfoot tr"); cell(all, "orders") != "110" || cell(all, "refunded") != "5" || cell(all, "refunds") != "¥260.00" {
		t.Fatalf("all merchants: %q", all.Text())
	}
	if n := strings.TrimSpace(doc.Find("#report-services tr[data-service=damaged] td").First().Text()); n != "3" {
		t.Fatalf("refunds on damaged goods: %q", n)
	}
	// The per-merchant chart draws 虎门's bar above the red line, 优品's below the target.
	chart := doc.Find("svg#chart-merchants")
	red, _ := strconv.ParseFloat(chart.Find("line.ref-red").AttrOr("y1", ""), 64)
	target, _ := strconv.ParseFloat(chart.Find("line.ref-target").AttrOr("y1", ""), 64)
	yOver, _ := strconv.ParseFloat(chart.Find(`rect[data-label="`+sc.over.Name+`"]`).AttrOr("y", ""), 64)
	yUnder, _ := strconv.ParseFloat(chart.Find(`rect[data-label="`+sc.under.Name+`"]`).AttrOr("y", ""), 64)
	if red == 0 || !(yOver < red) || !(yUnder > target) || !(target > red) {
		t.Fatalf("red line at %v, target at %v, over at %v, under at %v", red, target, yOver, yUnder)
	}
	if !strings.Contains(chart.Find(`rect[data-label="`+sc.over.Name+`"] title`).Text(), "30%") {
		t.Fatalf("the bar's title: %q", chart.Find(`rect[data-label="`+sc.over.Name+`"] title`).Text())
	}
	if doc.Find("svg#chart-rate-days rect.chart-bar").Length() != 30 || doc.Find("svg#chart-refunds rect.chart-bar").Length() != 30 {
		t.Fatal("the daily charts do not cover 30 days")
	}
	people := doc.Find("#report-people tbody tr")
	if people.Length() != 1 || people.Find("th").Text() != sc.agent.Name || strings.TrimSpace(people.Find("td").First().Text()) != "客服" || cell(people, "decisions") != "3" || cell(people, "per-day") != "0.1" ||
		cell(people, "days") != "3" || cell(people, "per-active-day") != "1.0" || cell(people, "busiest") != "1" || cell(people, "compliance") != "—" {
		t.Fatalf("decisions per person: %q", people.Text())
	}

	// One merchant, one service.
	_, doc = agent.get("/reports?days=7&merchant=" + sc.under.Code)
	if doc.Find("#report-merchants tbody tr").Length() != 1 || doc.Find("svg#chart-rate-days rect.chart-bar").Length() != 7 {
		t.Fatal("the merchant filter or the 7 days")
	}
	if doc.Find("#report-people tbody tr[data-person]").Length() != 0 {
		t.Fatal("the agent's decisions on another merchant's tickets")
	}
	_, doc = agent.get("/reports?service=" + string(anxin.FreshSpoiled))
	if over := doc.Find("#report-merchants tbody tr[data-merchant=" + sc.over.Code + "]"); cell(over, "refunded") != "0" || cell(over, "orders") != "10" {
		t.Fatalf("another service's refunds: %q", over.Text())
	}
	// From-to: only the second day of the scene.
	zone, _ := time.LoadLocation("Asia/Shanghai")
	d2 := storetest.Epoch.In(zone).AddDate(0, 0, 2).Format(time.DateOnly)
	_, doc = agent.get("/reports?from=" + d2 + "&to=" + d2)
	if over := doc.Find("#report-merchants tbody tr[data-merchant=" + sc.over.Code + "]"); cell(over, "refunded") != "1" || cell(over, "orders") != "3" {
		t.Fatalf("one day %s: %q", d2, over.Text())
	}
	if res, _ := agent.get("/reports?merchant=nobody"); res.StatusCode != http.StatusNotFound {
		t.Fatalf("an unknown merchant: %s", res.Status)
	}

	// In English, every string and number is in place.
	agent.post("/lang", map[string][]string{"lang": {"en"}})
	_, doc = agent.get("/reports?days=90")
	text := doc.Text()
	if !strings.Contains(text, "Return rate per merchant") || !strings.Contains(text, "median; 90% within 2 min") || strings.Contains(text, "%!") {
		t.Fatalf("the English page: %q", doc.Find("#report-summary").Text())
	}
	if doc.Find("svg#chart-rate-days rect.chart-bar").Length() != 90 {
		t.Fatal("90 days")
	}
}

func TestReportsMerchantSeesOnlyItsOwn(t *testing.T) {
	e := newEnv(t)
	sc := newReportScene(t, e)
	// The merchant over the red line sees the agent's decisions as the support team's.
	over := e.client()
	over.login(storetest.MustUser(t, e.store, anxin.RoleMerchant, "小虎", sc.over.ID))
	_, doc := over.get("/reports")
	people := doc.Find("#report-people tbody tr")
	if people.Length() != 1 || people.Find("th").Text() != "平台客服团队" || cell(people, "decisions") != "3" || strings.Contains(doc.Text(), sc.agent.Name) {
		t.Fatalf("the merchant's view of the people: %q", people.Text())
	}

	shop := e.client()
	shop.login(storetest.MustUser(t, e.store, anxin.RoleMerchant, "阿梅", sc.under.ID))
	for _, path := range []string{"/reports", "/reports?merchant=" + sc.over.Code} {
		res, doc := shop.get(path)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %s", path, res.Status)
		}
		body, _ := doc.Html()
		if strings.Contains(body, sc.over.Name) || strings.Contains(body, sc.over.Code) {
			t.Fatalf("%s shows another merchant", path)
		}
		rows := doc.Find("#report-merchants tbody tr")
		if rows.Length() != 1 || cell(rows, "orders") != "100" || cell(rows, "refunded") != "2" {
			t.Fatalf("%s: own row %q", path, rows.Text())
		}
		if doc.Find("select[name=merchant]").Length() != 0 || doc.Find("svg#chart-merchants").Length() != 0 {
			t.Fatalf("%s: a merchant is offered the other merchants", path)
		}
	}
}

// TestReportTableAsCSV: the per-merchant table downloads as the page shows
// it, for the same period; a merchant's holds its own store only.
func TestReportTableAsCSV(t *testing.T) {
	e := newEnv(t)
	sc := newReportScene(t, e)
	agent := e.client()
	agent.login(sc.agent)
	_, doc := agent.get("/reports?days=30")
	href := doc.Find("a[data-export-report]").AttrOr("href", "")
	if !strings.Contains(href, "days=30") {
		t.Fatalf("the download link %q", href)
	}
	rows := agent.export(t, href)
	if len(rows) != 4 || rows[0][0] != "商家" || rows[3][0] != "全部商家" {
		t.Fatalf("%d rows: %v", len(rows), rows)
	}
	found := false
	for _, r := range rows[1:3] {
		if r[0] == sc.over.Name {
			found = r[1] == "10" && r[2] == "3" && r[3] == "30.0%" && r[11] == "150.00"
		}
	}
	if !found {
		t.Fatalf("the merchant over the red line: %v", rows)
	}
	shop := e.client()
	shop.login(storetest.MustUser(t, e.store, anxin.RoleMerchant, "阿梅", sc.under.ID))
	rows = shop.export(t, "/reports?format=csv&days=30&merchant="+sc.over.Code)
	if len(rows) != 2 || rows[1][0] != sc.under.Name {
		t.Fatalf("the merchant's download: %v", rows)
	}
}
