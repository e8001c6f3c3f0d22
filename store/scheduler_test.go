package store_test

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// runTimeouts runs the scheduler's timeout sweep and fails on any failure.
func runTimeouts(t *testing.T, s *store.Store) store.Sweep {
	t.Helper()
	sw, err := s.RunTimeouts(ctx)
	if err != nil || len(sw.Failed) > 0 {
		t.Fatalf("timeouts: %v %+v", err, sw.Failed)
	}
	return sw
}

func mustTicket(t *testing.T, s *store.Store, id int64) anxin.Ticket {
	t.Helper()
	tk, err := s.Ticket(ctx, anxin.AllMerchants(), id)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// lastEvent is the ticket's latest state change.
func lastEvent(t *testing.T, s *store.Store, id int64) anxin.Event {
	t.Helper()
	events, err := s.Timeline(ctx, anxin.AllMerchants(), id)
	if err != nil || len(events) == 0 {
		t.Fatalf("timeline: %v", err)
	}
	return events[len(events)-1]
}

func TestSpoiledFreshLeftAloneIsAutoApproved(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "昆明斗南鲜花园艺")
	tk := storetest.MustTicket(t, s, m.ID, anxin.FreshSpoiled, 8990)

	clock.Advance(24*time.Hour - time.Second)
	if sw := runTimeouts(t, s); sw.Done != 0 {
		t.Fatalf("the scheduler acted %d times before the 24 h merchant clock ran out", sw.Done)
	}
	clock.Advance(time.Second)
	if sw := runTimeouts(t, s); sw.Done != 1 {
		t.Fatalf("the scheduler acted %d times when the clock ran out, want 1", sw.Done)
	}
	got := mustTicket(t, s, tk.ID)
	ev := lastEvent(t, s, tk.ID)
	// Spoiled fresh food is refund-only: approving it starts the refund.
	if got.State != anxin.Refunding || got.RefundedFen != 8990 || got.Version != tk.Version+1 {
		t.Fatalf("after the timeout: %s, refunded %d, v%d", got.State, got.RefundedFen, got.Version)
	}
	if ev.Actor.Role != anxin.RoleSystem || ev.Action != anxin.Timeout || ev.Detail != string(anxin.AutoApprove) || !ev.At.Equal(clock.Now()) {
		t.Fatalf("recorded as %s by %s (%q) at %v", ev.Action, ev.Actor.Role, ev.Detail, ev.At)
	}
	if sw := runTimeouts(t, s); sw.Done != 0 {
		t.Fatal("a second sweep acted again")
	}
}

func TestUnshippedRefundLeftAlonePaysOnce(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "虎门服装")
	// Instant refunds happen only at API intake; this claim waits for the merchant.
	tk := storetest.MustTicket(t, s, m.ID, anxin.UnshippedRefund, 45900)
	clock.Advance(48 * time.Hour)
	// Sweeps overlapping, as after a slow round: one refund whatever happens.
	var wg sync.WaitGroup
	sweeps := make([]store.Sweep, 4)
	for i := range sweeps {
		wg.Go(func() { sweeps[i], _ = s.RunTimeouts(ctx) })
	}
	wg.Wait()
	done := 0
	for _, sw := range sweeps {
		done += sw.Done
	}
	got := mustTicket(t, s, tk.ID)
	if done != 1 || got.State != anxin.Refunding || got.RefundedFen != 45900 {
		t.Fatalf("%d timeouts applied; ticket %s refunded %d", done, got.State, got.RefundedFen)
	}
	if ev := lastEvent(t, s, tk.ID); ev.Detail != string(anxin.AutoRefund) || ev.AmountFen != 45900 {
		t.Fatalf("last event %+v", ev)
	}
	if n := countRows(t, s, "refunds"); n != 1 {
		t.Fatalf("%d refund rows, want 1", n)
	}
	if paid, err := s.PayPendingRefunds(ctx); err != nil || paid.Done != 1 {
		t.Fatalf("built-in provider: %+v %v", paid, err)
	}
	if got := mustTicket(t, s, tk.ID); got.State != anxin.Refunded {
		t.Fatalf("after the built-in provider: %s", got.State)
	}
	if n := countRows(t, s, "refunds"); n != 1 {
		t.Fatalf("%d refund rows after payment, want 1", n)
	}
}

