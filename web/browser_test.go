package web_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/chromedp/chromedp"
)

// chromiumPath finds Debian's Chromium. Without it browser tests skip, except
// where ANXIN_BROWSER_REQUIRED=1 (CI) makes that a failure.
func chromiumPath(t testing.TB) string {
	t.Helper()
	for _, p := range []string{os.Getenv("ANXIN_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("ANXIN_BROWSER_REQUIRED") == "1" {
		t.Fatal("chromium is required (ANXIN_BROWSER_REQUIRED=1) but not installed")
	}
	t.Skip("chromium not installed; run make test as root to install it")
	return ""
}

// newBrowser starts a headless Chromium for the test, with its own profile,
// at a 1366x768 window: the smallest screen the workbench is made for.
func newBrowser(t testing.TB) context.Context {
	t.Helper()
	return newBrowserFor(t, 60*time.Second)
}

// newBrowserFor is newBrowser for a test that may take longer than a minute
// in all: the browser is given up after timeout.
func newBrowserFor(t testing.TB, timeout time.Duration) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 768),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(bctx, timeout)
	t.Cleanup(func() {
		cancelTimeout()
		cancelBrowser()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

// browserLogin logs in through the login form and waits until the page the
// user lands on is shown: staff land on the queue, a merchant's staff on
// the store's figures. Waiting for less (any element the login page has
// too) lets the next navigation abort the form's, leaving the tab logged out.
func browserLogin(t testing.TB, ctx context.Context, base string, u anxin.User) {
	t.Helper()
	landing := "#queue"
	if u.Role == anxin.RoleMerchant {
		landing = "#figures"
	}
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.SendKeys(chromedp.CSS("#email"), u.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), storetest.Password),
		chromedp.Click(chromedp.CSS("form[action='/login'] button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(landing)),
	)
	if err != nil {
		t.Fatalf("logging in as %s: %v", u.Email, err)
	}
}

// screenshot saves the whole page as a PNG into out/screenshots (gitignored) for people to look at.
func screenshot(t testing.TB, ctx context.Context, name string) {
	t.Helper()
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join("..", "out", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestBrowserQueue(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "昆明斗南鲜花园艺")
	for _, svc := range []anxin.ServiceKey{anxin.QualityReturn, anxin.FreshSpoiled, anxin.Damaged, anxin.NoReason7d} {
		storetest.MustEvidence(t, e.store, storetest.MustTicket(t, e.store, m.ID, svc, 8990))
	}
	agent := storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0)
	browserLogin(t, ctx, e.srv.URL, agent)

	deadlines, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`[...document.querySelectorAll("#queue tbody tr")].map(r => r.dataset.deadline)`))
	if err != nil {
		t.Fatal(err)
	}
	if len(deadlines) != 4 {
		t.Fatalf("queue shows %d rows", len(deadlines))
	}
	for i := 1; i < len(deadlines); i++ {
		if deadlines[i-1] > deadlines[i] {
			t.Fatalf("queue out of deadline order: %v", deadlines)
		}
	}
	sel := chromedp.CSS("#queue tbody tr:first-child time.countdown")
	first, err := chromedp.Run(ctx, chromedp.Text(sel))
	if err != nil {
		t.Fatal(err)
	}
	// The countdown runs on the server's clock (the test's, days away from
	// the browser's): a new ticket has nearly its whole merchant clock left.
	// The fresh-food ticket's clock is 24 h, and the test clock has not moved.
	if !regexp.MustCompile(`^(1天0小时|23:5\d:\d\d)$`).MatchString(first) {
		t.Fatalf("the first countdown shows %q, want the 24 h merchant clock nearly whole", first)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](
		`document.querySelector("#queue tbody tr:first-child time.countdown").textContent !== `+jsString(first),
		chromedp.WithPollingTimeout(2*time.Second))); err != nil {
		t.Fatalf("the countdown %q did not change within 2 s: %v", first, err)
	}
	screenshot(t, ctx, "queue-foundation")

	// Keyboard: j j moves to the second row, a approves it in one press.
	second, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelectorAll("#queue tbody tr")[1].dataset.ticketNumber`))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent("j"), chromedp.KeyEvent("j"), chromedp.KeyEvent("a"),
		chromedp.WaitVisible(chromedp.CSS(".flash"))); err != nil {
		t.Fatal(err)
	}
	if msg := browserText(t, ctx, ".flash"); !strings.Contains(msg, second+" · 同意") {
		t.Fatalf("after j j a: %q, want the approval of %s", msg, second)
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// browserText reads the text of the first element matching sel.
func browserText(t testing.TB, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// waitFor polls a JavaScript condition for up to ten seconds (the machine may be busy).
func waitFor(t testing.TB, ctx context.Context, what, cond string) {
	t.Helper()
	// A poll that a navigation interrupts is polled again on the new page.
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(time.Until(deadline))))
		if err == nil {
			return
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
	}
}

func TestBrowserOpenSeePhotosApprove(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "破损测试商家")
	tk := storetest.MustTicket(t, e.store, m.ID, anxin.Damaged, 5900)
	storetest.MustPhoto(t, e.store, tk.ID, "parcel")
	storetest.MustPhoto(t, e.store, tk.ID, "item")
	later := storetest.MustTicket(t, e.store, m.ID, anxin.QualityReturn, 12900)
	browserLogin(t, ctx, e.srv.URL, storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))

	// Keyboard: j makes the first row current, Enter opens it.
	if err := chromedp.Do(ctx, chromedp.KeyEvent("j"), chromedp.KeyEvent("\r"), chromedp.WaitVisible(chromedp.CSS("#ticket"))); err != nil {
		t.Fatal(err)
	}
	if n := browserText(t, ctx, "#ticket h1 .mono"); n != tk.Number {
		t.Fatalf("opened %s, want %s", n, tk.Number)
	}
	waitFor(t, ctx, "both photos to load",
		`[...document.querySelectorAll("#photos .photo-thumb img")].filter(i => i.complete && i.naturalWidth > 0).length === 2`)
	screenshot(t, ctx, "ticket")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#ticket button[data-action=approve]"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the approval on the timeline", `document.querySelector("#timeline li[data-action=approve]") !== null`)
	if s := browserText(t, ctx, "#ticket-state"); s != "退款中" {
		t.Fatalf("state after approving a damaged parcel: %q", s)
	}
	if href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#next-ticket").getAttribute("href")`)); err != nil || href != "/tickets/"+later.Number {
		t.Fatalf("next ticket offered: %q %v", href, err)
	}
	screenshot(t, ctx, "ticket-approved")
}

