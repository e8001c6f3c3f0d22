package web_test

import (
	"bytes"
	"encoding/csv"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// export downloads a CSV and returns its rows, checking the BOM.
func (c *client) export(t *testing.T, path string) [][]string {
	t.Helper()
	res, err := c.http.Get(c.e.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("%s: %s %s", path, res.Status, res.Header)
	}
	if !bytes.HasPrefix(body, []byte("\xEF\xBB\xBF")) || !bytes.Contains(body, []byte("\r\n")) {
		t.Fatalf("%s: no BOM or CRLF: %q", path, body[:min(len(body), 40)])
	}
	rows, err := csv.NewReader(bytes.NewReader(body[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestExportQueueView: every row of the view (more than a page), in
// Chinese, yuan and the display zone; phones masked except for admins; a
// merchant's own only; each export in the audit log.
func TestExportQueueView(t *testing.T) {
	e := newEnv(t)
	a := storetest.MustMerchant(t, e.store, "昆明斗南鲜花园艺")
	b := storetest.MustMerchant(t, e.store, "鲜果园")
	for range 230 {
		storetest.MustTicket(t, e.store, a.ID, anxin.FreshSpoiled, 8990)
	}
	storetest.MustTicket(t, e.store, b.ID, anxin.FreshSpoiled, 1234)
	agent, admin, shop := e.client(), e.client(), e.client()
	agent.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	admin.login(storetest.MustUser(t, e.store, anxin.RoleAdmin, "管理员", 0))
	shop.login(storetest.MustUser(t, e.store, anxin.RoleMerchant, "周洋", b.ID))

	_, doc := agent.get("/queue")
	href := doc.Find("a[data-export]").AttrOr("href", "")
	rows := agent.export(t, href)
	if len(rows) != 232 || rows[0][0] != "工单号" || rows[0][8] != "申请金额（元）" {
		t.Fatalf("%d rows, header %v", len(rows), rows[0])
	}
	if r := rows[1]; r[8] != "89.90" || r[7] != "138****8000" || r[1] != "待商家处理" || r[10] != "2026-11-26 09:00:00" {
		t.Fatalf("a row %v", r)
	}
	if rows := admin.export(t, "/queue/export?merchant="+itoa(b.ID)); len(rows) != 2 || rows[1][7] != "13800138000" || rows[1][8] != "12.34" {
		t.Fatalf("the admin's export %v", rows)
	}
	rows = shop.export(t, "/queue/export")
	if len(rows) != 2 || rows[1][3] != "鲜果园" {
		t.Fatalf("the merchant exported %d rows: %v", len(rows), rows)
	}
	if rows := shop.export(t, "/queue/export?merchant="+itoa(a.ID)); len(rows) != 1 {
		t.Fatalf("the merchant exported another's: %v", rows)
	}
	log, err := e.store.AuditLog(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	exports := 0
	for _, l := range log {
		if l.Action == "export_tickets" {
			exports++
		}
	}
	if exports != 4 || log[0].Detail != "0 rows" || log[3].Detail != "231 rows" {
		t.Fatalf("%d exports in the audit log: %+v", exports, log)
	}
}

// TestExportAllTickets: every ticket in every state, newest first, a
// merchant's own only, audited.
func TestExportAllTickets(t *testing.T) {
	e := newEnv(t)
	a := storetest.MustMerchant(t, e.store, "昆明斗南鲜花园艺")
	b := storetest.MustMerchant(t, e.store, "鲜果园")
	refunded := storetest.MustTicketIn(t, e.store, a.ID, anxin.Refunded, 8990)
	for range 210 {
		storetest.MustTicket(t, e.store, a.ID, anxin.Damaged, 3990)
	}
	storetest.MustTicket(t, e.store, b.ID, anxin.Damaged, 3990)
	agent, shop := e.client(), e.client()
	agent.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	shop.login(storetest.MustUser(t, e.store, anxin.RoleMerchant, "周洋", b.ID))
	_, doc := agent.get("/queue")
	rows := agent.export(t, doc.Find("a[data-export-all]").AttrOr("href", ""))
	if len(rows) != 213 || rows[212][0] != refunded.Number || rows[212][1] != "已退款" {
		t.Fatalf("%d rows, last %v", len(rows), rows[len(rows)-1])
	}
	if rows := agent.export(t, "/tickets/export?state=refunded"); len(rows) != 2 || rows[1][0] != refunded.Number {
		t.Fatalf("refunded only: %v", rows)
	}
	if rows := shop.export(t, "/tickets/export?merchant="+itoa(a.ID)); len(rows) != 2 || rows[1][3] != "鲜果园" {
		t.Fatalf("the merchant's export: %v", rows)
	}
	log, _ := e.store.AuditLog(ctx, 0, 5)
	if len(log) < 3 || log[0].Action != "export_tickets" || log[0].Detail != "1 rows" || log[2].Detail != "212 rows" {
		t.Fatalf("audit log %+v", log)
	}
}