// TestCatchUpAfterOutage stops the store, lets three days pass, and reopens
// it: the first sweep acts on every deadline that passed, oldest first, and
// on nothing else.
func TestCatchUpAfterOutage(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "义乌优品")
	agent := storetest.MustUser(t, s, anxin.RoleAgent, "王晓", 0).Actor()
	start := clock.Now()
	// Created an hour apart, on 24 h and 48 h clocks: deadline order is not creation order.
	services := []anxin.ServiceKey{anxin.QualityReturn, anxin.FreshSpoiled, anxin.Authentic, anxin.FreshSpoiled,
		anxin.UnshippedRefund, anxin.NoReason7d, anxin.Damaged, anxin.PriceProtect}
	var made []anxin.Ticket
	for _, svc := range services {
		made = append(made, storetest.MustTicket(t, s, m.ID, svc, 12900))
		clock.Advance(time.Hour)
	}
	// One awaits evidence: its 72 h buyer clock outlasts the outage.
	waiting := storetest.MustTicket(t, s, m.ID, anxin.Damaged, 3990)
	if _, err := s.Decide(ctx, waiting.ID, anxin.Decision{Action: anxin.RequestEvidence, Actor: agent}); err != nil {
		t.Fatal(err)
	}
	// One was rejected: its 7-day appeal clock outlasts it too.
	rejected := storetest.MustTicket(t, s, m.ID, anxin.QualityReturn, 3990)
	if _, err := s.Decide(ctx, rejected.ID, anxin.Decision{Action: anxin.Reject, Actor: agent, Reason: "照片不清"}); err != nil {
		t.Fatal(err)
	}

	path := s.Path()
	s.Close()
	clock.Set(start.Add(3 * 24 * time.Hour))
	s = storetest.MustOpenWith(t, path, storetest.Config(clock))

	sw := runTimeouts(t, s)
	if sw.Done != len(made) {
		t.Fatalf("caught up %d deadlines, want %d", sw.Done, len(made))
	}
	want := slices.Clone(made)
	slices.SortFunc(want, func(a, b anxin.Ticket) int { return a.Deadline.Compare(b.Deadline) })
	rows, err := store.DB(s).Query(`SELECT ticket_id FROM ticket_events WHERE action = 'timeout' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var order []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		order = append(order, id)
	}
	rows.Close()
	for i := range want {
		if order[i] != want[i].ID {
			t.Fatalf("caught up in order %v, want deadline order %v", order, ids(want))
		}
	}
	if ids(want)[0] == made[0].ID {
		t.Fatal("the test needs deadline order to differ from creation order")
	}
	wantState := map[anxin.ServiceKey]anxin.State{
		anxin.QualityReturn: anxin.AwaitingReturn, anxin.NoReason7d: anxin.AwaitingReturn, // auto-approve, send the return address
		anxin.FreshSpoiled: anxin.Refunding, anxin.Damaged: anxin.Refunding, // auto-approve, refund-only
		anxin.UnshippedRefund: anxin.Refunding, anxin.PriceProtect: anxin.Refunding, // auto-refund
		anxin.Authentic: anxin.Arbitration, // escalate
	}
	for _, tk := range made {
		got := mustTicket(t, s, tk.ID)
		if got.State != wantState[tk.Service] {
			t.Errorf("%s (%s) is %s, want %s", tk.Number, tk.Service, got.State, wantState[tk.Service])
		}
		if got.State == anxin.AwaitingReturn && !got.Deadline.Equal(clock.Now().Add(7*24*time.Hour)) {
			t.Errorf("%s: the return clock starts when the system acts, not when the merchant's ran out: %v", tk.Number, got.Deadline)
		}
	}
	for _, tk := range []anxin.Ticket{waiting, rejected} {
		if got := mustTicket(t, s, tk.ID); got.State == anxin.Closed {
			t.Errorf("%s closed before its clock ran out", tk.Number)
		}
	}
}

func ids(ts []anxin.Ticket) []int64 {
	out := make([]int64, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	return out
}

// TestAgentsRaceScheduler has 50 agents click approve on an overdue ticket
// while the scheduler acts on it: exactly one transition happens.
func TestAgentsRaceScheduler(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "玉颜美妆")
	tk := storetest.MustTicket(t, s, m.ID, anxin.Damaged, 19900)
	agents := make([]anxin.Actor, 5)
	for i := range agents {
		agents[i] = storetest.MustUser(t, s, anxin.RoleAgent, "agent", 0).Actor()
	}
	clock.Advance(48*time.Hour + time.Minute)

	var wg sync.WaitGroup
	errs := make([]error, 50)
	sweeps := make([]store.Sweep, 3)
	start := make(chan struct{})
	for i := range errs {
		wg.Go(func() {
			<-start
			_, errs[i] = s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.Approve, Actor: agents[i%len(agents)], Version: tk.Version})
		})
	}
	for i := range sweeps {
		wg.Go(func() {
			<-start
			sweeps[i], _ = s.RunTimeouts(ctx)
		})
	}
	close(start)
	wg.Wait()

	wins := 0
	for _, err := range errs {
		var h *anxin.AlreadyHandled
		switch {
		case err == nil:
			wins++
		case !errors.As(err, &h):
			t.Errorf("a losing click got %v, want AlreadyHandled", err)
		}
	}
	for _, sw := range sweeps {
		wins += sw.Done
		if len(sw.Failed) > 0 {
			t.Errorf("the scheduler failed: %+v", sw.Failed)
		}
	}
	if wins != 1 {
		t.Fatalf("%d transitions won, want 1", wins)
	}
	got := mustTicket(t, s, tk.ID)
	var changes int
	store.DB(s).QueryRow(`SELECT count(*) FROM ticket_events WHERE ticket_id = ? AND from_state IS NOT NULL`, tk.ID).Scan(&changes)
	if got.Version != tk.Version+1 || changes != 1 || got.State != anxin.Refunding {
		t.Fatalf("after the race: %s v%d with %d state changes", got.State, got.Version, changes)
	}
	if n := countRows(t, s, "refunds"); n != 1 {
		t.Fatalf("%d refund rows", n)
	}
}

// TestEvidenceRequestPausesClockThroughStore: asking for evidence stops the
// merchant's clock; the buyer's evidence restarts it with what was left, and
// the scheduler acts only when that runs out.
func TestEvidenceRequestPausesClockThroughStore(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "虎门服装")
	staff := storetest.MustUser(t, s, anxin.RoleMerchant, "阿梅", m.ID).Actor()
	tk := storetest.MustTicket(t, s, m.ID, anxin.QualityReturn, 15900) // 48 h merchant clock

	clock.Advance(10 * time.Hour)
	got, err := s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.RequestEvidence, Actor: staff, Version: tk.Version})
	if err != nil {
		t.Fatal(err)
	}
	if got.State != anxin.NeedsEvidence || got.PausedLeft != 38*time.Hour {
		t.Fatalf("after the request: %s with %v left paused", got.State, got.PausedLeft)
	}
	if reread := mustTicket(t, s, tk.ID); reread.PausedLeft != 38*time.Hour {
		t.Fatalf("the paused time was not stored: %v", reread.PausedLeft)
	}
	clock.Advance(50 * time.Hour) // past the merchant's original deadline, within the buyer's 72 h
	if sw := runTimeouts(t, s); sw.Done != 0 {
		t.Fatal("the scheduler acted while the merchant clock was paused")
	}
	got, err = s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.AddEvidence, Actor: anxin.Buyer(), Version: got.Version})
	if err != nil {
		t.Fatal(err)
	}
	if got.State != anxin.PendingMerchant || !got.Deadline.Equal(clock.Now().Add(38*time.Hour)) {
		t.Fatalf("after the evidence: %s due %v, want 38 h from now", got.State, got.Deadline)
	}
	clock.Advance(38*time.Hour - time.Minute)
	if sw := runTimeouts(t, s); sw.Done != 0 {
		t.Fatal("the scheduler acted before the resumed clock ran out")
	}
	clock.Advance(time.Minute)
	runTimeouts(t, s)
	if got := mustTicket(t, s, tk.ID); got.State != anxin.AwaitingReturn {
		t.Fatalf("after the resumed clock ran out: %s, want awaiting_return", got.State)
	}

	// A request for evidence left unanswered closes the ticket after 72 h.
	other := storetest.MustTicket(t, s, m.ID, anxin.QualityReturn, 15900)
	if _, err := s.Decide(ctx, other.ID, anxin.Decision{Action: anxin.RequestEvidence, Actor: staff}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(72 * time.Hour)
	runTimeouts(t, s)
	if got := mustTicket(t, s, other.ID); got.State != anxin.Closed {
		t.Fatalf("unanswered evidence request: %s, want closed", got.State)
	}
}

func TestAwaitingReceiptAutoReceives(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "义乌优品")
	staff := storetest.MustUser(t, s, anxin.RoleMerchant, "老陈", m.ID).Actor()
	tk := storetest.MustTicket(t, s, m.ID, anxin.NoReason7d, 5900)
	tk, err := s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.Approve, Actor: staff})
	if err != nil {
		t.Fatal(err)
	}
	if tk, err = s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.ShipReturn, Actor: anxin.Buyer(), Tracking: "SF1234"}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(10 * 24 * time.Hour)
	runTimeouts(t, s)
	got := mustTicket(t, s, tk.ID)
	if got.State != anxin.Refunding || got.RefundedFen != 5900 || lastEvent(t, s, tk.ID).Detail != string(anxin.AutoReceive) {
		t.Fatalf("after the receipt clock: %s refunded %d", got.State, got.RefundedFen)
	}
}

func TestBuiltinProviderRetryReusesNumber(t *testing.T) {
	s, _ := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "茅乡名酒")
	agent := storetest.MustUser(t, s, anxin.RoleAgent, "陈静", 0).Actor()
	tk := storetest.MustTicket(t, s, m.ID, anxin.Damaged, 149900)
	tk, err := s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.Approve, Actor: agent})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := s.Refund(ctx, anxin.AllMerchants(), tk.ID)
	// The payment system declines it; an agent retries; the provider pays.
	if _, err := s.SettleRefund(ctx, anxin.AllMerchants(), r.Number, false, "银行卡已注销"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SettleRefund(ctx, anxin.AllMerchants(), r.Number, false, "repeated callback"); err != nil {
		t.Fatalf("the same answer twice: %v", err)
	}
	tk = mustTicket(t, s, tk.ID)
	if _, err := s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.RetryRefund, Actor: agent, Version: tk.Version}); err != nil {
		t.Fatal(err)
	}
	if sw, err := s.PayPendingRefunds(ctx); err != nil || sw.Done != 1 {
		t.Fatalf("built-in provider: %+v %v", sw, err)
	}
	again, _ := s.Refund(ctx, anxin.AllMerchants(), tk.ID)
	got := mustTicket(t, s, tk.ID)
	if got.State != anxin.Refunded || again.Number != r.Number || again.Attempts != 2 || again.Status != anxin.RefundStatusSucceeded {
		t.Fatalf("after the retry: %s, refund %+v (first %s)", got.State, again, r.Number)
	}
	if _, err := s.SettleRefund(ctx, anxin.AllMerchants(), r.Number, false, "late"); anxin.ErrorCode(err) != anxin.ECONFLICT {
		t.Fatalf("a failure after success: %v, want conflict", err)
	}
	if n := countRows(t, s, "refunds"); n != 1 {
		t.Fatalf("%d refund rows", n)
	}
}
