package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

var ctx = context.Background()

func TestOpenRefusesBadLocations(t *testing.T) {
	dir := t.TempDir()
	notDB := filepath.Join(dir, "notes.txt")
	content := []byte("this is not a database\n")
	if err := os.WriteFile(notDB, content, 0o600); err != nil {
		t.Fatal(err)
	}
	blocker := filepath.Join(dir, "file")
	os.WriteFile(blocker, []byte("x"), 0o600)

	for name, path := range map[string]string{
		"a text file":                notDB,
		"a directory under a file":   filepath.Join(blocker, "sub", "anxin.db"),
		"a path that is a directory": dir,
	} {
		t.Run(name, func(t *testing.T) {
			before, _ := os.ReadDir(dir)
			if _, err := store.Open(ctx, path, storetest.Config(anxin.NewManualClock(storetest.Epoch))); err == nil {
				t.Fatal("Open succeeded")
			}
			after, _ := os.ReadDir(dir)
			if len(after) != len(before) {
				t.Fatalf("Open left files behind: %v -> %v", names(before), names(after))
			}
		})
	}
	if got, _ := os.ReadFile(notDB); string(got) != string(content) {
		t.Fatal("Open changed a file that is not a database")
	}
}

func names(es []os.DirEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func TestOpenCreatesDirectoryAndReopens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nested", "data", "anxin.db")
	cfg := storetest.Config(anxin.NewManualClock(storetest.Epoch))
	s, err := store.Open(ctx, path, cfg)
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.CreateMerchant(ctx, anxin.Merchant{Code: "flowers", Name: "斗南花卉"})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = store.Open(ctx, path, cfg) // migrations already applied: a no-op
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.MerchantByCode(ctx, "flowers")
	if err != nil || got.ID != m.ID {
		t.Fatalf("after reopen: %+v, %v", got, err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestDecideComparesAndSets(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "斗南花卉")
	alice := storetest.MustUser(t, s, anxin.RoleAgent, "Alice", 0).Actor()
	bob := storetest.MustUser(t, s, anxin.RoleAgent, "Bob", 0).Actor()
	tk := storetest.MustTicket(t, s, m.ID, anxin.FreshSpoiled, 8800)

	clock.Advance(time.Minute)
	got, err := s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.Approve, Actor: alice, Version: tk.Version})
	if err != nil {
		t.Fatal(err)
	}
	if got.State != anxin.Refunding || got.Version != tk.Version+1 {
		t.Fatalf("after approve: %s v%d", got.State, got.Version)
	}
	_, err = s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.Reject, Actor: bob, Version: tk.Version, Reason: "x"})
	var h *anxin.AlreadyHandled
	if !errors.As(err, &h) {
		t.Fatalf("a stale decision: %v, want AlreadyHandled", err)
	}
	if h.By != "Alice" || h.Action != anxin.Approve || !h.At.Equal(clock.Now()) || h.Ticket.State != anxin.Refunding {
		t.Fatalf("already handled by %q (%s) at %v, now %s", h.By, h.Action, h.At, h.Ticket.State)
	}
	r, err := s.Refund(ctx, anxin.AllMerchants(), tk.ID)
	if err != nil || r.AmountFen != 8800 || r.Status != anxin.RefundStatusPending || r.Number != anxin.RefundNumber(tk.ID) {
		t.Fatalf("refund %+v, %v", r, err)
	}
	events, err := s.Timeline(ctx, anxin.AllMerchants(), tk.ID)
	if err != nil || len(events) != 2 || events[1].Actor.Name != "Alice" || events[1].AmountFen != 8800 {
		t.Fatalf("timeline %+v, %v", events, err)
	}
}

