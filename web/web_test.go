package web_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

func TestHealthz(t *testing.T) {
	e := newEnv(t)
	res, err := http.Get(e.srv.URL + "/healthz")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %v %v", res.Status, err)
	}
	e.store.Close()
	res, _ = http.Get(e.srv.URL + "/healthz")
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("healthz with the database closed: %s", res.Status)
	}
}

func TestLoginAndQueue(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "昆明斗南鲜花园艺")
	agent := storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0)
	var made []anxin.Ticket
	for i, svc := range []anxin.ServiceKey{anxin.QualityReturn, anxin.FreshSpoiled, anxin.NoReason7d, anxin.FreshSpoiled} {
		made = append(made, storetest.MustTicket(t, e.store, m.ID, svc, int64(1000*(i+1))))
		e.clock.Advance(time.Hour)
	}

	c := e.client()
	res, _ := c.get("/queue")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Fatalf("anonymous queue: %s to %q", res.Status, res.Header.Get("Location"))
	}

	_, doc := c.get("/login")
	if doc.Find("form[action='/login'] input[name=email]").Length() != 1 || doc.Find("html").AttrOr("lang", "") != "zh-CN" {
		t.Fatal("the login page is not a Chinese login form")
	}
	res, doc = c.post("/login", url.Values{"email": {agent.Email}, "password": {"not the password"}})
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(doc.Find("#login-error").Text(), "邮箱或密码错误") {
		t.Fatalf("wrong password: %s, %q", res.Status, doc.Find("#login-error").Text())
	}
	if doc.Find("input[name=email]").AttrOr("value", "") != agent.Email {
		t.Fatal("the form must keep the email typed")
	}

	c.login(agent)
	res, doc = c.get("/queue")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("queue: %s", res.Status)
	}
	rows := doc.Find("#queue tbody tr")
	if rows.Length() != len(made) {
		t.Fatalf("queue shows %d rows, want %d", rows.Length(), len(made))
	}
	var deadlines []string
	rows.Each(func(_ int, r *goquery.Selection) { deadlines = append(deadlines, r.AttrOr("data-deadline", "")) })
	if !slices.IsSorted(deadlines) {
		t.Fatalf("queue not in deadline order: %v", deadlines)
	}
	// The fresh-food tickets (24 h clocks) come before the 48 h ones.
	if first := rows.First().AttrOr("data-ticket-number", ""); first != made[1].Number {
		t.Fatalf("first row %s, want %s", first, made[1].Number)
	}
	row := rows.First()
	for _, want := range []string{"生鲜坏单包赔", "昆明斗南鲜花园艺", "¥20.00", "待商家处理"} {
		if !strings.Contains(row.Text(), want) {
			t.Errorf("first row lacks %q: %s", want, row.Text())
		}
	}
	// Created an hour in, on a 24 h clock, seen three hours later.
	if cd := row.Find("time.countdown").Text(); cd != "21:00:00" {
		t.Errorf("countdown %q, want 21:00:00", cd)
	}
}

func TestMerchantQueueIsScoped(t *testing.T) {
	e := newEnv(t)
	a := storetest.MustMerchant(t, e.store, "玉颜美妆旗舰店")
	b := storetest.MustMerchant(t, e.store, "义乌优品家居百货")
	mine := storetest.MustTicket(t, e.store, a.ID, anxin.QualityReturn, 36800)
	storetest.MustTicket(t, e.store, b.ID, anxin.Damaged, 3990)
	c := e.client()
	c.login(storetest.MustUser(t, e.store, anxin.RoleMerchant, "林娜", a.ID))
	_, doc := c.get("/queue")
	rows := doc.Find("#queue tbody tr")
	if rows.Length() != 1 || rows.AttrOr("data-ticket-number", "") != mine.Number {
		t.Fatalf("a merchant's queue shows %d rows", rows.Length())
	}
	if strings.Contains(doc.Text(), "义乌优品家居百货") {
		t.Fatal("another merchant's name leaked")
	}
}

