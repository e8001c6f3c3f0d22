package store_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// duty sets up an admin with auto-assignment on and agents on duty.
func duty(t *testing.T, s *store.Store, onDuty ...anxin.User) anxin.Actor {
	t.Helper()
	admin := storetest.MustUser(t, s, anxin.RoleAdmin, "管理员", 0).Actor()
	if err := s.SetAutoAssign(ctx, admin, true); err != nil {
		t.Fatal(err)
	}
	for _, u := range onDuty {
		if err := s.SetDuty(ctx, u.Actor(), true, false); err != nil {
			t.Fatal(err)
		}
	}
	return admin
}

func unread(t *testing.T, s *store.Store, u anxin.User) int {
	t.Helper()
	n, err := s.UnreadAlerts(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestIntakeAutoAssignsInTheSameTransaction(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "m")
	a := storetest.MustUser(t, s, anxin.RoleAgent, "王晓", 0)
	b := storetest.MustUser(t, s, anxin.RoleAgent, "陈静", 0)
	off := storetest.MustUser(t, s, anxin.RoleAgent, "休息", 0)
	duty(t, s, a, b)
	count := map[int64]int{}
	for i := range 10 {
		c := storetest.Claim(m.ID, anxin.QualityReturn, 100000, clock.Now()) // above the instant refund
		v, _, err := s.Intake(ctx, anxin.AllMerchants(), m.Code, c, store.IdempotencyKey{})
		if err != nil {
			t.Fatal(err)
		}
		// The view is read in the intake's transaction: it has its assignee.
		if v.AssigneeID == 0 {
			t.Fatalf("ticket %d came back unassigned", i)
		}
		count[v.AssigneeID]++
		events, err := s.Timeline(ctx, anxin.AllMerchants(), v.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := events[len(events)-1]
		if last.Action != anxin.Assign || last.Actor.Role != anxin.RoleSystem || last.Detail != v.AssigneeName {
			t.Fatalf("timeline ends with %+v", last)
		}
		clock.Advance(time.Minute)
	}
	if count[a.ID] != 5 || count[b.ID] != 5 || count[off.ID] != 0 {
		t.Fatalf("shared %v, want 5/5", count)
	}
	if unread(t, s, a) != 5 || unread(t, s, b) != 5 || unread(t, s, off) != 0 {
		t.Fatalf("alerts %d/%d/%d", unread(t, s, a), unread(t, s, b), unread(t, s, off))
	}
}

func TestAutoAssignOffOrNobodyOnDuty(t *testing.T) {
	s, _ := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "m")
	a := storetest.MustUser(t, s, anxin.RoleAgent, "王晓", 0)
	if err := s.SetDuty(ctx, a.Actor(), true, false); err != nil {
		t.Fatal(err)
	}
	if tk := storetest.MustTicket(t, s, m.ID, anxin.QualityReturn, 1000); tk.AssigneeID != 0 {
		t.Fatal("assigned while auto-assignment is off")
	}
	duty(t, s)
	if err := s.SetDuty(ctx, a.Actor(), false, false); err != nil {
		t.Fatal(err)
	}
	if tk := storetest.MustTicket(t, s, m.ID, anxin.QualityReturn, 1000); tk.AssigneeID != 0 {
		t.Fatal("assigned with nobody on duty")
	}
	if err := s.SetAutoAssign(ctx, a.Actor(), false); anxin.ErrorCode(err) != anxin.EFORBIDDEN {
		t.Fatalf("an agent set auto-assignment: %v", err)
	}
}

func TestAutoAssignWithinTheMerchantsGroup(t *testing.T) {
	s, _ := storetest.MustOpen(t)
	m1 := storetest.MustMerchant(t, s, "m1")
	m2 := storetest.MustMerchant(t, s, "m2")
	a := storetest.MustUser(t, s, anxin.RoleAgent, "王晓", 0)
	b := storetest.MustUser(t, s, anxin.RoleAgent, "陈静", 0)
	admin := duty(t, s, a, b)
	if err := s.SetAgentGroup(ctx, admin, m1.ID, []int64{b.ID}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if tk := storetest.MustTicket(t, s, m1.ID, anxin.QualityReturn, 1000); tk.AssigneeID != b.ID {
			t.Fatalf("m1's ticket went to %d, want its group's %d", tk.AssigneeID, b.ID)
		}
	}
	// m2 has no group: the least loaded agent on duty.
	if tk := storetest.MustTicket(t, s, m2.ID, anxin.QualityReturn, 1000); tk.AssigneeID != a.ID {
		t.Fatalf("m2's ticket went to %d", tk.AssigneeID)
	}
	groups, err := s.AgentGroups(ctx)
	if err != nil || len(groups[m1.ID]) != 1 || len(groups[m2.ID]) != 0 {
		t.Fatalf("groups %v, %v", groups, err)
	}
	merchant := storetest.MustUser(t, s, anxin.RoleMerchant, "店长", m1.ID)
	if err := s.SetAgentGroup(ctx, admin, m1.ID, []int64{merchant.ID}); anxin.ErrorCode(err) != anxin.EINVALID {
		t.Fatalf("a merchant user in an agent group: %v", err)
	}
}

// back walks a ticket to needs_evidence and the buyer back to pending_merchant.
func back(t *testing.T, s *store.Store, tk anxin.Ticket, staff anxin.Actor) anxin.Ticket {
	t.Helper()
	tk, err := s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.RequestEvidence, Actor: staff})
	if err != nil {
		t.Fatal(err)
	}
	tk, err = s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.AddEvidence, Actor: anxin.Buyer()})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func TestBackFromTheBuyer(t *testing.T) {
	s, _ := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "m")
	a := storetest.MustUser(t, s, anxin.RoleAgent, "王晓", 0)
	b := storetest.MustUser(t, s, anxin.RoleAgent, "陈静", 0)
	duty(t, s, a)
	auto := storetest.MustTicket(t, s, m.ID, anxin.QualityReturn, 1000)
	manual := storetest.MustTicket(t, s, m.ID, anxin.QualityReturn, 1000)
	unassigned := storetest.MustTicket(t, s, m.ID, anxin.QualityReturn, 1000)
	if _, err := s.Assign(ctx, manual.ID, a.ID, b.Actor()); err != nil { // a person's choice
		t.Fatal(err)
	}
	if _, err := s.Assign(ctx, unassigned.ID, 0, b.Actor()); err != nil {
		t.Fatal(err)
	}
	// Still on duty: a ticket coming back keeps its assignee.
	if tk := back(t, s, auto, b.Actor()); tk.AssigneeID != a.ID {
		t.Fatalf("came back to %d, want %d", tk.AssigneeID, a.ID)
	}
	// a goes off duty keeping the tickets, b comes on.
	if err := s.SetDuty(ctx, a.Actor(), false, false); err != nil {
		t.Fatal(err)
	}
	if err := s.SetDuty(ctx, b.Actor(), true, false); err != nil {
		t.Fatal(err)
	}
	auto, _ = s.Ticket(ctx, anxin.AllMerchants(), auto.ID)
	if auto.AssigneeID != a.ID {
		t.Fatal("going off duty and keeping the tickets gave one away")
	}
	if tk := back(t, s, auto, b.Actor()); tk.AssigneeID != b.ID {
		t.Fatalf("an auto-assigned ticket coming back to an agent off duty went to %d, want %d", tk.AssigneeID, b.ID)
	}
	if tk := back(t, s, manual, b.Actor()); tk.AssigneeID != a.ID {
		t.Fatalf("auto-assignment overrode a person's assignment: %d", tk.AssigneeID)
	}
	if tk := back(t, s, unassigned, b.Actor()); tk.AssigneeID != b.ID {
		t.Fatalf("an unassigned ticket coming back went to %d", tk.AssigneeID)
	}
}

