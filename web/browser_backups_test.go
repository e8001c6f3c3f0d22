package web_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/photo"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/anxin-helpdesk/anxin/web"
	"github.com/chromedp/chromedp"
)

// TestBrowserBackupsPage: the admin's 备份 page after a backup and a failed
// one, checked with axe-core, in Chinese and in English.
func TestBrowserBackupsPage(t *testing.T) {
	storetest.SQLiteOnly(t, "backups of a SQLite file")
	ctx := newBrowser(t)
	dir := filepath.Join(t.TempDir(), "backups")
	e := newEnvConfig(t, photo.Options{}, func(c *web.Config) {
		c.Backups = web.BackupSchedule{Dir: dir, Every: 24 * time.Hour, Keep: 7}
	})
	m := storetest.MustMerchant(t, e.store, "昆明斗南鲜花园艺")
	storetest.MustPhoto(t, e.store, storetest.MustTicket(t, e.store, m.ID, anxin.FreshSpoiled, 8990).ID, "product")
	blocked := filepath.Join(t.TempDir(), "afile")
	os.WriteFile(blocked, []byte("x"), 0o600)
	if _, err := e.store.Backup(ctx, blocked, store.BackupScheduled); err == nil {
		t.Fatal("a backup into a file succeeded")
	}
	e.clock.Advance(time.Hour)
	if _, err := e.store.Backup(ctx, dir, store.BackupScheduled); err != nil {
		t.Fatal(err)
	}
	browserLogin(t, ctx, e.srv.URL, storetest.MustUser(t, e.store, anxin.RoleAdmin, "系统管理员", 0))
	if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/admin/backups"), chromedp.WaitVisible(chromedp.CSS(`#last-backup [data-result="ok"]`))); err != nil {
		t.Fatal(err)
	}
	checkAccessibility(t, ctx, "backups")
	screenshot(t, ctx, "admin-backups")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("button[name=lang][value=en]"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the English page", `document.documentElement.lang === "en" && document.readyState === "complete" && !!document.querySelector("#last-backup")`)
	if got := browserText(t, ctx, "#last-backup [data-result]"); got != "Written and verified" {
		t.Fatalf("in English the result says %q", got)
	}
	checkAccessibility(t, ctx, "backups (en)")
	screenshot(t, ctx, "admin-backups-en")
}
