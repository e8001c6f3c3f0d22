package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

// settleClaim opens a ticket of the service settled by kind.
func settleClaim(t *testing.T, s *store.Store, merchantID int64, service anxin.ServiceKey, kind anxin.Settlement, orderID string) (anxin.Ticket, error) {
	t.Helper()
	c := storetest.Claim(merchantID, service, 14900, s.Clock().Now())
	c.Settlement = kind
	if orderID != "" {
		c.Order.ID = orderID
	}
	return s.CreateTicket(ctx, c)
}

// TestExchangeThroughTheStore walks a beauty-allergy exchange: approved, the
// return delivered through the logistics API, received, the replacement
// shipped once (an outbound parcel, ticket.shipped), delivered: closed, and
// nothing refunded.
func TestExchangeThroughTheStore(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "丝芙兰旗舰店")
	other := storetest.MustMerchant(t, s, "别家")
	yes := true
	if err := s.SetPolicy(ctx, m.ID, anxin.PolicyOverride{Service: anxin.BeautyAllergy, Enabled: &yes}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateWebhook(ctx, anxin.Webhook{URL: "http://127.0.0.1:9/hook", Secret: "whsec-0123456789abcdef",
		Events: []anxin.WebhookEvent{anxin.EventShipped}, Active: true}); err != nil {
		t.Fatal(err)
	}
	mine := storetest.MustUser(t, s, anxin.RoleMerchant, "阿美", m.ID).Actor()
	theirs := storetest.MustUser(t, s, anxin.RoleMerchant, "别人", other.ID).Actor()
	if _, err := settleClaim(t, s, m.ID, anxin.BeautyAllergy, anxin.SettleReship, ""); anxin.ErrorField(err) != anxin.FieldSettlement {
		t.Fatalf("a reship of an allergy: %v", err)
	}
	tk, err := settleClaim(t, s, m.ID, anxin.BeautyAllergy, anxin.SettleExchange, "")
	if err != nil || tk.Settlement != anxin.SettleExchange {
		t.Fatalf("exchange claim: %+v %v", tk.Settlement, err)
	}
	if tk, err = s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.Approve, Actor: mine, Version: tk.Version}); err != nil || tk.State != anxin.AwaitingReturn {
		t.Fatalf("approve: %s %v", tk.State, err)
	}
	scope := anxin.AllMerchants()
	clock.Advance(24 * time.Hour)
	ret := anxin.LogisticsReport{Direction: anxin.DirReturn, Carrier: "顺丰", Tracking: "SF1000000001", Status: anxin.ShipDelivered, At: clock.Now()}
	v, _, err := s.ReportLogistics(ctx, scope, tk.ID, ret, store.IdempotencyKey{})
	if err != nil || v.State != anxin.Received {
		t.Fatalf("return delivered: %s %v", v.State, err)
	}
	if tk, err = s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.Receive, Actor: mine, Version: v.Version}); err != nil || tk.State != anxin.AwaitingShipment {
		t.Fatalf("receive: %s %v", tk.State, err)
	}
	if !tk.Deadline.Equal(clock.Now().Add(48 * time.Hour)) {
		t.Fatalf("ship clock: %v", tk.Deadline)
	}
	// The carrier and tracking number are required; another merchant
	// does not see the ticket.
	ship := anxin.Decision{Action: anxin.ShipOut, Actor: mine, Version: tk.Version, Carrier: "顺丰", Tracking: "SF2000000001"}
	noCarrier := ship
	noCarrier.Carrier = ""
	if _, err := s.Decide(ctx, tk.ID, noCarrier); anxin.ErrorField(err) != anxin.FieldCarrier {
		t.Fatalf("no carrier: %v", err)
	}
	theirShip := ship
	theirShip.Actor = theirs
	if _, err := s.Decide(ctx, tk.ID, theirShip); anxin.ErrorCode(err) != anxin.ENOTFOUND {
		t.Fatalf("another merchant ships: %v", err)
	}
	if tk, err = s.Decide(ctx, tk.ID, ship); err != nil || tk.State != anxin.Shipped {
		t.Fatalf("ship: %s %v", tk.State, err)
	}
	// Shipped once: the same press again is stale.
	var h *anxin.AlreadyHandled
	if _, err := s.Decide(ctx, tk.ID, ship); !errors.As(err, &h) {
		t.Fatalf("shipped twice: %v", err)
	}
	list, err := s.Shipments(ctx, scope, tk.ID)
	if err != nil || len(list) != 2 {
		t.Fatalf("shipments %+v %v", list, err)
	}
	if sh := list[1]; sh.Direction != anxin.DirOutbound || sh.Kind != anxin.KindReplacement || sh.Carrier != "顺丰" || sh.Tracking != "SF2000000001" {
		t.Fatalf("replacement parcel %+v", sh)
	}
	db := storetest.DB(t, s)
	var shipped int
	db.QueryRow(`SELECT count(*) FROM webhook_deliveries WHERE event = 'ticket.shipped' AND ticket_id = ?`, tk.ID).Scan(&shipped)
	if shipped != 1 {
		t.Fatalf("%d ticket.shipped events", shipped)
	}
	// An in-transit report changes nothing; delivered closes, once.
	clock.Advance(time.Hour)
	out := anxin.LogisticsReport{Direction: anxin.DirOutbound, Carrier: "顺丰", Tracking: "SF2000000001", Status: anxin.ShipInTransit, At: clock.Now()}
	if v, _, err = s.ReportLogistics(ctx, scope, tk.ID, out, store.IdempotencyKey{}); err != nil || v.State != anxin.Shipped {
		t.Fatalf("in transit: %s %v", v.State, err)
	}
	clock.Advance(24 * time.Hour)
	out.Status, out.At = anxin.ShipDelivered, clock.Now()
	if v, _, err = s.ReportLogistics(ctx, scope, tk.ID, out, store.IdempotencyKey{}); err != nil || v.State != anxin.Closed {
		t.Fatalf("delivered: %s %v", v.State, err)
	}
	again, _, err := s.ReportLogistics(ctx, scope, tk.ID, out, store.IdempotencyKey{})
	if err != nil || again.Version != v.Version {
		t.Fatalf("a replayed delivery: v%d→v%d %v", v.Version, again.Version, err)
	}
	var refunds int
	db.QueryRow(`SELECT count(*) FROM refunds WHERE ticket_id = ?`, tk.ID).Scan(&refunds)
	if refunds != 0 || v.RefundedFen != 0 {
		t.Fatalf("an exchange refunded: %d rows, %d fen", refunds, v.RefundedFen)
	}
	if list, _ = s.Shipments(ctx, scope, tk.ID); len(list) != 2 || list[1].Status != anxin.ShipDelivered {
		t.Fatalf("shipments after delivery %+v", list)
	}
}

