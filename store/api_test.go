package store_test

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

func TestIntakeInstantRefund(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "昆明斗南鲜花园艺") // the default setting: unshipped, or up to ¥200

	small := storetest.Claim(m.ID, anxin.FreshSpoiled, 8990, clock.Now())
	v, err := intake(s, m, small)
	if err != nil {
		t.Fatal(err)
	}
	if v.State != anxin.Refunding || v.Refund.ID == 0 || v.Refund.AmountFen != 8990 || v.MerchantCode != m.Code {
		t.Fatalf("a ¥89.90 spoiled-fresh claim: %s, refund %+v", v.State, v.Refund)
	}
	events, _ := s.Timeline(ctx, anxin.AllMerchants(), v.ID)
	if len(events) != 2 || events[1].Actor.Role != anxin.RoleSystem || events[1].Detail != anxin.InstantRefundReason ||
		!events[1].At.Equal(events[0].At) {
		t.Fatalf("timeline %+v", events)
	}

	big, err := intake(s, m, storetest.Claim(m.ID, anxin.FreshSpoiled, 39900, clock.Now()))
	if err != nil || big.State != anxin.PendingMerchant || big.Refund.ID != 0 {
		t.Fatalf("a ¥399 claim on a received order waits for the merchant: %s %v", big.State, err)
	}
	// A buyer whose other claim is in arbitration has an open dispute.
	agent := storetest.MustUser(t, s, anxin.RoleAgent, "王晓", 0).Actor()
	if _, err := s.Decide(ctx, big.ID, anxin.Decision{Action: anxin.EscalateToArb, Actor: agent}); err != nil {
		t.Fatal(err)
	}
	disputed, err := intake(s, m, storetest.Claim(m.ID, anxin.FreshSpoiled, 5000, clock.Now()))
	if err != nil || disputed.State != anxin.PendingMerchant {
		t.Fatalf("a buyer with an open dispute: %s %v", disputed.State, err)
	}
	unshipped, err := intake(s, m, storetest.Claim(m.ID, anxin.UnshippedRefund, 99900, clock.Now()))
	if err != nil || unshipped.State != anxin.Refunding {
		t.Fatalf("an unshipped order, whatever the amount: %s %v", unshipped.State, err)
	}
	// A refused claim leaves nothing behind.
	late := storetest.Claim(m.ID, anxin.FreshSpoiled, 5000, clock.Now().Add(-48*time.Hour))
	before := countRows(t, s, "tickets")
	if _, err := intake(s, m, late); anxin.ErrorCode(err) != anxin.EOUTSIDEWINDOW {
		t.Fatalf("a late claim: %v", err)
	}
	if countRows(t, s, "tickets") != before {
		t.Fatal("a refused claim left a ticket")
	}
}

// intake is an API intake without an Idempotency-Key.
func intake(s *store.Store, m anxin.Merchant, c anxin.Claim) (store.TicketView, error) {
	v, _, err := s.Intake(ctx, anxin.AllMerchants(), m.Code, c, store.IdempotencyKey{})
	return v, err
}

