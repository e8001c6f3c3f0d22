package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// actionForm is what a person would fill in for each action.
func actionForm(a anxin.Action, version int64, now time.Time) url.Values {
	f := url.Values{"version": {fmt.Sprint(version)}}
	switch a {
	case anxin.Reject, anxin.RefuseReturn, anxin.RuleForMerchant:
		f.Set("reason_code", "Other")
		f.Set("reason", "checked by the test")
	case anxin.ManualRefund:
		f.Set("reason", "bank transfer 20261126-001")
	case anxin.WriteOff:
		f.Set("reason", "the buyer will not return it")
	case anxin.Offer:
		f.Set("amount", "30")
		f.Set("reason", "signs of use: ¥30 back")
	case anxin.ShipReturn:
		f.Set("tracking", "SF1234567890")
	case anxin.ShipOut:
		f.Set("carrier", "顺丰")
		f.Set("tracking", "SF2234567890")
	case anxin.BookPickup:
		f.Set("slot", now.Add(26*time.Hour).In(shanghai).Format("2006-01-02T15:04"))
	}
	return f
}

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

// TestEveryActionInEveryState posts every action to a ticket in every state,
// as an agent and as the ticket's merchant: allowed exactly where the
// transition table says, and then the ticket is in the state the table names;
// refused elsewhere, with the ticket unchanged and a page, not an error.
func TestEveryActionInEveryState(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "东莞虎门服装厂")
	people := map[anxin.Role]*client{anxin.RoleAgent: e.client(), anxin.RoleMerchant: e.client()}
	people[anxin.RoleAgent].login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	people[anxin.RoleMerchant].login(storetest.MustUser(t, e.store, anxin.RoleMerchant, "阿梅", m.ID))
	svc, _ := anxin.LookupService(anxin.QualityReturn)
	pol := svc.Default

	actions := map[anxin.Action]bool{}
	for tr := range anxin.Transitions() {
		if tr.Action != anxin.Timeout {
			actions[tr.Action] = true
		}
	}
	cases := 0
	for _, state := range anxin.States() {
		for action := range actions {
			for role, c := range people {
				tk := storetest.MustTicketIn(t, e.store, m.ID, state, 9900)
				tr, exists := anxin.Lookup(state, action, pol)
				allowed := exists && tr.Allows(role)
				res, doc := c.post("/tickets/"+tk.Number+"/actions/"+string(action), actionForm(action, tk.Version, e.clock.Now()))
				after, _ := e.store.Ticket(ctx, anxin.AllMerchants(), tk.ID)
				name := fmt.Sprintf("%s %s on %s", role, action, state)
				switch {
				case allowed && (res.StatusCode != http.StatusSeeOther || after.State != tr.To):
					t.Errorf("%s: allowed by the table, got %s, ticket %s (want %s): %s", name, res.Status, after.State, tr.To, doc.Find("#outcome").Text())
				case !allowed && (res.StatusCode != http.StatusUnprocessableEntity || after.Version != tk.Version):
					t.Errorf("%s: refused by the table, got %s, ticket v%d→v%d", name, res.Status, tk.Version, after.Version)
				case !allowed && doc.Find("#outcome[data-outcome=refused]").Length() != 1:
					t.Errorf("%s: the refusal is not shown on the ticket page", name)
				}
				cases++
			}
		}
	}
	t.Logf("%d cases", cases)
}

