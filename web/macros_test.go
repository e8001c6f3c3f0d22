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

// TestMacrosAreKeptByTheirKeepers: the admins write the team's canned
// replies, a merchant its own; bad ones are refused as typed; agents use
// them but do not write them; a merchant never sees another's.
func TestMacrosAreKeptByTheirKeepers(t *testing.T) {
	e := newEnv(t)
	a := storetest.MustMerchant(t, e.store, "玉颜美妆旗舰店")
	b := storetest.MustMerchant(t, e.store, "鲜果园")
	admin, agent, shopA, shopB := e.client(), e.client(), e.client(), e.client()
	admin.login(storetest.MustUser(t, e.store, anxin.RoleAdmin, "管理员", 0))
	agent.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	shopA.login(storetest.MustUser(t, e.store, anxin.RoleMerchant, "林娜", a.ID))
	shopB.login(storetest.MustUser(t, e.store, anxin.RoleMerchant, "周洋", b.ID))

	res, doc := admin.post("/macros", url.Values{"title": {"退款时效"}, "body": {"{name}您好"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc.Find("#form-error").Text(), "{name} 不是可用的变量") ||
		doc.Find("#macro-body").Text() != "{name}您好" {
		t.Fatalf("a bad variable: %s %q", res.Status, doc.Find("#form-error").Text())
	}
	if res, _ := admin.post("/macros", url.Values{"title": {"退款时效"}, "title_en": {"Refund timing"},
		"body": {"{buyer}您好，退款{amount}将在1-3个工作日内原路退回。"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("team macro: %s", res.Status)
	}
	if res, _ := shopA.post("/macros", url.Values{"title": {"鲜花保鲜"}, "body": {"请剪根换水"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("merchant macro: %s", res.Status)
	}
	if res, _ := agent.post("/macros", url.Values{"title": {"x"}, "body": {"y"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("an agent wrote a macro: %s", res.Status)
	}
	_, doc = shopB.get("/macros")
	if strings.Contains(doc.Find("#macros").Text(), "鲜花保鲜") || !strings.Contains(doc.Find("#macros").Text(), "退款时效") {
		t.Fatalf("B's list: %q", doc.Find("#macros").Text())
	}
	if doc.Find("#macros [data-action=delete-macro]").Length() != 0 {
		t.Fatal("B may delete the team's macro")
	}
	_, doc = agent.get("/macros")
	if doc.Find("#macro-form").Length() != 0 || doc.Find("#macros li").Length() != 1 {
		t.Fatalf("the agent's page: %d macros, form %d", doc.Find("#macros li").Length(), doc.Find("#macro-form").Length())
	}
	mine, _ := e.store.Macros(ctx, a.ID)
	if res, _ := shopB.post(fmt.Sprintf("/macros/%d/delete", mine[1].ID), nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("B deleted A's macro: %s", res.Status)
	}
}

// TestMacroOnATicket: a canned reply is rendered with the ticket's values;
// one the ticket lacks a value for is never sent with its placeholder; one
// with an action takes it with the message in one decision, on the page's
// version.
func TestMacroOnATicket(t *testing.T) {
	e := newEnv(t)
	// A merchant without a return address: {return_address} has no value.
	m, err := e.store.CreateMerchant(ctx, anxin.Merchant{Code: "yuyan", Name: "玉颜美妆旗舰店"})
	if err != nil {
		t.Fatal(err)
	}
	adminU := storetest.MustUser(t, e.store, anxin.RoleAdmin, "管理员", 0)
	addr, err := e.store.SaveMacro(ctx, adminU.Actor(), anxin.Macro{Title: "退货地址", Body: "{buyer}您好，请寄回：{return_address}"})
	if err != nil {
		t.Fatal(err)
	}
	reject, err := e.store.SaveMacro(ctx, adminU.Actor(), anxin.Macro{Title: "照片无法证明问题", Action: anxin.Reject,
		Reason: "照片无法证明问题", Body: "{buyer}您好，照片无法看出{product}的问题。"})
	if err != nil {
		t.Fatal(err)
	}
	tk := storetest.MustTicket(t, e.store, m.ID, anxin.QualityReturn, 36800)
	agent := e.client()
	agent.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))

	_, doc := agent.get("/tickets/" + tk.Number)
	li := doc.Find(fmt.Sprintf(`[data-macro-list] li[data-macro-id="%d"]`, addr.ID))
	if li.AttrOr("data-text", "") != "李女士您好，请寄回：{return_address}" || li.Find("mark.missing").Text() != "[缺少退货地址]" {
		t.Fatalf("the rendered macro: %q, mark %q", li.AttrOr("data-text", ""), li.Find("mark.missing").Text())
	}
	status, frag := agent.htmxStatus(t, "/tickets/"+tk.Number+"/messages", url.Values{"send_macro": {fmt.Sprint(addr.ID)},
		"version": {fmt.Sprint(tk.Version)}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(frag, "发送前请填写 {return_address}") ||
		!strings.Contains(frag, "李女士您好，请寄回：{return_address}</textarea>") {
		t.Fatalf("a placeholder left: %d %s", status, frag)
	}
	if msgs, _ := e.store.Messages(ctx, anxin.AllMerchants(), tk.ID); len(msgs) != 0 {
		t.Fatal("a message with a placeholder was sent")
	}
	if status, frag := agent.htmxStatus(t, "/tickets/"+tk.Number+"/messages", url.Values{"macro": {fmt.Sprint(addr.ID)},
		"body": {"李女士您好，请寄回：杭州市余杭区某路1号"}, "version": {fmt.Sprint(tk.Version)}}); status != http.StatusOK {
		t.Fatalf("the filled-in reply: %d %s", status, frag)
	}

	// One press: the rejection and its words, on the page's version; a
	// stale page loses to whoever was first, and sends nothing.
	res, _ := agent.post("/tickets/"+tk.Number+"/messages", url.Values{"send_macro": {fmt.Sprint(reject.ID)}, "version": {fmt.Sprint(tk.Version)}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("macro with a rejection: %s", res.Status)
	}
	got, _ := e.store.Ticket(ctx, anxin.AllMerchants(), tk.ID)
	msgs, _ := e.store.Messages(ctx, anxin.AllMerchants(), tk.ID)
	if got.State != anxin.Rejected || len(msgs) != 2 || msgs[1].Body != "李女士您好，照片无法看出云南鲜切玫瑰 20枝的问题。" {
		t.Fatalf("state %s, messages %+v", got.State, msgs)
	}
	events, _ := e.store.Timeline(ctx, anxin.AllMerchants(), tk.ID)
	if last := events[len(events)-1]; last.Action != anxin.Reject || last.Detail != "照片无法证明问题" {
		t.Fatalf("the rejection's event %+v", last)
	}
	status, _ = agent.htmxStatus(t, "/tickets/"+tk.Number+"/messages", url.Values{"send_macro": {fmt.Sprint(reject.ID)},
		"version": {fmt.Sprint(tk.Version)}})
	if status != http.StatusConflict {
		t.Fatalf("a stale macro: %d", status)
	}
	if msgs, _ := e.store.Messages(ctx, anxin.AllMerchants(), tk.ID); len(msgs) != 2 {
		t.Fatal("the stale macro's words went out")
	}
}