func TestIdempotent(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "义乌优品")
	key, _, err := s.CreateAPIKey(ctx, "shop", anxin.KeyScope{AllMerchants: true})
	if err != nil {
		t.Fatal(err)
	}
	claim := storetest.Claim(m.ID, anxin.Damaged, 39900, clock.Now()) // over ¥200: waits for the merchant
	idem := func(apiKey int64, k, hash string) store.IdempotencyKey {
		return store.IdempotencyKey{APIKeyID: apiKey, Key: k, RequestHash: hash}
	}
	// Racing retries of one request: one ticket, one answer.
	var wg sync.WaitGroup
	views := make([]store.TicketView, 10)
	replays := make([]bool, 10)
	for i := range views {
		wg.Go(func() {
			var err error
			views[i], replays[i], err = s.Intake(ctx, anxin.AllMerchants(), m.Code, claim, idem(key.ID, "k1", "hash-a"))
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	replayed := 0
	for i, v := range views {
		if v.ID == 0 || v.ID != views[0].ID || v.Number != views[0].Number || v.State != anxin.PendingMerchant ||
			!v.CreatedAt.Equal(views[0].CreatedAt) || v.MerchantCode != m.Code {
			t.Fatalf("answer %d: %+v, want the first %+v", i, v, views[0])
		}
		if replays[i] {
			replayed++
		}
	}
	if replayed != 9 || countRows(t, s, "tickets") != 1 {
		t.Fatalf("%d replays, %d tickets", replayed, countRows(t, s, "tickets"))
	}
	// The first answer is given again as it was, whatever happened since.
	agent := storetest.MustUser(t, s, anxin.RoleAgent, "王晓", 0).Actor()
	if _, err := s.Decide(ctx, views[0].ID, anxin.Decision{Action: anxin.Approve, Actor: agent}); err != nil {
		t.Fatal(err)
	}
	if v, replay, err := s.Intake(ctx, anxin.AllMerchants(), m.Code, claim, idem(key.ID, "k1", "hash-a")); err != nil || !replay || v.State != anxin.PendingMerchant {
		t.Fatalf("a retry after the ticket moved on: %s, replayed %v, %v", v.State, replay, err)
	}
	if _, _, err := s.Intake(ctx, anxin.AllMerchants(), m.Code, claim, idem(key.ID, "k1", "hash-b")); anxin.ErrorCode(err) != anxin.EIDEMPOTENCYREUSED {
		t.Fatalf("the key with another request: %v", err)
	}
	// Another API key has its own keys.
	other, _, _ := s.CreateAPIKey(ctx, "erp", anxin.KeyScope{AllMerchants: true})
	if _, replay, _ := s.Intake(ctx, anxin.AllMerchants(), m.Code, claim, idem(other.ID, "k1", "hash-b")); replay {
		t.Fatal("a key replayed another API key's answer")
	}
	// A refusal is an answer too: kept, and given again with its code.
	late := storetest.Claim(m.ID, anxin.FreshSpoiled, 5000, clock.Now().Add(-48*time.Hour))
	for i := range 2 {
		_, replay, err := s.Intake(ctx, anxin.AllMerchants(), m.Code, late, idem(key.ID, "late", "hash-late"))
		if anxin.ErrorCode(err) != anxin.EOUTSIDEWINDOW || replay != (i == 1) {
			t.Fatalf("a late claim, try %d: replayed %v, %v", i+1, replay, err)
		}
	}
	// Kept 24 h, then purged: the key may be used afresh.
	clock.Advance(store.IdempotencyTTL - time.Minute)
	if _, replay, _ := s.Intake(ctx, anxin.AllMerchants(), m.Code, claim, idem(key.ID, "k1", "hash-a")); !replay {
		t.Fatal("the answer was not kept 24 h")
	}
	clock.Advance(2 * time.Minute)
	if err := s.Purge(ctx); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, s, "idempotency_keys"); n != 0 {
		t.Fatalf("%d idempotency records after the purge, want 0", n)
	}
	claim = storetest.Claim(m.ID, anxin.Damaged, 3990, clock.Now())
	if _, replay, err := s.Intake(ctx, anxin.AllMerchants(), m.Code, claim, idem(key.ID, "k1", "hash-b")); replay || err != nil {
		t.Fatalf("a purged key used afresh: replayed %v, %v", replay, err)
	}
	// An internal failure records nothing, and writes nothing.
	boom := errors.New("boom")
	before := countRows(t, s, "tickets")
	if _, _, err := store.IdempotentFailing(s, ctx, idem(key.ID, "k2", "h"), claim, boom); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if countRows(t, s, "tickets") != before {
		t.Fatal("a request that failed left its ticket")
	}
	if _, replay, _ := s.Intake(ctx, anxin.AllMerchants(), m.Code, claim, idem(key.ID, "k2", "h")); replay {
		t.Fatal("a failed request was recorded")
	}
}

func TestAPIKeys(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	k, secret, err := s.CreateAPIKey(ctx, "  抖店对接  ", anxin.KeyScope{AllMerchants: true})
	if err != nil {
		t.Fatal(err)
	}
	if k.Name != "抖店对接" || len(secret) < 30 || secret[:len(k.Prefix)] != k.Prefix {
		t.Fatalf("key %+v, secret %q", k, secret)
	}
	var stored string
	store.DB(s).QueryRow(`SELECT hash FROM api_keys WHERE id = ?`, k.ID).Scan(&stored)
	if stored == secret || len(stored) != 64 {
		t.Fatal("the key is not stored hashed")
	}
	if got, err := s.APIKeyBySecret(ctx, secret); err != nil || got.ID != k.ID {
		t.Fatalf("lookup: %v", err)
	}
	for _, bad := range []string{"", secret + "x", "axk_" + secret[4:len(secret)-1], "Bearer " + secret} {
		if _, err := s.APIKeyBySecret(ctx, bad); err != store.ErrBadAPIKey {
			t.Fatalf("%q: %v", bad, err)
		}
	}
	if err := s.TouchAPIKey(ctx, k.ID); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Second)
	s.TouchAPIKey(ctx, k.ID) // within a minute: not written again
	keys, _ := s.APIKeys(ctx)
	if len(keys) != 1 || !keys[0].LastUsedAt.Equal(clock.Now().Add(-time.Second)) {
		t.Fatalf("keys %+v", keys)
	}
	if _, err := s.RevokeAPIKey(ctx, k.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.APIKeyBySecret(ctx, secret); err != store.ErrBadAPIKey {
		t.Fatalf("a revoked key: %v", err)
	}
	if _, err := s.RevokeAPIKey(ctx, 999); anxin.ErrorCode(err) != anxin.ENOTFOUND {
		t.Fatalf("revoke unknown: %v", err)
	}
	if _, _, err := s.CreateAPIKey(ctx, " ", anxin.KeyScope{AllMerchants: true}); anxin.ErrorCode(err) != anxin.EINVALID {
		t.Fatalf("a nameless key: %v", err)
	}
}

func TestListTickets(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	a := storetest.MustMerchant(t, s, "A")
	b := storetest.MustMerchant(t, s, "B")
	var made []anxin.Ticket
	for i := range 9 {
		m := a.ID
		if i%3 == 0 {
			m = b.ID
		}
		made = append(made, storetest.MustTicket(t, s, m, anxin.Damaged, 1000))
		if i%2 == 0 { // pairs share a creation time: the id breaks the tie
			clock.Advance(time.Minute)
		}
	}
	if _, err := s.Decide(ctx, made[4].ID, anxin.Decision{Action: anxin.Cancel, Actor: anxin.Buyer()}); err != nil {
		t.Fatal(err)
	}
	var got []int64
	var cur store.ListCursor
	for {
		page, next, err := s.ListTickets(ctx, store.TicketFilter{After: cur, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range page {
			got = append(got, v.ID)
		}
		if next.IsZero() {
			break
		}
		var ok bool
		if cur, ok = store.ParseListCursor(next.String()); !ok || !cur.CreatedAt.Equal(next.CreatedAt) || cur.ID != next.ID {
			t.Fatalf("cursor %+v read back as %+v", next, cur)
		}
	}
	if len(got) != 9 {
		t.Fatalf("listed %v, want all 9 (closed too)", got)
	}
	for i, id := range got {
		if id != made[8-i].ID {
			t.Fatalf("listed %v, want newest first", got)
		}
	}
	// A cursor as clients were given it before the list had a cursor type
	// of its own: the creation time in unix ms and the id, in base 36.
	if c, ok := store.ParseListCursor("mwwui740.9"); !ok || !c.CreatedAt.Equal(storetest.Epoch) || c.ID != 9 {
		t.Fatalf("an earlier cursor reads as %+v, %v", c, ok)
	}
	for _, bad := range []string{"", "zzz", "mwwui740.0", "mwwui740.-1", "a.b.c"} {
		if c, ok := store.ParseListCursor(bad); ok {
			t.Errorf("the malformed cursor %q reads as %+v", bad, c)
		}
	}
	page, _, _ := s.ListTickets(ctx, store.TicketFilter{MerchantID: b.ID})
	closed, _, _ := s.ListTickets(ctx, store.TicketFilter{State: anxin.Closed})
	if len(page) != 3 || len(closed) != 1 || closed[0].ID != made[4].ID {
		t.Fatalf("merchant filter %d, state filter %d", len(page), len(closed))
	}
}

// webhookFor registers an endpoint for the events on every merchant.
func webhookFor(t *testing.T, s *store.Store, merchantID int64, events ...anxin.WebhookEvent) anxin.Webhook {
	t.Helper()
	w, err := s.CreateWebhook(ctx, anxin.Webhook{URL: "http://127.0.0.1:9/hook", Secret: "whsec-0123456789abcdef",
		Events: events, MerchantID: merchantID})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// outbox lists the events of the deliveries due now, oldest first.
func outbox(t *testing.T, s *store.Store) []store.OutboxEvent {
	t.Helper()
	due, err := s.DueDeliveries(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.OutboxEvent
	for _, d := range due {
		if len(d.Body) != 0 {
			t.Fatalf("delivery %d has a body before its first attempt: %s", d.ID, d.Body)
		}
		e, err := d.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		if e.ID != d.EventID || e.Type != d.Event {
			t.Fatalf("delivery %d (%s %s) tells of %s %s", d.ID, d.EventID, d.Event, e.ID, e.Type)
		}
		out = append(out, e)
	}
	return out
}

func TestOutboxIsWrittenWithTheChange(t *testing.T) {
	s, _ := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "茅乡名酒")
	other := storetest.MustMerchant(t, s, "别家")
	agent := storetest.MustUser(t, s, anxin.RoleAgent, "陈静", 0).Actor()
	webhookFor(t, s, 0, anxin.EventTicketCreated, anxin.EventStateChanged, anxin.EventRefundRequested)
	webhookFor(t, s, other.ID, anxin.EventTicketCreated)

	tk := storetest.MustTicket(t, s, m.ID, anxin.Damaged, 149900)
	// A refused decision writes nothing.
	if _, err := s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.Reject, Actor: agent}); anxin.ErrorCode(err) != anxin.EINVALID {
		t.Fatalf("reject without reason: %v", err)
	}
	if _, err := s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.Approve, Actor: agent, Version: tk.Version}); err != nil {
		t.Fatal(err)
	}
	events := outbox(t, s)
	types := []anxin.WebhookEvent{}
	for _, e := range events {
		types = append(types, e.Type)
	}
	if len(events) != 3 || types[0] != anxin.EventTicketCreated || types[1] != anxin.EventStateChanged || types[2] != anxin.EventRefundRequested {
		t.Fatalf("outbox %v, want created, state_changed, refund.requested (and nothing for the other merchant's endpoint)", types)
	}
	created, changed, refund := events[0], events[1], events[2]
	if created.View.State != anxin.PendingMerchant || created.View.MerchantCode != m.Code || created.View.Refund.ID != 0 || created.Change != nil {
		t.Fatalf("ticket.created: %+v", created)
	}
	if c := changed.Change; c == nil || c.From != anxin.PendingMerchant || c.To != anxin.Refunding || c.Actor.Role != anxin.RoleAgent || c.AmountFen != 149900 {
		t.Fatalf("ticket.state_changed change: %+v", changed.Change)
	}
	if r := refund.View.Refund; r.Number != anxin.RefundNumber(tk.ID) || r.Status != anxin.RefundStatusPending || r.AmountFen != 149900 {
		t.Fatalf("refund.requested refund: %+v", refund.View.Refund)
	}
	if changed.ID == refund.ID || changed.ID == "" || created.ID == changed.ID {
		t.Fatal("each event has its own id")
	}
	// The snapshot is the ticket as the change's transaction left it, read
	// back whole, at the change's moment.
	now, _ := s.TicketView(ctx, anxin.AllMerchants(), tk.ID)
	for _, e := range events[1:] {
		if !reflect.DeepEqual(e.View, now) || !e.At.Equal(storetest.Epoch) || !e.Change.At.Equal(storetest.Epoch) {
			t.Fatalf("%s: snapshot at %v\n%+v\nthe ticket now\n%+v", e.Type, e.At, e.View, now)
		}
	}
	// A write rolled back takes its deliveries with it.
	if _, err := s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.Approve, Actor: agent, Version: tk.Version}); err == nil {
		t.Fatal("a stale approval succeeded")
	}
	if n := len(outbox(t, s)); n != 3 {
		t.Fatalf("a refused decision wrote %d deliveries", n-3)
	}
}

