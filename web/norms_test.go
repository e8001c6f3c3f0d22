package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/photo"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/anxin-helpdesk/anxin/web"
)

// normsScene is two merchants whose buyers wrote, answered by the merchant's
// own people and by the support team, some fast, some slow, some not yet.
type normsScene struct {
	e               *env
	a, b            anxin.Merchant
	agent, li, zhou anxin.User
}

func newNormsScene(t *testing.T, e *env) *normsScene {
	t.Helper()
	n := &normsScene{e: e}
	n.a = storetest.MustMerchant(t, e.store, "玉颜美妆旗舰店")
	n.b = storetest.MustMerchant(t, e.store, "义乌优品家居百货")
	n.agent = storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0)
	n.li = storetest.MustUser(t, e.store, anxin.RoleMerchant, "林娜", n.a.ID)
	n.zhou = storetest.MustUser(t, e.store, anxin.RoleMerchant, "周敏", n.b.ID)
	return n
}

func (n *normsScene) ask(t *testing.T, tk anxin.Ticket, body string) {
	t.Helper()
	if _, _, err := n.e.store.BuyerMessage(ctx, anxin.APIKey{MerchantID: tk.MerchantID}.Actor(), tk.ID, body, nil, store.IdempotencyKey{}); err != nil {
		t.Fatal(err)
	}
}

func (n *normsScene) reply(t *testing.T, tk anxin.Ticket, by anxin.User) {
	t.Helper()
	if _, err := n.e.store.SendMessage(ctx, tk.ID, by.Actor(), "您好，马上为您处理"); err != nil {
		t.Fatal(err)
	}
}

// cells reads a table row's figures by column.
func cells(row *goquery.Selection) map[string]string {
	out := map[string]string{}
	row.Find("td[data-col]").Each(func(_ int, td *goquery.Selection) {
		out[td.AttrOr("data-col", "")] = strings.TrimSpace(td.Text())
	})
	return out
}

func wantCells(t *testing.T, what string, row *goquery.Selection, want map[string]string) {
	t.Helper()
	if row.Length() != 1 {
		t.Errorf("%s: %d rows", what, row.Length())
		return
	}
	got := cells(row)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s is %q, want %q (row %v)", what, k, got[k], v, got)
		}
	}
}

