package web_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/chromedp/chromedp"
)

// TestBrowserTwoAgentsOnDutyShareTenTickets: an agent goes on duty from the
// top bar, a colleague is on duty too; ten claims come in through the API
// and are shared 5/5, and the agent's bell counts them live.
func TestBrowserTwoAgentsOnDutyShareTenTickets(t *testing.T) {
	ctx := newBrowser(t)
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "昆明斗南鲜花园艺")
	_, key, err := e.store.CreateAPIKey(ctx, "shop", anxin.KeyScope{AllMerchants: true})
	if err != nil {
		t.Fatal(err)
	}
	admin := storetest.MustUser(t, e.store, anxin.RoleAdmin, "管理员", 0)
	me := storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0)
	colleague := storetest.MustUser(t, e.store, anxin.RoleAgent, "陈静", 0)
	if err := e.store.SetAutoAssign(ctx, admin.Actor(), true); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetDuty(ctx, colleague.Actor(), true, false); err != nil {
		t.Fatal(err)
	}

	browserLogin(t, ctx, e.srv.URL, me)
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("[data-testid=go-on-duty]")),
		chromedp.WaitVisible(chromedp.CSS("[data-on-duty='1']")),
		chromedp.Navigate(e.srv.URL+"/queue"),
		chromedp.WaitVisible(chromedp.CSS("#queue")),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "duty-on")

	api := &apiEnv{env: e, key: key, merchant: m}
	for i := range 10 {
		claim := api.claim(100000) // above the instant refund: a person decides
		claim["order"].(map[string]any)["id"] = fmt.Sprintf("DY%06d", i)
		if res := api.call("POST", "/api/v1/tickets", claim); res.status != http.StatusCreated {
			t.Fatalf("intake %d: %d %s", i, res.status, res.body)
		}
	}
	mine, _ := e.store.OpenAssigned(ctx, me.ID)
	theirs, _ := e.store.OpenAssigned(ctx, colleague.ID)
	if mine != 5 || theirs != 5 {
		t.Fatalf("shared %d/%d, want 5/5", mine, theirs)
	}
	// The bell counts the five live, without a reload.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](
		`document.querySelector("[data-alert-count]").textContent === "5" && !document.querySelector("[data-alert-count]").hidden`,
		chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		got, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("[data-alert-count]")))
		t.Fatalf("the bell shows %q, want 5: %v", got, err)
	}
	screenshot(t, ctx, "duty-bell")
	// The alert centre links each to its ticket; opening one reads it.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("[data-testid=bell]")),
		chromedp.WaitVisible(chromedp.CSS("#alerts")),
		chromedp.Click(chromedp.CSS("#alerts li a")),
		chromedp.WaitVisible(chromedp.CSS("[data-live-ticket]")),
	)
	if err != nil {
		t.Fatal(err)
	}
	got, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("[data-alert-count]")))
	if err != nil || got != "4" {
		t.Fatalf("after opening one, the bell shows %q: %v", got, err)
	}
}
