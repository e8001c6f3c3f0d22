package web_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/photo"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/anxin-helpdesk/anxin/web/api"
	"github.com/anxin-helpdesk/anxin/web/webhook"
	"github.com/chromedp/chromedp"
)

// TestBrowserReplyWithAMacro: a buyer's message arrives on the open ticket
// page without a reload; the agent types / in the reply box, finds a canned
// reply by its title, sends it, and the platform's webhook receiver gets the
// text rendered with the ticket's values.
func TestBrowserReplyWithAMacro(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnvConfig(t, photo.Options{}, allowPrivateWebhooks)
	m := storetest.MustMerchant(t, e.store, "昆明斗南鲜花园艺")
	admin := storetest.MustUser(t, e.store, anxin.RoleAdmin, "管理员", 0)
	if _, err := e.store.SaveMacro(ctx, admin.Actor(), anxin.Macro{Title: "退款时效说明", TitleEN: "Refund timing",
		Body: "{buyer}您好，{product}的退款{amount}将在1-3个工作日内原路退回。"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.SaveMacro(ctx, admin.Actor(), anxin.Macro{Title: "退货地址", Body: "请寄回：{return_address}"}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []api.Event
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev api.Event
		body, _ := io.ReadAll(r.Body)
		json.Unmarshal(body, &ev)
		mu.Lock()
		got = append(got, ev)
		mu.Unlock()
	}))
	defer rcv.Close()
	if _, err := e.store.CreateWebhook(ctx, anxin.Webhook{URL: rcv.URL, Secret: "whsec-0123456789abcdef",
		Events: []anxin.WebhookEvent{anxin.EventMessage}}); err != nil {
		t.Fatal(err)
	}
	tk := storetest.MustTicket(t, e.store, m.ID, anxin.FreshSpoiled, 8990)
	agent := storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0)
	browserLogin(t, ctx, e.srv.URL, agent)
	if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/tickets/"+tk.Number), chromedp.WaitVisible(chromedp.CSS("#reply-body"))); err != nil {
		t.Fatal(err)
	}
	// The page's live stream is open once the presence list has been sent.
	waitFor(t, ctx, "the live stream", `document.querySelector("#presence") !== null`)
	buyer := anxin.APIKey{MerchantID: m.ID}.Actor()
	if _, _, err := e.store.BuyerMessage(ctx, buyer, tk.ID, "花都蔫了，什么时候退款？", nil, store.IdempotencyKey{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the buyer's message on the open page",
		`[...document.querySelectorAll("#timeline li[data-from=buyer] .msg-body")].some(p => p.textContent === "花都蔫了，什么时候退款？")`)

	err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#reply-body")),
		chromedp.SendKeys(chromedp.CSS("#reply-body"), "/"),
		chromedp.WaitVisible(chromedp.CSS("[data-macro-search]")),
		chromedp.SendKeys(chromedp.CSS("[data-macro-search]"), "退款"),
	)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the search to leave one macro",
		`[...document.querySelectorAll("[data-macro-list] li")].filter(li => !li.hidden).length === 1`)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("[data-macro-list] li:not([hidden]) [data-macro-use]"))); err != nil {
		t.Fatal(err)
	}
	want := "李女士您好，云南鲜切玫瑰 20枝的退款¥89.90将在1-3个工作日内原路退回。"
	waitFor(t, ctx, "the reply box filled", `document.querySelector("#reply-body").value === `+jsString(want))
	screenshot(t, ctx, "ticket-reply-macro")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("button[data-reply-send]"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the reply in the thread",
		`[...document.querySelectorAll("#timeline li[data-from=agent] .msg-body")].some(p => p.textContent === `+jsString(want)+`)`)
	waitFor(t, ctx, "the buyer's message answered", `document.querySelector("#timeline li[data-from=buyer] .replied") !== null`)

	snd := webhook.NewSender(e.store, webhook.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), AllowPrivate: true})
	if _, err := snd.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0].Data.Message == nil || got[0].Data.Message.Body != want {
		t.Fatalf("the receiver got %+v", got)
	}
}

// TestBrowserSearchAndExport: an agent finds a closed ticket by its order
// number and by the phone's last four digits from the queue's search box,
// and the view's CSV starts with the BOM and holds as many rows as the view.
func TestBrowserSearchAndExport(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "昆明斗南鲜花园艺")
	closed := storetest.MustTicketIn(t, e.store, m.ID, anxin.Refunded, 8990)
	for range 3 {
		storetest.MustTicket(t, e.store, m.ID, anxin.Damaged, 3990)
	}
	agent := storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0)
	browserLogin(t, ctx, e.srv.URL, agent)
	for _, q := range []string{closed.Order.ID, closed.BuyerPhone[len(closed.BuyerPhone)-4:]} {
		err := chromedp.Do(ctx,
			chromedp.Navigate(e.srv.URL+"/queue"),
			chromedp.WaitVisible(chromedp.CSS("#q")),
			chromedp.SendKeys(chromedp.CSS("#q"), q+"\r"),
		)
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, "the closed ticket found by "+q,
			`document.querySelector('#queue tbody tr[data-ticket-number="`+closed.Number+`"]') !== null && location.search.includes("q=")`)
	}
	// The view's export, fetched as the browser would download it.
	if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/queue"), chromedp.WaitVisible(chromedp.CSS("a[data-export]"))); err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`(async () => {
		const res = await fetch(document.querySelector("a[data-export]").href);
		const bytes = new Uint8Array(await res.arrayBuffer());
		const text = new TextDecoder().decode(bytes);
		return [bytes[0], bytes[1], bytes[2], text.trim().split("\r\n").length,
			document.querySelectorAll("#queue tbody tr").length];
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != 0xEF || got[1] != 0xBB || got[2] != 0xBF || got[3] != got[4]+1 {
		t.Fatalf("export: first bytes %x %x %x, %d lines for %d rows", got[0], got[1], got[2], got[3], got[4])
	}
}
