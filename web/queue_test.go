package web_test

import (
	"bufio"
	"context"
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

func rowNumbers(doc *goquery.Document) []string {
	var out []string
	doc.Find("#queue tbody tr").Each(func(_ int, s *goquery.Selection) {
		out = append(out, s.AttrOr("data-ticket-number", ""))
	})
	return out
}

func tabCount(doc *goquery.Document, tab string) string {
	return doc.Find(".tab[data-tab=" + tab + "] .count").Text()
}

func TestQueueTabsFiltersAndSearch(t *testing.T) {
	e := newEnv(t)
	flowers := storetest.MustMerchant(t, e.store, "昆明斗南鲜花园艺")
	apparel := storetest.MustMerchant(t, e.store, "东莞虎门服装厂")
	me := storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0)
	fresh := storetest.MustTicket(t, e.store, flowers.ID, anxin.FreshSpoiled, 8990) // due in 24 h
	coat := storetest.MustTicket(t, e.store, apparel.ID, anxin.QualityReturn, 45900)
	arb := storetest.MustTicketIn(t, e.store, apparel.ID, anxin.Arbitration, 6900)
	refunded := storetest.MustTicketIn(t, e.store, apparel.ID, anxin.Refunded, 6900) // not in any queue; found by search
	if _, err := e.store.Assign(ctx, coat.ID, me.ID, me.Actor()); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(23*time.Hour + 30*time.Minute) // the fresh ticket is due within the hour

	c := e.client()
	c.login(me)
	_, doc := c.get("/queue")
	for tab, want := range map[string]string{"all": "3", "overdue": "0", "soon": "1", "mine": "1", "unassigned": "2", "arbitration": "1"} {
		if got := tabCount(doc, tab); got != want {
			t.Errorf("tab %s counts %s, want %s", tab, got, want)
		}
	}
	for path, want := range map[string][]string{
		"/queue?tab=soon":                                             {fresh.Number},
		"/queue?tab=mine":                                             {coat.Number},
		"/queue?tab=arbitration":                                      {arb.Number},
		"/queue?merchant=" + fmt.Sprint(apparel.ID):                   {coat.Number, arb.Number},
		"/queue?service=fresh_spoiled":                                {fresh.Number},
		"/queue?state=arbitration&merchant=" + fmt.Sprint(apparel.ID): {arb.Number},
		"/queue?q=" + url.QueryEscape(strings.ToLower(coat.Number)):   {coat.Number},
		"/queue?q=" + coat.Order.ID:                                   {coat.Number},
		"/queue?merchant=abc":                                         nil, // nonsense selects nothing
	} {
		_, doc := c.get(path)
		if got := rowNumbers(doc); strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s shows %v, want %v", path, got, want)
		}
	}
	// The filter stays in the URL of the tabs, so a view can be shared.
	_, doc = c.get("/queue?service=fresh_spoiled&tab=soon")
	if href := doc.Find(".tab[data-tab=mine]").AttrOr("href", ""); href != "/queue?service=fresh_spoiled&tab=mine" {
		t.Errorf("the mine tab links to %q", href)
	}
	// Phones are searchable, and shown masked; a search finds tickets in
	// every state, the open ones first.
	for _, q := range []string{"13800138000", "8000", "138****8000"} {
		_, doc = c.get("/queue?q=" + url.QueryEscape(q))
		got := rowNumbers(doc)
		if len(got) != 4 || got[3] != refunded.Number || strings.Contains(doc.Find("#queue").Text(), "13800138000") {
			t.Errorf("search by phone %q found %v, or showed it unmasked", q, got)
		}
	}
}

func TestQueuePagesByKeyset(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "义乌优品家居百货")
	for range 60 {
		storetest.MustTicket(t, e.store, m.ID, anxin.Damaged, 3990)
		e.clock.Advance(time.Minute)
	}
	c := e.client()
	c.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	_, doc := c.get("/queue")
	first := rowNumbers(doc)
	next := doc.Find("a[rel=next]").AttrOr("href", "")
	if len(first) != 50 || next == "" {
		t.Fatalf("first page %d rows, next %q", len(first), next)
	}
	_, doc = c.get(next)
	second := rowNumbers(doc)
	if len(second) != 10 || second[0] == first[49] || doc.Find("a[rel=next]").Length() != 0 {
		t.Fatalf("second page %v", second)
	}
}