// TestRacingRefundsPayOnce has many agents press refund on the same ticket
// version at once: exactly one wins, one refund row exists.
func TestRacingRefundsPayOnce(t *testing.T) {
	s, _ := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "茅台专卖")
	tk := storetest.MustTicket(t, s, m.ID, anxin.QualityReturn, 149000)
	agents := make([]anxin.Actor, 8)
	for i := range agents {
		agents[i] = storetest.MustUser(t, s, anxin.RoleAgent, "agent", 0).Actor()
	}
	var wg sync.WaitGroup
	errs := make([]error, 40)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.Refund, Actor: agents[i%len(agents)], Version: tk.Version})
		})
	}
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
	if wins != 1 {
		t.Fatalf("%d refunds won, want 1", wins)
	}
	got, _ := s.Ticket(ctx, anxin.AllMerchants(), tk.ID)
	if got.RefundedFen != 149000 || got.Version != tk.Version+1 {
		t.Fatalf("ticket after the race: refunded %d, v%d", got.RefundedFen, got.Version)
	}
	if n := countRows(t, s, "refunds"); n != 1 {
		t.Fatalf("%d refund rows", n)
	}
}

func countRows(t *testing.T, s *store.Store, table string) int {
	t.Helper()
	var n int
	if err := store.DB(s).QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMerchantScope(t *testing.T) {
	s, _ := storetest.MustOpen(t)
	a := storetest.MustMerchant(t, s, "A")
	b := storetest.MustMerchant(t, s, "B")
	ua := storetest.MustUser(t, s, anxin.RoleMerchant, "A staff", a.ID).Actor()
	tb := storetest.MustTicket(t, s, b.ID, anxin.Damaged, 5000)
	agent := storetest.MustUser(t, s, anxin.RoleAgent, "agent", 0).Actor()
	if _, err := s.AddNote(ctx, tb.ID, agent, "buyer called twice", false); err != nil {
		t.Fatal(err)
	}

	checks := map[string]error{}
	_, checks["Ticket"] = s.Ticket(ctx, ua.Scope(), tb.ID)
	_, checks["Decide"] = s.Decide(ctx, tb.ID, anxin.Decision{Action: anxin.Approve, Actor: ua})
	_, checks["AddNote"] = s.AddNote(ctx, tb.ID, ua, "mine now", true)
	_, checks["Refund"] = s.Refund(ctx, ua.Scope(), tb.ID)
	for name, err := range checks {
		if anxin.ErrorCode(err) != anxin.ENOTFOUND {
			t.Errorf("%s on another merchant's ticket: %v, want not found", name, err)
		}
	}
	if ev, err := s.Timeline(ctx, ua.Scope(), tb.ID); err != nil || len(ev) != 0 {
		t.Errorf("timeline leaked: %v %v", ev, err)
	}
	if notes, err := s.Notes(ctx, ua.Scope(), tb.ID); err != nil || len(notes) != 0 {
		t.Errorf("notes leaked: %v %v", notes, err)
	}
	page, _, err := s.Queue(ctx, store.QueueFilter{Scope: ua.Scope(), MerchantID: b.ID})
	if err != nil || len(page) != 0 {
		t.Errorf("a merchant filtering on another merchant saw %d tickets (%v)", len(page), err)
	}
	if ms, _ := s.Merchants(ctx, ua.Scope()); len(ms) != 1 || ms[0].ID != a.ID {
		t.Errorf("merchant list leaked: %+v", ms)
	}
}

func TestQueueOrderAndPages(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "义乌百货")
	other := storetest.MustMerchant(t, s, "广东服装厂")
	agent := storetest.MustUser(t, s, anxin.RoleAgent, "agent", 0).Actor()
	// Fresh claims run a 24 h clock, the others 48 h: created an hour apart,
	// the deadlines interleave.
	var created []anxin.Ticket
	for i := range 12 {
		svc := []anxin.ServiceKey{anxin.FreshSpoiled, anxin.QualityReturn, anxin.NoReason7d}[i%3]
		merchant := m.ID
		if i%4 == 0 {
			merchant = other.ID
		}
		created = append(created, storetest.MustTicket(t, s, merchant, svc, int64(1000+i)))
		clock.Advance(time.Hour)
	}
	closed := created[5]
	if _, err := s.Decide(ctx, closed.ID, anxin.Decision{Action: anxin.Cancel, Actor: anxin.Buyer()}); err != nil {
		t.Fatal(err)
	}
	refunding := created[6]
	if _, err := s.Decide(ctx, refunding.ID, anxin.Decision{Action: anxin.Refund, Actor: agent}); err != nil {
		t.Fatal(err)
	}

	var all []anxin.Ticket
	var cur store.QueueCursor
	for {
		page, next, err := s.Queue(ctx, store.QueueFilter{After: cur, Limit: 4})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if next.IsZero() {
			break
		}
		cur = store.ParseQueueCursor(next.String())
	}
	if len(all) != 11 {
		t.Fatalf("queue has %d tickets, want the 11 open ones", len(all))
	}
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		if b.Deadline.IsZero() {
			continue
		}
		if a.Deadline.IsZero() || a.Deadline.After(b.Deadline) {
			t.Fatalf("queue out of deadline order at %d: %v then %v", i, a.Deadline, b.Deadline)
		}
	}
	if last := all[len(all)-1]; last.ID != refunding.ID {
		t.Fatalf("an open ticket without a clock sorts last; last is %s", last.State)
	}

	page, _, _ := s.Queue(ctx, store.QueueFilter{MerchantID: m.ID, State: anxin.PendingMerchant})
	for _, tk := range page {
		if tk.MerchantID != m.ID || tk.State != anxin.PendingMerchant {
			t.Fatalf("filter leaked %+v", tk)
		}
	}
	if len(page) != 7 {
		t.Fatalf("merchant+state filter: %d tickets, want 7", len(page))
	}
	overdue, _ := s.QueueCount(ctx, store.QueueFilter{DueBefore: clock.Now()}, 999)
	clock.Advance(48 * time.Hour)
	overdueLater, _ := s.QueueCount(ctx, store.QueueFilter{DueBefore: clock.Now()}, 999)
	if overdue != 0 || overdueLater != 10 {
		t.Fatalf("overdue counts %d then %d, want 0 then 10", overdue, overdueLater)
	}
	if capped, _ := s.QueueCount(ctx, store.QueueFilter{}, 3); capped != 3 {
		t.Fatalf("capped count %d", capped)
	}
	found, _, _ := s.Queue(ctx, store.QueueFilter{Search: strings.ToLower(created[3].Number)})
	if len(found) != 1 || found[0].ID != created[3].ID {
		t.Fatalf("search by number found %v", found)
	}
	found, _, _ = s.Queue(ctx, store.QueueFilter{Search: created[4].Order.ID})
	if len(found) != 1 || found[0].ID != created[4].ID {
		t.Fatalf("search by order found %v", found)
	}
}