func TestTicketPage(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "昆明斗南鲜花园艺")
	agent := storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0)
	tk := storetest.MustTicket(t, e.store, m.ID, anxin.FreshSpoiled, 8990)
	e.clock.Advance(2 * time.Hour)
	c := e.client()
	c.login(agent)
	res, doc := c.get("/tickets/" + tk.Number)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("ticket page: %s", res.Status)
	}
	text := doc.Find("#ticket").Text()
	for _, want := range []string{"云南鲜切玫瑰 20枝", "¥89.90", "138****8000", "生鲜坏单包赔", "待商家处理", "花瓣发黑"} {
		if !strings.Contains(text, want) {
			t.Errorf("the ticket page lacks %q", want)
		}
	}
	if strings.Contains(text, "13800138000") {
		t.Error("the buyer's phone is shown unmasked")
	}
	// Claimed an hour after receipt, on a 24 h window; no photos of the one required.
	if w := doc.Find("[data-check=window]").Text(); !strings.Contains(w, "已用 1小时 / 共 1天") || !doc.Find("[data-check=window]").HasClass("ok") {
		t.Errorf("window check %q", w)
	}
	if ev := doc.Find("[data-check=evidence]"); !strings.Contains(ev.Text(), "凭证：买家照片 0 张，至少需要 1 张") || !ev.HasClass("bad") {
		t.Errorf("evidence check %q", ev.Text())
	}
	var got []string
	doc.Find("#ticket [data-action]").Each(func(_ int, s *goquery.Selection) {
		if s.Is("button") {
			got = append(got, s.AttrOr("data-action", ""))
		}
	})
	want := "approve refund refund-partial reject request_evidence escalate offer cancel assign"
	if strings.Join(got, " ") != want {
		t.Errorf("action buttons %v, want %s", got, want)
	}
	if doc.Find("#timeline li[data-action=create][data-actor-role=buyer]").Length() != 1 {
		t.Error("the timeline does not show the buyer's claim")
	}
	if res, _ := c.get("/tickets/AX-999999"); res.StatusCode != http.StatusNotFound {
		t.Errorf("a ticket that does not exist: %s", res.Status)
	}
}

// TestButtonsShowWhatTheyPay: each paying button shows the amount the
// domain would pay for it, and a button that pays nothing new shows none.
func TestButtonsShowWhatTheyPay(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "昆明斗南鲜花园艺")
	c := e.client()
	c.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	fresh := storetest.MustTicket(t, e.store, m.ID, anxin.FreshSpoiled, 8990) // refund only
	quality := storetest.MustTicket(t, e.store, m.ID, anxin.QualityReturn, 36800)
	tests := []struct {
		ticket anxin.Ticket
		action string
		want   string // "" for no amount
	}{
		{fresh, "approve", "¥89.90"},
		{fresh, "refund", "¥89.90"},
		{quality, "approve", ""}, // the goods come back first
		{quality, "refund", "¥368.00"},
		{storetest.MustTicketIn(t, e.store, m.ID, anxin.AwaitingReceipt, 12900), "receive", "¥129.00"},
		{storetest.MustTicketIn(t, e.store, m.ID, anxin.Arbitration, 4500), "rule_buyer", "¥45.00"},
		{storetest.MustTicketIn(t, e.store, m.ID, anxin.RefundFailed, 9900), "retry_refund", ""},
	}
	for _, tt := range tests {
		_, doc := c.get("/tickets/" + tt.ticket.Number)
		b := doc.Find(fmt.Sprintf(`#ticket button[data-action=%q]`, tt.action))
		if b.Length() != 1 {
			t.Errorf("%s %s: %d buttons", tt.ticket.State, tt.action, b.Length())
			continue
		}
		if got := b.Find(".amount").Text(); got != tt.want {
			t.Errorf("%s %s in %s shows %q, want %q", tt.ticket.Service, tt.action, tt.ticket.State, got, tt.want)
		}
	}
}

func TestApproveOffersNextTicket(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "玉颜美妆旗舰店")
	agent := storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0)
	first := storetest.MustTicket(t, e.store, m.ID, anxin.FreshSpoiled, 12900) // 24 h clock: first in the queue
	second := storetest.MustTicket(t, e.store, m.ID, anxin.QualityReturn, 36800)
	c := e.client()
	c.login(agent)
	c.get("/tickets/" + first.Number)
	res, _ := c.post("/tickets/"+first.Number+"/actions/approve", url.Values{"version": {fmt.Sprint(first.Version)}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %s", res.Status)
	}
	_, doc := c.get(res.Header.Get("Location"))
	if doc.Find("#outcome[data-outcome=done]").Length() != 1 {
		t.Fatal("no outcome after approving")
	}
	if href := doc.Find("#next-ticket").AttrOr("href", ""); href != "/tickets/"+second.Number {
		t.Fatalf("next ticket %q, want %s", href, second.Number)
	}
	if doc.Find("#timeline li[data-action=approve]").Length() != 1 {
		t.Fatal("the timeline does not show the approval")
	}
	// Someone else's link cannot claim an action they did not take.
	other := e.client()
	other.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "陈静", 0))
	if _, doc := other.get("/tickets/" + first.Number + "?done=approve"); doc.Find("#outcome").Length() != 0 {
		t.Fatal("?done= showed an outcome for an action the viewer did not take")
	}
}

