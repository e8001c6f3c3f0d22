package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store"
	"github.com/anxin-helpdesk/anxin/store/storetest"
)

func TestReturnAddressBook(t *testing.T) {
	s, _ := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "虎门服装") // its first address is the default
	other := storetest.MustMerchant(t, s, "别家")
	mine := storetest.MustUser(t, s, anxin.RoleMerchant, "阿梅", m.ID).Actor()
	agent := storetest.MustUser(t, s, anxin.RoleAgent, "王晓", 0).Actor()

	second, err := s.SaveReturnAddress(ctx, mine, anxin.ReturnAddress{MerchantID: m.ID, Name: "阿梅", Phone: "13800138000",
		Region: "广东省 东莞市 虎门镇", Street: "连升路 88 号"})
	if err != nil || second.Default {
		t.Fatalf("a second address: %+v %v", second, err)
	}
	// An address without a phone is refused, naming the field.
	_, err = s.SaveReturnAddress(ctx, mine, anxin.ReturnAddress{MerchantID: m.ID, Name: "阿梅", Region: "广东省", Street: "x"})
	if anxin.ErrorField(err) != anxin.FieldAddressPhone || anxin.ErrorCode(err) != anxin.EINVALID {
		t.Fatalf("no phone: %v", err)
	}
	// Nobody keeps another merchant's book but the admins; agents keep none.
	for _, tc := range []struct {
		by   anxin.Actor
		code string
	}{{mine, anxin.ENOTFOUND}, {agent, anxin.EFORBIDDEN}} {
		_, err := s.SaveReturnAddress(ctx, tc.by, anxin.ReturnAddress{MerchantID: other.ID, Name: "x", Phone: "13800138000", Region: "r", Street: "s"})
		if anxin.ErrorCode(err) != tc.code {
			t.Errorf("%s saving another's address: %v", tc.by.Role, err)
		}
	}
	if err := s.SetDefaultAddress(ctx, mine, other.ID, second.ID); anxin.ErrorCode(err) != anxin.ENOTFOUND {
		t.Fatalf("default of another merchant: %v", err)
	}
	if err := s.DeleteReturnAddress(ctx, mine, m.ID, 99999); anxin.ErrorCode(err) != anxin.ENOTFOUND {
		t.Fatalf("delete of nothing: %v", err)
	}
	list, _ := s.ReturnAddresses(ctx, anxin.Scope{MerchantID: m.ID}, m.ID)
	if len(list) != 2 || !list[0].Default || list[1].ID != second.ID {
		t.Fatalf("book %+v", list)
	}
	// The default goes last; another is made the default first.
	if err := s.DeleteReturnAddress(ctx, mine, m.ID, list[0].ID); anxin.ErrorCode(err) != anxin.EINVALID {
		t.Fatalf("deleting the default: %v", err)
	}
	if err := s.SetDefaultAddress(ctx, mine, m.ID, second.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteReturnAddress(ctx, mine, m.ID, list[0].ID); err != nil {
		t.Fatal(err)
	}
	list, _ = s.ReturnAddresses(ctx, anxin.Scope{MerchantID: m.ID}, m.ID)
	if len(list) != 1 || !list[0].Default || list[0].ID != second.ID {
		t.Fatalf("book after: %+v", list)
	}
	if _, err := s.ReturnAddresses(ctx, anxin.Scope{MerchantID: other.ID}, m.ID); anxin.ErrorCode(err) != anxin.ENOTFOUND {
		t.Fatalf("another merchant reads the book: %v", err)
	}
	// Every change is audited, without the phone.
	log, _ := s.AuditLog(ctx, 0, 10)
	var actions []string
	for _, e := range log {
		actions = append(actions, e.Action)
		if strings.Contains(e.Detail, "13800138000") {
			t.Errorf("the audit log holds a phone: %q", e.Detail)
		}
	}
	if got := strings.Join(actions, " "); !strings.HasPrefix(got, "delete_address default_address add_address") {
		t.Fatalf("audited %s", got)
	}
}

