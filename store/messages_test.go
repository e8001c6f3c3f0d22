package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

func TestConversationWithTheBuyer(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "玉颜美妆旗舰店")
	other := storetest.MustMerchant(t, s, "鲜果园")
	tk := storetest.MustTicket(t, s, m.ID, anxin.QualityReturn, 36800)
	agent := storetest.MustUser(t, s, anxin.RoleAgent, "王晓", 0)
	shop := storetest.MustUser(t, s, anxin.RoleMerchant, "林娜", m.ID)
	hook := webhookFor(t, s, 0, anxin.EventMessage)
	buyer := anxin.APIKey{MerchantID: m.ID}.Actor()

	asked := clock.Now()
	first, replayed, err := s.BuyerMessage(ctx, buyer, tk.ID, "  衣服开线了，怎么处理？ ", nil, store.IdempotencyKey{})
	if err != nil || replayed {
		t.Fatal(err, replayed)
	}
	if first.From != anxin.SenderBuyer || first.Body != "衣服开线了，怎么处理？" || first.ID == 0 {
		t.Fatalf("buyer's message %+v", first)
	}
	clock.Advance(90 * time.Second)
	if _, _, err := s.BuyerMessage(ctx, buyer, tk.ID, "在吗", nil, store.IdempotencyKey{}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Ticket(ctx, anxin.AllMerchants(), tk.ID)
	if !got.AwaitingReplySince.Equal(asked) || got.BuyerMessageID == 0 {
		t.Fatalf("the reply timer runs from the oldest unanswered message: %v, %d", got.AwaitingReplySince, got.BuyerMessageID)
	}
	if len(outbox(t, s)) != 0 {
		t.Fatal("the buyer's own message went back to the platform")
	}

	// Both the agent and the merchant have it unread; the reply reads it.
	for _, u := range []anxin.User{agent, shop} {
		unread, err := s.Unread(ctx, u.ID, []anxin.Ticket{got})
		if err != nil || !unread[tk.ID] {
			t.Fatalf("%s: unread %v, %v", u.Name, unread, err)
		}
	}
	clock.Advance(2 * time.Minute)
	reply, err := s.SendMessage(ctx, tk.ID, shop.Actor(), "您好，请拍一张开线处的照片")
	if err != nil {
		t.Fatal(err)
	}
	if reply.From != anxin.SenderMerchant || !reply.Answers() {
		t.Fatalf("reply %+v", reply)
	}
	got, _ = s.Ticket(ctx, anxin.AllMerchants(), tk.ID)
	if !got.AwaitingReplySince.IsZero() {
		t.Fatal("the reply did not stop the timer")
	}
	if unread, _ := s.Unread(ctx, shop.ID, []anxin.Ticket{got}); unread[tk.ID] {
		t.Fatal("who replied has not read the messages")
	}
	if unread, _ := s.Unread(ctx, agent.ID, []anxin.Ticket{got}); !unread[tk.ID] {
		t.Fatal("the merchant's reply read the agent's messages")
	}
	if err := s.MarkRead(ctx, agent.ID, got); err != nil {
		t.Fatal(err)
	}
	if unread, _ := s.Unread(ctx, agent.ID, []anxin.Ticket{got}); unread[tk.ID] {
		t.Fatal("marked read, still unread")
	}

	thread, err := s.Messages(ctx, anxin.Scope{MerchantID: m.ID}, tk.ID)
	if err != nil || len(thread) != 3 {
		t.Fatalf("thread %d, %v", len(thread), err)
	}
	if !thread[0].RepliedAt.Equal(reply.CreatedAt) || thread[0].ReplyBy != "林娜" || !thread[1].Answered() || thread[2].Answered() {
		t.Fatalf("replies: %+v", thread)
	}
	if _, err := s.Messages(ctx, anxin.Scope{MerchantID: other.ID}, tk.ID); anxin.ErrorCode(err) != anxin.ENOTFOUND {
		t.Fatalf("another merchant read the thread: %v", err)
	}

	// The reply went to the platform, in the same transaction, with its text.
	events := outbox(t, s)
	if len(events) != 1 || events[0].Type != anxin.EventMessage || events[0].Message == nil ||
		events[0].Message.Body != reply.Body || events[0].View.Ticket.ID != tk.ID {
		t.Fatalf("outbox %+v (hook %d)", events, hook.ID)
	}
}

func TestMessagesAreRefusedWhole(t *testing.T) {
	s, _ := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "玉颜美妆旗舰店")
	other := storetest.MustMerchant(t, s, "鲜果园")
	tk := storetest.MustTicket(t, s, m.ID, anxin.QualityReturn, 36800)
	elsewhere := storetest.MustTicket(t, s, other.ID, anxin.QualityReturn, 36800)
	theirs := storetest.MustPhoto(t, s, elsewhere.ID, "")
	agent := storetest.MustUser(t, s, anxin.RoleAgent, "王晓", 0).Actor()
	buyer := anxin.APIKey{MerchantID: m.ID}.Actor()
	for _, c := range []struct {
		name   string
		by     anxin.Actor
		ticket int64
		body   string
		photos []int64
		code   string
	}{
		{"empty", buyer, tk.ID, "   ", nil, anxin.EINVALID},
		{"too long", buyer, tk.ID, strings.Repeat("好", anxin.MaxLongText+1), nil, anxin.EINVALID},
		{"control character", buyer, tk.ID, "hi\x00", nil, anxin.EINVALID},
		{"another ticket's photo", buyer, tk.ID, "看图", []int64{theirs.ID}, anxin.EINVALID},
		{"no such photo", buyer, tk.ID, "看图", []int64{theirs.ID + 100}, anxin.EINVALID},
		{"another merchant's ticket", buyer, elsewhere.ID, "你好", nil, anxin.ENOTFOUND},
		{"staff send no photos", agent, tk.ID, "看图", []int64{theirs.ID}, anxin.EINVALID},
	} {
		var err error
		if c.by.Role == anxin.RoleBuyer {
			_, _, err = s.BuyerMessage(ctx, c.by, c.ticket, c.body, c.photos, store.IdempotencyKey{})
		} else {
			_, err = anxin.NewMessage(c.ticket, c.by, c.body, c.photos)
		}
		if anxin.ErrorCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	if thread, _ := s.Messages(ctx, anxin.AllMerchants(), tk.ID); len(thread) != 0 {
		t.Fatalf("refused messages were kept: %+v", thread)
	}
}