func TestOffDutyHandsBack(t *testing.T) {
	s, _ := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "m")
	a := storetest.MustUser(t, s, anxin.RoleAgent, "王晓", 0)
	b := storetest.MustUser(t, s, anxin.RoleAgent, "陈静", 0)
	duty(t, s, a)
	var mine []anxin.Ticket
	for range 3 {
		mine = append(mine, storetest.MustTicket(t, s, m.ID, anxin.QualityReturn, 1000))
	}
	done := storetest.MustTicketIn(t, s, m.ID, anxin.Closed, 1000) // closed: not handed anywhere
	if _, err := s.Assign(ctx, done.ID, a.ID, b.Actor()); err != nil {
		t.Fatal(err)
	}
	if err := s.SetDuty(ctx, b.Actor(), true, false); err != nil {
		t.Fatal(err)
	}
	if err := s.SetDuty(ctx, a.Actor(), false, true); err != nil {
		t.Fatal(err)
	}
	for _, tk := range mine {
		got, _ := s.Ticket(ctx, anxin.AllMerchants(), tk.ID)
		if got.AssigneeID != b.ID {
			t.Fatalf("%s handed to %d, want %d", got.Number, got.AssigneeID, b.ID)
		}
	}
	if got, _ := s.Ticket(ctx, anxin.AllMerchants(), done.ID); got.AssigneeID != a.ID {
		t.Fatal("a closed ticket was handed back")
	}
	if n, _ := s.OpenAssigned(ctx, a.ID); n != 0 {
		t.Fatalf("%d open tickets left with the agent off duty", n)
	}
	u, _ := s.UserByID(ctx, a.ID)
	if u.OnDuty {
		t.Fatal("still on duty")
	}
	// With nobody else on duty, handing back leaves the tickets unassigned.
	if err := s.SetDuty(ctx, b.Actor(), false, true); err != nil {
		t.Fatal(err)
	}
	for _, tk := range mine {
		if got, _ := s.Ticket(ctx, anxin.AllMerchants(), tk.ID); got.AssigneeID != 0 {
			t.Fatalf("%s still assigned to %d", got.Number, got.AssigneeID)
		}
	}
}

