package store_test

import (
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// The copy of a SQLite deployment into PostgreSQL (copy.go), checked
// through the store's own methods on both sides. It needs a PostgreSQL
// server (ANXIN_TEST_POSTGRES); the source is a SQLite file whatever
// engine the other tests run on.

// copyFixture is a SQLite database at dir/anxin.db with something in
// every kind of row: merchants, one user of each role, tickets in several
// states (refunds paid, pending and failed), decisions by a person, photos,
// notes, a conversation, an API key with an idempotent intake, a webhook
// with its deliveries, a session, a saved view and a canned reply.
type copyFixture struct {
	path     string
	cfg      store.Config
	clock    *anxin.ManualClock
	tickets  []int64
	photos   []int64 // evidence ids
	users    []anxin.User
	apiKey   anxin.APIKey
	secret   string
	idem     store.IdempotencyKey
	claim    anxin.Claim
	merchant anxin.Merchant
	intakeID int64
	phone    string // the buyer's phone of one ticket only
	phoneID  int64
	session  string // the agent's login
}

func newCopyFixture(t *testing.T) (*copyFixture, *store.Store) {
	t.Helper()
	f := &copyFixture{path: filepath.Join(t.TempDir(), "anxin.db"), clock: anxin.NewManualClock(storetest.Epoch)}
	f.cfg = storetest.Config(f.clock)
	// store.Open, not storetest.MustOpenWith: the source is SQLite even
	// when the other tests run on PostgreSQL.
	s, err := store.Open(ctx, f.path, f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() }) // closed by the test first; a second Close is a no-op

	m := storetest.MustMerchant(t, s, "鲜花旗舰店")
	other := storetest.MustMerchant(t, s, "义乌优品")
	f.merchant = m
	admin := storetest.MustUser(t, s, anxin.RoleAdmin, "管理员", 0)
	agent := storetest.MustUser(t, s, anxin.RoleAgent, "值班客服", 0)
	seller := storetest.MustUser(t, s, anxin.RoleMerchant, "店长", m.ID)
	f.users = []anxin.User{admin, agent, seller}

	for _, st := range []anxin.State{anxin.Refunded, anxin.Refunded, anxin.Refunding, anxin.RefundFailed,
		anxin.Closed, anxin.AwaitingReturn, anxin.Arbitration, anxin.OfferPending, anxin.Shipped, anxin.PendingMerchant} {
		f.tickets = append(f.tickets, storetest.MustTicketIn(t, s, m.ID, st, 12900).ID)
		f.clock.Advance(7 * time.Minute)
	}
	// Decisions by people, for the figures per person: the agent refunds,
	// the merchant approves a return.
	for i, by := range []anxin.User{agent, seller} {
		tk := storetest.MustEvidence(t, s, storetest.MustTicket(t, s, m.ID, anxin.QualityReturn, 25800+int64(i)))
		action := anxin.Refund
		if by.Role == anxin.RoleMerchant {
			action = anxin.Approve
		}
		f.clock.Advance(3 * time.Minute)
		if _, err := s.Decide(ctx, tk.ID, anxin.Decision{Action: action, Actor: by.Actor(), Version: tk.Version}); err != nil {
			t.Fatal(err)
		}
		f.tickets = append(f.tickets, tk.ID)
		for _, e := range mustEvidence(t, s, tk.ID) {
			f.photos = append(f.photos, e.ID)
		}
	}
	// A ticket of the other merchant, with its own buyer's phone.
	c := storetest.Claim(other.ID, anxin.Damaged, 39900, f.clock.Now())
	f.phone = "13912345678"
	c.BuyerPhone = f.phone
	tk, err := s.CreateTicket(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	f.phoneID = tk.ID
	f.tickets = append(f.tickets, tk.ID)

	// The conversation and notes.
	if _, _, err := s.BuyerMessage(ctx, anxin.Buyer(), tk.ID, "盒子压坏了，里面的杯子碎了", nil, store.IdempotencyKey{}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Minute)
	if _, err := s.SendMessage(ctx, tk.ID, agent.Actor(), "您好，请拍一下外包装"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddNote(ctx, tk.ID, agent.Actor(), "快递外箱有破损", true); err != nil {
		t.Fatal(err)
	}

	// The intake API: a key, and a claim sent with an Idempotency-Key.
	if f.apiKey, f.secret, err = s.CreateAPIKey(ctx, "抖店对接", anxin.KeyScope{AllMerchants: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateWebhook(ctx, anxin.Webhook{URL: "http://127.0.0.1:9/hook", Secret: "whsec-0123456789abcdef",
		Events: []anxin.WebhookEvent{anxin.EventTicketCreated, anxin.EventStateChanged}}); err != nil {
		t.Fatal(err)
	}
	f.claim = storetest.Claim(m.ID, anxin.FreshSpoiled, 8990, f.clock.Now()) // refunded at once (极速退款)
	f.idem = store.IdempotencyKey{APIKeyID: f.apiKey.ID, Key: "order-1", RequestHash: "hash-1"}
	v, _, err := s.Intake(ctx, anxin.AllMerchants(), m.Code, f.claim, f.idem)
	if err != nil {
		t.Fatal(err)
	}
	f.intakeID = v.ID
	f.tickets = append(f.tickets, v.ID)

	if f.session, err = s.StartSession(ctx, agent, time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveView(ctx, agent.ID, "我的鲜花", "service=fresh_spoiled"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveMacro(ctx, admin.Actor(), anxin.Macro{Title: "请补充照片", Body: "您好 {buyer}，请补充照片"}); err != nil {
		t.Fatal(err)
	}
	return f, s
}

func mustEvidence(t *testing.T, s *store.Store, ticketID int64) []anxin.Evidence {
	t.Helper()
	es, err := s.Evidence(ctx, anxin.AllMerchants(), ticketID)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// copySeen is what the store's methods show of a database, to compare.
type copySeen struct {
	tickets   map[int64]anxin.Ticket
	timelines map[int64][]anxin.Event
	refunds   map[int64]anxin.RefundRecord
	evidence  map[int64][]anxin.Evidence
	messages  map[int64][]anxin.Message
	photos    map[int64][2][]byte // display, thumb
	webhooks  []anxin.Webhook
	figures   map[int64]anxin.Figures
	people    []anxin.PersonDays
	users     []anxin.User
}

func seeCopy(t *testing.T, s *store.Store, f *copyFixture) copySeen {
	t.Helper()
	all := anxin.AllMerchants()
	seen := copySeen{tickets: map[int64]anxin.Ticket{}, timelines: map[int64][]anxin.Event{},
		refunds: map[int64]anxin.RefundRecord{}, evidence: map[int64][]anxin.Evidence{},
		messages: map[int64][]anxin.Message{}, photos: map[int64][2][]byte{}}
	for _, id := range f.tickets {
		tk, err := s.Ticket(ctx, all, id)
		if err != nil {
			t.Fatal(err)
		}
		seen.tickets[id] = tk
		if seen.timelines[id], err = s.Timeline(ctx, all, id); err != nil {
			t.Fatal(err)
		}
		if r, err := s.Refund(ctx, all, id); err == nil {
			seen.refunds[id] = r
		} else if anxin.ErrorCode(err) != anxin.ENOTFOUND {
			t.Fatal(err)
		}
		seen.evidence[id] = mustEvidence(t, s, id)
		if seen.messages[id], err = s.Messages(ctx, all, id); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range f.photos {
		var both [2][]byte
		for i, size := range []store.PhotoSize{store.Display, store.Thumb} {
			_, r, err := s.Photo(ctx, all, id, size)
			if err != nil {
				t.Fatal(err)
			}
			if both[i], err = io.ReadAll(r); err != nil {
				t.Fatal(err)
			}
			r.Close()
		}
		seen.photos[id] = both
	}
	var err error
	if seen.webhooks, err = s.Webhooks(ctx); err != nil {
		t.Fatal(err)
	}
	if seen.figures, err = s.FiguresByMerchant(ctx, all, 0, "", f.clock.Now(), 30); err != nil {
		t.Fatal(err)
	}
	days := anxin.DaysEnding(f.clock.Now(), time.FixedZone("CST", 8*60*60), 30)
	if seen.people, err = s.DecisionsByPerson(ctx, all, 0, "", days[0], days[len(days)-1]); err != nil {
		t.Fatal(err)
	}
	if seen.users, err = s.Users(ctx); err != nil {
		t.Fatal(err)
	}
	return seen
}

func TestCopyToPostgres(t *testing.T) {
	to := storetest.FreshPostgres(t)
	f, s := newCopyFixture(t)
	want := seeCopy(t, s, f)
	if len(want.refunds) < 5 || len(want.photos) == 0 || len(want.people) == 0 {
		t.Fatalf("the fixture is thin: %d refunds, %d photos, %d people", len(want.refunds), len(want.photos), len(want.people))
	}

	// A server still on the source: refused, before the destination is touched.
	if _, err := store.Copy(ctx, f.path, to, f.cfg, store.CopyOptions{}); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("a copy of a database in use: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	var progress []string
	rep, err := store.Copy(ctx, f.path, to, f.cfg, store.CopyOptions{Progress: func(c store.CopiedTable) {
		progress = append(progress, c.Name)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if p := rep.Problems(); len(p) > 0 {
		t.Fatalf("the copy's checks: %q", p)
	}
	if rep.Source.Tickets != int64(len(f.tickets)) || rep.Source.RefundsSucceededFen == 0 || rep.PhotoFiles != 2*len(f.photos) ||
		rep.IndexedTickets != rep.Source.Tickets || rep.IndexedMessages < 2 || !rep.FiguresCompared {
		t.Fatalf("report %+v", rep)
	}
	if strings.Contains(rep.To, "anxin:anxin@") {
		t.Errorf("the report names the password: %s", rep.To)
	}
	for _, table := range []string{"merchants", "users", "tickets", "ticket_events", "refunds", "evidence", "messages",
		"notes", "api_keys", "idempotency_keys", "webhooks", "webhook_deliveries", "sessions", "saved_views", "macros",
		"merchant_addresses", "audit_log", "rule_limits", "photo_files"} {
		if !strings.Contains(" "+strings.Join(progress, " ")+" ", " "+table+" ") {
			t.Errorf("%s was not copied (copied: %v)", table, progress)
		}
	}
	for _, c := range rep.Tables {
		if c.Name == "tickets" && c.Dest != int64(len(f.tickets)) {
			t.Errorf("tickets: %+v", c)
		}
	}

	d, err := store.Open(ctx, to, f.cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	got := seeCopy(t, d, f)
	for _, id := range f.tickets {
		if !reflect.DeepEqual(got.tickets[id], want.tickets[id]) {
			t.Errorf("ticket %d:\n got %+v\nwant %+v", id, got.tickets[id], want.tickets[id])
		}
		if !reflect.DeepEqual(got.timelines[id], want.timelines[id]) {
			t.Errorf("ticket %d's timeline:\n got %+v\nwant %+v", id, got.timelines[id], want.timelines[id])
		}
		if !reflect.DeepEqual(got.evidence[id], want.evidence[id]) {
			t.Errorf("ticket %d's photos:\n got %+v\nwant %+v", id, got.evidence[id], want.evidence[id])
		}
		if !reflect.DeepEqual(got.messages[id], want.messages[id]) {
			t.Errorf("ticket %d's messages:\n got %+v\nwant %+v", id, got.messages[id], want.messages[id])
		}
	}
	if !reflect.DeepEqual(got.refunds, want.refunds) {
		t.Errorf("refunds:\n got %+v\nwant %+v", got.refunds, want.refunds)
	}
	for id, b := range want.photos {
		if string(got.photos[id][0]) != string(b[0]) || string(got.photos[id][1]) != string(b[1]) || len(b[0]) == 0 {
			t.Errorf("photo %d is not the same", id)
		}
	}
	if !reflect.DeepEqual(got.webhooks, want.webhooks) || len(got.webhooks) != 1 {
		t.Errorf("webhooks:\n got %+v\nwant %+v", got.webhooks, want.webhooks)
	}
	if !reflect.DeepEqual(got.users, want.users) {
		t.Errorf("users:\n got %+v\nwant %+v", got.users, want.users)
	}
	if !reflect.DeepEqual(got.figures, want.figures) {
		t.Errorf("figures:\n got %+v\nwant %+v", got.figures, want.figures)
	}
	if !reflect.DeepEqual(got.people, want.people) {
		t.Errorf("decisions by person:\n got %+v\nwant %+v", got.people, want.people)
	}

	// The people log in with their passwords, the API key works, and the
	// idempotent request gives its first answer again.
	for _, u := range f.users {
		if got, err := d.Authenticate(ctx, u.Email, storetest.Password); err != nil || got.ID != u.ID {
			t.Errorf("%s logs in: %+v %v", u.Email, got, err)
		}
	}
	if u, err := d.SessionUser(ctx, f.session, time.Hour); err != nil || u.ID != f.users[1].ID {
		t.Errorf("the agent's session: %+v %v", u, err)
	}
	if k, err := d.APIKeyBySecret(ctx, f.secret); err != nil || k.ID != f.apiKey.ID {
		t.Errorf("the API key: %+v %v", k, err)
	}
	if v, replayed, err := d.Intake(ctx, anxin.AllMerchants(), f.merchant.Code, f.claim, f.idem); err != nil || !replayed || v.ID != f.intakeID {
		t.Errorf("the idempotent intake again: ticket %d, replayed %v, %v", v.ID, replayed, err)
	}
	// Search finds a ticket by its buyer's phone.
	if found, err := d.Search(ctx, store.QueueFilter{Search: f.phone}); err != nil || len(found) != 1 || found[0].ID != f.phoneID {
		t.Errorf("search by phone: %v %v", found, err)
	}
	// ... and a ticket by its conversation.
	if found, err := d.Search(ctx, store.QueueFilter{Search: "杯子"}); err != nil || len(found) != 1 || found[0].ID != f.phoneID {
		t.Errorf("search by a message's words: %v %v", found, err)
	}
	// The indexes dropped for the copy are back, and the triggers on, as a
	// new database has them.
	if got, want := pgCatalog(t, to), pgCatalog(t, newPostgres(t)); !reflect.DeepEqual(got, want) {
		t.Errorf("the indexes and triggers after the copy:\n got %q\nwant %q", got, want)
	}
	// New rows get ids after the copied ones.
	maxID := int64(0)
	for _, id := range f.tickets {
		maxID = max(maxID, id)
	}
	tk := storetest.MustTicket(t, d, f.merchant.ID, anxin.QualityReturn, 5000)
	if tk.ID <= maxID {
		t.Errorf("a new ticket got id %d, not above the copied %d", tk.ID, maxID)
	}
	if _, err := d.AddNote(ctx, tk.ID, f.users[1].Actor(), "新工单", false); err != nil {
		t.Errorf("a note on a new ticket: %v", err)
	}

	// A second copy into it is refused and changes nothing.
	before := seeCopy(t, d, f)
	_, err = store.Copy(ctx, f.path, to, f.cfg, store.CopyOptions{})
	if err == nil || !strings.Contains(err.Error(), "is not empty") || !strings.Contains(err.Error(), "tickets") {
		t.Fatalf("a second copy: %v", err)
	}
	if after := seeCopy(t, d, f); !reflect.DeepEqual(after, before) {
		t.Error("a refused copy changed the destination")
	}
}

func TestCopyRefuses(t *testing.T) {
	to := storetest.FreshPostgres(t)
	dir := t.TempDir()
	cfg := storetest.Config(anxin.NewManualClock(storetest.Epoch))
	notDB := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notDB, []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	lite := filepath.Join(dir, "anxin.db")
	for _, c := range []struct{ name, from, to, says string }{
		{"from PostgreSQL", to, to, "is a PostgreSQL URL"},
		{"to a file", lite, filepath.Join(dir, "other.db"), "is not a PostgreSQL URL"},
		{"from no file", filepath.Join(dir, "none.db"), to, "no database at"},
		{"from a text file", notDB, to, "is not an SQLite database"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := store.Copy(ctx, c.from, c.to, cfg, store.CopyOptions{})
			if err == nil || !strings.Contains(err.Error(), c.says) {
				t.Fatalf("got %v, want an error saying %q", err, c.says)
			}
			if strings.Contains(err.Error(), "anxin:anxin@") {
				t.Errorf("the error names the password: %v", err)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "none.db")); err == nil {
		t.Error("a copy from no file made one")
	}
}

// A photo file missing from the photo directory stops the copy, which then
// leaves the destination empty; told to, the copy goes on without it.
func TestCopyMissingPhoto(t *testing.T) {
	to := storetest.FreshPostgres(t)
	f, s := newCopyFixture(t)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	es := f.photos
	var sum string
	{
		s, err := store.Open(ctx, f.path, f.cfg)
		if err != nil {
			t.Fatal(err)
		}
		sum, _, err = s.Photo(ctx, anxin.AllMerchants(), es[0], store.Display)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(filepath.Dir(f.path), "photos", sum[:2], sum+".jpg")
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	_, err := store.Copy(ctx, f.path, to, f.cfg, store.CopyOptions{})
	if err == nil || !strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), "missing") {
		t.Fatalf("a copy without a photo file: %v", err)
	}
	db, err := store.OpenPostgresDB(to, true)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, table := range []string{"tickets", "merchants", "photo_files"} {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil || n != 0 {
			t.Errorf("a failed copy left %d rows in %s (%v)", n, table, err)
		}
	}

	rep, err := store.Copy(ctx, f.path, to, f.cfg, store.CopyOptions{SkipMissingPhotos: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.MissingPhotos) != 1 || !strings.Contains(rep.MissingPhotos[0], sum) || rep.PhotoFiles != 2*len(f.photos)-1 {
		t.Fatalf("missing %q, %d files copied", rep.MissingPhotos, rep.PhotoFiles)
	}
	if p := rep.Problems(); len(p) > 0 {
		t.Fatalf("the copy's checks: %q", p)
	}
}

// newPostgres is a new PostgreSQL database with the store's schema.
func newPostgres(t *testing.T) string {
	t.Helper()
	url := storetest.FreshPostgres(t)
	s, err := store.Open(ctx, url, storetest.Config(anxin.NewManualClock(storetest.Epoch)))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return url
}

// pgCatalog lists a PostgreSQL database's indexes and user triggers, with
// their definitions and whether each trigger is on.
func pgCatalog(t *testing.T, url string) []string {
	t.Helper()
	db, err := store.OpenPostgresDB(url, true)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema()
		UNION ALL SELECT g.tgname || ' on ' || c.relname || ': ' || g.tgenabled::text FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
			WHERE NOT g.tgisinternal
		ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil || len(out) < 50 {
		t.Fatalf("%d indexes and triggers: %v", len(out), err)
	}
	return out
}
