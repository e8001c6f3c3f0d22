package web_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/photo/phototest"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// newEnvUndo is an env whose refunds pressed by people wait 10 s.
func newEnvUndo(t testing.TB) *env {
	t.Helper()
	clock := anxin.NewManualClock(storetest.Epoch)
	cfg := storetest.Config(clock)
	cfg.RefundUndo = 10 * time.Second
	s := storetest.MustOpenWith(t, filepath.Join(t.TempDir(), "anxin.db"), cfg)
	e := &env{t: t, store: s, clock: clock, config: webConfig()}
	e.serve()
	return e
}

// TestPartialAward: an agent rules for the buyer with an amount (部分裁决):
// above what remains is refused with the amount kept in the form; the
// amount is paid once and the timeline says the award was partial.
func TestPartialAward(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "昆明斗南鲜花园艺")
	tk := storetest.MustTicketIn(t, e.store, m.ID, anxin.Arbitration, 4500)
	c := e.client()
	c.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	_, doc := c.get("/tickets/" + tk.Number)
	if doc.Find(`#ticket [data-form-action=rule_buyer] input[name=amount]`).Length() != 1 {
		t.Fatal("the ruling for the buyer has no amount to name")
	}
	path := "/tickets/" + tk.Number + "/actions/rule_buyer"
	res, doc := c.post(path, url.Values{"version": {fmt.Sprint(tk.Version)}, "amount": {"45.01"}, "reason": {"双方各有责任"}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("an award above what remains: %s", res.Status)
	}
	if v := doc.Find("#award-amount").AttrOr("value", ""); v != "45.01" {
		t.Errorf("the amount typed is lost: %q", v)
	}
	if !strings.Contains(doc.Find("#outcome").Text(), "超过剩余可退金额") {
		t.Errorf("the refusal does not say what remains: %q", doc.Find("#outcome").Text())
	}
	res, _ = c.post(path, url.Values{"version": {fmt.Sprint(tk.Version)}, "amount": {"20"}, "reason": {"双方各有责任"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("partial award: %s", res.Status)
	}
	_, doc = c.get(res.Header.Get("Location"))
	li := doc.Find("#timeline li[data-action=rule_buyer]")
	if li.Length() != 1 || li.Find(".amount").Text() != "¥20.00" || !strings.Contains(li.Text(), "部分裁决：双方各有责任") {
		t.Fatalf("the timeline says %q", li.Text())
	}
	r, err := e.store.Refund(ctx, anxin.AllMerchants(), tk.ID)
	if err != nil || r.AmountFen != 2000 {
		t.Fatalf("refund %+v, %v", r, err)
	}
	// Pressed again from the same page: already handled, nothing more paid.
	if res, _ = c.post(path, url.Values{"version": {fmt.Sprint(tk.Version)}, "amount": {"20"}}); res.StatusCode != http.StatusConflict {
		t.Fatalf("a second press: %s", res.Status)
	}
	if got, _ := e.store.Ticket(ctx, anxin.AllMerchants(), tk.ID); got.RefundedFen != 2000 {
		t.Fatalf("refunded %d after the second press", got.RefundedFen)
	}
}

// newTicketFields is a fresh-food claim received rcvd before now, as an
// agent types it.
func newTicketFields(e *env, m anxin.Merchant, order string, rcvd time.Duration) map[string]string {
	zone, _ := time.LoadLocation("Asia/Shanghai")
	at := func(d time.Duration) string { return e.clock.Now().Add(-d).In(zone).Format("2006-01-02T15:04") }
	return map[string]string{"merchant": m.Code, "service": string(anxin.FreshSpoiled), "order_id": order,
		"product": "云南鲜切玫瑰 20枝", "paid": "89.90", "ordered_at": at(rcvd + 72*time.Hour),
		"shipped_at": at(rcvd + 48*time.Hour), "received_at": at(rcvd), "buyer_name": "李女士",
		"buyer_phone": "13800138000", "reason": "花瓣发黑"}
}

// TestNewTicketPage: an agent enters a claim taken on the phone. Bad input
// comes back with what was typed and the message by its field; an
// out-of-window claim is refused with the window's message unless the
// override is ticked with a reason, which is then on the timeline and in
// the audit log; a double submit opens one ticket; photos are checked by
// their content.
func TestNewTicketPage(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "昆明斗南鲜花园艺")
	c := e.client()
	c.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	_, doc := c.get("/queue")
	if doc.Find(`a[href="/tickets/new"]`).Length() == 0 {
		t.Fatal("no 新建工单 link in the agent's top bar")
	}
	res, doc := c.get("/tickets/new")
	if res.StatusCode != http.StatusOK || doc.Find(`form[data-testid=new-ticket] select[name=merchant] option[value="`+m.Code+`"]`).Length() != 1 {
		t.Fatalf("the form: %s", res.Status)
	}

	// A paid amount that is not money: the form again, as typed.
	f := newTicketFields(e, m, "DY-PHONE-1", 25*time.Hour)
	f["paid"] = "89,90"
	res, body := c.upload("/tickets/new", nil, f, false)
	doc = parse(t, body)
	if res.StatusCode != http.StatusUnprocessableEntity || doc.Find(`.field-error[data-field="order.paid_fen"]`).Length() != 1 {
		t.Fatalf("a bad amount: %s %s", res.Status, doc.Find(".field-error, #form-error").Text())
	}
	if doc.Find("#nt-paid").AttrOr("value", "") != "89,90" || doc.Find("#nt-order_id").AttrOr("value", "") != "DY-PHONE-1" ||
		doc.Find("#nt-reason").Text() != "花瓣发黑" || doc.Find("#nt-merchant option[selected]").AttrOr("value", "") != m.Code {
		t.Fatal("the typed input is lost")
	}

	// Received 25 h ago: fresh food is claimed within 24 h.
	f["paid"] = "89.90"
	res, body = c.upload("/tickets/new", nil, f, false)
	doc = parse(t, body)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find("#form-error").Text(), "须在签收后1天内申请") {
		t.Fatalf("out of window: %s %q", res.Status, doc.Find("#form-error").Text())
	}
	if doc.Find("[data-testid=override].override-needed").Length() != 1 {
		t.Fatal("the override is not offered")
	}
	// Ticked without a reason.
	f["override"] = "1"
	res, body = c.upload("/tickets/new", nil, f, false)
	doc = parse(t, body)
	if res.StatusCode != http.StatusUnprocessableEntity || doc.Find(`.field-error[data-field=override]`).Length() != 1 ||
		doc.Find("#nt-override[checked]").Length() != 1 {
		t.Fatalf("an override without its reason: %s", res.Status)
	}
	// A reason too long.
	f["override_reason"] = strings.Repeat("长", anxin.MaxOverrideLen+1)
	if res, _ = c.upload("/tickets/new", nil, f, false); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("an override reason too long: %s", res.Status)
	}
	// A file that is not a photo.
	f["override_reason"] = "买家住院，家属来电代为申请"
	res, body = c.upload("/tickets/new", []file{{"invoice.jpg", phototest.HTML()}}, f, false)
	doc = parse(t, body)
	if res.StatusCode != http.StatusUnprocessableEntity || doc.Find(`.field-error[data-field=photos]`).Length() != 1 {
		t.Fatalf("a file that is not a photo: %s", res.Status)
	}
	if n := ticketCount(t, e); n != 0 {
		t.Fatalf("%d tickets after refusals", n)
	}

	// Accepted with the override and a photo.
	pic := []file{{"rose.jpg", phototest.JPEG(phototest.Scene(5, 400, 300), 85)}}
	res, _ = c.upload("/tickets/new", pic, f, false)
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/tickets/AX-") {
		t.Fatalf("with the override: %s", res.Status)
	}
	where := res.Header.Get("Location")
	_, doc = c.get(where)
	create := doc.Find("#timeline li[data-action=create]")
	if !strings.Contains(create.Text(), "买家住院，家属来电代为申请") || !strings.Contains(create.Text(), "王晓") {
		t.Fatalf("the timeline's first entry: %q", create.Text())
	}
	if doc.Find("#timeline li[data-action=photo_added]").Length() != 1 {
		t.Error("the photo is not on the ticket")
	}
	// Submitted again (the double click): the same ticket.
	res, _ = c.upload("/tickets/new", pic, f, false)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != where || ticketCount(t, e) != 1 {
		t.Fatalf("a double submit: %s %s, %d tickets", res.Status, res.Header.Get("Location"), ticketCount(t, e))
	}
	log, err := e.store.AuditLog(ctx, 0, 5)
	if err != nil || len(log) == 0 || log[0].Action != "override_claim" || !strings.HasPrefix(log[0].Detail, "买家住院") {
		t.Fatalf("audit log %+v %v", log, err)
	}
	// Without a CSRF token nothing is made.
	f2 := newTicketFields(e, m, "DY-PHONE-2", time.Hour)
	f2["_csrf"] = ""
	if res, _ = c.upload("/tickets/new", nil, f2, false); res.StatusCode != http.StatusForbidden || ticketCount(t, e) != 1 {
		t.Fatalf("without CSRF: %s", res.Status)
	}
	// A merchant has no such page.
	mc := e.client()
	mc.login(storetest.MustUser(t, e.store, anxin.RoleMerchant, "店员", m.ID))
	if res, _ := mc.get("/tickets/new"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a merchant's GET: %s", res.Status)
	}
	if res, _ := mc.upload("/tickets/new", nil, newTicketFields(e, m, "DY-PHONE-3", time.Hour), false); res.StatusCode != http.StatusForbidden || ticketCount(t, e) != 1 {
		t.Fatalf("a merchant's POST: %s", res.Status)
	}
	_, doc = mc.get("/queue")
	if doc.Find(`a[href="/tickets/new"]`).Length() != 0 {
		t.Error("a merchant is offered 新建工单")
	}
}