func TestAssignAlerts(t *testing.T) {
	s, _ := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "m")
	a := storetest.MustUser(t, s, anxin.RoleAgent, "王晓", 0)
	b := storetest.MustUser(t, s, anxin.RoleAgent, "陈静", 0)
	tk := storetest.MustTicket(t, s, m.ID, anxin.QualityReturn, 1000)
	if _, err := s.Assign(ctx, tk.ID, a.ID, a.Actor()); err != nil { // took it myself
		t.Fatal(err)
	}
	if unread(t, s, a) != 0 {
		t.Fatal("an alert for taking a ticket oneself")
	}
	if _, err := s.Assign(ctx, tk.ID, b.ID, a.Actor()); err != nil {
		t.Fatal(err)
	}
	list, err := s.Alerts(ctx, b.ID, anxin.AllMerchants(), 0)
	if err != nil || len(list) != 1 || list[0].Kind != anxin.AlertAssigned || list[0].TicketID != tk.ID ||
		list[0].Detail != a.Name || !list[0].Unread() {
		t.Fatalf("alerts %+v, %v", list, err)
	}
	if err := s.ReadTicketAlerts(ctx, b.ID, tk.ID); err != nil {
		t.Fatal(err)
	}
	if unread(t, s, b) != 0 {
		t.Fatal("opening the ticket left its alert unread")
	}
	if list, _ := s.Alerts(ctx, b.ID, anxin.AllMerchants(), 0); len(list) != 1 || list[0].Unread() {
		t.Fatalf("after reading: %+v", list)
	}
}

func TestMentionAlertsAreScoped(t *testing.T) {
	s, _ := storetest.MustOpen(t)
	m1 := storetest.MustMerchant(t, s, "m1")
	m2 := storetest.MustMerchant(t, s, "m2")
	a := storetest.MustUser(t, s, anxin.RoleAgent, "王晓", 0)
	b := storetest.MustUser(t, s, anxin.RoleAgent, "陈静", 0)
	own := storetest.MustUser(t, s, anxin.RoleMerchant, "店长", m1.ID)
	other := storetest.MustUser(t, s, anxin.RoleMerchant, "店长", m2.ID) // the same name, another store
	tk := storetest.MustTicket(t, s, m1.ID, anxin.QualityReturn, 1000)
	if _, err := s.AddNote(ctx, tk.ID, a.Actor(), "@陈静 @店长 @王晓 内部备注", false); err != nil {
		t.Fatal(err)
	}
	if unread(t, s, b) != 1 || unread(t, s, own) != 0 || unread(t, s, other) != 0 || unread(t, s, a) != 0 {
		t.Fatal("an internal note alerted a merchant, or its author, or missed an agent")
	}
	if _, err := s.AddNote(ctx, tk.ID, a.Actor(), "@店长 请补充发货凭证", true); err != nil {
		t.Fatal(err)
	}
	if unread(t, s, own) != 1 || unread(t, s, other) != 0 {
		t.Fatalf("a comment's mention: own %d, other merchant's %d", unread(t, s, own), unread(t, s, other))
	}
	handle, _, _ := strings.Cut(b.Email, "@")
	if _, err := s.AddNote(ctx, tk.ID, own.Actor(), fmt.Sprintf("@%s 已补充", handle), true); err != nil {
		t.Fatal(err)
	}
	if unread(t, s, b) != 2 {
		t.Fatal("a mention by handle was missed")
	}
	// A merchant's list never shows an alert about another store's ticket.
	if list, _ := s.Alerts(ctx, own.ID, anxin.Scope{MerchantID: m2.ID}, 0); len(list) != 0 {
		t.Fatalf("listed out of scope: %+v", list)
	}
}