func TestRecordAttemptBacksOffForADay(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "m")
	webhookFor(t, s, 0, anxin.EventTicketCreated)
	storetest.MustTicket(t, s, m.ID, anxin.Damaged, 1000)
	created := clock.Now()
	attempts := 0
	for {
		due, err := s.DueDeliveries(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(due) == 0 {
			break
		}
		attempts++
		// The first body sent is the one kept: what a later attempt
		// passes is not.
		if attempts > 1 && string(due[0].Body) != `{"attempt":1}` {
			t.Fatalf("attempt %d is to send %q", attempts, due[0].Body)
		}
		if _, err := due[0].Snapshot(); (err == nil) != (attempts == 1) {
			t.Fatalf("attempt %d: snapshot %v", attempts, err)
		}
		body := fmt.Appendf(nil, `{"attempt":%d}`, attempts)
		d, err := s.RecordAttempt(ctx, due[0].ID, anxin.DeliveryAttempt{At: clock.Now(), Status: 503, Error: "HTTP 503"}, body)
		if err != nil {
			t.Fatal(err)
		}
		if string(d.Body) != `{"attempt":1}` {
			t.Fatalf("attempt %d: the delivery's body is %q", attempts, d.Body)
		}
		if d.Status == anxin.DeliveryFailed {
			break
		}
		if want := clock.Now().Add(anxin.WebhookBackoff(attempts)); !d.NextAt.Equal(want) {
			t.Fatalf("attempt %d: next at %v, want %v", attempts, d.NextAt, want)
		}
		if due, _ := s.DueDeliveries(ctx, 10); len(due) != 0 {
			t.Fatal("a failed delivery is due again before its back-off")
		}
		clock.Set(d.NextAt)
	}
	if clock.Now().Sub(created) > anxin.WebhookRetryFor || attempts < 20 {
		t.Fatalf("gave up after %d attempts, %v after the event", attempts, clock.Now().Sub(created))
	}
	clock.Advance(48 * time.Hour)
	if due, _ := s.DueDeliveries(ctx, 10); len(due) != 0 {
		t.Fatal("a given-up delivery is due again")
	}
	list, err := s.Deliveries(ctx, 1, 10)
	if err != nil || len(list) != 1 || len(list[0].Tries) != attempts || list[0].Status != anxin.DeliveryFailed {
		t.Fatalf("listed %+v, %v", list, err)
	}
}

