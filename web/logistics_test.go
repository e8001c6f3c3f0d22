package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// TestReturnAddressOnTheTicketPage: the merchant approves a 7-day return on
// the page; the page shows the address it sent (phone masked), the buyer's
// thread has it whole, {return_address} renders it, and another address may
// be sent until the buyer ships.
func TestReturnAddressOnTheTicketPage(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "虎门服装")
	own, err := e.store.SaveReturnAddress(ctx, storetest.Admin, anxin.ReturnAddress{MerchantID: m.ID, Name: "阿梅",
		Phone: "13912345678", Region: "广东省 东莞市 虎门镇", Street: "连升路 88 号", Default: true})
	if err != nil {
		t.Fatal(err)
	}
	admin := storetest.MustUser(t, e.store, anxin.RoleAdmin, "管理员", 0)
	if _, err := e.store.SaveMacro(ctx, admin.Actor(), anxin.Macro{Title: "退货地址", Body: "请寄回：{return_address}"}); err != nil {
		t.Fatal(err)
	}
	tk := storetest.MustTicket(t, e.store, m.ID, anxin.NoReason7d, 8900)
	c := e.client()
	c.login(storetest.MustUser(t, e.store, anxin.RoleMerchant, "阿梅", m.ID))

	_, doc := c.get("/tickets/" + tk.Number)
	if doc.Find(`[data-testid=logistics]`).Length() != 1 || doc.Find(`[data-testid=return-address]`).Length() != 0 {
		t.Fatal("a pending return shows the panel without an address")
	}
	// Before one is sent, the macro takes the default.
	if got := doc.Find(`[data-macro-list] li`).AttrOr("data-text", ""); got != "请寄回：阿梅 13912345678 广东省 东莞市 虎门镇 连升路 88 号" {
		t.Fatalf("the macro before approval: %q", got)
	}
	res, _ := c.post("/tickets/"+tk.Number+"/actions/approve", actionForm(anxin.Approve, tk.Version, e.clock.Now()))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %s", res.Status)
	}
	_, doc = c.get("/tickets/" + tk.Number)
	addr := doc.Find(`[data-testid=return-address]`).Text()
	if !strings.Contains(addr, "阿梅 139****5678 广东省 东莞市 虎门镇 连升路 88 号") || strings.Contains(addr, "13912345678") {
		t.Fatalf("the address shown: %q", addr)
	}
	if msg := doc.Find(`li.msg-system .msg-body`).Text(); !strings.Contains(msg, "13912345678 广东省 东莞市 虎门镇 连升路 88 号") {
		t.Fatalf("the buyer was told %q", msg)
	}
	// The book changes; the ticket keeps what it sent; the macro reads it.
	own.Street = "连升路 99 号"
	if _, err := e.store.SaveReturnAddress(ctx, storetest.Admin, own); err != nil {
		t.Fatal(err)
	}
	_, doc = c.get("/tickets/" + tk.Number)
	if got := doc.Find(`[data-macro-list] li`).AttrOr("data-text", ""); !strings.HasSuffix(got, "连升路 88 号") {
		t.Fatalf("the macro after an edit of the book: %q", got)
	}
	// Send another: the second address of the book.
	second := storetest.MustAddress(t, e.store, m.ID, "二号仓")
	_, doc = c.get("/tickets/" + tk.Number)
	if doc.Find(`#send-address option`).Length() != 3 {
		t.Fatalf("the book offers %d addresses", doc.Find(`#send-address option`).Length())
	}
	frag := c.htmx(t, "/tickets/"+tk.Number+"/address", url.Values{"address": {fmt.Sprint(second.ID)}})
	if !strings.Contains(frag, "二号仓 0571-****6666") {
		t.Fatalf("after sending another: %s", frag)
	}
	// Another merchant's address cannot be sent.
	other := storetest.MustMerchant(t, e.store, "别家")
	book, _ := e.store.ReturnAddresses(ctx, anxin.AllMerchants(), other.ID)
	if status, _ := c.htmxStatus(t, "/tickets/"+tk.Number+"/address", url.Values{"address": {fmt.Sprint(book[0].ID)}}); status != http.StatusNotFound {
		t.Fatalf("another merchant's address: %d", status)
	}
}

