package store_test

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

func TestSearchFindsTicketsInEveryState(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	a := storetest.MustMerchant(t, s, "昆明斗南鲜花园艺")
	b := storetest.MustMerchant(t, s, "鲜果园")
	agent := storetest.MustUser(t, s, anxin.RoleAgent, "王晓", 0).Actor()

	claim := storetest.Claim(a.ID, anxin.FreshSpoiled, 8990, clock.Now())
	claim.Order.ID, claim.Order.Product, claim.BuyerName, claim.BuyerPhone, claim.Reason =
		"DY261129686614", "云南鲜切玫瑰 卡罗拉 20枝", "欧阳娜娜", "13912345678", "花瓣发黑，有异味"
	done, err := s.CreateTicket(ctx, claim)
	if err != nil {
		t.Fatal(err)
	}
	if done, err = s.Decide(ctx, done.ID, anxin.Decision{Action: anxin.Refund, Actor: agent, Version: done.Version}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	claim.Order.ID, claim.Order.Product, claim.BuyerName, claim.BuyerPhone = "DY261129000001", "进口绣球鲜花 5枝", "李娜", "13800001234"
	open, err := s.CreateTicket(ctx, claim)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.BuyerMessage(ctx, anxin.APIKey{MerchantID: a.ID}.Actor(), open.ID, "快递盒子压扁了", nil, store.IdempotencyKey{}); err != nil {
		t.Fatal(err)
	}
	claimB := storetest.Claim(b.ID, anxin.FreshSpoiled, 8990, clock.Now())
	claimB.Order.Product, claimB.BuyerPhone = "玫瑰花茶", "13700005678"
	other, err := s.CreateTicket(ctx, claimB)
	if err != nil {
		t.Fatal(err)
	}

	staff := store.QueueFilter{Scope: anxin.AllMerchants()}
	for _, c := range []struct {
		q    string
		want []int64
	}{
		{"DY261129686614", []int64{done.ID}},
		{"dy261129686614", []int64{done.ID}},
		{"5678", []int64{other.ID, done.ID}}, // open first
		{"139****5678", []int64{done.ID}},
		{"13912345678", []int64{done.ID}},
		{"欧阳娜娜", []int64{done.ID}},
		{"娜娜", []int64{done.ID}},
		{"娜", []int64{open.ID, done.ID}}, // open first
		{"玫瑰", []int64{other.ID, done.ID}},
		{"玫瑰 卡罗拉", []int64{done.ID}},
		{"异味", []int64{open.ID, done.ID}},
		{"压扁", []int64{open.ID}},
		{done.Number, []int64{done.ID}},
		{"  ", nil},
		{"玫瑰花瓣", nil},
		{"\"*)(", nil},
	} {
		got, err := s.Search(ctx, storeFilter(staff, c.q))
		if err != nil {
			t.Fatalf("%q: %v", c.q, err)
		}
		if !sameIDs(got, c.want) {
			t.Errorf("%q found %v, want %v", c.q, ids(got), c.want)
		}
	}
	// A merchant finds its own only; the queue's filters still apply.
	mine, err := s.Search(ctx, storeFilter(store.QueueFilter{Scope: anxin.Scope{MerchantID: b.ID}}, "玫瑰"))
	if err != nil || !sameIDs(mine, []int64{other.ID}) {
		t.Fatalf("B's search %v %v", ids(mine), err)
	}
	if got, _ := s.Search(ctx, storeFilter(store.QueueFilter{Scope: anxin.Scope{MerchantID: b.ID}}, done.Number)); len(got) != 0 {
		t.Fatal("B found A's ticket by its number")
	}
	refunding, _ := s.Search(ctx, storeFilter(store.QueueFilter{State: anxin.Refunding}, "玫瑰"))
	if !sameIDs(refunding, []int64{done.ID}) {
		t.Fatalf("state filter %v", ids(refunding))
	}
}

func TestSearchBackfill(t *testing.T) {
	storetest.SQLiteOnly(t, "an upgrade of a SQLite database from before a migration")
	path := filepath.Join(t.TempDir(), "anxin.db")
	if err := store.MigrateBefore(path, "0017"); err != nil {
		t.Fatal(err)
	}
	old, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO merchants (id, code, name, created_at) VALUES (1, 'shop', '店', 0)`,
		`INSERT INTO tickets (id, merchant_id, service, state, version, state_since, order_id, product, paid_fen,
			ordered_at, buyer_name, buyer_phone, reason, requested_fen, payable_fen, refunded_fen, created_at, updated_at)
			VALUES (1, 1, 'damaged', 'closed', 1, 0, 'DY1', '玫瑰', 100, 0, '李', '13800138000', '', 100, 100, 0, 0, 0)`,
		`INSERT INTO messages (ticket_id, sender, author_name, body, created_at) VALUES (1, 'buyer', 'buyer', '盒子压扁了', 0)`,
	} {
		if _, err := old.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	s := storetest.MustOpenWith(t, path, storetest.Config(anxin.NewManualClock(storetest.Epoch)))
	if got, _ := s.Search(ctx, storeFilter(store.QueueFilter{}, "玫瑰")); len(got) != 0 {
		t.Fatal("found before the backfill")
	}
	n, m, err := s.BackfillSearch(ctx)
	if err != nil || n != 1 || m != 1 {
		t.Fatalf("backfilled %d tickets, %d messages, %v", n, m, err)
	}
	for _, q := range []string{"玫瑰", "8000", "压扁"} {
		if got, _ := s.Search(ctx, storeFilter(store.QueueFilter{}, q)); !sameIDs(got, []int64{1}) {
			t.Fatalf("%q after the backfill: %v", q, ids(got))
		}
	}
	if n, m, err := s.BackfillSearch(ctx); err != nil || n+m != 0 {
		t.Fatalf("a second backfill did %d+%d, %v", n, m, err)
	}
}

func storeFilter(f store.QueueFilter, q string) store.QueueFilter { f.Search = q; return f }

func sameIDs(ts []anxin.Ticket, want []int64) bool {
	if len(ts) != len(want) {
		return false
	}
	for i := range ts {
		if ts[i].ID != want[i] {
			return false
		}
	}
	return true
}

// TestSearchBackfillInBatches: more tickets and messages than a batch are
// all indexed, each once.
func TestSearchBackfillInBatches(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "昆明斗南鲜花园艺")
	tk := storetest.MustTicket(t, s, m.ID, anxin.FreshSpoiled, 8990)
	buyer := anxin.APIKey{MerchantID: m.ID}.Actor()
	for range 3 {
		clock.Advance(time.Minute)
		if _, _, err := s.BuyerMessage(ctx, buyer, tk.ID, "盒子压扁了", nil, store.IdempotencyKey{}); err != nil {
			t.Fatal(err)
		}
	}
	n, msgs, err := store.RebuildSearch(s, 2) // batches of two: the index emptied, then rebuilt
	if err != nil || n != 1 || msgs != 3 {
		t.Fatalf("rebuilt %d tickets, %d messages: %v", n, msgs, err)
	}
	got, err := s.Search(ctx, storeFilter(store.QueueFilter{}, "压扁"))
	if err != nil || !sameIDs(got, []int64{tk.ID}) {
		t.Fatalf("after the rebuild: %v %v", ids(got), err)
	}
}