func TestDeadlineSoonOncePerState(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "m")
	staff := storetest.MustUser(t, s, anxin.RoleMerchant, "staff", m.ID).Actor()
	tk := storetest.MustTicket(t, s, m.ID, anxin.FreshSpoiled, 1000) // 24 h clock
	if n, _ := s.NoticeDeadlines(ctx); n != 0 {
		t.Fatal("a notice with no endpoint asking for it")
	}
	webhookFor(t, s, 0, anxin.EventDeadlineSoon)
	clock.Advance(23*time.Hour - time.Second)
	if n, _ := s.NoticeDeadlines(ctx); n != 0 {
		t.Fatal("a notice more than an hour before the deadline")
	}
	clock.Advance(time.Second)
	for i, want := range []int{1, 0} {
		if n, err := s.NoticeDeadlines(ctx); err != nil || n != want {
			t.Fatalf("round %d: %d notices, %v; want %d", i, n, err, want)
		}
	}
	// A new state with its own clock gets its own notice.
	if _, err := s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.RequestEvidence, Actor: staff}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(72*time.Hour - 30*time.Minute)
	if n, _ := s.NoticeDeadlines(ctx); n != 1 {
		t.Fatalf("%d notices for the evidence deadline", n)
	}
	events := outbox(t, s)
	if len(events) != 2 || events[0].Type != anxin.EventDeadlineSoon || events[1].View.State != anxin.NeedsEvidence {
		t.Fatalf("outbox %+v", events)
	}
	// A deadline already passed (the scheduler was down) gets none.
	storetest.MustTicket(t, s, m.ID, anxin.FreshSpoiled, 1000)
	clock.Advance(25 * time.Hour)
	if n, _ := s.NoticeDeadlines(ctx); n != 0 {
		t.Fatal("a notice for a passed deadline")
	}
}

