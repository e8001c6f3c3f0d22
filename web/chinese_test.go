package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"golang.org/x/net/html"
)

// TestEveryPageSpeaksChinese walks every page an agent, a merchant and an
// admin reach by following links from their start pages, over the demo data
// set, in Chinese (the default), and fails on any word in Latin letters in
// what a person reads (text, titles, placeholders, labels for screen
// readers, alt texts) that is not one of the few that Chinese users read as
// they are: brand and format names, units, codes. Codes the page marks as
// code (ticket, order and refund numbers, merchants' codes, emails, event
// ids: <code>, <kbd>, .mono) and what people and the platform typed (product
// names, camera models, messages) are not the UI's words and are not held
// against it.
func TestEveryPageSpeaksChinese(t *testing.T) {
	e := newDemoEnv(t)
	addAdminHistory(t, e)
	typed := typedWords(t, e)
	for _, who := range []struct {
		email string
		start []string
	}{
		{"agent1@anxin.demo", []string{"/queue", "/alerts", "/account"}},
		{"apparel@anxin.demo", []string{"/home", "/queue", "/alerts", "/account"}},
		{"admin@anxin.demo", []string{"/admin/users", "/admin/merchants", "/admin/audit", "/admin/assignment",
			"/admin/backups", "/admin/apikeys", "/admin/webhooks", "/queue"}},
	} {
		c := e.client()
		c.demoLogin(who.email)
		start := append(slices.Clone(who.start), ticketsInEveryState(t, e, who.email)...)
		pages, leaks := walkChinese(t, c, start, typed)
		t.Logf("%s: %d pages", who.email, pages)
		for _, l := range leaks {
			t.Errorf("%s sees %q on %s: …%s…", who.email, l.word, l.page, l.context)
		}
	}
	// The error pages too.
	c := e.client()
	c.demoLogin("agent1@anxin.demo")
	for _, p := range []string{"/tickets/AX-999999", "/no-such-page", "/admin/users"} {
		res, doc := c.get(p)
		if res.StatusCode < 400 {
			t.Fatalf("%s: %s", p, res.Status)
		}
		for _, l := range latinWords(p, doc, typed) {
			t.Errorf("the error page %s shows %q: …%s…", p, l.word, l.context)
		}
	}
	res, _ := c.post("/admin/users/1/password", url.Values{})
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("a merchant page as an agent: %s", res.Status)
	}
	res, doc := c.get("/tickets/AX-000001/actions/approve") // a GET on a POST route
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET on an action: %s", res.Status)
	}
	for _, l := range latinWords("405", doc, typed) {
		t.Errorf("the 405 page shows %q: …%s…", l.word, l.context)
	}
	// Logged out.
	anon := e.client()
	_, doc = anon.get("/login")
	for _, l := range latinWords("/login", doc, typed) {
		t.Errorf("the login page shows %q: …%s…", l.word, l.context)
	}
}

