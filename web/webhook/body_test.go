package webhook_test

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/anxin-helpdesk/anxin/web/api"
	"github.com/anxin-helpdesk/anxin/web/webhook"
)

// TestRenderKeepsTheBodies: testdata/events.jsonl holds the bodies the
// outbox wrote for these events when it rendered them in the change's
// transaction (before migration 0008), with the fields added since at the
// end of the ticket (return_address and settlement, from 0021: added, never
// changed or removed), and a ticket.shipped body (added with the settlement
// kinds, 0023: a line of its own, the lines before unchanged). Rendered from
// the event now, they are the same
// bytes, and again the same when rendered twice.
func TestRenderKeepsTheBodies(t *testing.T) {
	golden, err := os.ReadFile("testdata/events.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	want := bytes.Split(bytes.TrimSpace(golden), []byte("\n"))
	cst := time.FixedZone("CST", 8*3600)
	at := time.Date(2026, 11, 26, 9, 30, 0, 123456789, cst)
	v := store.TicketView{Ticket: anxin.Ticket{ID: 42, Number: "AX-000042", MerchantID: 7, MerchantName: "茅乡名酒",
		Service: anxin.Damaged, State: anxin.Refunding, Version: 2, StateSince: at, PausedLeft: time.Minute,
		AssigneeID: 3, AssigneeName: "陈静",
		Order: anxin.Order{ID: "JD-1", Product: "飞天 53% 500ml", PaidFen: 149900, OrderedAt: at.Add(-72 * time.Hour),
			ShippedAt: at.Add(-48 * time.Hour)},
		BuyerName: "李雷", BuyerPhone: "13800000000", Reason: `瓶身破损 "<&>"`, RequestedFen: 149900, PayableFen: 149900,
		RefundedFen: 149900, CreatedAt: at.Add(-time.Hour), UpdatedAt: at, FirstActionAt: at},
		MerchantCode: "m7",
		Refund: anxin.RefundRecord{ID: 5, Number: "RF-00000042", TicketID: 42, AmountFen: 149900,
			Status: anxin.RefundStatusPending, Attempts: 1, CreatedAt: at, UpdatedAt: at}}
	change := &anxin.Event{ID: 9, TicketID: 42, At: at, Actor: anxin.Actor{Role: anxin.RoleAgent, UserID: 3, Name: "陈静"},
		Action: anxin.Approve, From: anxin.PendingMerchant, To: anxin.Refunding, AmountFen: 149900, Detail: "ok"}
	noRefund := v
	noRefund.Refund = anxin.RefundRecord{}
	// A reship shipped (ticket.shipped, added with the settlement kinds):
	// the ticket's shipments carry the parcel, the change says who shipped.
	shipped := noRefund
	shipped.Ticket.Service, shipped.Ticket.Settlement, shipped.Ticket.State = anxin.FreshSpoiled, anxin.SettleReship, anxin.Shipped
	shipped.Ticket.RefundedFen, shipped.Ticket.Deadline = 0, at.Add(10*24*time.Hour)
	shipped.Shipments = []anxin.Shipment{{ID: 8, TicketID: 42, Direction: anxin.DirOutbound, Kind: anxin.KindReship,
		Carrier: "顺丰", Tracking: "SF2000000042", Method: anxin.MethodSelf, CreatedAt: at, UpdatedAt: at}}
	shipChange := &anxin.Event{ID: 10, TicketID: 42, At: at, Actor: anxin.Actor{Role: anxin.RoleMerchant, UserID: 4, Name: "花姐"},
		Action: anxin.ShipOut, From: anxin.AwaitingShipment, To: anxin.Shipped, Detail: "顺丰 SF2000000042"}
	events := []store.OutboxEvent{
		{Type: anxin.EventTicketCreated, View: v},
		{Type: anxin.EventStateChanged, View: v, Change: change},
		{Type: anxin.EventRefundRequested, View: v, Change: change},
		{Type: anxin.EventDeadlineSoon, View: noRefund},
		{Type: anxin.EventShipped, View: shipped, Change: shipChange},
	}
	if len(want) != len(events) {
		t.Fatalf("%d golden bodies for %d events", len(want), len(events))
	}
	for i, ev := range events {
		ev.ID, ev.At = "evt_0123456789abcdef01234567", at
		got, err := webhook.Render(ev)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := webhook.Render(ev)
		if !bytes.Equal(got, want[i]) || !bytes.Equal(again, got) {
			t.Errorf("%s renders\n%s\nwas\n%s", ev.Type, got, want[i])
		}
	}
}

// TestEventBodies: what an endpoint receives for the events of an intake
// and an approval, in the API's shape.
func TestEventBodies(t *testing.T) {
	s, _ := storetest.MustOpen(t)
	rcv := newReceiver(t)
	m := storetest.MustMerchant(t, s, "茅乡名酒")
	agent := storetest.MustUser(t, s, anxin.RoleAgent, "陈静", 0).Actor()
	s.CreateWebhook(ctx, anxin.Webhook{URL: rcv.URL, Secret: secret,
		Events: []anxin.WebhookEvent{anxin.EventTicketCreated, anxin.EventStateChanged, anxin.EventRefundRequested}})
	tk := storetest.MustTicket(t, s, m.ID, anxin.Damaged, 149900)
	if _, err := s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.Approve, Actor: agent, Version: tk.Version}); err != nil {
		t.Fatal(err)
	}
	if _, err := webhook.NewSender(s, webhook.Config{Logger: quiet, AllowPrivate: true}).Flush(ctx); err != nil {
		t.Fatal(err)
	}
	byType := map[string]api.Event{}
	for _, r := range rcv.received() {
		verify(t, r)
		var e api.Event
		if err := json.Unmarshal(r.body, &e); err != nil {
			t.Fatal(err)
		}
		if e.Type != r.header.Get(webhook.HeaderEvent) || e.ID != r.header.Get(webhook.HeaderEventID) {
			t.Fatalf("event %s %s sent as %s", e.Type, e.ID, r.header)
		}
		byType[e.Type] = e
	}
	created, changed, refund := byType["ticket.created"], byType["ticket.state_changed"], byType["refund.requested"]
	if len(byType) != 3 {
		t.Fatalf("received %v", byType)
	}
	if created.Data.Ticket.State != "pending_merchant" || created.Data.Ticket.Merchant != m.Code || created.Data.Ticket.Refund != nil ||
		created.Data.Change != nil || created.Data.Refund != nil {
		t.Fatalf("ticket.created: %+v", created.Data)
	}
	if c := changed.Data.Change; c == nil || c.From != "pending_merchant" || c.To != "refunding" || c.Actor != "agent" ||
		c.AmountFen != 149900 || changed.Data.Refund != nil {
		t.Fatalf("ticket.state_changed: %+v", changed.Data)
	}
	if r := refund.Data.Refund; r == nil || r.Number != anxin.RefundNumber(tk.ID) || r.Status != "pending" || r.AmountFen != 149900 ||
		refund.Data.Change != nil || refund.Data.Ticket.Refund == nil || *refund.Data.Ticket.Refund != *r {
		t.Fatalf("refund.requested: %+v", refund.Data)
	}
	if changed.ID == refund.ID || changed.ID == "" || !changed.CreatedAt.Equal(storetest.Epoch) {
		t.Fatalf("events %s and %s at %v", changed.ID, refund.ID, changed.CreatedAt)
	}
}