// TestDeliveriesRenderedBeforeSnapshotsAreSentAsTheyAre: a delivery that
// a binary from before migration 0008 wrote, with its body rendered then,
// is due after the upgrade with that body, and keeps it.
func TestDeliveriesRenderedBeforeSnapshotsAreSentAsTheyAre(t *testing.T) {
	storetest.SQLiteOnly(t, "an upgrade of a SQLite database from before a migration")
	path := filepath.Join(t.TempDir(), "anxin.db")
	if err := store.MigrateBefore(path, "0008"); err != nil {
		t.Fatal(err)
	}
	old, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	const body = `{"id":"evt_old","type":"ticket.created","created_at":"2026-11-26T01:00:00Z","data":{}}`
	at := storetest.Epoch.UnixMilli()
	_, err1 := old.Exec(`INSERT INTO webhooks (id, url, secret, events, active, created_at)
		VALUES (1, 'http://127.0.0.1:9/hook', 'whsec-0123456789abcdef', 'ticket.created', 1, ?)`, at)
	_, err2 := old.Exec(`INSERT INTO webhook_deliveries (webhook_id, event_id, event, body, next_at, created_at)
		VALUES (1, 'evt_old', 'ticket.created', ?, ?, ?)`, body, at, at)
	old.Close()
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}

	clock := anxin.NewManualClock(storetest.Epoch)
	s := storetest.MustOpenWith(t, path, storetest.Config(clock))
	due, err := s.DueDeliveries(ctx, 10)
	if err != nil || len(due) != 1 || string(due[0].Body) != body || due[0].EventID != "evt_old" {
		t.Fatalf("due after the upgrade: %+v, %v", due, err)
	}
	if _, err := due[0].Snapshot(); err == nil {
		t.Fatal("a delivery from before snapshots has one")
	}
	d, err := s.RecordAttempt(ctx, due[0].ID, anxin.DeliveryAttempt{At: clock.Now(), Status: 500, Error: "HTTP 500"}, []byte(body))
	if err != nil || string(d.Body) != body || d.Status != anxin.DeliveryPending {
		t.Fatalf("after an attempt: %+v, %v", d, err)
	}
	clock.Set(d.NextAt)
	if due, _ := s.DueDeliveries(ctx, 10); len(due) != 1 || string(due[0].Body) != body {
		t.Fatalf("due again: %+v", due)
	}
}