// addAdminHistory gives the admin's pages something to show: a changed
// policy, merchant and setting, an export, an API key, and a webhook with
// a delivery given up on and one delivered.
func addAdminHistory(t *testing.T, e *env) {
	t.Helper()
	users, err := e.store.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	admin := users[0].Actor()
	m, err := e.store.MerchantByCode(ctx, "humen-apparel")
	if err != nil {
		t.Fatal(err)
	}
	on, day, three := true, 24*time.Hour, 3
	if err := e.store.SetPolicyBy(ctx, admin, m.ID, anxin.PolicyOverride{Service: anxin.NoReason7d, Enabled: &on,
		MerchantClock: &day, MaxOffers: &three}); err != nil {
		t.Fatal(err)
	}
	m.InstantRefund.Enabled, m.InstantRefund.MaxFen = true, 20000
	if err := e.store.UpdateMerchant(ctx, admin, m); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetAutoAssign(ctx, admin, true); err != nil {
		t.Fatal(err)
	}
	if err := e.store.RecordExport(ctx, admin, "queue /queue?tab=overdue", 12); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.store.CreateAPIKey(ctx, "店铺系统", anxin.KeyScope{MerchantID: m.ID}); err != nil {
		t.Fatal(err)
	}
	hook, err := e.store.CreateWebhook(ctx, anxin.Webhook{URL: "https://pay.example.com/anxin", Secret: "whsec-0123456789abcdef",
		Events: []anxin.WebhookEvent{anxin.EventTicketCreated, anxin.EventRefundFailed}})
	if err != nil {
		t.Fatal(err)
	}
	storetest.MustTicket(t, e.store, m.ID, anxin.QualityReturn, 45900)
	storetest.MustTicket(t, e.store, m.ID, anxin.QualityReturn, 6900)
	due, err := e.store.DueDeliveries(ctx, 10)
	if err != nil || len(due) != 2 {
		t.Fatalf("%d deliveries due: %v", len(due), err)
	}
	if _, err := e.store.RecordAttempt(ctx, due[0].ID, anxin.DeliveryAttempt{At: e.clock.Now(), Status: 204, Took: 40 * time.Millisecond}, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	for d := due[1].Delivery; d.Status == anxin.DeliveryPending; {
		if d, err = e.store.RecordAttempt(ctx, d.ID, anxin.DeliveryAttempt{At: e.clock.Now().Add(25 * time.Hour), Status: 503}, []byte("{}")); err != nil {
			t.Fatal(err)
		}
	}
	_ = hook
}

// ticketsInEveryState picks, among the tickets the user may see, one in
// each state, so that every state's page is walked.
func ticketsInEveryState(t *testing.T, e *env, email string) []string {
	t.Helper()
	db := storetest.DB(t, e.store)
	var merchant int64
	if err := db.QueryRow(`SELECT coalesce(merchant_id, 0) FROM users WHERE email = ?`, email).Scan(&merchant); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(`SELECT max(id) FROM tickets WHERE ?1 = 0 OR merchant_id = ?1 GROUP BY state, service`, merchant)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		out = append(out, "/tickets/"+anxin.TicketNumber(id))
	}
	return out
}

// typedWords are the Latin words of what people and the platform typed
// into the demo data: product names, camera models, buyers' and staff's
// messages and notes, canned replies.
func typedWords(t *testing.T, e *env) map[string]bool {
	t.Helper()
	db := storetest.DB(t, e.store)
	out := map[string]bool{}
	for _, q := range []string{`SELECT product FROM tickets`, `SELECT reason FROM tickets`, `SELECT camera FROM evidence`,
		`SELECT body FROM messages`, `SELECT body FROM notes`, `SELECT title || ' ' || body FROM macros`, `SELECT name FROM users`,
		`SELECT name FROM merchants`, `SELECT code FROM merchants`, `SELECT name FROM api_keys`,
		`SELECT name || ' ' || region || ' ' || street FROM merchant_addresses`} {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		for rows.Next() {
			var s string
			rows.Scan(&s)
			for _, w := range latinWord.FindAllString(s, -1) {
				out[w] = true
			}
		}
		rows.Close()
	}
	return out
}

var latinWord = regexp.MustCompile(`[A-Za-z][A-Za-z'’.-]*[A-Za-z]|[A-Za-z]`)

// latinAllowed are the words in Latin letters that the Chinese UI may use:
// the names of formats, protocols and standards as Chinese software writes
// them, units, the name of the other language on its button, and the
// product's own name in Latin letters.
var latinAllowed = map[string]bool{
	"Anxin": true, "API": true, "OpenAPI": true, "Webhook": true, "CSV": true, "JPEG": true, "PNG": true,
	"WebP": true, "GPS": true, "HTTP": true, "HMAC-SHA": true, "URL": true, "SKU": true, "MB": true,
	"ms": true, "UTC": true, "Esc": true, "EXIF": true,
}