func TestBrowserDoubleClickRefundPaysOnce(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "玉颜美妆旗舰店")
	tk := storetest.MustTicket(t, e.store, m.ID, anxin.QualityReturn, 36800)
	browserLogin(t, ctx, e.srv.URL, storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/tickets/"+tk.Number),
		chromedp.DoubleClick(chromedp.CSS("#ticket button[data-action=refund]")),
	); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the refund", `document.querySelector("#ticket-state").textContent === "退款中"`)
	time.Sleep(300 * time.Millisecond) // let a second request, if any, land
	if n := countRefunds(t, e, tk.ID); n != 1 {
		t.Fatalf("%d refund rows", n)
	}
	events, _ := e.store.Timeline(ctx, anxin.AllMerchants(), tk.ID)
	if refunds := countActions(events, anxin.Refund); refunds != 1 {
		t.Fatalf("%d refund events on the timeline", refunds)
	}
	if ok, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("h1").textContent.includes("出错")`)); ok {
		t.Fatal("a double click showed an error page")
	}
}

func countActions(events []anxin.Event, a anxin.Action) int {
	n := 0
	for _, e := range events {
		if e.Action == a {
			n++
		}
	}
	return n
}

// TestBrowserTwoAgentsRefundOnce: two agents in two browsers have the same
// ticket open and both press refund. One refund; the second page says who
// handled it and shows the ticket as it now is.
func TestBrowserTwoAgentsRefundOnce(t *testing.T) {
	one, two := newBrowser(t), newBrowser(t)
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "贵州茅乡名酒行")
	tk := storetest.MustTicket(t, e.store, m.ID, anxin.QualityReturn, 109900)
	browserLogin(t, one, e.srv.URL, storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	browserLogin(t, two, e.srv.URL, storetest.MustUser(t, e.store, anxin.RoleAgent, "陈静", 0))
	for _, b := range []context.Context{one, two} {
		if err := chromedp.Do(b, chromedp.Navigate(e.srv.URL+"/tickets/"+tk.Number), chromedp.WaitVisible(chromedp.CSS("#ticket"))); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, two, "the presence marker", `document.querySelector("#presence").textContent.includes("王晓")`)
	if err := chromedp.Do(one, chromedp.Click(chromedp.CSS("#ticket button[data-action=refund]"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, one, "the first refund", `document.querySelector("#outcome[data-outcome=done]") !== null`)
	if err := chromedp.Do(two, chromedp.Click(chromedp.CSS("#ticket button[data-action=refund]"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, two, "the already-handled answer", `document.querySelector("#outcome[data-outcome=handled]") !== null`)
	msg := browserText(t, two, "#outcome")
	if !strings.Contains(msg, "已由 王晓 于") || browserText(t, two, "#ticket-state") != "退款中" {
		t.Fatalf("the second agent sees %q", msg)
	}
	if n := countRefunds(t, e, tk.ID); n != 1 {
		t.Fatalf("%d refund rows", n)
	}
	screenshot(t, two, "ticket-already-handled")
}

// TestBrowserLiveQueue: the queue updates itself when another agent acts,
// keeping the agent's selection and scroll position.
func TestBrowserLiveQueue(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "义乌优品家居百货")
	var tickets []anxin.Ticket
	for range 40 {
		tickets = append(tickets, storetest.MustTicket(t, e.store, m.ID, anxin.Damaged, 3990))
	}
	browserLogin(t, ctx, e.srv.URL, storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	picked := "#sel-" + tickets[2].Number
	// "j" makes the first row the current one; then a ticket is picked.
	if err := chromedp.Do(ctx, chromedp.KeyEvent("j"), chromedp.Click(chromedp.CSS(picked))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 400)`)); err != nil {
		t.Fatal(err)
	}
	colleague := storetest.MustUser(t, e.store, anxin.RoleAgent, "陈静", 0)
	if _, err := e.store.Decide(ctx, tickets[0].ID, anxin.Decision{Action: anxin.Reject, Actor: colleague.Actor(), Reason: "照片无法证明问题"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the row to change by itself",
		`document.querySelector("tr[data-ticket-number=`+tickets[0].Number+`] .badge").textContent === "已拒绝"`)
	if checked, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("`+picked+`").checked`)); !checked {
		t.Fatal("the live refresh lost the selection")
	}
	if y, _ := chromedp.Run(ctx, chromedp.Evaluate[float64](`window.scrollY`)); y != 400 {
		t.Fatalf("the live refresh moved the page to %v", y)
	}
	waitFor(t, ctx, "the current row to stay current",
		`document.querySelector("#queue tbody tr.is-current")?.dataset.ticketNumber === "`+tickets[0].Number+`"`)
	fresh := storetest.MustTicket(t, e.store, m.ID, anxin.FreshSpoiled, 6800) // due sooner: goes to the top
	waitFor(t, ctx, "the new ticket to arrive",
		`document.querySelector("#queue tbody tr").dataset.ticketNumber === "`+fresh.Number+`"`)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`)); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "queue")
}