// TestApprovalSendsTheReturnAddress: approving a return copies the default
// address onto the ticket, tells the buyer (a system message and the
// webhook payload), and a later edit of the book does not rewrite it.
func TestApprovalSendsTheReturnAddress(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "虎门服装")
	mine := storetest.MustUser(t, s, anxin.RoleMerchant, "阿梅", m.ID).Actor()
	webhookFor(t, s, 0, anxin.EventStateChanged, anxin.EventMessage)
	tk := storetest.MustTicket(t, s, m.ID, anxin.NoReason7d, 8900)
	book, _ := s.ReturnAddresses(ctx, anxin.AllMerchants(), m.ID)
	clock.Advance(time.Minute)
	if _, err := s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.Approve, Actor: mine, Version: tk.Version}); err != nil {
		t.Fatal(err)
	}
	v, err := s.TicketView(ctx, anxin.AllMerchants(), tk.ID)
	if err != nil || v.Address.TicketID != tk.ID || v.Address.ID != book[0].ID || v.Address.Phone != "0571-88886666" ||
		!v.Address.AttachedAt.Equal(clock.Now()) || v.Address.AttachedBy.Name != "阿梅" {
		t.Fatalf("the ticket's address: %+v %v", v.Address, err)
	}
	msgs, _ := s.Messages(ctx, anxin.AllMerchants(), tk.ID)
	if len(msgs) != 1 || msgs[0].From != anxin.SenderSystem || !strings.Contains(msgs[0].Body, "0571-88886666 浙江省 杭州市 余杭区 文一西路 969 号 售后仓") {
		t.Fatalf("the buyer was told %+v", msgs)
	}
	var told, changed bool
	for _, e := range outbox(t, s) {
		told = told || (e.Type == anxin.EventMessage && strings.Contains(e.Message.Body, "文一西路"))
		changed = changed || (e.Type == anxin.EventStateChanged && e.View.Address.Street == "文一西路 969 号 售后仓")
	}
	if !told || !changed {
		t.Fatalf("webhooks: message %v, state change with the address %v", told, changed)
	}
	// Editing the book later does not rewrite what the buyer was told.
	edited := book[0]
	edited.Street = "新仓库 1 号"
	if _, err := s.SaveReturnAddress(ctx, mine, edited); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.TicketView(ctx, anxin.AllMerchants(), tk.ID); v.Address.Street != "文一西路 969 号 售后仓" {
		t.Fatalf("the ticket's address followed the book: %q", v.Address.Street)
	}
	// Until the buyer ships, another address may be sent instead.
	second := storetest.MustAddress(t, s, m.ID, "二号仓")
	if _, err := s.SetTicketAddress(ctx, mine, tk.ID, second.ID); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.TicketView(ctx, anxin.AllMerchants(), tk.ID); v.Address.Name != "二号仓" {
		t.Fatalf("changed to %q", v.Address.Name)
	}
	v, _ = s.TicketView(ctx, anxin.AllMerchants(), tk.ID)
	if _, err := s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.ShipReturn, Actor: anxin.Buyer(), Tracking: "SF1", Version: v.Version}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetTicketAddress(ctx, mine, tk.ID, book[0].ID); anxin.ErrorCode(err) != anxin.ENOTALLOWED {
		t.Fatalf("changing the address once shipped: %v", err)
	}
}

func TestApprovalWithoutAnAddress(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m, err := s.CreateMerchant(ctx, anxin.Merchant{Code: "bare", Name: "无地址"})
	if err != nil {
		t.Fatal(err)
	}
	mine := storetest.MustUser(t, s, anxin.RoleMerchant, "店员", m.ID)
	tk := storetest.MustTicket(t, s, m.ID, anxin.NoReason7d, 8900)
	// A person is refused, and nothing changes.
	_, err = s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.Approve, Actor: mine.Actor(), Version: tk.Version})
	if anxin.ErrorCode(err) != anxin.EINVALID || !strings.Contains(anxin.ErrorMessage(err), "return address") {
		t.Fatalf("approving without an address: %v", err)
	}
	if after, _ := s.Ticket(ctx, anxin.AllMerchants(), tk.ID); after.Version != tk.Version {
		t.Fatal("the refused approval changed the ticket")
	}
	// The merchant's clock running out approves it anyway (the buyer is
	// not held up by the merchant's silence), and the merchant is told.
	clock.Set(tk.Deadline)
	if sw, err := s.RunTimeouts(ctx); err != nil || sw.Done != 1 {
		t.Fatalf("timeouts: %+v %v", sw, err)
	}
	v, _ := s.TicketView(ctx, anxin.AllMerchants(), tk.ID)
	if v.State != anxin.AwaitingReturn || v.Address.TicketID != 0 {
		t.Fatalf("auto-approved: %s, address %+v", v.State, v.Address)
	}
	alerts, _ := s.Alerts(ctx, mine.ID, anxin.Scope{MerchantID: m.ID}, 10)
	if len(alerts) != 1 || alerts[0].Kind != anxin.AlertNoAddress {
		t.Fatalf("alerts %+v", alerts)
	}
	// Once the merchant has one, it is sent.
	storetest.MustAddress(t, s, m.ID, "新仓")
	if _, err := s.SetTicketAddress(ctx, mine.Actor(), tk.ID, 0); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.TicketView(ctx, anxin.AllMerchants(), tk.ID); v.Address.Name != "新仓" {
		t.Fatalf("sent %+v", v.Address)
	}
}

