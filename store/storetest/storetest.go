// Package storetest gives tests a real store on a file in a temporary
// directory, with a settable clock, and small fixtures to fill it.
package storetest

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"golang.org/x/crypto/bcrypt"
)

// Epoch is where every test clock starts: 2026-11-26 09:00 Beijing time.
var Epoch = time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC)

// Password is every fixture user's password.
const Password = "correct-horse-battery"

// MustOpen opens a fresh database in t.TempDir(), with a ManualClock at Epoch.
func MustOpen(tb testing.TB) (*store.Store, *anxin.ManualClock) {
	tb.Helper()
	clock := anxin.NewManualClock(Epoch)
	return MustOpenWith(tb, filepath.Join(tb.TempDir(), "anxin.db"), Config(clock)), clock
}

// Config is the configuration tests open stores with: the clock given, and
// the cheapest password hashes.
func Config(clock anxin.Clock) store.Config {
	return store.Config{Clock: clock, BcryptCost: bcrypt.MinCost}
}

// MustOpenWith opens (or reopens) the database at path with cfg, and closes
// it when the test ends.
// With ANXIN_TEST_ENGINE=postgres, the path names a PostgreSQL database
// instead (postgres.go), and the photos are kept beside the path.
func MustOpenWith(tb testing.TB, path string, cfg store.Config) *store.Store {
	tb.Helper()
	dsn := path
	if OnPostgres() {
		dsn = postgresFor(tb, path)
		if cfg.PhotoDir == "" {
			cfg.PhotoDir = filepath.Join(filepath.Dir(path), "photos")
		}
	}
	s, err := store.Open(context.Background(), dsn, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	dsns.Store(s, dsn)
	tb.Cleanup(func() {
		dsns.Delete(s)
		if err := s.Close(); err != nil {
			tb.Error(err)
		}
	})
	return s
}

// DB opens the store's database read-only, for tests that check what no
// method shows (on PostgreSQL, its queries are written as for SQLite, as
// the store's are). It is closed when the test ends.
func DB(tb testing.TB, s *store.Store) *sql.DB {
	tb.Helper()
	return openDB(tb, s, true)
}

// WritableDB opens the store's database for writing behind the store's
// back, for tests that plant rows no method writes (what an earlier version
// left). It is closed when the test ends.
func WritableDB(tb testing.TB, s *store.Store) *sql.DB {
	tb.Helper()
	return openDB(tb, s, false)
}

func openDB(tb testing.TB, s *store.Store, readOnly bool) *sql.DB {
	tb.Helper()
	var db *sql.DB
	var err error
	if dsn, ok := dsns.Load(s); ok && s.Postgres() {
		db, err = store.OpenPostgresDB(dsn.(string), readOnly)
	} else {
		q := "file:" + s.Path() + "?_pragma=busy_timeout(5000)"
		if readOnly {
			q += "&mode=ro"
		}
		db, err = sql.Open("sqlite", q)
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	return db
}

var seq atomic.Int64

// MustMerchant creates a merchant with a unique code and a default return
// address (see MustAddress), as a merchant that takes returns has.
func MustMerchant(tb testing.TB, s *store.Store, name string) anxin.Merchant {
	tb.Helper()
	m, err := s.CreateMerchant(context.Background(), anxin.Merchant{
		Code: fmt.Sprintf("m%d", seq.Add(1)), Name: name, InstantRefund: anxin.DefaultInstantRefund()})
	if err != nil {
		tb.Fatal(err)
	}
	MustAddress(tb, s, m.ID, name+"售后部")
	return m
}

// Admin is the actor fixtures act as where an admin would.
var Admin = anxin.Actor{Role: anxin.RoleAdmin, Name: "fixture admin"}

// MustAddress adds a return address named name to the merchant's book
// (the default when it is the first).
func MustAddress(tb testing.TB, s *store.Store, merchantID int64, name string) anxin.ReturnAddress {
	tb.Helper()
	a, err := s.SaveReturnAddress(context.Background(), Admin, anxin.ReturnAddress{MerchantID: merchantID,
		Name: name, Phone: "0571-88886666", Region: "浙江省 杭州市 余杭区", Street: "文一西路 969 号 售后仓"})
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// MustUser creates a user with Password; merchantID is for merchant users.
func MustUser(tb testing.TB, s *store.Store, role anxin.Role, name string, merchantID int64) anxin.User {
	tb.Helper()
	u, err := s.CreateUser(context.Background(), anxin.User{
		Email: fmt.Sprintf("u%d@example.com", seq.Add(1)), Name: name, Role: role, MerchantID: merchantID}, Password)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// Claim is a claim on a received order, made an hour after receipt.
func Claim(merchantID int64, service anxin.ServiceKey, paid int64, now time.Time) anxin.Claim {
	received := now.Add(-time.Hour)
	order := anxin.Order{ID: fmt.Sprintf("DD%09d", seq.Add(1)), Product: "云南鲜切玫瑰 20枝", PaidFen: paid,
		OrderedAt: received.Add(-72 * time.Hour), ShippedAt: received.Add(-48 * time.Hour), ReceivedAt: received}
	if service == anxin.UnshippedRefund {
		order.ShippedAt, order.ReceivedAt = time.Time{}, time.Time{}
	}
	c := anxin.Claim{MerchantID: merchantID, Service: service, Order: order,
		BuyerName: "李女士", BuyerPhone: "13800138000", Reason: "花瓣发黑", Actor: anxin.Buyer()}
	if service == anxin.PriceProtect {
		c.RequestedFen = paid / 10
	}
	return c
}

// MustTicket opens a ticket on a received order of the merchant.
func MustTicket(tb testing.TB, s *store.Store, merchantID int64, service anxin.ServiceKey, paid int64) anxin.Ticket {
	tb.Helper()
	t, err := s.CreateTicket(context.Background(), Claim(merchantID, service, paid, s.Clock().Now()))
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// pathTo lists the decisions that take a new ticket on a service that takes
// the goods back (quality_return) into the state.
var pathTo = map[anxin.State][]anxin.Action{
	anxin.PendingMerchant: nil,
	anxin.NeedsEvidence:   {anxin.RequestEvidence},
	anxin.Rejected:        {anxin.Reject},
	anxin.AwaitingReturn:  {anxin.Approve},
	anxin.AwaitingReceipt: {anxin.Approve, anxin.ShipReturn},
	anxin.Received:        {anxin.Approve, anxin.ShipReturn, anxin.ReturnDelivered},
	anxin.OfferPending:    {anxin.Offer},
	anxin.Arbitration:     {anxin.Reject, anxin.Appeal},
	anxin.Refunding:       {anxin.Refund},
	anxin.RefundFailed:    {anxin.Refund, anxin.RefundFailure},
	anxin.Refunded:        {anxin.Refund, anxin.RefundSucceeded},
	anxin.Closed:          {anxin.Cancel},
	// Refunded ahead of the goods (极速退款), the return never came: the
	// walk runs the clock on to the return's deadline and back.
	anxin.ReturnOverdue: {anxin.RefundAhead, anxin.RefundSucceeded, anxin.Timeout},
	// The merchant's shipment: a reship of spoiled fresh food (reshipTo).
	anxin.AwaitingShipment: {anxin.Approve},
	anxin.Shipped:          {anxin.Approve, anxin.ShipOut},
}

// reshipTo lists the states walked by a reship of fresh food instead: no
// return service reaches them.
var reshipTo = map[anxin.State]bool{anxin.AwaitingShipment: true, anxin.Shipped: true}

// MustTicketIn opens a quality-return ticket of the merchant (a fresh-food
// reship for the merchant's shipment states) and walks it into the state
// through real decisions (by an agent, the buyer or the system).
func MustTicketIn(tb testing.TB, s *store.Store, merchantID int64, state anxin.State, paid int64) anxin.Ticket {
	tb.Helper()
	var t anxin.Ticket
	if reshipTo[state] {
		c := Claim(merchantID, anxin.FreshSpoiled, paid, s.Clock().Now())
		c.Settlement = anxin.SettleReship
		var err error
		if t, err = s.CreateTicket(context.Background(), c); err != nil {
			tb.Fatal(err)
		}
	} else {
		t = MustTicket(tb, s, merchantID, anxin.QualityReturn, paid)
	}
	agent := anxin.Actor{Role: anxin.RoleAgent, Name: "fixture agent"}
	for _, a := range pathTo[state] {
		d := anxin.Decision{Action: a, Actor: agent, Version: t.Version, Reason: "fixture", Tracking: "SF0000000001"}
		if a == anxin.ShipOut {
			d.Carrier = "顺丰"
		}
		if a == anxin.Offer {
			d.AmountFen = t.RequestedFen / 2
		}
		switch {
		case anxin.BuyerSide(a):
			d.Actor = anxin.Buyer()
		case a == anxin.RefundFailure || a == anxin.RefundSucceeded || a == anxin.ReturnDelivered ||
			a == anxin.RefundAhead || a == anxin.Timeout:
			d.Actor = anxin.System()
		}
		if a == anxin.Timeout {
			clock, ok := s.Clock().(*anxin.ManualClock)
			if !ok {
				tb.Fatalf("walking a ticket to %s needs a ManualClock", state)
			}
			now := clock.Now()
			clock.Set(t.Deadline)
			defer clock.Set(now)
		}
		var err error
		if t, err = s.Decide(context.Background(), t.ID, d); err != nil {
			tb.Fatalf("walking a ticket to %s: %s: %v", state, a, err)
		}
	}
	if t.State != state {
		tb.Fatalf("walked to %s, want %s", t.State, state)
	}
	return t
}

// MustPhoto puts a small generated JPEG on the ticket as the buyer's photo.
func MustPhoto(tb testing.TB, s *store.Store, ticketID int64, label string) anxin.Evidence {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	shade := uint8(seq.Add(1) * 37)
	for y := range 240 {
		for x := range 320 {
			img.SetRGBA(x, y, color.RGBA{shade + uint8(x/2), uint8(y), 120, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		tb.Fatal(err)
	}
	e, err := s.AddPhoto(context.Background(), anxin.Buyer(), store.Upload{TicketID: ticketID, Label: label, Data: buf.Bytes()})
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// MustEvidence gives the ticket the buyer's photos its service asks for by
// default (one per checklist item, at least its minimum), so that it may be
// decided from the queue, and returns the ticket as it is then.
func MustEvidence(tb testing.TB, s *store.Store, t anxin.Ticket) anxin.Ticket {
	tb.Helper()
	svc, err := anxin.LookupService(t.Service)
	if err != nil {
		tb.Fatal(err)
	}
	labels := slices.Clone(svc.Checklist)
	for len(labels) < svc.PolicyFor(nil).EvidenceMin {
		labels = append(labels, "")
	}
	for _, l := range labels {
		MustPhoto(tb, s, t.ID, l)
	}
	if t, err = s.Ticket(context.Background(), anxin.AllMerchants(), t.ID); err != nil {
		tb.Fatal(err)
	}
	return t
}