func TestBulkApproveAndAssign(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "昆明斗南鲜花园艺")
	me := storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0)
	a := storetest.MustEvidence(t, e.store, storetest.MustTicket(t, e.store, m.ID, anxin.FreshSpoiled, 8990))
	b := storetest.MustEvidence(t, e.store, storetest.MustTicket(t, e.store, m.ID, anxin.Damaged, 6800))
	big := storetest.MustEvidence(t, e.store, storetest.MustTicket(t, e.store, m.ID, anxin.Damaged, 299900))
	stale := storetest.MustEvidence(t, e.store, storetest.MustTicket(t, e.store, m.ID, anxin.Damaged, 1200))
	if _, err := e.store.Decide(ctx, stale.ID, anxin.Decision{Action: anxin.Reject, Actor: me.Actor(), Reason: "x"}); err != nil {
		t.Fatal(err)
	}
	c := e.client()
	c.login(me)
	sel := func(ts ...anxin.Ticket) url.Values {
		v := url.Values{}
		for _, t := range ts {
			v.Add("tickets", fmt.Sprintf("%s:%d", t.Number, t.Version))
		}
		return v
	}
	form := sel(a, b, big, stale)
	form.Set("action", "approve")
	form.Set("back", "/queue?tab=all")
	// The answer sends the browser back to the view (303): a reload there
	// shows the page, it does not act again.
	res, _ := c.post("/queue/bulk", form)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/queue" {
		t.Fatalf("bulk approve: %s to %q", res.Status, res.Header.Get("Location"))
	}
	_, doc := c.get(res.Header.Get("Location"))
	results := map[string]string{}
	doc.Find("#bulk-results li").Each(func(_ int, s *goquery.Selection) {
		results[s.AttrOr("data-ticket-number", "")] = s.AttrOr("class", "") + " " + s.Text()
	})
	for tk, want := range map[string]string{a.Number: "ok", b.Number: "ok", big.Number: "确认", stale.Number: "已由 王晓"} {
		if !strings.Contains(results[tk], want) {
			t.Errorf("bulk result for %s: %q, want %q", tk, results[tk], want)
		}
	}
	if got, _ := e.store.Ticket(ctx, anxin.AllMerchants(), big.ID); got.State != anxin.PendingMerchant {
		t.Error("bulk approve paid a large refund without confirmation")
	}
	if _, doc := c.get("/queue"); doc.Find("#bulk-results").Length() != 0 {
		t.Error("the bulk results showed a second time")
	}
	form = sel(big)
	form.Set("action", "assign")
	form.Set("assignee", fmt.Sprint(me.ID))
	c.post("/queue/bulk", form)
	if got, _ := e.store.Ticket(ctx, anxin.AllMerchants(), big.ID); got.AssigneeID != me.ID {
		t.Error("bulk assign did not assign")
	}
}

func TestLiveRegionFragment(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "m")
	storetest.MustTicket(t, e.store, m.ID, anxin.Damaged, 100)
	c := e.client()
	c.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/queue?tab=all", nil)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Target", "queue-live")
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := goquery.NewDocumentFromReader(res.Body)
	res.Body.Close()
	if doc.Find("#queue-live #queue tbody tr").Length() != 1 || doc.Find("header, .tabs").Length() != 0 {
		t.Fatal("the live region is not the rows alone")
	}
	if doc.Find("#queue tbody input[type=checkbox][data-hx-preserve]").Length() != 1 {
		t.Fatal("row checkboxes must survive a refresh (data-hx-preserve)")
	}
}

// readEvents reads server-sent events from a live connection into a channel.
func readEvents(t *testing.T, c *client, path string) (<-chan string, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.e.srv.URL+path, nil)
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if ct := res.Header.Get("Content-Type"); res.StatusCode != http.StatusOK || ct != "text/event-stream" {
		t.Fatalf("events: %s %s", res.Status, ct)
	}
	out := make(chan string, 64)
	go func() {
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		var event string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				out <- event + " " + strings.TrimPrefix(line, "data: ")
			}
		}
		close(out)
	}()
	return out, cancel
}

func expectEvent(t *testing.T, ch <-chan string, want string) {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case got := <-ch:
			if got == want {
				return
			}
		case <-timeout:
			t.Fatalf("no event %q within 5 s", want)
		}
	}
}

func expectNoEvent(t *testing.T, ch <-chan string, unwanted string) {
	t.Helper()
	timeout := time.After(300 * time.Millisecond)
	for {
		select {
		case got := <-ch:
			if got == unwanted {
				t.Fatalf("unexpected event %q", got)
			}
		case <-timeout:
			return
		}
	}
}