func report(status anxin.ShipStatus, at time.Time) anxin.LogisticsReport {
	return anxin.LogisticsReport{Direction: anxin.DirReturn, Carrier: "顺丰", Tracking: "SF1234567890", Status: status, At: at}
}

func TestCarrierReportsMoveTheReturn(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "虎门服装")
	agent := storetest.MustUser(t, s, anxin.RoleAgent, "王晓", 0).Actor()
	tk := storetest.MustTicketIn(t, s, m.ID, anxin.AwaitingReturn, 8900)
	scope := anxin.Scope{MerchantID: m.ID}
	// Unknown status: refused, naming the field, nothing recorded.
	bad := report("teleported", clock.Now())
	if _, _, err := s.ReportLogistics(ctx, scope, tk.ID, bad, store.IdempotencyKey{}); anxin.ErrorField(err) != anxin.FieldStatus {
		t.Fatalf("unknown status: %v", err)
	}
	// Another merchant's key does not see the ticket.
	if _, _, err := s.ReportLogistics(ctx, anxin.Scope{MerchantID: m.ID + 100}, tk.ID, report(anxin.ShipPickedUp, clock.Now()), store.IdempotencyKey{}); anxin.ErrorCode(err) != anxin.ENOTFOUND {
		t.Fatalf("another merchant's scope: %v", err)
	}
	picked := clock.Now().Add(-time.Hour)
	v, _, err := s.ReportLogistics(ctx, scope, tk.ID, report(anxin.ShipPickedUp, picked), store.IdempotencyKey{})
	if err != nil || v.State != anxin.AwaitingReceipt || len(v.Shipments) != 1 || v.Shipments[0].Status != anxin.ShipPickedUp {
		t.Fatalf("picked up: %s %+v %v", v.State, v.Shipments, err)
	}
	clock.Advance(30 * time.Hour)
	delivered := clock.Now().Add(-10 * time.Minute)
	v, _, err = s.ReportLogistics(ctx, scope, tk.ID, report(anxin.ShipDelivered, delivered), store.IdempotencyKey{})
	if err != nil || v.State != anxin.Received || !v.Deadline.Equal(clock.Now().Add(48*time.Hour)) || v.Shipments[0].Status != anxin.ShipDelivered {
		t.Fatalf("delivered: %s due %v %+v %v", v.State, v.Deadline, v.Shipments, err)
	}
	events, _ := s.Timeline(ctx, anxin.AllMerchants(), tk.ID)
	// A replayed report (and one arriving late, out of order) changes nothing.
	clock.Advance(time.Minute)
	for _, r := range []anxin.LogisticsReport{report(anxin.ShipDelivered, delivered), report(anxin.ShipPickedUp, picked)} {
		again, _, err := s.ReportLogistics(ctx, scope, tk.ID, r, store.IdempotencyKey{})
		if err != nil || again.Version != v.Version || len(again.Shipments[0].Events) != 2 || again.Shipments[0].Status != anxin.ShipDelivered {
			t.Fatalf("replayed %s: v%d→v%d, %+v %v", r.Status, v.Version, again.Version, again.Shipments, err)
		}
	}
	// A report in transit between the two, heard late, is kept without
	// moving the ticket or the parcel's status.
	again, _, err := s.ReportLogistics(ctx, scope, tk.ID, report(anxin.ShipInTransit, picked.Add(time.Hour)), store.IdempotencyKey{})
	if err != nil || again.Version != v.Version || len(again.Shipments[0].Events) != 3 || again.Shipments[0].Status != anxin.ShipDelivered {
		t.Fatalf("late in transit: %+v %v", again.Shipments, err)
	}
	if after, _ := s.Timeline(ctx, anxin.AllMerchants(), tk.ID); len(after) != len(events) {
		t.Fatalf("replays added %d events", len(after)-len(events))
	}
	// The merchant receives after inspection: the refund.
	if _, err := s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.Receive, Actor: agent, Version: v.Version}); err != nil {
		t.Fatal(err)
	}
	// An exception on another parcel alerts the ticket's merchant.
	ex := report(anxin.ShipException, clock.Now())
	ex.Tracking = "YT000"
	if _, _, err := s.ReportLogistics(ctx, scope, tk.ID, ex, store.IdempotencyKey{}); err != nil {
		t.Fatal(err)
	}
}

