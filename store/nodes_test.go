package store_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// TestNodesHearEachOther: two stores on one PostgreSQL database, as two
// nodes are. A change committed on one reaches the other's subscribers
// (its live pages), and a webhook added on one is told of by the other's
// next change: its cache of the endpoints was dropped.
func TestNodesHearEachOther(t *testing.T) {
	if !storetest.OnPostgres() {
		t.Skip("PostgreSQL only: SQLite has one node")
	}
	path := filepath.Join(t.TempDir(), "anxin.db")
	clock := anxin.NewManualClock(storetest.Epoch)
	a := storetest.MustOpenWith(t, path, storetest.Config(clock))
	b := storetest.MustOpenWith(t, path, storetest.Config(clock))
	for _, s := range []*store.Store{a, b} {
		deadline := time.Now().Add(10 * time.Second)
		for !s.ListeningToNodes() {
			if time.Now().After(deadline) {
				t.Fatal("a node does not listen to the others")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	m := storetest.MustMerchant(t, a, "m")
	// b's cache of active webhooks: none, read by a write of b's.
	storetest.MustTicket(t, b, m.ID, anxin.Damaged, 1000)

	heard, stop := b.Subscribe()
	defer stop()
	tk := storetest.MustTicket(t, a, m.ID, anxin.Damaged, 2000)
	timeout := time.After(2 * time.Second)
	for found := false; !found; {
		select {
		case ns := <-heard:
			for _, n := range ns {
				found = found || (n.TicketID == tk.ID && n.Kind == store.NoticeCreated && n.MerchantID == m.ID)
			}
		case <-timeout:
			t.Fatal("the other node did not hear of the new ticket within 2 s")
		}
	}

	// A webhook made on a: b's next ticket is told to it.
	if _, err := a.CreateWebhook(ctx, anxin.Webhook{URL: "http://127.0.0.1:9/hook", Secret: "whsec-0123456789abcdef",
		Events: []anxin.WebhookEvent{anxin.EventTicketCreated}}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		storetest.MustTicket(t, b, m.ID, anxin.Damaged, 3000)
		due, err := b.DueDeliveries(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(due) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the other node still writes no delivery to a webhook made 2 s ago: its cache was not dropped")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