// TestRaceShowsAlreadyHandled: two agents have the same ticket open and both
// press refund. One refund; the other sees who was first, and the ticket as it is.
func TestRaceShowsAlreadyHandled(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "贵州茅乡名酒行")
	tk := storetest.MustTicket(t, e.store, m.ID, anxin.QualityReturn, 109900)
	alice, bob := e.client(), e.client()
	alice.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	bob.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "陈静", 0))
	form := url.Values{"version": {fmt.Sprint(tk.Version)}}
	if res, _ := alice.post("/tickets/"+tk.Number+"/actions/refund", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("first refund: %s", res.Status)
	}
	res, doc := bob.post("/tickets/"+tk.Number+"/actions/refund", form)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("second refund: %s, want 409 with the ticket", res.Status)
	}
	msg := doc.Find("#outcome[data-outcome=handled]").Text()
	if !strings.Contains(msg, "已由 王晓 于") || !strings.Contains(msg, "退款中") {
		t.Fatalf("the loser sees %q", msg)
	}
	if doc.Find("#ticket-state").Text() != "退款中" {
		t.Fatal("the loser's page does not show the current state")
	}
	if n := countRefunds(t, e, tk.ID); n != 1 {
		t.Fatalf("%d refund rows", n)
	}
}

func countRefunds(t *testing.T, e *env, ticketID int64) int {
	t.Helper()
	_, err := e.store.Refund(ctx, anxin.AllMerchants(), ticketID)
	switch anxin.ErrorCode(err) {
	case "":
		return 1 // the refunds table holds at most one row per ticket (unique)
	case anxin.ENOTFOUND:
		return 0
	}
	t.Fatal(err)
	return 0
}

func TestLargeRefundNeedsConfirmation(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "贵州茅乡名酒行")
	tk := storetest.MustTicket(t, e.store, m.ID, anxin.QualityReturn, 299900)
	c := e.client()
	c.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	form := url.Values{"version": {fmt.Sprint(tk.Version)}}
	res, doc := c.post("/tickets/"+tk.Number+"/actions/refund", form)
	confirm := doc.Find("#outcome[data-outcome=confirm]")
	if res.StatusCode != http.StatusOK || !strings.Contains(confirm.Text(), "¥2,999.00") {
		t.Fatalf("a ¥2,999 refund (over the ¥2,000 default) asks nothing: %s %q", res.Status, confirm.Text())
	}
	if countRefunds(t, e, tk.ID) != 0 {
		t.Fatal("refunded before the confirmation")
	}
	form.Set("confirm", "1")
	form.Set("amount", confirm.Find("input[name=amount]").AttrOr("value", ""))
	if res, _ := c.post("/tickets/"+tk.Number+"/actions/refund", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirmed refund: %s", res.Status)
	}
	if got, _ := e.store.Ticket(ctx, anxin.AllMerchants(), tk.ID); got.RefundedFen != 299900 {
		t.Fatalf("refunded %d", got.RefundedFen)
	}
}

