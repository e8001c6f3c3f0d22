package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/photo"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/anxin-helpdesk/anxin/web"
	"github.com/anxin-helpdesk/anxin/web/webhook"
)

func TestAdminPagesAreForAdmins(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/admin/apikeys", "/admin/webhooks"} {
		c := e.client()
		if res, _ := c.get(path); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
			t.Errorf("anonymous %s: %s", path, res.Status)
		}
		for _, role := range []anxin.Role{anxin.RoleAgent, anxin.RoleMerchant} {
			var merchant int64
			if role == anxin.RoleMerchant {
				merchant = storetest.MustMerchant(t, e.store, "m").ID
			}
			c := e.client()
			c.login(storetest.MustUser(t, e.store, role, string(role), merchant))
			if res, _ := c.get(path); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s on %s: %s, want 403", role, path, res.Status)
			}
		}
	}
}

func TestAdminAPIKeys(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "昆明斗南鲜花园艺")
	admin := e.client()
	admin.login(storetest.MustUser(t, e.store, anxin.RoleAdmin, "管理员", 0))
	res, doc := admin.get("/admin/apikeys")
	if res.StatusCode != http.StatusOK || !strings.Contains(doc.Find("h1").Text(), "API 密钥") || doc.Find("#apikeys tbody tr").Length() != 0 {
		t.Fatalf("the empty page: %s %q", res.Status, doc.Find("h1").Text())
	}
	if res, _ := admin.post("/admin/apikeys", url.Values{"name": {"shop"}, "_csrf": {"forged"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a create without the CSRF token: %s", res.Status)
	}
	if res, doc := admin.post("/admin/apikeys", url.Values{"name": {"  "}, "scope": {"all"}}); res.StatusCode != 422 || doc.Find(".field-error").Length() != 1 {
		t.Fatalf("a nameless key: %s", res.Status)
	}
	// Whom it acts for is a choice: none chosen is refused, with the form kept.
	res, doc = admin.post("/admin/apikeys", url.Values{"name": {"抖店对接"}})
	if res.StatusCode != 422 || !strings.Contains(doc.Find(".field-error").Text(), "请选择密钥代表谁") ||
		doc.Find("#key-name").AttrOr("value", "") != "抖店对接" {
		t.Fatalf("a key without a scope: %s %q", res.Status, doc.Find(".field-error").Text())
	}
	if got := doc.Find("#key-scope option").Length(); got != 3 { // choose, the merchant, all merchants
		t.Fatalf("the scope choice has %d options", got)
	}
	res, doc = admin.post("/admin/apikeys", url.Values{"name": {"斗南ERP"}, "scope": {m.Code}})
	if res.StatusCode != http.StatusOK || !strings.Contains(doc.Find("[data-testid=key-scope]").First().Text(), "商家 "+m.Code) {
		t.Fatalf("a merchant's key: %s, listed as %q", res.Status, doc.Find("[data-testid=key-scope]").First().Text())
	}
	res, doc = admin.post("/admin/apikeys", url.Values{"name": {"抖店对接"}, "scope": {"all"}})
	secret := strings.TrimSpace(doc.Find("[data-testid=secret]").Text())
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(secret, "axk_") || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("create: %s, secret %q", res.Status, secret)
	}
	row := doc.Find("#apikeys tbody tr").First()
	if doc.Find("#apikeys tbody tr").Length() != 2 || !strings.Contains(row.Text(), "抖店对接") || strings.Contains(row.Text(), secret) ||
		strings.TrimSpace(row.Find("[data-testid=key-scope]").Text()) != "全部商家" {
		t.Fatalf("the list shows %q (the secret must not be listed)", row.Text())
	}
	// The key works on the API until revoked.
	api := &apiEnv{env: e, key: secret, merchant: m}
	if r := api.call("GET", "/api/v1/tickets", nil); r.status != 200 {
		t.Fatalf("the new key on the API: %d", r.status)
	}
	if _, doc := admin.get("/admin/apikeys"); doc.Find("[data-testid=secret]").Length() != 0 {
		t.Fatal("the secret was shown again")
	}
	id, _ := row.Attr("data-key-id")
	if res, _ := admin.post("/admin/apikeys/"+id+"/revoke", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %s", res.Status)
	}
	if r := api.call("GET", "/api/v1/tickets", nil); r.status != 401 {
		t.Fatalf("a revoked key on the API: %d", r.status)
	}
	_, doc = admin.get("/admin/apikeys")
	if !strings.Contains(doc.Find(".flash").Text(), "已吊销") || doc.Find("#apikeys tr[data-key-id='"+id+"'] form").Length() != 0 {
		t.Fatalf("after revoking: flash %q", doc.Find(".flash").Text())
	}
}