func TestRefundFailedAlerts(t *testing.T) {
	s, _ := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "m")
	a := storetest.MustUser(t, s, anxin.RoleAgent, "王晓", 0)
	b := storetest.MustUser(t, s, anxin.RoleAgent, "陈静", 0)
	c := storetest.MustUser(t, s, anxin.RoleAgent, "休息", 0)
	for _, u := range []anxin.User{a, b} {
		if err := s.SetDuty(ctx, u.Actor(), true, false); err != nil {
			t.Fatal(err)
		}
	}
	// Unassigned: every agent on duty hears of it.
	storetest.MustTicketIn(t, s, m.ID, anxin.RefundFailed, 1000)
	if unread(t, s, a) != 1 || unread(t, s, b) != 1 || unread(t, s, c) != 0 {
		t.Fatal("an unassigned ticket's failed refund: not the agents on duty")
	}
	// Assigned: its assignee only.
	tk := storetest.MustTicketIn(t, s, m.ID, anxin.Refunding, 1000)
	if _, err := s.Assign(ctx, tk.ID, c.ID, a.Actor()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.RefundFailure, Actor: anxin.System(), Reason: "余额不足"}); err != nil {
		t.Fatal(err)
	}
	if unread(t, s, a) != 1 || unread(t, s, b) != 1 || unread(t, s, c) != 2 {
		t.Fatalf("an assigned ticket's failed refund: %d/%d/%d", unread(t, s, a), unread(t, s, b), unread(t, s, c))
	}
}

func TestDueSoonAlertOnce(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m1 := storetest.MustMerchant(t, s, "m1")
	m2 := storetest.MustMerchant(t, s, "m2")
	a := storetest.MustUser(t, s, anxin.RoleAgent, "王晓", 0)
	own := storetest.MustUser(t, s, anxin.RoleMerchant, "店长", m1.ID)
	other := storetest.MustUser(t, s, anxin.RoleMerchant, "店长", m2.ID)
	tk := storetest.MustTicket(t, s, m1.ID, anxin.FreshSpoiled, 1000) // 24 h merchant clock
	if _, err := s.Assign(ctx, tk.ID, a.ID, a.Actor()); err != nil {
		t.Fatal(err)
	}
	clock.Advance(23*time.Hour + time.Minute) // no webhook asks: the alerts come anyway
	for i, want := range []int{1, 0} {
		if n, err := s.NoticeDeadlines(ctx); err != nil || n != want {
			t.Fatalf("round %d: %d, %v", i, n, err)
		}
	}
	if unread(t, s, a) != 1 || unread(t, s, own) != 1 || unread(t, s, other) != 0 {
		t.Fatalf("due soon: agent %d, own merchant %d, other %d", unread(t, s, a), unread(t, s, own), unread(t, s, other))
	}
	list, _ := s.Alerts(ctx, own.ID, anxin.Scope{MerchantID: m1.ID}, 0)
	if len(list) != 1 || list[0].Kind != anxin.AlertDueSoon {
		t.Fatalf("merchant's alerts %+v", list)
	}
}

func TestBuyerRepliedAlertHelper(t *testing.T) {
	s, _ := storetest.MustOpen(t)
	m1 := storetest.MustMerchant(t, s, "m1")
	m2 := storetest.MustMerchant(t, s, "m2")
	a := storetest.MustUser(t, s, anxin.RoleAgent, "王晓", 0)
	own := storetest.MustUser(t, s, anxin.RoleMerchant, "店长", m1.ID)
	other := storetest.MustUser(t, s, anxin.RoleMerchant, "店长", m2.ID)
	tk := storetest.MustTicket(t, s, m1.ID, anxin.QualityReturn, 1000)
	if _, err := s.Assign(ctx, tk.ID, a.ID, a.Actor()); err != nil {
		t.Fatal(err)
	}
	if err := store.AlertTicketPeople(s, tk.ID, anxin.AlertBuyerReplied, "还没收到退款"); err != nil {
		t.Fatal(err)
	}
	if unread(t, s, a) != 1 || unread(t, s, own) != 1 || unread(t, s, other) != 0 {
		t.Fatal("buyer replied: not the assignee and the ticket's own merchant only")
	}
}

// The candidates' open tickets are counted on an index, not by a scan of
// every ticket: intake must not slow down as tickets pile up.
func TestCandidateQueryUsesAnIndex(t *testing.T) {
	storetest.SQLiteOnly(t, "the plan is SQLite's EXPLAIN QUERY PLAN")
	s, _ := storetest.MustOpen(t)
	plan, err := store.ExplainCandidates(s)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("plan:\n%s", plan)
	if !strings.Contains(plan, "tickets_queue_assignee") || strings.Contains(plan, "SCAN t") {
		t.Fatalf("plan:\n%s", plan)
	}
}
