package web_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/anxin-helpdesk/anxin/web/webhook"
)

// offerEnv is an API env with a ¥399 fresh-food claim (not refunded at
// intake) and its merchant logged in on the pages.
func offerEnv(t *testing.T) (*apiEnv, *client, int64, string) {
	t.Helper()
	e := newAPIEnv(t)
	res := e.call("POST", "/api/v1/tickets", e.claim(39900))
	tk := res.ticket(t)
	if tk.State != string(anxin.PendingMerchant) {
		t.Fatalf("claim: %d %s", res.status, res.body)
	}
	c := e.client()
	c.login(storetest.MustUser(t, e.store, anxin.RoleMerchant, "花姐", e.merchant.ID))
	return e, c, tk.ID, tk.Number
}

func TestOfferFormRefusesBadAmounts(t *testing.T) {
	e, c, id, number := offerEnv(t)
	for _, tt := range []struct{ amount, reason, want string }{
		{"0", "瑕疵", "协商金额须大于"},
		{"399", "瑕疵", "须低于买家申请的"},
		{"400", "瑕疵", "须低于买家申请的"},
		{"3O", "瑕疵", "金额"},
		{"30", "   ", "请填写给买家的协商说明"},
	} {
		tk, _ := e.store.Ticket(ctx, anxin.AllMerchants(), id)
		res, doc := c.post("/tickets/"+number+"/actions/offer", url.Values{"version": {fmt.Sprint(tk.Version)},
			"amount": {tt.amount}, "reason": {tt.reason}})
		out := doc.Find("#outcome[data-outcome=refused]").Text()
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(out, tt.want) {
			t.Errorf("offer of %q: %s %q, want 422 saying %q", tt.amount, res.Status, out, tt.want)
		}
		// The refused input stays in the form.
		if got := doc.Find("#offer-amount").AttrOr("value", ""); got != tt.amount {
			t.Errorf("offer of %q: the form shows %q", tt.amount, got)
		}
	}
	if after, _ := e.store.Ticket(ctx, anxin.AllMerchants(), id); after.State != anxin.PendingMerchant || after.OffersMade != 0 {
		t.Fatalf("refused offers changed the ticket: %s, %d made", after.State, after.OffersMade)
	}
}

func TestOfferAcceptedThroughTheAPIPaysOnce(t *testing.T) {
	e, c, id, number := offerEnv(t)
	var mu sync.Mutex
	var hooks []received
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		hooks = append(hooks, received{r.Header.Get("X-Anxin-Event"), body})
		mu.Unlock()
	}))
	defer rcv.Close()
	if _, err := e.store.CreateWebhook(ctx, anxin.Webhook{URL: rcv.URL, Secret: "whsec-0123456789abcdef",
		Events: []anxin.WebhookEvent{anxin.EventOfferMade}}); err != nil {
		t.Fatal(err)
	}
	tk, _ := e.store.Ticket(ctx, anxin.AllMerchants(), id)
	res, doc := c.post("/tickets/"+number+"/actions/offer", url.Values{"version": {fmt.Sprint(tk.Version)},
		"amount": {"30"}, "reason": {"花瓣少量发黑，退 ¥30 可以吗"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("offer: %s %s", res.Status, doc.Find("#outcome").Text())
	}
	_, doc = c.get("/tickets/" + number)
	if got := doc.Find("[data-testid=pending-offer-amount]").Text(); got != "¥30.00" {
		t.Errorf("pending offer shows %q", got)
	}
	if doc.Find("[data-testid=pending-offer] time.countdown").Length() != 1 {
		t.Error("the pending offer has no countdown")
	}

	// The platform reads the offer and hears of it.
	got := e.call("GET", fmt.Sprintf("/api/v1/tickets/%d", id), nil)
	e.doc.checkResponse(t, "GET", "/api/v1/tickets/{id}", got.status, got.body)
	api := got.ticket(t)
	if api.State != "offer_pending" || api.Offer == nil || api.Offer.AmountFen != 3000 || api.Offer.Message != "花瓣少量发黑，退 ¥30 可以吗" ||
		!api.Offer.ExpiresAt.Equal(e.clock.Now().Add(24*time.Hour)) || api.OffersMade != 1 || api.Offer.By != "merchant" {
		t.Fatalf("the API's offer: %s", got.body)
	}
	snd := webhook.NewSender(e.store, webhook.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), AllowPrivate: true})
	if _, err := snd.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if len(hooks) != 1 || hooks[0].event != "ticket.offer_made" {
		t.Fatalf("webhooks: %v", hooks)
	}
	e.doc.checkBody(t, "ticket.offer_made", e.doc.resolve(map[string]any{"$ref": "#/components/schemas/Event"}), hooks[0].body)
	var ev struct {
		Data struct {
			Ticket struct {
				Offer struct {
					AmountFen int64 `json:"amount_fen"`
					Message   string
				}
			}
		}
	}
	json.Unmarshal(hooks[0].body, &ev)
	if ev.Data.Ticket.Offer.AmountFen != 3000 || ev.Data.Ticket.Offer.Message == "" {
		t.Fatalf("ticket.offer_made: %s", hooks[0].body)
	}

	// Another merchant's key does not see the ticket.
	other := storetest.MustMerchant(t, e.store, "东莞虎门服装厂")
	_, otherKey, _ := e.store.CreateAPIKey(ctx, "other", anxin.KeyScope{MerchantID: other.ID})
	path := fmt.Sprintf("/api/v1/tickets/%d/events", id)
	if res := e.call("POST", path, map[string]any{"type": "offer_accepted"}, "Authorization", "Bearer "+otherKey); res.status != http.StatusNotFound {
		t.Fatalf("another merchant's key: %d %s", res.status, res.body)
	}
	_, ownKey, _ := e.store.CreateAPIKey(ctx, "own", anxin.KeyScope{MerchantID: e.merchant.ID})

	// Accepted: exactly the offer is paid, once, whatever the retries.
	first := e.call("POST", path, map[string]any{"type": "offer_accepted"}, "Authorization", "Bearer "+ownKey, "Idempotency-Key", "offer-1")
	e.doc.checkResponse(t, "POST", "/api/v1/tickets/{id}/events", first.status, first.body)
	acc := first.ticket(t)
	if first.status != http.StatusOK || acc.State != "refunding" || acc.Refund == nil || acc.Refund.AmountFen != 3000 || acc.Offer != nil {
		t.Fatalf("accepted: %d %s", first.status, first.body)
	}
	again := e.call("POST", path, map[string]any{"type": "offer_accepted"}, "Authorization", "Bearer "+ownKey, "Idempotency-Key", "offer-1")
	if again.status != http.StatusOK || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("the retry: %d %s", again.status, again.body)
	}
	twice := e.call("POST", path, map[string]any{"type": "offer_accepted"})
	if twice.status != http.StatusConflict {
		t.Fatalf("accepted twice: %d %s", twice.status, twice.body)
	}
	var n int
	var sum int64
	storetest.DB(t, e.store).QueryRow(`SELECT count(*), coalesce(sum(amount_fen), 0) FROM refunds WHERE ticket_id = ?`, id).Scan(&n, &sum)
	if n != 1 || sum != 3000 {
		t.Fatalf("%d refunds of %d fen, want one of 3000", n, sum)
	}
}