// TestPostagePaidOncePerOrderOnReceipt: 运费险 pays the received return's
// postage as its own refund line, capped by how it travelled, once per
// order; the order's claim sets the amount, capped, and is closed by it.
func TestPostagePaidOncePerOrderOnReceipt(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "虎门服装")
	agent := storetest.MustUser(t, s, anxin.RoleAgent, "王晓", 0).Actor()
	scope := anxin.Scope{MerchantID: m.ID}
	webhookFor(t, s, 0, anxin.EventPostageRequested, anxin.EventPostageSucceeded)

	// A self-shipped return without a claim: ¥10, when the carrier delivers.
	tk := storetest.MustTicketIn(t, s, m.ID, anxin.AwaitingReceipt, 45900)
	v, _, err := s.ReportLogistics(ctx, scope, tk.ID, report(anxin.ShipDelivered, clock.Now()), store.IdempotencyKey{})
	if err != nil || v.Postage.Number != anxin.PostageNumber(tk.ID) || v.Postage.AmountFen != 1000 ||
		v.Postage.Method != anxin.MethodSelf || v.Postage.Status != anxin.RefundStatusPending {
		t.Fatalf("postage %+v %v", v.Postage, err)
	}
	// Receiving after inspection pays the goods, not the postage again.
	v2, err := s.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.Receive, Actor: agent, Version: v.Version})
	if err != nil || v2.RefundedFen != 45900 {
		t.Fatal(err)
	}
	// A second return on the same order is received: nothing more.
	claim := storetest.Claim(m.ID, anxin.QualityReturn, 45900, clock.Now())
	claim.Order.ID = tk.Order.ID
	second, err := s.CreateTicket(ctx, claim)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []anxin.Action{anxin.Approve, anxin.ShipReturn, anxin.Receive} {
		d := anxin.Decision{Action: a, Actor: agent, Version: second.Version, Tracking: "YT1"}
		if a == anxin.ShipReturn {
			d.Actor = anxin.Buyer()
		}
		if second, err = s.Decide(ctx, second.ID, d); err != nil {
			t.Fatal(err)
		}
	}
	if v, _ := s.TicketView(ctx, scope, second.ID); v.Postage.ID != 0 {
		t.Fatalf("a second payout on the order: %+v", v.Postage)
	}
	// The built-in payment system pays the line, under its number.
	if _, err := s.PayPendingRefunds(ctx); err != nil {
		t.Fatal(err)
	}
	if l, ok, _ := s.PostageLine(ctx, scope, tk.ID); !ok || l.Status != anxin.RefundStatusSucceeded {
		t.Fatalf("paid: %+v", l)
	}
	var requested, succeeded int
	for _, e := range outbox(t, s) {
		switch e.Type {
		case anxin.EventPostageRequested:
			requested++
		case anxin.EventPostageSucceeded:
			succeeded++
		}
	}
	if requested != 1 || succeeded != 1 {
		t.Fatalf("webhooks: %d requested, %d succeeded", requested, succeeded)
	}

	// A pickup, and the buyer's ¥25 claim on the order: capped at ¥19.35,
	// not refused; the claim closes, paid with the return.
	pick := storetest.MustTicketIn(t, s, m.ID, anxin.AwaitingReturn, 45900)
	ins := storetest.Claim(m.ID, anxin.ShippingInsurance, 45900, clock.Now())
	ins.Order.ID, ins.RequestedFen = pick.Order.ID, 2500
	claimTicket, err := s.CreateTicket(ctx, ins)
	if err != nil || claimTicket.State != anxin.Closed || claimTicket.RequestedFen != 1935 {
		t.Fatalf("the ¥25 claim: %s %d %v", claimTicket.State, claimTicket.RequestedFen, err)
	}
	slot := anxin.DefaultPickupRules().Slots(clock.Now(), pick.Deadline)[0].Start
	pick, err = s.Decide(ctx, pick.ID, anxin.Decision{Action: anxin.BookPickup, Actor: anxin.Buyer(), Slot: slot, Version: pick.Version})
	if err != nil {
		t.Fatal(err)
	}
	v, _, err = s.ReportLogistics(ctx, scope, pick.ID, report(anxin.ShipPickedUp, clock.Now()), store.IdempotencyKey{})
	if err != nil || len(v.Shipments) != 1 || v.Shipments[0].Tracking != "SF1234567890" || v.Shipments[0].Method != anxin.MethodPickup ||
		!v.Shipments[0].PickupSlot.Equal(slot) {
		t.Fatalf("the pickup collected: %+v %v", v.Shipments, err)
	}
	if _, err = s.Decide(ctx, pick.ID, anxin.Decision{Action: anxin.Receive, Actor: agent, Version: v.Version}); err != nil {
		t.Fatal(err)
	}
	if l, _, _ := s.PostageLine(ctx, scope, pick.ID); l.AmountFen != 1935 || l.ClaimedFen != 1935 || l.Method != anxin.MethodPickup || l.CapFen != 1935 {
		t.Fatalf("a pickup's postage: %+v", l)
	}
	// Claimed again once paid: refused, once per order.
	if _, err := s.CreateTicket(ctx, ins); anxin.ErrorCode(err) != anxin.ECONFLICT {
		t.Fatalf("a second claim on a paid order: %v", err)
	}
}