// TestReturnAddressSettings: the merchant keeps its own book on its settings
// page, an admin any merchant's; an address without a phone is refused with
// the message next to the phone field.
func TestReturnAddressSettings(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "虎门服装")
	c := e.client()
	c.login(storetest.MustUser(t, e.store, anxin.RoleMerchant, "阿梅", m.ID))
	_, doc := c.get("/settings/addresses")
	if doc.Find(`#addresses li[data-default=true]`).Length() != 1 || !strings.Contains(doc.Find("#addresses").Text(), "0571-****6666") {
		t.Fatalf("the book: %s", doc.Find("#addresses").Text())
	}
	form := url.Values{"name": {"阿梅"}, "phone": {""}, "region": {"广东省 东莞市"}, "street": {"连升路 88 号"}}
	res, doc := c.post("/settings/addresses", form)
	if res.StatusCode != http.StatusUnprocessableEntity || doc.Find(`.field-error[data-field="address.phone"]`).Text() != "请填写电话" ||
		doc.Find(`#address-phone[aria-invalid=true]`).Length() != 1 || doc.Find(`#address-street`).AttrOr("value", "") != "连升路 88 号" {
		t.Fatalf("no phone: %s %q", res.Status, doc.Find(".field-error").Text())
	}
	form.Set("phone", "12345")
	if _, doc := c.post("/settings/addresses", form); !strings.Contains(doc.Find(`.field-error[data-field="address.phone"]`).Text(), "11 位手机号") {
		t.Fatalf("a bad phone: %q", doc.Find(".field-error").Text())
	}
	form.Set("phone", "13800138000")
	form.Set("default", "1")
	if res, _ := c.post("/settings/addresses", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a good address: %s", res.Status)
	}
	list, _ := e.store.ReturnAddresses(ctx, anxin.AllMerchants(), m.ID)
	if len(list) != 2 || list[0].Street != "连升路 88 号" || !list[0].Default {
		t.Fatalf("the book after: %+v", list)
	}
	// The old default can go now.
	if res, _ := c.post(fmt.Sprintf("/settings/addresses/%d/delete", list[1].ID), nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %s", res.Status)
	}
	// The last is the default and may go too; deleting the default while
	// others remain is refused on the page.
	storetest.MustAddress(t, e.store, m.ID, "二号仓")
	res, doc = c.post(fmt.Sprintf("/settings/addresses/%d/delete", list[0].ID), nil)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find("#form-error").Text(), "请先将其他地址设为默认") {
		t.Fatalf("deleting the default: %s %q", res.Status, doc.Find("#form-error").Text())
	}
	// The merchant cannot open the admin's page of its own book.
	if res, _ := c.get("/admin/merchants/" + m.Code + "/addresses"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a merchant on the admin page: %s", res.Status)
	}
	// An admin keeps any merchant's, audited.
	a := e.client()
	a.login(storetest.MustUser(t, e.store, anxin.RoleAdmin, "管理员", 0))
	_, doc = a.get("/admin/merchants/" + m.Code)
	if href := doc.Find(`[data-testid=merchant-addresses]`).AttrOr("href", ""); href != "/admin/merchants/"+m.Code+"/addresses" {
		t.Fatalf("the merchant's admin page links %q", href)
	}
	form.Set("street", "管理员添加的地址")
	if res, _ := a.post("/admin/merchants/"+m.Code+"/addresses", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("an admin's address: %s", res.Status)
	}
	_, doc = a.get("/admin/audit")
	if !strings.Contains(doc.Text(), "管理员添加的地址") {
		t.Fatal("the admin's change is not in the audit log")
	}
}

