package web_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/anxin-helpdesk/anxin/web/webhook"
)

// TestRetryAFailedRefund: a refund the payment system declined is labelled
// as failed (never 已退款), its queue row and its page offer a retry, the
// retry pays it under the same refund number, and a second press of the
// same stale page pays nothing more.
func TestRetryAFailedRefund(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "义乌优品家居百货")
	tk := storetest.MustTicketIn(t, e.store, m.ID, anxin.RefundFailed, 2990)
	agent := e.client()
	agent.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))

	_, doc := agent.get("/tickets/" + tk.Number)
	line := doc.Find("[data-testid=refunded]").Parent()
	if label := doc.Find("[data-testid=refunded]").Prev().Text(); label != "退款失败（未到账）" {
		t.Fatalf("the failed refund's line is labelled %q", label)
	}
	if strings.Contains(line.Text(), "已退款") {
		t.Fatalf("the order card says 已退款 of a failed refund: %q", line.Text())
	}
	if got := doc.Find("[data-testid=history-counts]").Text(); !strings.Contains(got, "其中 0 次已退款") {
		t.Fatalf("the buyer's history counts the failed refund: %q", got)
	}
	_, doc = agent.get("/queue")
	if b := doc.Find(`#queue tr[data-ticket-number="` + tk.Number + `"] button[data-action=retry_refund]`); b.Text() != "重试退款" {
		t.Fatal("the queue row of a failed refund offers no retry")
	}

	press := func() int {
		status, _ := agent.htmxStatus(t, "/tickets/"+tk.Number+"/actions/retry_refund", url.Values{"version": {fmt.Sprint(tk.Version)}})
		return status
	}
	if s := press(); s != http.StatusOK {
		t.Fatalf("retry: %d", s)
	}
	if s := press(); s != http.StatusConflict {
		t.Fatalf("the same retry pressed again: %d, want the already-handled answer", s)
	}
	if sw, err := e.store.PayPendingRefunds(ctx); err != nil || sw.Done != 1 {
		t.Fatalf("paying the retried refund: %+v %v", sw, err)
	}
	r, err := e.store.Refund(ctx, anxin.AllMerchants(), tk.ID)
	if err != nil || r.Status != anxin.RefundStatusSucceeded || r.Attempts != 2 || r.Number != anxin.RefundNumber(tk.ID) {
		t.Fatalf("the refund after its retry: %+v %v", r, err)
	}
	if n := countRefunds(t, e, tk.ID); n != 1 {
		t.Fatalf("%d refund rows", n)
	}
	_, doc = agent.get("/tickets/" + tk.Number)
	if label := doc.Find("[data-testid=refunded]").Prev().Text(); label != "已退款" || doc.Find("#ticket-state").Text() != "已退款" {
		t.Fatalf("after the retry: %q, %q", label, doc.Find("#ticket-state").Text())
	}
}

// TestRetryAGivenUpDelivery: a webhook delivery whose endpoint stayed down
// for a day is given up; once the endpoint is back, the admin sends it
// again from its page, the sender delivers it (the same event id), and the
// audit log says so in Chinese.
func TestRetryAGivenUpDelivery(t *testing.T) {
	e := newEnv(t)
	var up atomic.Bool
	var got atomic.Value
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !up.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		b, _ := io.ReadAll(r.Body)
		got.Store(string(b))
		w.WriteHeader(http.StatusNoContent)
	}))
	defer endpoint.Close()
	hook, err := e.store.CreateWebhook(ctx, anxin.Webhook{URL: endpoint.URL + "/hook", Secret: "whsec-0123456789abcdef",
		Events: []anxin.WebhookEvent{anxin.EventTicketCreated}})
	if err != nil {
		t.Fatal(err)
	}
	m := storetest.MustMerchant(t, e.store, "昆明斗南鲜花园艺")
	storetest.MustTicket(t, e.store, m.ID, anxin.FreshSpoiled, 8990)
	snd := webhook.NewSender(e.store, webhook.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), AllowPrivate: true})
	for range 100 {
		if _, err := snd.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		list, _ := e.store.Deliveries(ctx, hook.ID, 1)
		if list[0].Status == anxin.DeliveryFailed {
			break
		}
		e.clock.Set(list[0].NextAt)
	}
	list, _ := e.store.Deliveries(ctx, hook.ID, 1)
	d := list[0]
	if d.Status != anxin.DeliveryFailed {
		t.Fatalf("the delivery was not given up: %+v", d)
	}
	e.clock.Advance(2 * 24 * time.Hour)

	admin := e.client()
	admin.login(storetest.MustUser(t, e.store, anxin.RoleAdmin, "管理员", 0))
	page := fmt.Sprintf("/admin/webhooks/%d", hook.ID)
	_, doc := admin.get(page)
	row := doc.Find(fmt.Sprintf("#delivery-%d", d.ID))
	action, ok := row.Find("form:has(button[data-action=retry-delivery])").Attr("action")
	if !ok || row.Find("button[data-action=retry-delivery]").Text() != "重新发送" {
		t.Fatalf("the given-up delivery offers no retry: %q", row.Text())
	}
	up.Store(true)
	res, _ := admin.post(action, nil)
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), page) {
		t.Fatalf("retry: %s to %q", res.Status, res.Header.Get("Location"))
	}
	if n, err := snd.Flush(ctx); err != nil || n != 1 {
		t.Fatalf("the sender tried %d: %v", n, err)
	}
	body, _ := got.Load().(string)
	if !strings.Contains(body, d.EventID) {
		t.Fatalf("the endpoint got %q, want event %s", body, d.EventID)
	}
	list, _ = e.store.Deliveries(ctx, hook.ID, 1)
	if list[0].Status != anxin.DeliveryDelivered {
		t.Fatalf("after the retry: %s", list[0].Status)
	}
	// Delivered, it is not sent again by hand.
	if res, _ := admin.post(action, nil); res.StatusCode != http.StatusConflict {
		t.Fatalf("retrying a delivered delivery: %s", res.Status)
	}
	_, doc = admin.get("/admin/audit")
	if got := doc.Find("tr[data-audit=retry_delivery]").Text(); !strings.Contains(got, "重新发送推送") || !strings.Contains(got, d.EventID) {
		t.Fatalf("the audit log reads %q", got)
	}
}