// TestOutOfStockRefundsOnce: an exchange with nothing to ship is refunded
// what was claimed, under one refund number, however often it is pressed; a
// reship not shipped in time is refunded by the scheduler.
func TestOutOfStockRefundsOnce(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "丝芙兰旗舰店")
	yes := true
	if err := s.SetPolicy(ctx, m.ID, anxin.PolicyOverride{Service: anxin.BeautyAllergy, Enabled: &yes}); err != nil {
		t.Fatal(err)
	}
	agent := storetest.MustUser(t, s, anxin.RoleAgent, "王晓", 0).Actor()
	tk, err := settleClaim(t, s, m.ID, anxin.BeautyAllergy, anxin.SettleExchange, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []anxin.Action{anxin.Approve, anxin.ShipReturn, anxin.Receive} {
		d := anxin.Decision{Action: a, Actor: agent, Version: tk.Version, Tracking: "SF1"}
		if a == anxin.ShipReturn {
			d.Actor = anxin.Buyer()
		}
		if tk, err = s.Decide(ctx, tk.ID, d); err != nil {
			t.Fatalf("%s: %v", a, err)
		}
	}
	if tk.State != anxin.AwaitingShipment {
		t.Fatalf("walked to %s", tk.State)
	}
	stale := tk.Version
	if tk, err = s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.OutOfStock, Actor: agent, Version: stale}); err != nil || tk.State != anxin.Refunding {
		t.Fatalf("out of stock: %s %v", tk.State, err)
	}
	var h *anxin.AlreadyHandled
	if _, err := s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.OutOfStock, Actor: agent, Version: stale}); !errors.As(err, &h) {
		t.Fatalf("out of stock twice: %v", err)
	}
	if _, err := s.PayPendingRefunds(ctx); err != nil {
		t.Fatal(err)
	}
	v, err := s.TicketView(ctx, anxin.AllMerchants(), tk.ID)
	if err != nil || v.State != anxin.Refunded || v.RefundedFen != 14900 || v.Refund.Number != anxin.RefundNumber(tk.ID) {
		t.Fatalf("after payment: %s %d %q %v", v.State, v.RefundedFen, v.Refund.Number, err)
	}
	var refunds int
	storetest.DB(t, s).QueryRow(`SELECT count(*) FROM refunds WHERE ticket_id = ?`, tk.ID).Scan(&refunds)
	if refunds != 1 {
		t.Fatalf("%d refunds", refunds)
	}

	// A reship approved and not shipped within 48 h turns into a refund.
	r, err := settleClaim(t, s, m.ID, anxin.FreshSpoiled, anxin.SettleReship, "")
	if err != nil {
		t.Fatal(err)
	}
	if r, err = s.Decide(ctx, r.ID, anxin.Decision{Action: anxin.Approve, Actor: agent, Version: r.Version}); err != nil || r.State != anxin.AwaitingShipment {
		t.Fatalf("approve reship: %s %v", r.State, err)
	}
	clock.Advance(47 * time.Hour)
	if _, err := s.RunTimeouts(ctx); err != nil {
		t.Fatal(err)
	}
	if r, _ = s.Ticket(ctx, anxin.AllMerchants(), r.ID); r.State != anxin.AwaitingShipment {
		t.Fatalf("before the ship clock ran out: %s", r.State)
	}
	clock.Advance(time.Hour)
	if _, err := s.RunTimeouts(ctx); err != nil {
		t.Fatal(err)
	}
	if r, _ = s.Ticket(ctx, anxin.AllMerchants(), r.ID); r.State != anxin.Refunding || r.RefundedFen != 14900 {
		t.Fatalf("after the ship clock ran out: %s %d", r.State, r.RefundedFen)
	}
}