func TestEventsAreAppendOnly(t *testing.T) {
	s, _ := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "m")
	storetest.MustTicket(t, s, m.ID, anxin.Damaged, 100)
	if _, err := store.DB(s).Exec(`UPDATE ticket_events SET actor_name = 'someone else'`); err == nil {
		t.Fatal("an event was rewritten")
	}
	if _, err := store.DB(s).Exec(`DELETE FROM ticket_events`); err == nil {
		t.Fatal("an event was deleted")
	}
}

func TestAuthenticate(t *testing.T) {
	s, _ := storetest.MustOpen(t)
	u := storetest.MustUser(t, s, anxin.RoleAgent, "小王", 0)
	if got, err := s.Authenticate(ctx, strings.ToUpper(u.Email), storetest.Password); err != nil || got.ID != u.ID {
		t.Fatalf("login with the right password: %v", err)
	}
	for _, c := range [][2]string{{u.Email, "wrong-password!"}, {"nobody@example.com", storetest.Password}} {
		if _, err := s.Authenticate(ctx, c[0], c[1]); err != store.ErrBadLogin {
			t.Fatalf("bad login %v: %v", c, err)
		}
	}
	if _, err := s.CreateUser(ctx, anxin.User{Email: u.Email, Name: "x", Role: anxin.RoleAgent}, storetest.Password); anxin.ErrorCode(err) != anxin.ECONFLICT {
		t.Fatalf("duplicate email: %v", err)
	}
	if _, err := s.CreateUser(ctx, anxin.User{Email: "m@example.com", Name: "x", Role: anxin.RoleMerchant, MerchantID: 999}, storetest.Password); anxin.ErrorCode(err) != anxin.EUNKNOWNMERCHANT {
		t.Fatalf("merchant user of an unknown merchant: %v", err)
	}
}

