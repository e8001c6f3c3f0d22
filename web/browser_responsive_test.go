package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/demo"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/chromedp/chromedp"
)

// screenSizes are the screens the pages are drawn for: a phone, a tablet
// and a desktop. The narrowest phone (360 px) is checked apart.
var screenSizes = []struct {
	name          string
	width, height int64
	mobile        bool
}{
	{"phone", 390, 844, true},
	{"tablet", 768, 1024, true},
	{"desktop", 1440, 900, false},
}

// screenshotDir is where the responsive test saves its screenshots:
// ANXIN_SCREENSHOTS when set, else a directory of the test's own.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("ANXIN_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(t.TempDir(), "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestBrowserResponsive draws the pages of each role over the demo data on
// a phone, a tablet and a desktop, saving a screenshot of each; on the
// narrowest phone (360 px) no page scrolls sideways, and on a 390 x 844
// phone the ticket's main action is on the first screen, without scrolling.
func TestBrowserResponsive(t *testing.T) {
	e := newDemoEnv(t)
	dir := screenshotDir(t)
	t.Logf("screenshots in %s", dir)
	db := storetest.DB(t, e.store)
	var ticket, merchantEmail string
	var id int64
	// A claim of the apparel shop waiting for a decision, with photos: the
	// page an agent and the merchant both work on.
	if err := db.QueryRow(`SELECT t.id FROM tickets t JOIN merchants m ON m.id = t.merchant_id
		WHERE m.code = 'humen-apparel' AND t.state = 'pending_merchant'
		ORDER BY (SELECT count(*) FROM evidence e WHERE e.ticket_id = t.id) DESC, t.id LIMIT 1`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	ticket, merchantEmail = anxin.TicketNumber(id), "apparel@anxin.demo"
	pages := map[string][]string{
		"agent1@anxin.demo": {"/queue", "/tickets/" + ticket, "/merchants", "/reports", "/norms"},
		merchantEmail:       {"/home", "/queue", "/tickets/" + ticket},
		"admin@anxin.demo":  {"/admin/users", "/admin/merchants/humen-apparel", "/admin/audit", "/admin/webhooks"},
	}
	var ctx context.Context
	shoot := func(name string) {
		t.Helper()
		buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	goTo := func(path string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+path)); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		waitFor(t, ctx, path+" to load", `document.readyState === "complete"`)
	}
	viewport := func(w, h int64, mobile bool) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, h, viewportOpts(mobile)...)); err != nil {
			t.Fatal(err)
		}
	}
	noSideways := func(page string) {
		t.Helper()
		w, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`))
		if err != nil {
			t.Fatal(err)
		}
		if w[0] > w[1] {
			t.Errorf("%s scrolls sideways at 360 px: %d px wide in %d", page, w[0], w[1])
		}
	}

	// Logged out: the login page.
	ctx = newBrowser(t)
	for _, s := range screenSizes {
		viewport(s.width, s.height, s.mobile)
		goTo("/login")
		shoot("login-" + s.name)
	}
	viewport(360, 740, true)
	goTo("/login")
	noSideways("/login")

	for _, email := range []string{"agent1@anxin.demo", merchantEmail, "admin@anxin.demo"} {
		who := strings.Split(email, "@")[0]
		ctx = newBrowser(t)
		if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/login"),
			chromedp.SendKeys(chromedp.CSS("#email"), email),
			chromedp.SendKeys(chromedp.CSS("#password"), demo.Password),
			chromedp.Click(chromedp.CSS("form[action='/login'] button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS("header.topbar")),
		); err != nil {
			t.Fatalf("logging in as %s: %v", email, err)
		}
		for _, s := range screenSizes {
			viewport(s.width, s.height, s.mobile)
			for _, p := range pages[email] {
				goTo(p)
				shoot(fmt.Sprintf("%s-%s-%s", who, pageName(p), s.name))
			}
		}
		viewport(360, 740, true)
		for _, p := range pages[email] {
			goTo(p)
			noSideways(p)
		}
		// The menu opens on a phone, and holds the links at a finger's size.
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector("[data-menu-toggle]").click()`)); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, "the menu to open", `document.querySelector("[data-menu-toggle]").getAttribute("aria-expanded") === "true" &&
			document.querySelector("#topbar-menu nav a").getBoundingClientRect().height >= 44`)
		noSideways("the open menu")
		shoot(who + "-menu-360")

		if email == "admin@anxin.demo" {
			continue
		}
		// The ticket's main action on the first screen of a 390 x 844 phone.
		viewport(390, 844, true)
		goTo("/tickets/" + ticket)
		r, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => {
			const b = document.querySelector("#ticket .actions button[data-action]");
			const r = b.getBoundingClientRect();
			return [r.top, r.bottom, r.height, window.innerHeight, window.scrollY];
		})()`))
		if err != nil {
			t.Fatalf("the main action of %s: %v", ticket, err)
		}
		if r[4] != 0 || r[0] < 0 || r[1] > r[3] || r[2] < 44 {
			t.Errorf("%s on a 390 x 844 phone as %s: the main action spans %.0f-%.0f px (%.0f px high) of a %.0f px screen scrolled %.0f",
				ticket, who, r[0], r[1], r[2], r[3], r[4])
		}
		shoot(who + "-ticket-first-screen-390")
		checkAccessibility(t, ctx, "ticket (phone, "+who+")")
		goTo("/queue")
		checkAccessibility(t, ctx, "queue (phone, "+who+")")
	}
}

func viewportOpts(mobile bool) []chromedp.EmulateViewportOption {
	if mobile {
		return []chromedp.EmulateViewportOption{chromedp.EmulateMobile}
	}
	return nil
}

func pageName(p string) string {
	return strings.Trim(strings.NewReplacer("/", "-", "?", "-", "=", "-").Replace(p), "-")
}