func TestUnsafeRequestsNeedCSRF(t *testing.T) {
	e := newEnv(t)
	agent := storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0)
	c := e.client()
	c.login(agent)
	for _, token := range []string{"", "forged-token"} {
		res, _ := c.post("/lang", url.Values{"lang": {"en"}, "_csrf": {token}})
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("POST with token %q: %s, want 403", token, res.Status)
		}
	}
	if u, _ := e.store.UserByID(ctx, agent.ID); u.Lang != "zh" {
		t.Fatal("a refused request changed the language")
	}
	// A cross-origin browser request is refused even with the token.
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/lang", strings.NewReader(url.Values{"lang": {"en"}, "_csrf": {c.csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://evil.example")
	res, err := c.http.Do(req)
	if err != nil || res.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin POST: %v %v", res.Status, err)
	}
	// With the token it works, and the language is remembered on the user.
	res, _ = c.post("/lang", url.Values{"lang": {"en"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /lang: %s", res.Status)
	}
	_, doc := c.get("/queue")
	if doc.Find("html").AttrOr("lang", "") != "en" || !strings.Contains(doc.Find("h1").Text(), "Open tickets") {
		t.Fatalf("after switching to English: %q", doc.Find("h1").Text())
	}
}

func TestSecurityHeadersAndErrors(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	res, doc := c.get("/no-such-page")
	if res.StatusCode != http.StatusNotFound || !strings.Contains(doc.Find("h1").Text(), "未找到") {
		t.Fatalf("unknown page: %s %q", res.Status, doc.Find("h1").Text())
	}
	res, _ = c.get("/login")
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Error("the CSP allows inline script or style")
	}
	if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("Referrer-Policy") == "" {
		t.Error("nosniff or Referrer-Policy missing")
	}
	for _, ck := range res.Cookies() {
		if ck.Name == "anxin_session" && (!ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode) {
			t.Errorf("session cookie %+v must be HttpOnly and SameSite=Lax", ck)
		}
	}
}

func TestStaticFilesAreEmbedded(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	_, doc := c.get("/login")
	doc.Find("script[src], link[rel=stylesheet]").Each(func(_ int, s *goquery.Selection) {
		src := s.AttrOr("src", s.AttrOr("href", ""))
		if !strings.HasPrefix(src, "/static/") {
			t.Errorf("asset from elsewhere: %s", src)
		}
		res, err := c.http.Get(e.srv.URL + src)
		if err != nil || res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: %v %v", src, res.Status, err)
		}
	})
}

func TestLoginIsThrottled(t *testing.T) {
	e := newEnv(t)
	agent := storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0)
	c := e.client()
	c.get("/login")
	try := func(email, password string) (*http.Response, string) {
		res, doc := c.post("/login", url.Values{"email": {email}, "password": {password}})
		return res, doc.Find("#login-error").Text()
	}
	for i := range 5 {
		if res, _ := try(agent.Email, "wrong-password-"+strings.Repeat("x", i)); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %s", i+1, res.Status)
		}
	}
	// The 6th within the minute is not even checked, right password or not,
	// and an unknown account gets the same answer after as many tries.
	res, msg := try(agent.Email, storetest.Password)
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(msg, "尝试次数过多") || res.Header.Get("Retry-After") == "" {
		t.Fatalf("6th attempt: %s %q", res.Status, msg)
	}
	for range 5 {
		try("nobody@example.com", "whatever-password")
	}
	if res, msg2 := try("nobody@example.com", "whatever-password"); res.StatusCode != http.StatusTooManyRequests || msg2 != msg {
		t.Fatalf("an unknown account is throttled differently: %s %q vs %q", res.Status, msg2, msg)
	}
	// The wait doubles: after 30 s one more failure earns a minute.
	e.clock.Advance(31 * time.Second)
	if res, _ := try(agent.Email, "wrong-again-password"); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("after the wait: %s", res.Status)
	}
	e.clock.Advance(31 * time.Second)
	if res, _ := try(agent.Email, storetest.Password); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("after a 7th failure the wait is longer than 30 s: %s", res.Status)
	}
	e.clock.Advance(31 * time.Second)
	if res, _ := try(agent.Email, storetest.Password); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the right password after the wait: %s", res.Status)
	}
}