// TestBuyerPhotoResumesTheMerchantClock: on a ticket waiting for evidence, the
// buyer's photo (here added by an agent from a call) is the evidence: the
// ticket goes back to the merchant with the time its clock had left. Other
// photos are only noted on the timeline.
func TestBuyerPhotoResumesTheMerchantClock(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "昆明斗南鲜花园艺")
	agent := storetest.MustUser(t, s, anxin.RoleAgent, "王晓", 0).Actor()
	staff := storetest.MustUser(t, s, anxin.RoleMerchant, "小李", m.ID).Actor()
	tk := storetest.MustTicket(t, s, m.ID, anxin.FreshSpoiled, 8990) // 24 h merchant clock
	clock.Advance(10 * time.Hour)
	tk, err := s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.RequestEvidence, Actor: staff, Version: tk.Version})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(5 * time.Hour)
	storetest.MustPhoto(t, s, tk.ID, "label") // the buyer's, through the API
	got, _ := s.Ticket(ctx, anxin.AllMerchants(), tk.ID)
	if got.State != anxin.PendingMerchant || !got.Deadline.Equal(clock.Now().Add(14*time.Hour)) {
		t.Fatalf("after the buyer's photo: %s due %v, want pending_merchant due in 14 h", got.State, got.Deadline)
	}
	photoAs(t, s, staff, tk.ID) // the merchant's counter-evidence
	clock.Advance(time.Minute)
	tk2 := storetest.MustTicketIn(t, s, m.ID, anxin.NeedsEvidence, 3000)
	photoAs(t, s, agent, tk2.ID)
	events, _ := s.Timeline(ctx, anxin.AllMerchants(), tk.ID)
	var seen []string
	for _, e := range events[2:] {
		seen = append(seen, fmt.Sprintf("%s/%s/%s", e.Action, e.Actor.Role, e.To))
	}
	if strings.Join(seen, " ") != "evidence_added/buyer/pending_merchant photo_added/merchant/" {
		t.Fatalf("timeline after the photos: %v", seen)
	}
	if got, _ := s.Ticket(ctx, anxin.AllMerchants(), tk2.ID); got.State != anxin.PendingMerchant {
		t.Fatalf("an agent's photo for the buyer left the ticket %s", got.State)
	}
}

// photoAs adds a generated photo as the actor.
func photoAs(t *testing.T, s *store.Store, by anxin.Actor, ticketID int64) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 200, 150))
	for i := range img.Pix {
		img.Pix[i] = byte(i*7 + int(ticketID)*31)
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, img, nil)
	if _, err := s.AddPhoto(ctx, by, store.Upload{TicketID: ticketID, Data: buf.Bytes()}); err != nil {
		t.Fatal(err)
	}
}

// TestDatabaseFilesArePrivate: the database and the -wal and -shm files
// beside it are readable by their owner only, whatever the umask.
func TestDatabaseFilesArePrivate(t *testing.T) {
	storetest.SQLiteOnly(t, "the database file's permissions")
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	path := filepath.Join(t.TempDir(), "anxin.db")
	s := storetest.MustOpenWith(t, path, storetest.Config(anxin.NewManualClock(storetest.Epoch)))
	storetest.MustMerchant(t, s, "斗南花卉") // a write: the WAL is in use
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s: %v, want -rw-------", filepath.Base(p), perm)
		}
	}
}