// codeLike are codes written in the text (not marked as code): ticket,
// refund and order numbers, tracking numbers, emails, variables of canned
// replies, event keys and URLs. YF- numbers are 运费险 payouts (refund lines of their own).
var codeLike = regexp.MustCompile(`AX-\d+|RF-\d+|YF-\d+|[A-Z]{2,4}\d{6,}|[\w.+-]+@[\w-]+(\.[\w-]+)+|\{[a-z_]+\}|\b[a-z]+\.[a-z_]+\b|https?://\S+|/[a-z][\w/?=&.-]*|%[sd]`)

type leak struct{ page, word, context string }

// latinWords finds the words in Latin letters a person reads on the page
// that are neither allowed nor code nor typed data.
func latinWords(page string, doc *goquery.Document, typed map[string]bool) []leak {
	body := doc.Find("html").Clone()
	body.Find("script, style, code, kbd, samp, pre, .mono, [lang=en], [translate=no]").Remove()
	var texts []string
	texts = append(texts, body.Find("title").Text())
	// Each text node apart: adjacent elements ("新建 Webhook" and "URL") are
	// separate words.
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			texts = append(texts, n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range body.Find("body").Nodes {
		walk(n)
	}
	body.Find("[title], [placeholder], [aria-label], img[alt], [data-label], [data-template]").Each(func(_ int, s *goquery.Selection) {
		for _, a := range []string{"title", "placeholder", "aria-label", "alt", "data-label", "data-template"} {
			if v, ok := s.Attr(a); ok {
				texts = append(texts, v)
			}
		}
	})
	var out []leak
	seen := map[string]bool{}
	for _, text := range texts {
		clean := codeLike.ReplaceAllString(text, " ")
		for _, loc := range latinWord.FindAllStringIndex(clean, -1) {
			w := clean[loc[0]:loc[1]]
			if latinAllowed[w] || typed[w] || seen[w] {
				continue
			}
			seen[w] = true
			from, to := max(0, loc[0]-40), min(len(clean), loc[1]+40)
			out = append(out, leak{page: page, word: w, context: strings.Join(strings.Fields(clean[from:to]), " ")})
		}
	}
	return out
}

// walkChinese follows the same-site links of the pages it reaches from
// start (each page once, a bounded number), and lists the Latin words each
// shows.
func walkChinese(t *testing.T, c *client, start []string, typed map[string]bool) (int, []leak) {
	t.Helper()
	const maxPages = 400
	skip := regexp.MustCompile(`^/(static|photos|events|api|logout|lang)\b|export|/thread|[?&]after=|[?&]thread=all`)
	queue, seen := slices.Clone(start), map[string]bool{}
	var leaks []leak
	words := map[string]bool{}
	pages := 0
	for len(queue) > 0 && pages < maxPages {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		res, doc := c.get(p)
		if res.StatusCode == http.StatusSeeOther { // the home page sends each role on
			queue = append(queue, res.Header.Get("Location"))
			continue
		}
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: %s", p, res.Status)
			continue
		}
		pages++
		for _, l := range latinWords(p, doc, typed) {
			if !words[l.word] {
				words[l.word] = true
				leaks = append(leaks, l)
			}
		}
		doc.Find("a[href]").Each(func(_ int, s *goquery.Selection) {
			href := s.AttrOr("href", "")
			u, err := url.Parse(href)
			if err != nil || u.Host != "" || !strings.HasPrefix(u.Path, "/") || skip.MatchString(href) {
				return
			}
			// One of each kind of ticket page is enough: the states are walked from start.
			if strings.HasPrefix(u.Path, "/tickets/") && !seen[u.Path] && countPrefix(seen, "/tickets/") > 60 {
				return
			}
			u.Fragment = ""
			queue = append(queue, u.String())
		})
	}
	sort.Slice(leaks, func(i, j int) bool { return leaks[i].word < leaks[j].word })
	return pages, leaks
}

func countPrefix(seen map[string]bool, prefix string) int {
	n := 0
	for p := range seen {
		if strings.HasPrefix(p, prefix) {
			n++
		}
	}
	return n
}