// allowPrivateWebhooks serves as with --allow-private-webhooks: the test's
// receivers listen on loopback.
func allowPrivateWebhooks(c *web.Config) { c.AllowPrivateWebhooks = true }

// TestWebhooksMayNotReachPrivateAddresses: by default an endpoint on this
// machine or a private network is refused when registered, with the form
// kept and the flag named.
func TestWebhooksMayNotReachPrivateAddresses(t *testing.T) {
	e := newEnv(t)
	admin := e.client()
	admin.login(storetest.MustUser(t, e.store, anxin.RoleAdmin, "管理员", 0))
	admin.get("/admin/webhooks")
	for _, u := range []string{"http://127.0.0.1:8080/hook", "http://localhost/hook", "http://10.1.2.3/pay",
		"http://192.168.1.20/pay", "http://169.254.169.254/latest/meta-data", "http://[::1]/hook", "http://0.0.0.0/hook"} {
		res, doc := admin.post("/admin/webhooks", url.Values{"url": {u}, "events": {"ticket.created"}})
		if res.StatusCode != 422 || !strings.Contains(doc.Find("#webhook-error").Text(), "--allow-private-webhooks") {
			t.Errorf("%s: %s %q", u, res.Status, doc.Find("#webhook-error").Text())
		}
	}
	if hooks, _ := e.store.Webhooks(ctx); len(hooks) != 0 {
		t.Fatalf("%d webhooks stored", len(hooks))
	}
}

func TestAdminWebhooks(t *testing.T) {
	e := newEnvConfig(t, photo.Options{}, allowPrivateWebhooks)
	m := storetest.MustMerchant(t, e.store, "玉颜美妆旗舰店")
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }))
	defer rcv.Close()
	admin := e.client()
	admin.login(storetest.MustUser(t, e.store, anxin.RoleAdmin, "管理员", 0))
	admin.get("/admin/webhooks")

	res, doc := admin.post("/admin/webhooks", url.Values{"url": {"ftp://x"}, "events": {"ticket.created"}})
	if res.StatusCode != 422 || doc.Find("#webhook-error").Length() != 1 || doc.Find("input[name=url]").AttrOr("value", "") != "ftp://x" {
		t.Fatalf("a bad URL: %s", res.Status)
	}
	if res, _ := admin.post("/admin/webhooks", url.Values{"url": {rcv.URL}}); res.StatusCode != 422 {
		t.Fatalf("no events: %s", res.Status)
	}
	res, _ = admin.post("/admin/webhooks", url.Values{"url": {rcv.URL}, "events": {"ticket.created", "refund.failed"},
		"merchant": {strconv.FormatInt(m.ID, 10)}})
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/webhooks/") {
		t.Fatalf("create: %s to %q", res.Status, loc)
	}
	hooks, _ := e.store.Webhooks(ctx)
	if len(hooks) != 1 || hooks[0].MerchantID != m.ID || len(hooks[0].Events) != 2 || !strings.HasPrefix(hooks[0].Secret, "whsec_") {
		t.Fatalf("stored %+v", hooks)
	}

	storetest.MustTicket(t, e.store, m.ID, anxin.Damaged, 3990)
	snd := webhook.NewSender(e.store, webhook.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), AllowPrivate: true})
	snd.Flush(ctx)
	res, doc = admin.get(loc)
	d := doc.Find("#deliveries tbody tr")
	if res.StatusCode != http.StatusOK || d.Length() != 1 || d.AttrOr("data-status", "") != "pending" ||
		d.Find("[data-attempt-status='503']").Length() != 1 || !strings.Contains(d.Text(), "重试中") {
		t.Fatalf("the delivery page: %s, %d rows: %q", res.Status, d.Length(), d.Text())
	}
	if strings.TrimSpace(doc.Find("[data-testid=webhook-secret]").Text()) != hooks[0].Secret {
		t.Fatal("the secret is not on the endpoint's page")
	}
	if res, _ := admin.post(loc+"/active", url.Values{"active": {"0"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %s", res.Status)
	}
	if hooks, _ := e.store.Webhooks(ctx); hooks[0].Active {
		t.Fatal("the endpoint is still active")
	}
	_, doc = admin.get("/admin/webhooks")
	if doc.Find("#webhooks tbody tr").Length() != 1 || !strings.Contains(doc.Find("#webhooks").Text(), "已停用") {
		t.Fatalf("the list: %q", doc.Find("#webhooks").Text())
	}
	if res, _ := admin.get("/admin/webhooks/999"); res.StatusCode != http.StatusNotFound {
		t.Fatalf("an unknown endpoint: %s", res.Status)
	}
}