// axeViolation is what axe-core reports for one rule.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// checkAccessibility runs axe-core (web/testdata, from npm) on the page and
// fails on any violation of the WCAG 2 A/AA rules.
func checkAccessibility(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "axe-4.14.1.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](string(src))); err != nil {
		t.Fatalf("loading axe-core: %v", err)
	}
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
		.then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))})))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("running axe-core on %s: %v", page, err)
	}
	for _, v := range vs {
		t.Errorf("%s: %s (%s): %s at %v", page, v.ID, v.Impact, v.Help, v.Nodes)
	}
}

func TestBrowserAccessibility(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "昆明斗南鲜花园艺")
	tk := storetest.MustTicket(t, e.store, m.ID, anxin.FreshSpoiled, 8990)
	storetest.MustPhoto(t, e.store, tk.ID, "product")
	storetest.MustTicketIn(t, e.store, m.ID, anxin.Arbitration, 12900)
	agent := storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0)

	if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/login")); err != nil {
		t.Fatal(err)
	}
	checkAccessibility(t, ctx, "login")
	browserLogin(t, ctx, e.srv.URL, agent)
	checkAccessibility(t, ctx, "queue")
	if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/tickets/"+tk.Number)); err != nil {
		t.Fatal(err)
	}
	checkAccessibility(t, ctx, "ticket")
	// The same pages in English, and at a tablet's width.
	// The old page has a #ticket too: wait for the English one.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("button[name=lang][value=en]"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the English page", `document.documentElement.lang === "en" && document.readyState === "complete" && !!document.querySelector("#ticket")`)
	checkAccessibility(t, ctx, "ticket (en)")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(768, 1024), chromedp.Navigate(e.srv.URL+"/queue")); err != nil {
		t.Fatal(err)
	}
	checkAccessibility(t, ctx, "queue (en, tablet)")
	screenshot(t, ctx, "queue-tablet-en")
}

