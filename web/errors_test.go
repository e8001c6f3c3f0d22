package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// TestRefusalsInTheUsersLanguage: what the domain, the store and the pages
// refuse is shown in the user's language, from the refusal's message and
// values rather than its English words.
func TestRefusalsInTheUsersLanguage(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "昆明斗南鲜花园艺")
	admin := storetest.MustUser(t, e.store, anxin.RoleAdmin, "管理员", 0)
	agent := storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0)
	tk := storetest.MustTicket(t, e.store, m.ID, anxin.FreshSpoiled, 8990)
	type check struct {
		path   string
		form   url.Values // nil: GET
		sel    string
		status int
		zh, en string
	}
	checks := map[*anxin.User][]check{
		&admin: {
			// The role's message has a value: its Chinese used to be keyed by the English format, so it never matched.
			{"/admin/users", url.Values{"email": {"x@y.test"}, "name": {"x"}, "role": {"boss"}}, "#form-error", 422,
				`角色无效："boss"`, `the role must be admin, agent or merchant, not "boss"`},
			{"/admin/webhooks", url.Values{"url": {"https://example.com/h"}, "secret": {"short"}, "events": {"ticket.created"}},
				"#webhook-error", 422, "签名密钥至少 16 个字符", "the webhook secret must be at least 16 characters"},
			{"/admin/merchants/" + m.Code, url.Values{"name": {m.Name}, "instant_max": {"lots"}}, "#form-error", 422,
				"请填写数字", "a number is needed"},
		},
		&agent: {
			{"/tickets/" + tk.Number + "/actions/reject", url.Values{"version": {fmt.Sprint(tk.Version)}}, "#outcome", 422,
				"请填写原因", "a reason is required"},
			{"/tickets/" + tk.Number + "/actions/refund", url.Values{"version": {fmt.Sprint(tk.Version)}, "amount": {"12,5.0.1"}},
				"#outcome", 422, "金额须为元，例如 12.50", "the amount must be a number of yuan, like 12.50"},
			{"/admin/users", nil, "main", http.StatusForbidden, "客服账号不能访问此页面", "this page is not for a agent account"},
		},
	}
	for u, cs := range checks {
		for _, lang := range []string{"zh", "en"} {
			if err := e.store.SetLang(ctx, u.ID, lang); err != nil {
				t.Fatal(err)
			}
			c := e.client()
			c.login(*u)
			for _, ch := range cs {
				var res *http.Response
				var got string
				if ch.form == nil {
					r, doc := c.get(ch.path)
					res, got = r, doc.Find(ch.sel).Text()
				} else {
					c.get(strings.SplitN(ch.path, "/actions/", 2)[0]) // the page the form is on
					r, doc := c.post(ch.path, ch.form)
					res, got = r, doc.Find(ch.sel).Text()
				}
				want := ch.zh
				if lang == "en" {
					want = ch.en
				}
				if res.StatusCode != ch.status || !strings.Contains(got, want) {
					t.Errorf("%s %s (%s): %s %q, want %d with %q", u.Role, ch.path, lang, res.Status, strings.TrimSpace(got), ch.status, want)
				}
			}
		}
	}
}