func TestLiveEventsAreScopedAndShowPresence(t *testing.T) {
	e := newEnv(t)
	a := storetest.MustMerchant(t, e.store, "A")
	b := storetest.MustMerchant(t, e.store, "B")
	ta := storetest.MustTicket(t, e.store, a.ID, anxin.Damaged, 100)
	tb := storetest.MustTicket(t, e.store, b.ID, anxin.Damaged, 100)
	agent, colleague, merchantA := e.client(), e.client(), e.client()
	agent.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	colleague.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "陈静", 0))
	merchantA.login(storetest.MustUser(t, e.store, anxin.RoleMerchant, "林娜", a.ID))

	queue, stop1 := readEvents(t, agent, "/events")
	defer stop1()
	mine, stop2 := readEvents(t, merchantA, "/events")
	defer stop2()
	if _, err := e.store.Decide(ctx, tb.ID, anxin.Decision{Action: anxin.Approve, Actor: anxin.Actor{Role: anxin.RoleAgent, Name: "x"}}); err != nil {
		t.Fatal(err)
	}
	expectEvent(t, queue, "changed "+tb.Number)
	expectNoEvent(t, mine, "changed "+tb.Number) // merchant A never hears of B's tickets

	// A colleague opens ticket A: the agent viewing it is told, and sees the marker.
	onTicket, stop3 := readEvents(t, agent, "/events?ticket="+ta.Number)
	defer stop3()
	expectEvent(t, onTicket, "presence []")
	_, stop4 := readEvents(t, colleague, "/events?ticket="+ta.Number)
	expectEvent(t, onTicket, `presence ["陈静"]`)
	_, doc := agent.get("/tickets/" + ta.Number)
	if !strings.Contains(doc.Find("#presence").Text(), "陈静 正在处理") {
		t.Fatalf("presence marker %q", doc.Find("#presence").Text())
	}
	_, doc = agent.get("/queue")
	if !strings.Contains(doc.Find("tr[data-ticket-number="+ta.Number+"] .presence").Text(), "陈静") {
		t.Fatal("the queue row does not show who has the ticket open")
	}
	stop4()
	expectEvent(t, onTicket, "presence []")

	// An agent opening merchant B's ticket is news for queues that may see
	// it, and none of merchant A's business.
	_, stop5 := readEvents(t, colleague, "/events?ticket="+tb.Number)
	expectEvent(t, queue, "changed "+tb.Number)
	expectNoEvent(t, mine, "changed "+tb.Number)
	stop5()
	expectNoEvent(t, mine, "changed "+tb.Number)

	// Another merchant's ticket cannot be watched.
	if res, _ := merchantA.get("/events?ticket=" + tb.Number); res.StatusCode != http.StatusNotFound {
		t.Fatalf("watching another merchant's ticket: %s", res.Status)
	}
}

// TestLiveStreamsPerUserAreBounded: a user holds at most eight live
// streams; a ninth closes the oldest.
func TestLiveStreamsPerUserAreBounded(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	c.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	var streams []<-chan string
	for range 9 {
		ch, stop := readEvents(t, c, "/events")
		defer stop()
		streams = append(streams, ch) // registered: the server answers after it is
	}
	closed := func(ch <-chan string) bool {
		timeout := time.After(5 * time.Second)
		for {
			select {
			case _, open := <-ch:
				if !open {
					return true
				}
			case <-timeout:
				return false
			}
		}
	}
	if !closed(streams[0]) {
		t.Fatal("the oldest of nine streams was not closed")
	}
	for i, ch := range streams[1:] {
		select {
		case _, open := <-ch:
			if !open {
				t.Fatalf("stream %d of the newest eight was closed", i+2)
			}
		default:
		}
	}
}

// TestQueueRowsKeepTheirOwnURL: two views that select the same tickets but
// are asked for by different URLs share their reads, not their live region,
// which refreshes from its own URL.
func TestQueueRowsKeepTheirOwnURL(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "昆明斗南鲜花园艺")
	storetest.MustTicket(t, e.store, m.ID, anxin.FreshSpoiled, 8990)
	c := e.client()
	c.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	for _, path := range []string{"/queue?merchant=abc", "/queue?merchant=xyz"} {
		_, doc := c.get(path)
		if got := doc.Find("#queue-live").AttrOr("data-refresh", ""); got != path {
			t.Errorf("%s refreshes from %q", path, got)
		}
		if n := len(rowNumbers(doc)); n != 0 {
			t.Errorf("%s: a merchant id that does not parse selects %d tickets", path, n)
		}
	}
}

