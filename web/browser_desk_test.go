package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/jobs"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/chromedp/chromedp"
)

// TestBrowserDesk: an agent enters a claim taken on the phone 25 hours
// after a fresh-food order was received: refused with the window's rule,
// then accepted with an override reason, which the timeline shows. The
// agent approves its refund and presses 撤销 within the 10 s: the ticket is
// back where it was. Approved again and left alone, the refund is handed
// over when its time is up (the test clock advanced, the scheduler run) and
// paid once.
func TestBrowserDesk(t *testing.T) {
	tab := newBrowser(t)
	e := newEnvUndo(t)
	m := storetest.MustMerchant(t, e.store, "昆明斗南鲜花园艺")
	agent := storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0)
	browserLogin(t, tab, e.srv.URL, agent)

	zone, _ := time.LoadLocation("Asia/Shanghai")
	at := func(d time.Duration) string { return e.clock.Now().Add(-d).In(zone).Format("2006-01-02T15:04") }
	if err := chromedp.Do(tab,
		chromedp.Click(chromedp.CSS("[data-testid=new-ticket-link]")),
		chromedp.WaitVisible(chromedp.CSS("form[data-testid=new-ticket]")),
		chromedp.SetValue(chromedp.CSS("#nt-merchant"), m.Code),
		chromedp.SetValue(chromedp.CSS("#nt-service"), string(anxin.FreshSpoiled)),
		chromedp.SendKeys(chromedp.CSS("#nt-order_id"), "DY-PHONE-7781"),
		chromedp.SendKeys(chromedp.CSS("#nt-product"), "增城挂绿荔枝 5斤"),
		chromedp.SendKeys(chromedp.CSS("#nt-paid"), "389"),
		chromedp.SetValue(chromedp.CSS("#nt-ordered_at"), at(100*time.Hour)),
		chromedp.SetValue(chromedp.CSS("#nt-shipped_at"), at(60*time.Hour)),
		chromedp.SetValue(chromedp.CSS("#nt-received_at"), at(25*time.Hour)),
		chromedp.SendKeys(chromedp.CSS("#nt-buyer_name"), "周先生"),
		chromedp.SendKeys(chromedp.CSS("#nt-buyer_phone"), "13712345678"),
		chromedp.SendKeys(chromedp.CSS("#nt-reason"), "荔枝发酸霉变"),
		chromedp.Click(chromedp.CSS("button[data-action=create-ticket]")),
		chromedp.WaitVisible(chromedp.CSS("#form-error")),
	); err != nil {
		t.Fatal(err)
	}
	if msg := browserText(t, tab, "#form-error"); !strings.Contains(msg, "须在签收后1天内申请") {
		t.Fatalf("the refusal reads %q", msg)
	}
	if v := browserValue(t, tab, "#nt-order_id"); v != "DY-PHONE-7781" {
		t.Fatalf("the order number typed is lost: %q", v)
	}
	screenshot(t, tab, "desk-new-ticket-refused")
	if err := chromedp.Do(tab,
		chromedp.Click(chromedp.CSS("#nt-override")),
		chromedp.SendKeys(chromedp.CSS("#nt-override-reason"), "买家来电：签收当天已拍照，次日才打通客服电话"),
		chromedp.Click(chromedp.CSS("button[data-action=create-ticket]")),
		chromedp.WaitVisible(chromedp.CSS("#ticket")),
	); err != nil {
		t.Fatal(err)
	}
	if tl := browserText(t, tab, "#timeline li[data-action=create]"); !strings.Contains(tl, "次日才打通客服电话") || !strings.Contains(tl, "王晓") {
		t.Fatalf("the timeline's claim reads %q", tl)
	}
	screenshot(t, tab, "desk-ticket-override")

	// Approve, then 撤销 within the window.
	if err := chromedp.Do(tab,
		chromedp.Click(chromedp.CSS("#ticket button[data-action=approve]")),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=undo-refund] button[data-action=undo_refund]")),
	); err != nil {
		t.Fatal(err)
	}
	if b := browserText(t, tab, "[data-testid=undo-refund] button"); !strings.Contains(b, "撤销") || !strings.Contains(b, "秒") {
		t.Fatalf("the undo button reads %q", b)
	}
	screenshot(t, tab, "desk-undo-offered")
	e.clock.Advance(2 * time.Second)
	if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS("[data-testid=undo-refund] button[data-action=undo_refund]"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, tab, "the ticket back with the merchant", `document.querySelector("#ticket").dataset.state === "pending_merchant" && !document.querySelector("[data-testid=undo-refund]")`)
	if tl := browserText(t, tab, "#timeline li[data-action=undo_refund]"); !strings.Contains(tl, "王晓") || !strings.Contains(tl, "撤销退款") {
		t.Fatalf("the timeline's undo reads %q", tl)
	}

	// Approve again and let it go: handed over after 10 s, paid once.
	if err := chromedp.Do(tab,
		chromedp.Click(chromedp.CSS("#ticket button[data-action=approve]")),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=undo-refund]")),
	); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(10 * time.Second)
	sch, err := jobs.NewScheduler(e.store, jobs.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	r, err := sch.Tick(ctx)
	if err != nil || r.HandedOver != 1 || r.Refunds.Done != 1 {
		t.Fatalf("the scheduler's round: handed over %d, paid %d: %v", r.HandedOver, r.Refunds.Done, err)
	}
	if err := chromedp.Do(tab, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#ticket"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, tab, "the ticket refunded", `document.querySelector("#ticket").dataset.state === "refunded" && !document.querySelector("[data-testid=undo-refund]")`)
	var live, cancelled int
	db := storetest.DB(t, e.store)
	db.QueryRow(`SELECT count(*) FROM refunds WHERE amount_fen = 38900 AND status = 'succeeded'`).Scan(&live)
	db.QueryRow(`SELECT count(*) FROM refunds_cancelled`).Scan(&cancelled)
	if live != 1 || cancelled != 1 {
		t.Fatalf("%d refunds paid and %d cancelled, want 1 and 1", live, cancelled)
	}
	screenshot(t, tab, "desk-refunded")
}

// browserValue is the value of the form field the selector finds.
func browserValue(t testing.TB, ctx context.Context, sel string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).value`, sel)))
	if err != nil {
		t.Fatalf("value of %s: %v", sel, err)
	}
	return v
}