// TestInstantRefundAheadOfTheReturn: an ¥89 七天无理由 claim is refunded at
// intake by the system, the return still tracked; not received by its
// deadline, it is raised to the merchant.
func TestInstantRefundAheadOfTheReturn(t *testing.T) {
	s, clock := storetest.MustOpen(t)
	m := storetest.MustMerchant(t, s, "虎门服装")
	mine := storetest.MustUser(t, s, anxin.RoleMerchant, "阿梅", m.ID)
	c := storetest.Claim(m.ID, anxin.NoReason7d, 8900, clock.Now())
	v, _, err := s.Intake(ctx, anxin.AllMerchants(), m.Code, c, store.IdempotencyKey{})
	if err != nil || v.State != anxin.Refunding || v.Refund.AmountFen != 8900 || !v.ReturnOwed {
		t.Fatalf("intake: %s %+v owed %v %v", v.State, v.Refund, v.ReturnOwed, err)
	}
	// The carrier picks the parcel up before the refund is paid.
	scope := anxin.Scope{MerchantID: m.ID}
	if _, _, err := s.ReportLogistics(ctx, scope, v.ID, report(anxin.ShipPickedUp, clock.Now()), store.IdempotencyKey{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PayPendingRefunds(ctx); err != nil {
		t.Fatal(err)
	}
	v, _ = s.TicketView(ctx, scope, v.ID)
	if v.State != anxin.AwaitingReceipt || v.Address.TicketID == 0 || v.Refund.Status != anxin.RefundStatusSucceeded {
		t.Fatalf("paid, the return on its way: %s, address %+v, refund %s", v.State, v.Address, v.Refund.Status)
	}
	events, _ := s.Timeline(ctx, scope, v.ID)
	var actions []string
	for _, e := range events {
		actions = append(actions, string(e.Action))
	}
	if got := strings.Join(actions, " "); got != "create refund_ahead refund_succeeded return_shipped" {
		t.Fatalf("timeline %s", got)
	}
	// Never received: raised to the merchant when the receipt clock runs out.
	clock.Set(v.Deadline)
	if _, err := s.RunTimeouts(ctx); err != nil {
		t.Fatal(err)
	}
	v, _ = s.TicketView(ctx, scope, v.ID)
	if v.State != anxin.ReturnOverdue || v.RefundedFen != 8900 || v.Postage.ID != 0 {
		t.Fatalf("raised: %s refunded %d, postage %+v", v.State, v.RefundedFen, v.Postage)
	}
	alerts, _ := s.Alerts(ctx, mine.ID, scope, 10)
	if len(alerts) == 0 || alerts[0].Kind != anxin.AlertReturnOverdue {
		t.Fatalf("the merchant's alerts: %+v", alerts)
	}
	// A return delivered late is still taken; nothing more is paid.
	v, _, err = s.ReportLogistics(ctx, scope, v.ID, report(anxin.ShipDelivered, clock.Now()), store.IdempotencyKey{})
	if err != nil || v.State != anxin.Received {
		t.Fatalf("delivered late: %s %v", v.State, err)
	}
	if v, err := s.Decide(ctx, v.ID, anxin.Decision{Action: anxin.Receive, Actor: mine.Actor(), Version: v.Version}); err != nil ||
		v.State != anxin.Refunded || v.RefundedFen != 8900 {
		t.Fatalf("received: %s %d %v", v.State, v.RefundedFen, err)
	}
}
