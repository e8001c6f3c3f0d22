package web_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/photo"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/anxin-helpdesk/anxin/web"
)

func TestAdminBackupsPage(t *testing.T) {
	storetest.SQLiteOnly(t, "backups of a SQLite file")
	dir := filepath.Join(t.TempDir(), "backups")
	e := newEnvConfig(t, photo.Options{}, func(c *web.Config) {
		c.Backups = web.BackupSchedule{Dir: dir, Every: 24 * time.Hour, Keep: 7}
	})
	a := e.client()
	a.login(storetest.MustUser(t, e.store, anxin.RoleAdmin, "管理员", 0))

	res, doc := a.get("/admin/backups")
	if res.StatusCode != http.StatusOK {
		t.Fatal(res.Status)
	}
	if got := doc.Find("#last-backup").Text(); !strings.Contains(got, "尚未进行过备份") {
		t.Fatalf("before any backup: %q", got)
	}
	if got := doc.Find("#backup-schedule").Text(); !strings.Contains(got, "每 1 天备份一次，保留最近 7 份") || !strings.Contains(got, dir) {
		t.Fatalf("the schedule: %q", got)
	}
	if doc.Find(`nav.tabs a[href="/admin/backups"]`).Text() != "备份" {
		t.Fatal("no 备份 tab")
	}

	storetest.MustTicket(t, e.store, storetest.MustMerchant(t, e.store, "店").ID, anxin.QualityReturn, 9900)
	b, err := e.store.Backup(ctx, dir, store.BackupScheduled)
	if err != nil {
		t.Fatal(err)
	}
	_, doc = a.get("/admin/backups")
	last := doc.Find("#last-backup")
	if last.Find(`[data-result="ok"]`).Text() != "已写入并校验" || last.Find("[data-bytes]").AttrOr("data-bytes", "") != strconv.FormatInt(b.Bytes, 10) ||
		!strings.Contains(last.Text(), b.Path) || !strings.Contains(last.Text(), "1 个工单") || !strings.Contains(last.Text(), "定时") {
		t.Fatalf("the last backup: %q", last.Text())
	}
	if !strings.Contains(doc.Find("#backup-schedule").Text(), "下次") {
		t.Fatal("no next backup time")
	}

	// A backup that failed is the last one, with why.
	e.clock.Advance(time.Hour)
	blocked := filepath.Join(t.TempDir(), "afile")
	os.WriteFile(blocked, []byte("x"), 0o600)
	if _, err := e.store.Backup(ctx, blocked, store.BackupManual); err == nil {
		t.Fatal("a backup into a file succeeded")
	}
	_, doc = a.get("/admin/backups")
	last = doc.Find("#last-backup")
	if last.Find(`[data-result="failed"]`).Text() != "失败" || !strings.Contains(last.Text(), "not a directory") {
		t.Fatalf("the failed backup: %q", last.Text())
	}
	if rows := doc.Find(`#backups tbody tr`); rows.Length() != 2 || rows.First().AttrOr("data-ok", "") != "false" {
		t.Fatalf("%d rows", rows.Length())
	}

	for _, role := range []anxin.Role{anxin.RoleAgent} {
		c := e.client()
		c.login(storetest.MustUser(t, e.store, role, "客服", 0))
		if res, _ := c.get("/admin/backups"); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %s", role, res.Status)
		}
	}
}