// TestKeysMadeBeforeScopesActForEveryMerchant: a key from before migration
// 0009 keeps working, for every merchant, and says it was made so.
func TestKeysMadeBeforeScopesActForEveryMerchant(t *testing.T) {
	storetest.SQLiteOnly(t, "an upgrade of a SQLite database from before a migration")
	path := filepath.Join(t.TempDir(), "anxin.db")
	if err := store.MigrateBefore(path, "0009"); err != nil {
		t.Fatal(err)
	}
	old, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	const secret = "axk_made-before-scopes-0123456789"
	sum := sha256.Sum256([]byte(secret))
	_, err = old.Exec(`INSERT INTO api_keys (name, prefix, hash, created_at) VALUES ('老接口', 'axk_made-b', ?, 0)`, hex.EncodeToString(sum[:]))
	if err = errors.Join(err, old.Close()); err != nil {
		t.Fatal(err)
	}
	s := storetest.MustOpenWith(t, path, storetest.Config(anxin.NewManualClock(storetest.Epoch)))
	k, err := s.APIKeyBySecret(ctx, secret)
	if err != nil || !k.Unscoped || k.MerchantID != 0 || k.Scope() != anxin.AllMerchants() {
		t.Fatalf("the old key: %+v, %v", k, err)
	}
	m := storetest.MustMerchant(t, s, "昆明斗南鲜花园艺")
	made, _, err := s.CreateAPIKey(ctx, "斗南ERP", anxin.KeyScope{MerchantID: m.ID})
	if err != nil || made.Unscoped || made.MerchantID != m.ID || made.MerchantCode != m.Code {
		t.Fatalf("a key made now: %+v, %v", made, err)
	}
	for _, bad := range []anxin.KeyScope{{}, {MerchantID: m.ID, AllMerchants: true}} {
		if _, _, err := s.CreateAPIKey(ctx, "x", bad); anxin.ErrorCode(err) != anxin.EINVALID {
			t.Errorf("scope %+v: %v, want it refused", bad, err)
		}
	}
	if _, _, err := s.CreateAPIKey(ctx, "x", anxin.KeyScope{MerchantID: 99999}); anxin.ErrorCode(err) != anxin.EUNKNOWNMERCHANT {
		t.Errorf("a key for no merchant: %v", err)
	}
}