// TestNormsPage: staff see the 3-minute reply rate and the mean response
// time per merchant and per person; a merchant its own store, its own
// people and the support team as one, and nothing of another merchant.
func TestNormsPage(t *testing.T) {
	e := newEnv(t)
	n := newNormsScene(t, e)
	ta := storetest.MustTicket(t, e.store, n.a.ID, anxin.QualityReturn, 36800)
	tb := storetest.MustTicket(t, e.store, n.b.ID, anxin.QualityReturn, 5900)

	// From 09:00 Beijing time, within the service hours.
	n.ask(t, ta, "在吗") // A: 林娜 answers in 2 min
	e.clock.Advance(2 * time.Minute)
	n.reply(t, ta, n.li)
	n.ask(t, tb, "快递到哪了") // B: the team answers in 5 min
	e.clock.Advance(5 * time.Minute)
	n.reply(t, tb, n.agent)
	n.ask(t, ta, "能换色吗") // A: the team answers in 1 min
	e.clock.Advance(time.Minute)
	n.reply(t, ta, n.agent)
	n.ask(t, tb, "还在吗") // B: open for 11 min by the end: judged, missed
	e.clock.Advance(10 * time.Minute)
	n.ask(t, ta, "谢谢") // A: open for 1 min: not judged yet
	e.clock.Advance(time.Minute)

	staff := e.client()
	staff.login(n.agent)
	res, doc := staff.get("/norms")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/norms: %s", res.Status)
	}
	if h := doc.Find("h1").Text(); h != "服务指标" {
		t.Errorf("title %q", h)
	}
	if nav := doc.Find(`nav.nav a[href="/norms"]`); nav.AttrOr("aria-current", "") != "page" {
		t.Errorf("the top nav does not lead to /norms as the current page")
	}
	period := doc.Find(`[data-testid="norms-period"]`).Text()
	if !strings.Contains(period, "08:00-23:00") || !strings.Contains(period, "2026-11-20") || !strings.Contains(period, "2026-11-26") {
		t.Errorf("period %q: want the service hours and the last 7 days", period)
	}
	if th := doc.Find("#norms-merchants thead th").Map(func(_ int, s *goquery.Selection) string { return s.Text() }); strings.Join(th, "|") !=
		"商家|买家消息|已回复|3分钟内回复|3分钟回复率|平均响应时长|未回复" {
		t.Errorf("headers %v", th)
	}
	wantCells(t, "A", doc.Find(`#norms-merchants tr[data-merchant="`+n.a.Code+`"]`), map[string]string{
		"messages": "3", "answered": "2", "within": "2", "rate": "100.0%", "mean": "1分30秒", "open": "1"})
	wantCells(t, "B", doc.Find(`#norms-merchants tr[data-merchant="`+n.b.Code+`"]`), map[string]string{
		"messages": "2", "answered": "1", "within": "0", "rate": "0.0%", "mean": "8分钟", "open": "1"})
	wantCells(t, "all", doc.Find(`#norms-merchants tfoot tr`), map[string]string{
		"messages": "5", "answered": "3", "within": "2", "rate": "50.0%", "mean": "4分45秒", "open": "2"})
	wantCells(t, "林娜", doc.Find(`#norms-people tr[data-user="`+itoa(n.li.ID)+`"]`), map[string]string{
		"answered": "1", "within": "1", "rate": "100.0%", "mean": "2分钟"})
	wantCells(t, "王晓", doc.Find(`#norms-people tr[data-user="`+itoa(n.agent.ID)+`"]`), map[string]string{
		"answered": "2", "within": "1", "rate": "50.0%", "mean": "3分钟"})
	if who := doc.Find(`#norms-people tr[data-user="` + itoa(n.li.ID) + `"] td`).First().Text(); who != n.a.Name {
		t.Errorf("林娜 answers for %q", who)
	}
	if v := doc.Find(`#norms-total [data-figure="reply-rate"] .figure-value`).Text(); v != "50.0%" {
		t.Errorf("the overall rate card shows %q", v)
	}

	// Merchant A: its own figures and people, the team as one row.
	shop := e.client()
	shop.login(n.li)
	res, doc = shop.get("/norms")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/norms as merchant A: %s", res.Status)
	}
	if doc.Find(`nav.nav a[href="/norms"]`).Length() != 1 {
		t.Error("no link to /norms in a merchant's top nav")
	}
	if doc.Find("#norms-merchants").Length() != 0 {
		t.Error("a merchant sees the table of merchants")
	}
	for fig, want := range map[string]string{"reply-rate": "100.0%", "mean-response": "1分30秒", "open": "1"} {
		if v := doc.Find(`#norms-total [data-figure="` + fig + `"] .figure-value`).Text(); v != want {
			t.Errorf("merchant A's %s: %q, want %q", fig, v, want)
		}
	}
	wantCells(t, "A's 林娜", doc.Find(`#norms-people tr[data-user="`+itoa(n.li.ID)+`"]`), map[string]string{
		"answered": "1", "within": "1", "rate": "100.0%", "mean": "2分钟"})
	wantCells(t, "A's team", doc.Find(`#norms-people tr[data-user="team"]`), map[string]string{
		"answered": "1", "within": "1", "rate": "100.0%", "mean": "1分钟"})
	if rows := doc.Find("#norms-people tbody tr").Length(); rows != 2 {
		t.Errorf("merchant A sees %d people", rows)
	}
	html, _ := doc.Html()
	for _, secret := range []string{n.b.Name, n.b.Code, n.zhou.Name, n.agent.Name, "8分钟"} {
		if strings.Contains(html, secret) {
			t.Errorf("merchant A's norms show %q", secret)
		}
	}
	// Asking for another period, or for B, changes nothing of that.
	for _, path := range []string{"/norms?days=30", "/norms?merchant=" + n.b.Code, "/norms?days=9999"} {
		_, doc := shop.get(path)
		html, _ := doc.Html()
		if strings.Contains(html, n.b.Name) || strings.Contains(html, n.zhou.Name) {
			t.Errorf("%s as merchant A shows merchant B", path)
		}
	}

	// English.
	staff.post("/lang", map[string][]string{"lang": {"en"}})
	_, doc = staff.get("/norms")
	if h := doc.Find("h1").Text(); h != "Service norms" {
		t.Errorf("English title %q", h)
	}
	wantCells(t, "B in English", doc.Find(`#norms-merchants tr[data-merchant="`+n.b.Code+`"]`), map[string]string{"mean": "8 min"})
}

