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
	"github.com/anxin-helpdesk/anxin/photo"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/anxin-helpdesk/anxin/web/api"
	"github.com/anxin-helpdesk/anxin/web/webhook"
)

// TestAPIMessages: the platform relays the buyer's messages; the thread
// reads back in time order, from every side; refusals are 422 and keep
// nothing; a merchant's key reaches its own tickets only.
func TestAPIMessages(t *testing.T) {
	e := newAPIEnv(t)
	tk := e.call("POST", "/api/v1/tickets", e.claim(36800)).ticket(t)
	path := fmt.Sprintf("/api/v1/tickets/%d/messages", tk.ID)

	res := e.call("POST", path, map[string]any{"body": "花是黑的，照片已上传"}, "Idempotency-Key", "m-1")
	var m api.Message
	if err := json.Unmarshal(res.body, &m); err != nil || res.status != http.StatusCreated {
		t.Fatalf("%d %s", res.status, res.body)
	}
	if m.From != "buyer" || m.TicketID != tk.ID || m.Body != "花是黑的，照片已上传" || m.ID == 0 || m.CreatedAt.IsZero() {
		t.Fatalf("message %+v", m)
	}
	e.doc.checkResponse(t, "POST", "/api/v1/tickets/{id}/messages", res.status, res.body)
	again := e.call("POST", path, map[string]any{"body": "花是黑的，照片已上传"}, "Idempotency-Key", "m-1")
	if again.status != http.StatusCreated || again.header.Get("Idempotent-Replayed") != "true" || string(again.body) != string(res.body) {
		t.Fatalf("replay: %d %s", again.status, again.body)
	}

	agent := e.client()
	agent.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	e.clock.Advance(time.Minute)
	if res, _ := agent.post("/tickets/"+tk.Number+"/messages", url.Values{"body": {"您好，已为您加急处理"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply: %s", res.Status)
	}

	res = e.call("GET", path, nil)
	var list api.MessageList
	if err := json.Unmarshal(res.body, &list); err != nil || res.status != http.StatusOK {
		t.Fatalf("%d %s", res.status, res.body)
	}
	if len(list.Messages) != 2 || list.Messages[0].From != "buyer" || list.Messages[1].From != "agent" ||
		list.Messages[1].Body != "您好，已为您加急处理" || !list.Messages[0].CreatedAt.Before(list.Messages[1].CreatedAt) {
		t.Fatalf("thread %+v", list.Messages)
	}
	e.doc.checkResponse(t, "GET", "/api/v1/tickets/{id}/messages", res.status, res.body)

	for _, c := range []struct {
		name string
		body any
		want int
	}{
		{"empty", map[string]any{"body": "  "}, 422},
		{"too long", map[string]any{"body": strings.Repeat("花", 4001)}, 422},
		{"a control character", map[string]any{"body": "花\u0007"}, 422},
		{"no such photo", map[string]any{"body": "见图", "photos": []int64{99}}, 422},
		{"not JSON", "body=x", 400},
	} {
		if res := e.call("POST", path, c.body); res.status != c.want {
			t.Errorf("%s: %d %s, want %d", c.name, res.status, res.body, c.want)
		}
	}
	if res := e.call("POST", "/api/v1/tickets/AX-999999/messages", map[string]any{"body": "你好"}); res.status != 404 {
		t.Errorf("no such ticket: %d", res.status)
	}

	// Another merchant's key sees no such ticket, either way.
	other := storetest.MustMerchant(t, e.store, "鲜果园")
	_, secret, err := e.store.CreateAPIKey(ctx, "鲜果园", anxin.KeyScope{MerchantID: other.ID})
	if err != nil {
		t.Fatal(err)
	}
	if res := e.call("GET", path, nil, "Authorization", "Bearer "+secret); res.status != 404 {
		t.Fatalf("another merchant's key read the thread: %d", res.status)
	}
	if res := e.call("POST", path, map[string]any{"body": "你好"}, "Authorization", "Bearer "+secret); res.status != 404 {
		t.Fatalf("another merchant's key wrote: %d", res.status)
	}
	if msgs, _ := e.store.Messages(ctx, anxin.AllMerchants(), tk.ID); len(msgs) != 2 {
		t.Fatalf("%d messages kept; refusals must keep nothing", len(msgs))
	}
}

// TestConversationOnTheTicketPage: the buyer's message is in the thread
// between the timeline's events, marked unread on the queue until the
// agent opens the ticket; the open page hears of it; the reply goes out as a
// signed ticket.message webhook; internal notes never do.
func TestConversationOnTheTicketPage(t *testing.T) {
	e := newEnvConfig(t, photo.Options{}, allowPrivateWebhooks)
	m := storetest.MustMerchant(t, e.store, "玉颜美妆旗舰店")
	tk := storetest.MustTicket(t, e.store, m.ID, anxin.QualityReturn, 36800)
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
	agent, shop := e.client(), e.client()
	agent.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	shop.login(storetest.MustUser(t, e.store, anxin.RoleMerchant, "林娜", m.ID))

	onTicket, stop := readEvents(t, agent, "/events?ticket="+tk.Number)
	defer stop()
	e.clock.Advance(time.Minute)
	if _, _, err := e.store.BuyerMessage(ctx, anxin.APIKey{MerchantID: m.ID}.Actor(), tk.ID, "开线了<b>怎么办</b>", nil, store.IdempotencyKey{}); err != nil {
		t.Fatal(err)
	}
	expectEvent(t, onTicket, "message "+tk.Number)

	// The queue marks it for each user until that user reads it.
	for _, c := range []*client{agent, shop} {
		_, doc := c.get("/queue")
		if doc.Find("#queue-unread").AttrOr("data-unread", "") != tk.Number {
			t.Fatalf("unread on the queue: %q", doc.Find("#queue-unread").AttrOr("data-unread", ""))
		}
		if doc.Find(`#queue tr[data-ticket-number="`+tk.Number+`"] [data-waiting-since]`).Length() != 1 {
			t.Fatal("the queue row shows no reply timer")
		}
	}
	_, doc := agent.get("/tickets/" + tk.Number + "/thread")
	body := doc.Find("#timeline li[data-from=buyer] .msg-body")
	if body.Text() != "开线了<b>怎么办</b>" || body.Find("b").Length() != 0 || doc.Find("header").Length() != 0 {
		t.Fatalf("the thread fragment: %q", body.Text())
	}
	_, doc = agent.get("/queue")
	if doc.Find("#queue-unread").AttrOr("data-unread", "x") != "" {
		t.Fatal("the agent read it, the queue still marks it")
	}
	_, doc = shop.get("/queue")
	if doc.Find("#queue-unread").AttrOr("data-unread", "") != tk.Number {
		t.Fatal("the agent's reading read it for the merchant")
	}

	// The thread holds the claim, the message and the waiting timer, in order.
	_, doc = agent.get("/tickets/" + tk.Number)
	items := doc.Find("#timeline > li")
	if items.Length() != 2 || items.Eq(0).AttrOr("data-action", "") != "create" || items.Eq(1).AttrOr("data-from", "") != "buyer" ||
		items.Eq(1).Find("[data-waiting-since]").Length() != 1 {
		t.Fatalf("thread: %d items", items.Length())
	}
	if doc.Find("form.reply textarea[name=body]").Length() != 1 {
		t.Fatal("no reply box")
	}

	// A refused reply keeps its text; a good one answers and goes out.
	status, frag := agent.htmxStatus(t, "/tickets/"+tk.Number+"/messages", url.Values{"body": {"  "}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(frag, `data-outcome="refused"`) || !strings.Contains(frag, "消息不能为空") {
		t.Fatalf("an empty reply: %d %s", status, frag)
	}
	if _, err := e.store.AddNote(ctx, tk.ID, anxin.Actor{Role: anxin.RoleAgent, UserID: 1, Name: "王晓"}, "内部：疑似职业索赔", false); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Minute)
	frag = agent.htmx(t, "/tickets/"+tk.Number+"/messages", url.Values{"body": {"您好，请拍一张开线处的照片"}})
	if !strings.Contains(frag, "王晓（客服）") || !strings.Contains(frag, "用时 2分钟 回复") {
		t.Fatalf("the reply on the page: %s", frag)
	}
	snd := webhook.NewSender(e.store, webhook.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), AllowPrivate: true})
	if _, err := snd.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0].Type != "ticket.message" || got[0].Data.Message == nil ||
		got[0].Data.Message.Body != "您好，请拍一张开线处的照片" || got[0].Data.Message.From != "agent" || got[0].Data.Ticket.ID != tk.ID {
		t.Fatalf("webhooks %+v", got)
	}
}