// TestMerchantKeysActForTheirMerchantOnly: a merchant's key opens tickets
// for it and settles its refunds, and another merchant is unknown to it.
func TestMerchantKeysActForTheirMerchantOnly(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	a := storetest.MustMerchant(t, s, "玉颜美妆旗舰店")
	b := storetest.MustMerchant(t, s, "义乌优品家居百货")
	ka, _, err := s.CreateAPIKey(ctx, "A的ERP", anxin.KeyScope{MerchantID: a.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Intake(ctx, ka.Scope(), a.Code, storetest.Claim(a.ID, anxin.FreshSpoiled, 8990, clock.Now()), store.IdempotencyKey{}); err != nil {
		t.Fatalf("a claim for its merchant: %v", err)
	}
	_, _, err = s.Intake(ctx, ka.Scope(), b.Code, storetest.Claim(b.ID, anxin.FreshSpoiled, 8990, clock.Now()), store.IdempotencyKey{})
	if anxin.ErrorCode(err) != anxin.EUNKNOWNMERCHANT || anxin.ErrorMessage(err) != fmt.Sprintf("unknown merchant %q", b.Code) {
		t.Fatalf("a claim for another merchant: %v, want it answered as an unknown merchant", err)
	}
	// B's refund, settled with A's key: not found, and nothing changes.
	vb, _, err := s.Intake(ctx, anxin.AllMerchants(), b.Code, storetest.Claim(b.ID, anxin.FreshSpoiled, 8990, clock.Now()), store.IdempotencyKey{})
	if err != nil || vb.Refund.ID == 0 {
		t.Fatalf("B's instant refund: %+v, %v", vb.Refund, err)
	}
	if _, err := s.SettleRefund(ctx, ka.Scope(), vb.Refund.Number, true, ""); anxin.ErrorCode(err) != anxin.ENOTFOUND {
		t.Fatalf("settling another merchant's refund: %v, want not found", err)
	}
	if r, _ := s.Refund(ctx, anxin.AllMerchants(), vb.ID); r.Status != anxin.RefundStatusPending {
		t.Fatalf("B's refund is %s", r.Status)
	}
	// The buyer acting through A's key reaches A's tickets only.
	buyer := ka.Actor()
	if _, err := s.Decide(ctx, vb.ID, anxin.Decision{Action: anxin.Cancel, Actor: buyer}); anxin.ErrorCode(err) != anxin.ENOTFOUND {
		t.Fatalf("A's key cancelling B's ticket: %v", err)
	}
}

// TestLateSuccessAfterAManualRefundRaisesAnAlert: the payment system says
// it paid a refund an agent had already paid by hand: refused, and written
// on the ticket as an alert, never a silent success.
func TestLateSuccessAfterAManualRefundRaisesAnAlert(t *testing.T) {
	s, _ := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "义乌优品家居百货")
	tk := storetest.MustTicketIn(t, s, m.ID, anxin.RefundFailed, 5900)
	agent := storetest.MustUser(t, s, anxin.RoleAgent, "王晓", 0).Actor()
	tk, err := s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.ManualRefund, Actor: agent, Version: tk.Version, Reason: "银行转账凭证 20261126"})
	if err != nil || tk.State != anxin.Refunded {
		t.Fatalf("the manual refund: %s, %v", tk.State, err)
	}
	r, _ := s.Refund(ctx, anxin.AllMerchants(), tk.ID)
	if !r.Manual {
		t.Fatal("a refund paid by hand is not marked so")
	}
	notices, stop := s.Subscribe()
	defer stop()
	_, err = s.SettleRefund(ctx, anxin.AllMerchants(), r.Number, true, "支付成功")
	if anxin.ErrorCode(err) != anxin.ECONFLICT {
		t.Fatalf("a late success: %v, want a conflict", err)
	}
	events, _ := s.Timeline(ctx, anxin.AllMerchants(), tk.ID)
	last := events[len(events)-1]
	if last.Action != anxin.PaidTwice || last.AmountFen != r.AmountFen || last.Actor.Role != anxin.RoleSystem {
		t.Fatalf("the timeline ends with %+v, want the alert", last)
	}
	select {
	case batch := <-notices:
		if batch[0].TicketID != tk.ID || batch[0].Kind != store.NoticeAlert {
			t.Fatalf("notice %+v", batch)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the alert reached no open page")
	}
	if got, _ := s.Ticket(ctx, anxin.AllMerchants(), tk.ID); got.State != anxin.Refunded || got.RefundedFen != 5900 {
		t.Fatalf("the ticket changed: %s, %d", got.State, got.RefundedFen)
	}
}