// TestNormsServiceHoursAndPeriod: the wait counts within the service hours
// only (a message at 22:58 answered at 08:02 waited 4 minutes), the hours
// are the server's configuration, and the page covers 7 or 30 days.
func TestNormsServiceHoursAndPeriod(t *testing.T) {
	for _, c := range []struct {
		hours      string
		mean, rate string
	}{
		{"", "4分钟", "0.0%"},              // the default, 08:00-23:00
		{"00:00-24:00", "9小时", "0.0%"},   // round the clock: 9 h 4 min
		{"08:00-22:00", "2分钟", "100.0%"}, // closed at 22:58: counts from 08:00
	} {
		name := c.hours
		if name == "" {
			name = "default" // an empty name would be "#00", and '#' in a database path cuts the SQLite URI short
		}
		t.Run(name, func(t *testing.T) {
			e := newEnvConfig(t, photo.Options{}, func(cfg *web.Config) {
				if c.hours != "" {
					h, err := anxin.ParseServiceHours(c.hours)
					if err != nil {
						t.Fatal(err)
					}
					cfg.ServiceHours = h
				}
			})
			n := newNormsScene(t, e)
			ta := storetest.MustTicket(t, e.store, n.a.ID, anxin.QualityReturn, 36800)
			e.clock.Advance(13*time.Hour + 58*time.Minute) // 22:58 Beijing time
			n.ask(t, ta, "在吗")
			e.clock.Advance(9*time.Hour + 4*time.Minute) // 08:02 the next morning
			n.reply(t, ta, n.li)

			staff := e.client()
			staff.login(n.agent)
			_, doc := staff.get("/norms")
			want := c.hours
			if want == "" {
				want = "08:00-23:00"
			}
			if p := doc.Find(`[data-testid="norms-period"]`).Text(); !strings.Contains(p, want) {
				t.Errorf("period %q: want hours %s", p, want)
			}
			wantCells(t, "A", doc.Find(`#norms-merchants tr[data-merchant="`+n.a.Code+`"]`), map[string]string{
				"messages": "1", "answered": "1", "rate": c.rate, "mean": c.mean, "open": "0"})
		})
	}

	// 10 days later the message is out of the last 7 days, still in the last 30.
	e := newEnv(t)
	n := newNormsScene(t, e)
	ta := storetest.MustTicket(t, e.store, n.a.ID, anxin.QualityReturn, 36800)
	n.ask(t, ta, "在吗")
	e.clock.Advance(time.Minute)
	n.reply(t, ta, n.li)
	e.clock.Advance(10 * 24 * time.Hour)
	staff := e.client()
	staff.login(n.agent)
	for path, want := range map[string]string{"/norms": "0", "/norms?days=7": "0", "/norms?days=30": "1"} {
		_, doc := staff.get(path)
		wantCells(t, path, doc.Find(`#norms-merchants tr[data-merchant="`+n.a.Code+`"]`), map[string]string{"messages": want})
		if path == "/norms?days=30" {
			if cur := doc.Find(`a[data-days="30"]`).AttrOr("aria-current", ""); cur != "page" {
				t.Errorf("%s: the 30 days tab is not current (%q)", path, cur)
			}
			if rate := cells(doc.Find(`#norms-merchants tr[data-merchant="` + n.b.Code + `"]`))["rate"]; rate != "—" {
				t.Errorf("B, with no message, shows a rate of %q", rate)
			}
		}
	}
}