// TestRequestEvidenceAsksInWords: the form offers what the checklist
// misses, as editable text, and the edited text is what the buyer gets.
func TestRequestEvidenceAsksInWords(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "玉颜美妆旗舰店")
	tk := storetest.MustTicket(t, e.store, m.ID, anxin.QualityReturn, 36800)
	agent := e.client()
	agent.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	_, doc := agent.get("/tickets/" + tk.Number)
	offered := doc.Find("form[data-form-action=request_evidence] textarea[name=message]").Text()
	svc, _ := anxin.LookupService(anxin.QualityReturn)
	if !strings.Contains(offered, "补充以下照片") || len(svc.Checklist) == 0 {
		t.Fatalf("the request offers %q", offered)
	}
	res, _ := agent.post("/tickets/"+tk.Number+"/actions/request_evidence", url.Values{
		"version": {fmt.Sprint(tk.Version)}, "message": {offered + "\n另：请拍吊牌。"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("request: %s", res.Status)
	}
	msgs, _ := e.store.Messages(ctx, anxin.AllMerchants(), tk.ID)
	if len(msgs) != 1 || !strings.HasSuffix(msgs[0].Body, "另：请拍吊牌。") || msgs[0].From != anxin.SenderAgent {
		t.Fatalf("messages %+v", msgs)
	}
	got, _ := e.store.Ticket(ctx, anxin.AllMerchants(), tk.ID)
	if got.State != anxin.NeedsEvidence {
		t.Fatalf("state %s", got.State)
	}
}

// TestLongThreadShowsTheLatest: a long conversation opens on its latest
// messages, with a link to the rest.
func TestLongThreadShowsTheLatest(t *testing.T) {
	e := newEnv(t)
	m := storetest.MustMerchant(t, e.store, "玉颜美妆旗舰店")
	tk := storetest.MustTicket(t, e.store, m.ID, anxin.QualityReturn, 36800)
	buyer := anxin.APIKey{MerchantID: m.ID}.Actor()
	for i := range 35 {
		e.clock.Advance(time.Minute)
		if _, _, err := e.store.BuyerMessage(ctx, buyer, tk.ID, fmt.Sprintf("消息%d", i+1), nil, store.IdempotencyKey{}); err != nil {
			t.Fatal(err)
		}
	}
	agent := e.client()
	agent.login(storetest.MustUser(t, e.store, anxin.RoleAgent, "王晓", 0))
	_, doc := agent.get("/tickets/" + tk.Number)
	msgs := doc.Find("#timeline li.msg")
	if msgs.Length() != 30 || msgs.First().Find(".msg-body").Text() != "消息6" || doc.Find("#timeline [data-earlier]").Text() != "显示更早的 5 条消息" {
		t.Fatalf("%d messages from %q, link %q", msgs.Length(), msgs.First().Find(".msg-body").Text(), doc.Find("#timeline [data-earlier]").Text())
	}
	if doc.Find("#timeline li[data-action=create]").Length() != 0 {
		t.Fatal("the claim's event shows among the latest messages")
	}
	_, doc = agent.get("/tickets/" + tk.Number + "?thread=all")
	if doc.Find("#timeline li.msg").Length() != 35 || doc.Find("#timeline [data-earlier]").Length() != 0 ||
		doc.Find("#timeline").AttrOr("data-refresh", "") != "/tickets/"+tk.Number+"/thread?thread=all" {
		t.Fatalf("all: %d", doc.Find("#timeline li.msg").Length())
	}
}