// TestBrowserMerchantApprovesAgentSeesIt: a merchant logs in, sees only its
// own tickets, approves one within its deadline, and an agent's open queue
// shows the change without a reload.
func TestBrowserMerchantApprovesAgentSeesIt(t *testing.T) {
	merchantTab, agentTab := newBrowser(t), newBrowser(t)
	e := newEnv(t)
	mine := storetest.MustMerchant(t, e.store, "玉颜美妆旗舰店")
	other := storetest.MustMerchant(t, e.store, "义乌优品家居百货")
	tk := storetest.MustTicket(t, e.store, mine.ID, anxin.QualityReturn, 36800)
	hidden := storetest.MustTicket(t, e.store, other.ID, anxin.Damaged, 3990)

	browserLogin(t, agentTab, e.srv.URL, storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	if s := browserText(t, agentTab, "tr[data-ticket-number="+tk.Number+"] .badge"); s != "待商家处理" {
		t.Fatalf("the agent sees %q", s)
	}

	merchant := storetest.MustUser(t, e.store, anxin.RoleMerchant, "林娜", mine.ID)
	browserLogin(t, merchantTab, e.srv.URL, merchant)
	if err := chromedp.Do(merchantTab,
		chromedp.Navigate(e.srv.URL+"/queue"),
		chromedp.WaitVisible(chromedp.CSS("#queue")),
	); err != nil {
		t.Fatal(err)
	}
	numbers, err := chromedp.Run(merchantTab, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#queue tbody tr")].map(r => r.dataset.ticketNumber)`))
	if err != nil || len(numbers) != 1 || numbers[0] != tk.Number {
		t.Fatalf("the merchant's queue shows %v (another merchant's %s must not be there)", numbers, hidden.Number)
	}
	if err := chromedp.Do(merchantTab,
		chromedp.Click(chromedp.CSS("tr[data-ticket-number="+tk.Number+"] a[data-open]")),
		chromedp.WaitVisible(chromedp.CSS("#ticket")),
	); err != nil {
		t.Fatal(err)
	}
	if over, _ := chromedp.Run(merchantTab, chromedp.Evaluate[bool](`!document.querySelector("#ticket time.countdown").textContent.startsWith("逾期")`)); !over {
		t.Fatal("the ticket's countdown says it is overdue")
	}
	if err := chromedp.Do(merchantTab, chromedp.Click(chromedp.CSS("#ticket button[data-action=approve]"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, merchantTab, "the approval", `document.querySelector("#ticket-state").textContent === "待买家退货"`)
	waitFor(t, agentTab, "the agent's queue to show it", `document.querySelector("tr[data-ticket-number=`+tk.Number+`] .badge").textContent === "待买家退货"`)
	screenshot(t, merchantTab, "merchant-ticket-approved")
}

// TestBrowserNotesAndComments: an agent writes an internal note and a
// comment to the merchant, choosing which; the merchant, in its own
// browser, sees the comment come in live and never the note, and answers.
func TestBrowserNotesAndComments(t *testing.T) {
	agentTab, shopTab := newBrowser(t), newBrowser(t)
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "东莞虎门服装厂")
	tk := storetest.MustTicket(t, e.store, m.ID, anxin.QualityReturn, 45900)
	browserLogin(t, agentTab, e.srv.URL, storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	shop := storetest.MustUser(t, e.store, anxin.RoleMerchant, "阿梅", m.ID)
	browserLogin(t, shopTab, e.srv.URL, shop)
	if err := chromedp.Do(shopTab,
		chromedp.Navigate(e.srv.URL+"/tickets/"+tk.Number),
		chromedp.WaitVisible(chromedp.CSS("#ticket")),
	); err != nil {
		t.Fatal(err)
	}
	write := func(tab context.Context, body, visibility string) {
		t.Helper()
		acts := []chromedp.Action[chromedp.Void]{chromedp.SendKeys(chromedp.CSS("#note-body"), body)}
		if visibility != "" {
			acts = append(acts, chromedp.Click(chromedp.CSS("input[name=visibility][value="+visibility+"]")))
		}
		acts = append(acts, chromedp.Click(chromedp.CSS("#notes ~ form button[type=submit]")))
		if err := chromedp.Do(tab, acts...); err != nil {
			t.Fatal(err)
		}
		waitFor(t, tab, "the note to show", `document.querySelector("#notes").textContent.includes(`+jsString(body)+`)`)
	}
	if err := chromedp.Do(agentTab, chromedp.Navigate(e.srv.URL+"/tickets/"+tk.Number), chromedp.WaitVisible(chromedp.CSS("#ticket"))); err != nil {
		t.Fatal(err)
	}
	write(agentTab, "买家第三次申请，注意核实", "internal")
	write(agentTab, "请补充开线处的近照", "shared")
	// The merchant's page says the ticket changed (the comment, not the note).
	waitFor(t, shopTab, "the changed banner", `!document.querySelector("#changed-banner").hidden`)
	if err := chromedp.Do(shopTab, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#notes"))); err != nil {
		t.Fatal(err)
	}
	notes := browserText(t, shopTab, "#notes")
	if strings.Contains(notes, "注意核实") || !strings.Contains(notes, "请补充开线处的近照") {
		t.Fatalf("the merchant reads %q", notes)
	}
	write(shopTab, "已拍照，稍后上传", "")
	screenshot(t, shopTab, "ticket-comments-merchant")
	if err := chromedp.Do(agentTab, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#notes"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, agentTab, "three notes", `document.querySelectorAll("#notes li").length === 3 && document.querySelectorAll("#notes li[data-shared=false]").length === 1`)
	screenshot(t, agentTab, "ticket-notes-agent")
}
