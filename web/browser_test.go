package web_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
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
	ctx, cancelTimeout := context.WithTimeout(bctx, 60*time.Second)
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

// newTab opens another tab of the same browser: the same cookies, another page.
func newTab(t testing.TB, browser context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	return ctx
}

// browserLogin logs in through the login form.
func browserLogin(t testing.TB, ctx context.Context, base string, u anxin.User) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.SendKeys(chromedp.CSS("#email"), u.Email),
		chromedp.SendKeys(chromedp.CSS("#password"), storetest.Password),
		chromedp.Click(chromedp.CSS("form[action='/login'] button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#queue")),
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

// useRealClock makes the server's clock the wall clock, as the browser's is.
func useRealClock(e *env) { e.store.Clock = anxin.SystemClock{} }

func TestBrowserQueue(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t)
	useRealClock(e)
	m := storetest.MustMerchant(t, e.store, "昆明斗南鲜花园艺")
	for _, svc := range []anxin.ServiceKey{anxin.QualityReturn, anxin.FreshSpoiled, anxin.Damaged, anxin.NoReason7d} {
		storetest.MustTicket(t, e.store, m.ID, svc, 8990)
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
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](
		`document.querySelector("#queue tbody tr:first-child time.countdown").textContent !== `+jsString(first),
		chromedp.WithPollingTimeout(2*time.Second))); err != nil {
		t.Fatalf("the countdown %q did not change within 2 s: %v", first, err)
	}
	screenshot(t, ctx, "queue-foundation")
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