// TestNotesAreInternalOrShared: the staff's internal notes never reach the
// merchant; comments do, and a merchant writes comments only.
func TestNotesAreInternalOrShared(t *testing.T) {
	s, _ := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "玉颜美妆旗舰店")
	tk := storetest.MustTicket(t, s, m.ID, anxin.QualityReturn, 36800)
	agent := storetest.MustUser(t, s, anxin.RoleAgent, "王晓", 0).Actor()
	staff := storetest.MustUser(t, s, anxin.RoleMerchant, "林娜", m.ID).Actor()
	notices, stop := s.Subscribe()
	defer stop()
	for _, n := range []struct {
		by     anxin.Actor
		body   string
		shared bool
	}{{agent, "买家疑似职业索赔", false}, {agent, "请补充开线处照片", true}, {staff, "已联系买家", false}} {
		if _, err := s.AddNote(ctx, tk.ID, n.by, n.body, n.shared); err != nil {
			t.Fatal(err)
		}
	}
	var kinds []store.NoticeKind
	for len(kinds) < 3 {
		select {
		case batch := <-notices:
			for _, n := range batch {
				kinds = append(kinds, n.Kind)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("notices %v", kinds)
		}
	}
	if kinds[0] != store.NoticeInternalNote || kinds[1] != store.NoticeNote || kinds[2] != store.NoticeNote {
		t.Fatalf("notices %v: an internal note must say so", kinds)
	}
	bodies := func(scope anxin.Scope) []string {
		notes, err := s.Notes(ctx, scope, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, n := range notes {
			out = append(out, n.Body)
		}
		return out
	}
	if got := bodies(anxin.AllMerchants()); len(got) != 3 {
		t.Fatalf("the staff read %v", got)
	}
	if got := bodies(anxin.Scope{MerchantID: m.ID}); len(got) != 2 || got[0] != "请补充开线处照片" || got[1] != "已联系买家" {
		t.Fatalf("the merchant reads %v", got)
	}
}

// TestNotesWrittenBeforeComments: after migration 0010 the staff's earlier
// notes are internal and a merchant's earlier notes are comments.
func TestNotesWrittenBeforeComments(t *testing.T) {
	storetest.SQLiteOnly(t, "an upgrade of a SQLite database from before a migration")
	path := filepath.Join(t.TempDir(), "anxin.db")
	if err := store.MigrateBefore(path, "0010"); err != nil {
		t.Fatal(err)
	}
	old, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO merchants (id, code, name, created_at) VALUES (1, 'shop', '店', 0)`,
		`INSERT INTO users (id, email, name, role, merchant_id, password_hash, lang, created_at) VALUES
			(1, 'a@x.cn', '王晓', 'agent', NULL, 'x', 'zh', 0), (2, 'm@x.cn', '林娜', 'merchant', 1, 'x', 'zh', 0)`,
		`INSERT INTO tickets (id, merchant_id, service, state, version, state_since, order_id, product, paid_fen,
			ordered_at, buyer_name, buyer_phone, reason, requested_fen, payable_fen, refunded_fen, created_at, updated_at)
			VALUES (1, 1, 'damaged', 'pending_merchant', 1, 0, 'DY1', '杯', 100, 0, '李', '138', '', 100, 100, 0, 0, 0)`,
		`INSERT INTO notes (ticket_id, author_id, author_name, body, created_at) VALUES (1, 1, '王晓', 'staff only', 0), (1, 2, '林娜', 'from the shop', 0)`,
	} {
		if _, err := old.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	s := storetest.MustOpenWith(t, path, storetest.Config(anxin.NewManualClock(storetest.Epoch)))
	notes, err := s.Notes(ctx, anxin.Scope{MerchantID: 1}, 1)
	if err != nil || len(notes) != 1 || notes[0].Body != "from the shop" || !notes[0].Shared {
		t.Fatalf("the merchant reads %+v, %v", notes, err)
	}
}

// TestOpenPathWithURICharacters: a database path with ? # or % in it is
// the file named, not a shorter one.
func TestOpenPathWithURICharacters(t *testing.T) {
	storetest.SQLiteOnly(t, "a file path with URI characters")
	dir := filepath.Join(t.TempDir(), "a#b?c%41")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "anxin.db")
	s := storetest.MustOpenWith(t, path, storetest.Config(anxin.NewManualClock(storetest.Epoch)))
	storetest.MustMerchant(t, s, "店")
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database is not where it was asked to be: %v", err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(dir)); len(entries) != 1 {
		t.Fatalf("files beside the directory: %v", entries)
	}
}