// TestLogisticsPanel: the carrier's reports show on the ticket page as the
// parcel's panel; the pickup slot is offered and shown in the display zone,
// never as raw UTC; a slot off the grid is refused on the page.
func TestLogisticsPanel(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "虎门服装")
	tk := storetest.MustTicketIn(t, e.store, m.ID, anxin.AwaitingReturn, 45900)
	c := e.client()
	c.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))

	// The clock is at 09:00 in Beijing: today's first slot, 09:00-11:00,
	// ends 2 h from now, the latest it may be booked.
	_, doc := c.get("/tickets/" + tk.Number)
	opts := doc.Find(`select#slot option:not([value=""])`) // after the empty choice it starts on
	if opts.Length() != 15 || opts.First().AttrOr("value", "") != "2026-11-26T09:00" || opts.First().Text() != "11-26 周四 09:00–11:00" {
		t.Fatalf("%d slots, first %q %q", opts.Length(), opts.First().AttrOr("value", ""), opts.First().Text())
	}
	off := actionForm(anxin.BookPickup, tk.Version, e.clock.Now())
	off.Set("slot", "2026-11-27T10:00")
	res, doc := c.post("/tickets/"+tk.Number+"/actions/pickup_booked", off)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find("#outcome").Text(), "上门取件时段为每段") {
		t.Fatalf("a slot off the grid: %s %q", res.Status, doc.Find("#outcome").Text())
	}
	on := actionForm(anxin.BookPickup, tk.Version, e.clock.Now())
	on.Set("slot", "2026-11-27T13:00")
	if res, _ := c.post("/tickets/"+tk.Number+"/actions/pickup_booked", on); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a slot on the grid: %s", res.Status)
	}
	_, doc = c.get("/tickets/" + tk.Number)
	if got := doc.Find(`[data-testid=pickup-slot]`).Text(); !strings.Contains(got, "11-27") || !strings.Contains(got, "13:00–15:00") {
		t.Fatalf("the booked slot: %q", got)
	}
	booked := doc.Find(`#timeline li[data-action=pickup_booked] .detail`).First().Text()
	if !strings.Contains(booked, "13:00–15:00") || strings.Contains(booked, "T05:00:00Z") {
		t.Fatalf("the booking on the timeline: %q", booked)
	}
	// The courier collects it, the carrier delivers it.
	scope := anxin.Scope{MerchantID: m.ID}
	r := anxin.LogisticsReport{Direction: anxin.DirReturn, Carrier: "京东物流", Tracking: "JD0001", Status: anxin.ShipPickedUp, At: e.clock.Now()}
	if _, _, err := e.store.ReportLogistics(ctx, scope, tk.ID, r, store.IdempotencyKey{}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(5 * time.Hour)
	r.Status, r.At = anxin.ShipDelivered, e.clock.Now()
	if _, _, err := e.store.ReportLogistics(ctx, scope, tk.ID, r, store.IdempotencyKey{}); err != nil {
		t.Fatal(err)
	}
	_, doc = c.get("/tickets/" + tk.Number)
	panel := doc.Find(`[data-testid=logistics]`)
	if panel.Find(`[data-testid=tracking]`).Text() != "JD0001" || panel.Find(`[data-testid=shipment-status]`).Text() != "已签收" ||
		panel.Find(`li[data-ship-status]`).Length() != 2 || doc.Find("#ticket-state").Text() != "已签收，待验货" {
		t.Fatalf("the panel: %q %q %d, state %q", panel.Find(`[data-testid=tracking]`).Text(),
			panel.Find(`[data-testid=shipment-status]`).Text(), panel.Find(`li[data-ship-status]`).Length(), doc.Find("#ticket-state").Text())
	}
	// The pickup's 运费险 line is in the settlement, capped at ¥19.35.
	if line := panel.Find(`[data-line=postage]`).Text(); !strings.Contains(line, "¥19.35") || !strings.Contains(line, "上门取件") {
		t.Fatalf("the postage line: %q", line)
	}
}