// TestClaimDeliveriesOnce: a delivery claimed to be sent is not claimed
// again, here or by another sender, until its attempt is recorded or its
// lease ends (a sender that died with it).
func TestClaimDeliveriesOnce(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "m")
	webhookFor(t, s, 0, anxin.EventTicketCreated)
	storetest.MustTicket(t, s, m.ID, anxin.Damaged, 1000)
	storetest.MustTicket(t, s, m.ID, anxin.Damaged, 2000)

	claimed := clock.Now()
	first, err := s.ClaimDeliveries(ctx, 1)
	if err != nil || len(first) != 1 {
		t.Fatalf("claimed %d (%v), want 1", len(first), err)
	}
	second, err := s.ClaimDeliveries(ctx, 10)
	if err != nil || len(second) != 1 || second[0].ID == first[0].ID {
		t.Fatalf("second claim: %d (%v): the first delivery claimed twice or the other missed", len(second), err)
	}
	if again, err := s.ClaimDeliveries(ctx, 10); err != nil || len(again) != 0 {
		t.Fatalf("a third claim took %d (%v)", len(again), err)
	}
	// The first is recorded as failed: due again after its back-off; the
	// second's sender died: due again after the lease.
	d, err := s.RecordAttempt(ctx, first[0].ID, anxin.DeliveryAttempt{At: clock.Now(), Status: 503, Error: "HTTP 503"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	clock.Set(d.NextAt)
	if got, _ := s.ClaimDeliveries(ctx, 10); len(got) != 1 || got[0].ID != first[0].ID {
		t.Fatalf("after its back-off: claimed %v, want delivery %d", got, first[0].ID)
	}
	clock.Set(claimed.Add(store.ClaimLease - time.Second))
	if got, _ := s.ClaimDeliveries(ctx, 10); len(got) != 0 {
		t.Fatalf("a leased delivery was claimed again before its lease ended: %v", got)
	}
	clock.Set(claimed.Add(store.ClaimLease))
	if got, _ := s.ClaimDeliveries(ctx, 10); len(got) != 1 || got[0].ID != second[0].ID {
		t.Fatalf("after the lease: claimed %v, want delivery %d", got, second[0].ID)
	}
}