func TestBuyerMessageWithPhotosAnswersARequestForEvidence(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "玉颜美妆旗舰店")
	tk := storetest.MustTicket(t, s, m.ID, anxin.QualityReturn, 36800)
	photo := storetest.MustPhoto(t, s, tk.ID, "")
	agent := storetest.MustUser(t, s, anxin.RoleAgent, "王晓", 0).Actor()
	clock.Advance(4 * time.Hour)
	tk, err := s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.RequestEvidence, Actor: agent, Version: tk.Version,
		Message: "请补充：吊牌照片"})
	if err != nil {
		t.Fatal(err)
	}
	thread, _ := s.Messages(ctx, anxin.AllMerchants(), tk.ID)
	if len(thread) != 1 || thread[0].Body != "请补充：吊牌照片" || thread[0].From != anxin.SenderAgent {
		t.Fatalf("the request did not ask in words: %+v", thread)
	}
	left := tk.PausedLeft

	// Words alone do not answer it; words with the photo do.
	apiKey, _, err := s.CreateAPIKey(ctx, "shop", anxin.KeyScope{MerchantID: m.ID})
	if err != nil {
		t.Fatal(err)
	}
	buyer := apiKey.Actor()
	if _, _, err := s.BuyerMessage(ctx, buyer, tk.ID, "好的", nil, store.IdempotencyKey{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Ticket(ctx, anxin.AllMerchants(), tk.ID); got.State != anxin.NeedsEvidence {
		t.Fatalf("a message without photos moved the ticket to %s", got.State)
	}
	clock.Advance(time.Hour)
	key := store.IdempotencyKey{APIKeyID: apiKey.ID, Key: "msg-1", RequestHash: "h"}
	first, _, err := s.BuyerMessage(ctx, buyer, tk.ID, "照片见附件", []int64{photo.ID}, key)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := s.Ticket(ctx, anxin.AllMerchants(), tk.ID)
	if got.State != anxin.PendingMerchant || got.Deadline != clock.Now().Add(left) {
		t.Fatalf("state %s deadline %v; want pending_merchant with %v left", got.State, got.Deadline, left)
	}
	again, replayed, err := s.BuyerMessage(ctx, buyer, tk.ID, "照片见附件", []int64{photo.ID}, key)
	if err != nil || !replayed || again.ID != first.ID {
		t.Fatalf("retry: %+v %v %v", again, replayed, err)
	}
	thread, _ = s.Messages(ctx, anxin.AllMerchants(), tk.ID)
	if len(thread) != 3 || len(thread[2].Photos) != 1 || thread[2].Photos[0] != photo.ID {
		t.Fatalf("thread %+v", thread)
	}
	// A decision's message that is refused refuses the decision.
	_, err = s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.RequestEvidence, Actor: agent, Message: "x\x07"})
	var e *anxin.Error
	if !errors.As(err, &e) || e.Code != anxin.EINVALID {
		t.Fatalf("bad message: %v", err)
	}
	if after, _ := s.Ticket(ctx, anxin.AllMerchants(), tk.ID); after.State != anxin.PendingMerchant {
		t.Fatal("the decision went through without its message")
	}
}

// TestBuyerMessageAlertsTheTicketsPeople: the assignee and the merchant's
// users hear that the buyer wrote; another merchant's do not.
func TestBuyerMessageAlertsTheTicketsPeople(t *testing.T) {
	s, _ := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "玉颜美妆旗舰店")
	other := storetest.MustMerchant(t, s, "鲜果园")
	tk := storetest.MustTicket(t, s, m.ID, anxin.QualityReturn, 36800)
	agent := storetest.MustUser(t, s, anxin.RoleAgent, "王晓", 0)
	shop := storetest.MustUser(t, s, anxin.RoleMerchant, "林娜", m.ID)
	stranger := storetest.MustUser(t, s, anxin.RoleMerchant, "周洋", other.ID)
	if _, err := s.Assign(ctx, tk.ID, agent.ID, agent.Actor()); err != nil {
		t.Fatal(err)
	}
	before := map[int64]int{}
	for _, u := range []anxin.User{agent, shop, stranger} {
		before[u.ID], _ = s.UnreadAlerts(ctx, u.ID)
	}
	if _, _, err := s.BuyerMessage(ctx, anxin.APIKey{MerchantID: m.ID}.Actor(), tk.ID, strings.Repeat("在吗", 40), nil, store.IdempotencyKey{}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		u    anxin.User
		more int
	}{{agent, 1}, {shop, 1}, {stranger, 0}} {
		if n, _ := s.UnreadAlerts(ctx, c.u.ID); n != before[c.u.ID]+c.more {
			t.Errorf("%s has %d unread alerts, had %d", c.u.Name, n, before[c.u.ID])
		}
	}
}