// TestQueueSorts: by amount (largest first) and by creation (newest first),
// page after page without a row lost or shown twice.
func TestQueueSorts(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "义乌优品家居百货")
	amounts := map[string]int64{}
	var order []string
	for i := range 60 {
		paid := int64(1000 + (i*37)%60*100) // every amount a different one
		tk := storetest.MustTicket(t, e.store, m.ID, anxin.Damaged, paid)
		amounts[tk.Number] = paid
		order = append(order, tk.Number)
		e.clock.Advance(time.Minute)
	}
	c := e.client()
	c.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	walk := func(path string) []string {
		var all []string
		for path != "" {
			_, doc := c.get(path)
			all = append(all, rowNumbers(doc)...)
			path = doc.Find("a[rel=next]").AttrOr("href", "")
		}
		return all
	}
	byAmount := walk("/queue?sort=amount")
	if len(byAmount) != 60 {
		t.Fatalf("%d rows by amount", len(byAmount))
	}
	for i := 1; i < len(byAmount); i++ {
		if amounts[byAmount[i-1]] < amounts[byAmount[i]] {
			t.Fatalf("not by amount at %d: %d then %d", i, amounts[byAmount[i-1]], amounts[byAmount[i]])
		}
	}
	newest := walk("/queue?sort=created")
	if len(newest) != 60 || newest[0] != order[59] || newest[59] != order[0] {
		t.Fatalf("by creation: %d rows, %s first", len(newest), newest[0])
	}
	_, doc := c.get("/queue?sort=amount")
	if doc.Find("th[aria-sort=descending] a[data-sort=amount]").Length() != 1 {
		t.Fatal("the amount column does not say it is the order")
	}
	if got := walk("/queue?sort=nonsense"); len(got) != 60 || got[0] != order[0] {
		t.Fatal("an unknown order is not the deadline's")
	}
}

// TestSavedViews: a user saves the filters under a name; the view is a tab
// of theirs alone, marked when open; it can be deleted.
func TestSavedViews(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "昆明斗南鲜花园艺")
	fresh := storetest.MustTicket(t, e.store, m.ID, anxin.FreshSpoiled, 8990)
	storetest.MustTicket(t, e.store, m.ID, anxin.Damaged, 3990)
	me, colleague := e.client(), e.client()
	me.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	colleague.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "陈静", 0))

	_, doc := me.get("/queue?service=fresh_spoiled&sort=amount")
	query := doc.Find("form.save-view input[name=query]").AttrOr("value", "")
	res, _ := me.post("/queue/views", url.Values{"name": {"生鲜"}, "query": {query}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %s", res.Status)
	}
	_, doc = me.get(res.Header.Get("Location"))
	tab := doc.Find("[data-saved-view] a")
	if tab.Text() != "生鲜" || tab.AttrOr("aria-current", "") != "page" || strings.Join(rowNumbers(doc), ",") != fresh.Number {
		t.Fatalf("the saved tab %q current=%q rows %v", tab.Text(), tab.AttrOr("aria-current", ""), rowNumbers(doc))
	}
	_, doc = me.get("/queue")
	if doc.Find("[data-saved-view] a").AttrOr("aria-current", "") == "page" {
		t.Fatal("the saved view is current on another view")
	}
	_, doc = colleague.get("/queue")
	if doc.Find("[data-saved-view]").Length() != 0 {
		t.Fatal("a colleague sees my saved view")
	}
	if res, _ := me.post("/queue/views", url.Values{"name": {"  "}, "query": {query}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a nameless view: %s", res.Status)
	}
	if views, _ := e.store.SavedViews(ctx, 1); len(views) != 1 {
		t.Fatalf("%d views kept", len(views))
	}
	_, doc = me.get("/queue")
	id := doc.Find("[data-saved-view]").AttrOr("data-saved-view", "")
	if res, _ := colleague.post("/queue/views/"+id+"/delete", nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("delete: %s", res.Status)
	}
	if views, _ := e.store.SavedViews(ctx, 1); len(views) != 1 {
		t.Fatal("a colleague deleted my view")
	}
	me.post("/queue/views/"+id+"/delete", nil)
	if views, _ := e.store.SavedViews(ctx, 1); len(views) != 0 {
		t.Fatal("my view was not deleted")
	}
}