func TestOfferDeclinedThroughTheAPI(t *testing.T) {
	e, c, id, number := offerEnv(t)
	tk, _ := e.store.Ticket(ctx, anxin.AllMerchants(), id)
	c.post("/tickets/"+number+"/actions/offer", url.Values{"version": {fmt.Sprint(tk.Version)}, "amount": {"100"}, "reason": {"退一百"}})
	e.clock.Advance(2 * time.Hour)
	res := e.call("POST", fmt.Sprintf("/api/v1/tickets/%d/events", id), map[string]any{"type": "offer_declined", "reason": "太少"})
	after := res.ticket(t)
	if res.status != http.StatusOK || after.State != "pending_merchant" || after.Offer != nil || after.OffersMade != 1 {
		t.Fatalf("declined: %d %s", res.status, res.body)
	}
	_, doc := c.get("/tickets/" + number)
	if doc.Find("#offers li[data-answer=declined]").Length() != 1 || doc.Find("[data-testid=pending-offer]").Length() != 0 {
		t.Error("the page does not show the declined offer in the negotiation")
	}
	if doc.Find("form[data-form-action=offer]").Length() != 1 {
		t.Error("the merchant may offer again, and the page does not say so")
	}
}

// TestAdminOfferSettings: the buyer's time to answer and the offers per
// ticket are a merchant's policy settings, bounded, and the ticket page
// follows them.
func TestAdminOfferSettings(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "兰芝美妆")
	a := e.client()
	a.login(storetest.MustUser(t, e.store, anxin.RoleAdmin, "管理员", 0))
	path := "/admin/merchants/" + m.Code + "/policies/quality_return"
	res, _ := a.post(path, url.Values{"enabled": {"1"}, "offer_clock_hours": {"48"}, "max_offers": {"1"}})
	_, pol, _ := e.store.Policy(ctx, m.ID, anxin.QualityReturn)
	if res.StatusCode != http.StatusSeeOther || pol.OfferClock != 48*time.Hour || pol.MaxOffers != 1 {
		t.Fatalf("offer settings: %s %+v", res.Status, pol)
	}
	for _, bad := range []url.Values{{"offer_clock_hours": {"0.5"}}, {"offer_clock_hours": {"200"}}, {"max_offers": {"10"}},
		{"max_offers": {"-1"}}, {"max_offers": {"x"}}} {
		bad.Set("enabled", "1")
		if res, _ := a.post(path, bad); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("offer settings %v: %s", bad, res.Status)
		}
	}
	if _, doc := a.get("/admin/merchants/" + m.Code); doc.Find("tr[data-service=quality_return] input[name=max_offers]").AttrOr("value", "") != "1" {
		t.Error("the admin page does not show the setting")
	}

	tk := storetest.MustTicket(t, e.store, m.ID, anxin.QualityReturn, 36800)
	by := anxin.Actor{Role: anxin.RoleAgent, Name: "王晓"}
	tk, err := e.store.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.Offer, Actor: by, AmountFen: 3000, Reason: "退 ¥30"})
	if err != nil || !tk.Deadline.Equal(e.clock.Now().Add(48*time.Hour)) {
		t.Fatalf("offer under the merchant's clock: due %v, %v", tk.Deadline, err)
	}
	if _, err := e.store.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.OfferDeclined, Actor: anxin.Buyer()}); err != nil {
		t.Fatal(err)
	}
	agent := e.client()
	agent.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	_, doc := agent.get("/tickets/" + tk.Number)
	if doc.Find("form[data-form-action=offer]").Length() != 0 || doc.Find("[data-testid=offers-used-up]").Length() != 1 {
		t.Error("the page offers a second offer where the merchant allows one")
	}
}