func TestPartialRefundLimits(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "东莞虎门服装厂")
	tk := storetest.MustTicket(t, e.store, m.ID, anxin.QualityReturn, 45900)
	c := e.client()
	c.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	// Only 12, 12.5 or 12.50: no sign dropped, no separators guessed at.
	for _, bad := range []string{"459.01", "abc", "-3", "1.234", "1,0,0", "¥12", "12.", ".5", "1e3", "12 .5", "+12", "0x10"} {
		res, doc := c.post("/tickets/"+tk.Number+"/actions/refund", url.Values{"version": {fmt.Sprint(tk.Version)}, "amount": {bad}})
		if res.StatusCode != http.StatusUnprocessableEntity || doc.Find("#outcome[data-outcome=refused]").Length() != 1 {
			t.Errorf("amount %q: %s", bad, res.Status)
		}
		if doc.Find("#refund-amount").AttrOr("value", "") != bad {
			t.Errorf("amount %q: the form lost what was typed", bad)
		}
	}
	res, _ := c.post("/tickets/"+tk.Number+"/actions/refund", url.Values{"version": {fmt.Sprint(tk.Version)}, "amount": {"100.5"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("partial refund: %s", res.Status)
	}
	if got, _ := e.store.Ticket(ctx, anxin.AllMerchants(), tk.ID); got.RefundedFen != 10050 {
		t.Fatalf("refunded %d fen, want 10050", got.RefundedFen)
	}
}

func TestNotesAndAssignment(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "义乌优品家居百货")
	tk := storetest.MustTicket(t, e.store, m.ID, anxin.Damaged, 3990)
	agent := storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0)
	other := storetest.MustUser(t, e.store, anxin.RoleAgent, "陈静", 0)
	c := e.client()
	c.login(agent)
	if res, _ := c.post("/tickets/"+tk.Number+"/notes", url.Values{"body": {"买家<b>来电</b>"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("note: %s", res.Status)
	}
	if res, _ := c.post("/tickets/"+tk.Number+"/notes", url.Values{"body": {"   "}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("empty note: %s", res.Status)
	}
	if res, _ := c.post("/tickets/"+tk.Number+"/assign", url.Values{"assignee": {fmt.Sprint(other.ID)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("assign: %s", res.Status)
	}
	_, doc := c.get("/tickets/" + tk.Number)
	if html, _ := doc.Find("#notes").Html(); !strings.Contains(html, "买家&lt;b&gt;来电&lt;/b&gt;") {
		t.Fatalf("the note is not shown escaped: %s", html)
	}
	if doc.Find("#assignee option[selected]").Text() != "陈静" {
		t.Fatal("the assignee is not shown")
	}
	// A merchant may neither assign nor bulk-act.
	mc := e.client()
	mc.login(storetest.MustUser(t, e.store, anxin.RoleMerchant, "老陈", m.ID))
	if res, _ := mc.post("/tickets/"+tk.Number+"/assign", url.Values{"assignee": {fmt.Sprint(agent.ID)}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a merchant assigning: %s", res.Status)
	}
}

func TestOneClickApproveFromTheQueue(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "昆明斗南鲜花园艺")
	tk := storetest.MustEvidence(t, e.store, storetest.MustTicket(t, e.store, m.ID, anxin.FreshSpoiled, 8990))
	c := e.client()
	c.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	_, doc := c.get("/queue?tab=all")
	btn := doc.Find("tr[data-ticket-number=" + tk.Number + "] button[data-action=approve]")
	action, form := btn.AttrOr("formaction", ""), btn.AttrOr("form", "")
	if action != "/tickets/"+tk.Number+"/actions/approve" || doc.Find("form#"+form).Length() != 1 {
		t.Fatalf("the row's approve button posts to %q through form %q", action, form)
	}
	res, _ := c.post(action, url.Values{"version": {btn.AttrOr("value", "")}, "back": {doc.Find("form#"+form+" input[name=back]").AttrOr("value", "")}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/queue" {
		t.Fatalf("one-click approve: %s to %q", res.Status, res.Header.Get("Location"))
	}
	_, doc = c.get("/queue")
	if !strings.Contains(doc.Find(".flash").Text(), tk.Number+" · 同意 ✓") {
		t.Fatalf("no confirmation on the queue: %q", doc.Find(".flash").Text())
	}
	if got, _ := e.store.Ticket(ctx, anxin.AllMerchants(), tk.ID); got.State != anxin.Refunding {
		t.Fatalf("state %s", got.State)
	}
}
