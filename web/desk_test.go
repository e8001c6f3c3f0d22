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
