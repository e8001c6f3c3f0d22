package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/photo"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/anxin-helpdesk/anxin/web/webhook"
	"github.com/chromedp/chromedp"
)

// TestBrowserAdminIntegrations: an admin makes an API key and registers a
// webhook in a real browser, then sees a failing delivery with its attempt.
func TestBrowserAdminIntegrations(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnvConfig(t, photo.Options{}, allowPrivateWebhooks)
	m := storetest.MustMerchant(t, e.store, "昆明斗南鲜花园艺")
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "payment system down", http.StatusServiceUnavailable)
	}))
	defer rcv.Close()
	browserLogin(t, ctx, e.srv.URL, storetest.MustUser(t, e.store, anxin.RoleAdmin, "系统管理员", 0))

	err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/admin/apikeys"),
		chromedp.SendKeys(chromedp.CSS("#key-name"), "斗南ERP"),
		chromedp.SetValue(chromedp.CSS("#key-scope"), m.Code), // the merchant's own system
		chromedp.Click(chromedp.CSS("form[action='/admin/apikeys'] button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("[data-testid=secret]")),
	)
	if err != nil {
		t.Fatal(err)
	}
	secret, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("[data-testid=secret]")))
	if err != nil || !strings.HasPrefix(secret, "axk_") {
		t.Fatalf("the new key's secret %q: %v", secret, err)
	}
	screenshot(t, ctx, "admin-apikeys")

	err = chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/admin/webhooks"),
		chromedp.SendKeys(chromedp.CSS("#hook-url"), rcv.URL+"/refunds"),
		chromedp.Click(chromedp.CSS("input[value='refund.requested']")),
		chromedp.Click(chromedp.CSS("form[action='/admin/webhooks'] button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#deliveries")),
	)
	if err != nil {
		t.Fatal(err)
	}
	// A claim through the API, refunded at intake: refund.requested goes out and fails.
	api := &apiEnv{env: e, key: secret, merchant: m}
	if res := api.call("POST", "/api/v1/tickets", api.claim(8990)); res.status != http.StatusCreated {
		t.Fatalf("intake: %d %s", res.status, res.body)
	}
	snd := webhook.NewSender(e.store, webhook.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), AllowPrivate: true})
	if _, err := snd.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS("#deliveries [data-attempt-status='503']")),
	)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#deliveries")))
	for _, want := range []string{"refund.requested", "重试中", "payment system down"} {
		if !strings.Contains(text, want) {
			t.Errorf("the deliveries lack %q: %s", want, text)
		}
	}
	screenshot(t, ctx, "admin-webhook-deliveries")
	chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/admin/webhooks"))
	screenshot(t, ctx, "admin-webhooks")
}