func parse(t *testing.T, body []byte) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func ticketCount(t *testing.T, e *env) int {
	t.Helper()
	var n int
	if err := storetest.DB(t, e.store).QueryRow(`SELECT count(*) FROM tickets`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestUndoRefundOnThePage: a refund pressed on the page shows 撤销 with the
// seconds left; one press takes it back; after the time it is gone.
func TestUndoRefundOnThePage(t *testing.T) {
	e := newEnvUndo(t)
	m := storetest.MustMerchant(t, e.store, "昆明斗南鲜花园艺")
	tk := storetest.MustTicket(t, e.store, m.ID, anxin.FreshSpoiled, 8990)
	c := e.client()
	c.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	c.get("/tickets/" + tk.Number)
	res, _ := c.post("/tickets/"+tk.Number+"/actions/refund", url.Values{"version": {fmt.Sprint(tk.Version)}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("refund: %s", res.Status)
	}
	_, doc := c.get(res.Header.Get("Location"))
	undo := doc.Find("[data-testid=undo-refund] button[data-action=undo_refund]")
	if undo.Length() != 1 || !strings.Contains(undo.Text(), "撤销") || !strings.Contains(undo.Text(), "剩 10 秒") {
		t.Fatalf("the undo button: %q", undo.Text())
	}
	version := doc.Find("[data-testid=undo-refund] input[name=version]").AttrOr("value", "")
	e.clock.Advance(3 * time.Second)
	res, _ = c.post("/tickets/"+tk.Number+"/undo-refund", url.Values{"version": {version}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("undo: %s", res.Status)
	}
	_, doc = c.get(res.Header.Get("Location"))
	if doc.Find("#ticket").AttrOr("data-state", "") != string(anxin.PendingMerchant) || doc.Find("[data-testid=undo-refund]").Length() != 0 {
		t.Fatalf("after undo: %s", doc.Find("#ticket").AttrOr("data-state", ""))
	}
	li := doc.Find("#timeline li[data-action=undo_refund]")
	if li.Length() != 1 || !strings.Contains(li.Text(), "王晓") || !strings.Contains(li.Text(), "撤销退款") {
		t.Fatalf("the timeline says %q", li.Text())
	}
	// The same undo again (a second press from the stale page): refused.
	if res, _ = c.post("/tickets/"+tk.Number+"/undo-refund", url.Values{"version": {version}}); res.StatusCode != http.StatusConflict {
		t.Fatalf("a second undo: %s", res.Status)
	}
	// Refund again, wait it out: no undo, and an undo is refused as too late.
	fresh, _ := e.store.Ticket(ctx, anxin.AllMerchants(), tk.ID)
	c.get("/tickets/" + tk.Number)
	c.post("/tickets/"+tk.Number+"/actions/refund", url.Values{"version": {fmt.Sprint(fresh.Version)}})
	fresh, _ = e.store.Ticket(ctx, anxin.AllMerchants(), tk.ID)
	e.clock.Advance(10 * time.Second)
	_, doc = c.get("/tickets/" + tk.Number)
	if doc.Find("[data-testid=undo-refund]").Length() != 0 {
		t.Fatal("撤销 still offered after its time")
	}
	res, doc = c.post("/tickets/"+tk.Number+"/undo-refund", url.Values{"version": {fmt.Sprint(fresh.Version)}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find("#outcome").Text(), "不能再撤销") {
		t.Fatalf("a late undo: %s %q", res.Status, doc.Find("#outcome").Text())
	}
}