// TestReshipCap: an order is reshipped at most 10 times: the 11th parcel
// and any reship claim after are refused, naming the settlement.
func TestReshipCap(t *testing.T) {
	s, _ := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "昆明斗南鲜花")
	mine := storetest.MustUser(t, s, anxin.RoleMerchant, "花姐", m.ID).Actor()
	const order = "DD-RESHIP-1"
	var tickets []anxin.Ticket
	for range 11 {
		tk, err := settleClaim(t, s, m.ID, anxin.FreshSpoiled, anxin.SettleReship, order)
		if err != nil {
			t.Fatal(err)
		}
		if tk, err = s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.Approve, Actor: mine, Version: tk.Version}); err != nil {
			t.Fatal(err)
		}
		tickets = append(tickets, tk)
	}
	for i, tk := range tickets {
		d := anxin.Decision{Action: anxin.ShipOut, Actor: mine, Version: tk.Version, Carrier: "顺丰", Tracking: "SF30000000" + string(rune('a'+i))}
		_, err := s.Decide(ctx, tk.ID, d)
		switch {
		case i < 10 && err != nil:
			t.Fatalf("reship %d: %v", i+1, err)
		case i == 10 && (anxin.ErrorField(err) != anxin.FieldSettlement || anxin.ErrorCode(err) != anxin.EINVALID):
			t.Fatalf("the 11th reship: %v", err)
		}
	}
	if after, _ := s.Ticket(ctx, anxin.AllMerchants(), tickets[10].ID); after.State != anxin.AwaitingShipment {
		t.Fatalf("the refused reship left the ticket %s", after.State)
	}
	if _, err := settleClaim(t, s, m.ID, anxin.FreshSpoiled, anxin.SettleReship, order); anxin.ErrorField(err) != anxin.FieldSettlement {
		t.Fatalf("a reship claim on an order reshipped 10 times: %v", err)
	}
	if _, err := settleClaim(t, s, m.ID, anxin.FreshSpoiled, anxin.SettleRefund, order); err != nil {
		t.Fatalf("a refund claim on the order: %v", err)
	}
	if _, err := settleClaim(t, s, m.ID, anxin.FreshSpoiled, anxin.SettleReship, ""); err != nil {
		t.Fatalf("a reship of another order: %v", err)
	}
}
