package anxin_test

import (
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

// cst is 2026-11-02 at the given hour and minute, Beijing time.
func cst(day, hour, minute int) time.Time {
	return time.Date(2026, 11, day, hour, minute, 0, 0, time.FixedZone("CST", 8*3600))
}

func TestLogisticsReportNamesTheField(t *testing.T) {
	now := t0
	ok := anxin.LogisticsReport{Direction: anxin.DirReturn, Carrier: " 顺丰 ", Tracking: " SF1234567890 ", Status: anxin.ShipDelivered, At: now}
	tests := []struct {
		name  string
		edit  func(*anxin.LogisticsReport)
		field anxin.Field // "" for accepted
	}{
		{"valid", func(*anxin.LogisticsReport) {}, ""},
		{"unknown status", func(r *anxin.LogisticsReport) { r.Status = "lost_in_space" }, anxin.FieldStatus},
		{"no status", func(r *anxin.LogisticsReport) { r.Status = "" }, anxin.FieldStatus},
		{"unknown direction", func(r *anxin.LogisticsReport) { r.Direction = "sideways" }, anxin.FieldDirection},
		{"no carrier", func(r *anxin.LogisticsReport) { r.Carrier = "  " }, anxin.FieldCarrier},
		{"no tracking", func(r *anxin.LogisticsReport) { r.Tracking = "" }, anxin.FieldTracking},
		{"no time", func(r *anxin.LogisticsReport) { r.At = time.Time{} }, anxin.FieldAt},
		{"a time in the future", func(r *anxin.LogisticsReport) { r.At = now.Add(time.Hour) }, anxin.FieldAt},
		{"a little clock skew", func(r *anxin.LogisticsReport) { r.At = now.Add(5 * time.Minute) }, ""},
		{"a control character", func(r *anxin.LogisticsReport) { r.Tracking = "SF1\x00" }, anxin.FieldTracking},
		{"a long carrier", func(r *anxin.LogisticsReport) { r.Carrier = string(make([]byte, 40)) }, anxin.FieldCarrier},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ok
			tt.edit(&r)
			err := r.Validate(now)
			if got := anxin.ErrorField(err); got != tt.field || (tt.field != "" && anxin.ErrorCode(err) != anxin.EINVALID) {
				t.Fatalf("field %q (%v), want %q", got, err, tt.field)
			}
			if tt.field == "" && (r.Carrier != "顺丰" || r.Tracking != "SF1234567890") {
				t.Fatalf("not tidied: %q %q", r.Carrier, r.Tracking)
			}
		})
	}
}

func TestPickupSlots(t *testing.T) {
	rules := anxin.DefaultPickupRules()
	now := cst(2, 10, 30)   // Monday 10:30 in Beijing
	window := cst(6, 12, 0) // the buyer's return window closes on Friday at noon
	short := cst(3, 14, 0)  // a window that closes tomorrow at 14:00
	tests := []struct {
		name  string
		start time.Time
		until time.Time
		code  string // "" for accepted
		field anxin.Field
	}{
		{"the next slot, starting now-ish", cst(2, 11, 0), window, "", ""},
		{"the slot running now, ending in 30 min", cst(2, 9, 0), window, anxin.EINVALID, anxin.FieldSlot},
		{"yesterday", cst(1, 11, 0), window, anxin.EINVALID, anxin.FieldSlot},
		{"the last slot of the day after tomorrow", cst(4, 17, 0), window, "", ""},
		{"three days ahead", cst(5, 9, 0), window, anxin.EINVALID, anxin.FieldSlot},
		{"three months ahead", cst(2, 11, 0).AddDate(0, 3, 0), window, anxin.EINVALID, anxin.FieldSlot},
		{"not on a slot boundary", cst(3, 10, 0), window, anxin.EINVALID, anxin.FieldSlot},
		{"before 09:00", cst(3, 7, 0), window, anxin.EINVALID, anxin.FieldSlot},
		{"ending after 19:00", cst(3, 19, 0), window, anxin.EINVALID, anxin.FieldSlot},
		{"ending as the window closes", cst(3, 11, 0), short, "", ""},
		{"ending after the window closes", cst(3, 13, 0), short, anxin.EINVALID, anxin.FieldSlot},
		{"no window", cst(4, 9, 0), time.Time{}, "", ""},
		{"no slot", time.Time{}, window, anxin.EINVALID, anxin.FieldSlot},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := rules.Check(tt.start, now, tt.until)
			if anxin.ErrorCode(err) != tt.code || anxin.ErrorField(err) != tt.field {
				t.Fatalf("%v: code %q field %q, want %q %q", err, anxin.ErrorCode(err), anxin.ErrorField(err), tt.code, tt.field)
			}
		})
	}
	// What the page offers is exactly what Check accepts: today 11-19
	// (4 slots), tomorrow and the day after 09-19 (5 each).
	slots := rules.Slots(now, window)
	if len(slots) != 14 || !slots[0].Start.Equal(cst(2, 11, 0)) || !slots[13].End.Equal(cst(4, 19, 0)) {
		t.Fatalf("%d slots from %v to %v", len(slots), slots[0].Start, slots[len(slots)-1].End)
	}
	for _, s := range slots {
		if err := rules.Check(s.Start, now, window); err != nil || s.End.Sub(s.Start) != 2*time.Hour {
			t.Fatalf("offered %v-%v, refused: %v", s.Start, s.End, err)
		}
	}
	if got := rules.Slots(now, short); len(got) != 5+1 {
		t.Fatalf("a window closing tomorrow at 14:00 leaves %d slots, want 6", len(got))
	}
	// After 17:00 nothing is left today.
	if got := rules.Slots(cst(2, 17, 1), window); !got[0].Start.Equal(cst(3, 9, 0)) {
		t.Fatalf("after 17:00 the first slot is %v", got[0].Start)
	}
	// The hours are the display zone's: in UTC, 09:00 is another instant.
	utc := rules
	utc.Zone = time.UTC
	if err := utc.Check(cst(3, 9, 0), now, window); anxin.ErrorField(err) != anxin.FieldSlot {
		t.Fatalf("09:00 Beijing is 01:00 UTC, outside UTC's hours: %v", err)
	}
	if err := utc.Check(time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC), now, window); err != nil {
		t.Fatalf("09:00 UTC: %v", err)
	}
}

func TestPostagePayout(t *testing.T) {
	caps := anxin.PostageCaps{PickupFen: anxin.PostageCapPickupFen, SelfFen: anxin.PostageCapSelfFen}
	tests := []struct {
		method  anxin.ShipMethod
		claimed int64
		want    int64
	}{
		{anxin.MethodPickup, 0, 1935},    // no claim: the cap
		{anxin.MethodPickup, 2500, 1935}, // capped, not refused
		{anxin.MethodPickup, 1200, 1200},
		{anxin.MethodSelf, 0, 1000},
		{anxin.MethodSelf, 2500, 1000},
		{anxin.MethodSelf, 800, 800},
		{"", 1500, 1000}, // unknown: self-ship's
	}
	for _, tt := range tests {
		if got := caps.PostagePayout(tt.method, tt.claimed); got != tt.want {
			t.Errorf("%s claiming %d: %d, want %d", tt.method, tt.claimed, got, tt.want)
		}
	}
	if caps.Most() != 1935 || anxin.PostageNumber(12) != "YF-00000012" {
		t.Fatal(caps.Most(), anxin.PostageNumber(12))
	}
}

func TestPostageClaimIsCappedNotRefused(t *testing.T) {
	s, p := policy(t, anxin.ShippingInsurance, nil)
	c := anxin.Claim{Service: anxin.ShippingInsurance, Order: received(45900, t0), BuyerPhone: "13800138000",
		RequestedFen: 2500, Actor: anxin.Buyer()}
	tk, ev, err := c.Open(s, p, t0.Add(time.Hour))
	if err != nil || tk.RequestedFen != 1935 || tk.PayableFen != 1935 || ev.AmountFen != 1935 {
		t.Fatalf("a ¥25 claim: %v, requested %d payable %d", err, tk.RequestedFen, tk.PayableFen)
	}
	c.RequestedFen = 800
	if tk, _, err = c.Open(s, p, t0.Add(time.Hour)); err != nil || tk.RequestedFen != 800 {
		t.Fatalf("an ¥8 claim: %v, requested %d", err, tk.RequestedFen)
	}
	// Other services still refuse a claim above what they pay.
	s, p = policy(t, anxin.Damaged, nil)
	c.Service, c.RequestedFen = anxin.Damaged, 50000
	if _, _, err := c.Open(s, p, t0.Add(time.Hour)); anxin.ErrorCode(err) != anxin.EINVALID {
		t.Fatalf("a damaged claim above the price: %v", err)
	}
}

// TestSevenDayReturnDeliveredThenInspected walks the 7-day return as the
// carrier reports it: approved (the address goes out), shipped, delivered
// (received, the merchant's inspection clock), received and refunded.
func TestSevenDayReturnDeliveredThenInspected(t *testing.T) {
	_, p := policy(t, anxin.NoReason7d, nil)
	now := t0.Add(time.Hour)
	tk := newTicket(p, received(8900, t0), 0, now)
	c := step(t, &tk, p, anxin.Decision{Action: anxin.Approve, Actor: merchant}, now)
	if !c.SendsAddress() || c.ReturnReceived() {
		t.Fatalf("approve: sends address %v, received %v", c.SendsAddress(), c.ReturnReceived())
	}
	report := anxin.LogisticsReport{Direction: anxin.DirReturn, Carrier: "SF", Tracking: "SF1", Status: anxin.ShipPickedUp, At: now}
	a, ok := tk.ReturnAction(report, p)
	if !ok || a != anxin.ShipReturn {
		t.Fatalf("picked up while awaiting the return: %s %v", a, ok)
	}
	now = now.Add(5 * time.Hour)
	step(t, &tk, p, anxin.Decision{Action: a, Actor: anxin.System(), Tracking: "SF1"}, now)
	report.Status = anxin.ShipInTransit
	if _, ok := tk.ReturnAction(report, p); ok {
		t.Fatal("in transit while awaiting receipt changes nothing")
	}
	report.Status = anxin.ShipDelivered
	a, ok = tk.ReturnAction(report, p)
	now = now.Add(30 * time.Hour)
	c = step(t, &tk, p, anxin.Decision{Action: a, Actor: anxin.System()}, now)
	if !ok || tk.State != anxin.Received || !tk.Deadline.Equal(now.Add(48*time.Hour)) || !c.ReturnReceived() || c.PayFen != 0 {
		t.Fatalf("delivered: %s due %v, received %v, pays %d", tk.State, tk.Deadline, c.ReturnReceived(), c.PayFen)
	}
	if _, ok := tk.ReturnAction(report, p); ok {
		t.Fatal("a replayed delivery changes nothing")
	}
	if _, err := tk.Decide(anxin.Decision{Action: anxin.ReturnDelivered, Actor: merchant}, p, now); anxin.ErrorCode(err) != anxin.ENOTALLOWED {
		t.Fatalf("only the carrier reports a delivery: %v", err)
	}
	got := tk.Actions(anxin.RoleMerchant, p)
	if len(got) != 4 || got[0] != anxin.Receive || got[1] != anxin.Refund || got[2] != anxin.RefuseReturn || got[3] != anxin.Offer {
		t.Fatalf("the merchant inspecting may %v", got)
	}
	c = step(t, &tk, p, anxin.Decision{Action: anxin.Receive, Actor: merchant}, now.Add(time.Hour))
	if tk.State != anxin.Refunding || c.PayFen != 8900 || c.ReturnReceived() {
		t.Fatalf("receive: %s pays %d, received again %v", tk.State, c.PayFen, c.ReturnReceived())
	}

	// Left alone, a delivered return is taken as received.
	tk = newTicket(p, received(8900, t0), 0, now)
	step(t, &tk, p, anxin.Decision{Action: anxin.Approve, Actor: merchant}, now)
	step(t, &tk, p, anxin.Decision{Action: anxin.ReturnDelivered, Actor: anxin.System()}, now)
	c = step(t, &tk, p, anxin.Decision{Action: anxin.Timeout, Actor: anxin.System()}, tk.Deadline)
	if c.Timeout != anxin.AutoReceive || c.PayFen != 8900 || tk.State != anxin.Refunding {
		t.Fatalf("inspection clock ran out into %s paying %d", c.Timeout, c.PayFen)
	}
}

// TestRefundAheadOfTheReturn: an instant refund of a claim that needs the
// goods back pays at once and keeps the return tracked; a return that never
// comes is raised to the merchant, who may still take it or write it off.
func TestRefundAheadOfTheReturn(t *testing.T) {
	_, p := policy(t, anxin.NoReason7d, nil)
	now := t0.Add(time.Hour)
	tk := newTicket(p, received(8900, t0), 0, now)
	c := step(t, &tk, p, anxin.Decision{Action: anxin.RefundAhead, Actor: anxin.System()}, now)
	if c.PayFen != 8900 || tk.State != anxin.Refunding || !tk.ReturnOwed || c.SendsAddress() {
		t.Fatalf("refund ahead: pays %d, %s, owed %v", c.PayFen, tk.State, tk.ReturnOwed)
	}
	if _, err := tk.Decide(anxin.Decision{Action: anxin.RefundAhead, Actor: merchant}, p, now); anxin.ErrorCode(err) != anxin.ENOTALLOWED {
		t.Fatalf("only the system refunds ahead: %v", err)
	}
	c = step(t, &tk, p, anxin.Decision{Action: anxin.RefundSucceeded, Actor: anxin.System()}, now)
	if tk.State != anxin.AwaitingReturn || !c.SendsAddress() || !tk.Deadline.Equal(now.Add(7*24*time.Hour)) {
		t.Fatalf("paid: %s due %v, sends address %v", tk.State, tk.Deadline, c.SendsAddress())
	}
	if _, err := tk.Decide(anxin.Decision{Action: anxin.Cancel, Actor: anxin.Buyer()}, p, now); anxin.ErrorCode(err) != anxin.ENOTALLOWED {
		t.Fatalf("a buyer refunded ahead cannot cancel the return: %v", err)
	}
	for _, a := range tk.Actions(anxin.RoleAgent, p) {
		if a == anxin.Cancel {
			t.Fatal("the page offers a cancel the table refuses")
		}
	}
	if got := tk.TimeoutAction(p); got != anxin.RaiseReturn || !tk.AutoAt(p).Equal(tk.Deadline) {
		t.Fatalf("times out into %q at %v", got, tk.AutoAt(p))
	}
	c = step(t, &tk, p, anxin.Decision{Action: anxin.Timeout, Actor: anxin.System()}, tk.Deadline)
	if tk.State != anxin.ReturnOverdue || c.Timeout != anxin.RaiseReturn || c.PayFen != 0 || !tk.Deadline.IsZero() {
		t.Fatalf("return overdue: %s via %s, due %v", tk.State, c.Timeout, tk.Deadline)
	}
	// A late return is still taken: shipped, delivered, received; nothing
	// more is paid.
	late := tk
	step(t, &late, p, anxin.Decision{Action: anxin.ShipReturn, Actor: anxin.Buyer(), Tracking: "YT9"}, now.Add(8*24*time.Hour))
	step(t, &late, p, anxin.Decision{Action: anxin.ReturnDelivered, Actor: anxin.System()}, now.Add(9*24*time.Hour))
	c = step(t, &late, p, anxin.Decision{Action: anxin.Receive, Actor: merchant}, now.Add(9*24*time.Hour))
	if late.State != anxin.Refunded || c.PayFen != 0 || late.RefundedFen != 8900 {
		t.Fatalf("a late return received: %s pays %d, refunded %d", late.State, c.PayFen, late.RefundedFen)
	}
	// Or the merchant writes the loss off, with a reason.
	if _, err := tk.Decide(anxin.Decision{Action: anxin.WriteOff, Actor: merchant}, p, now); anxin.ErrorCode(err) != anxin.EINVALID {
		t.Fatalf("a write-off without a reason: %v", err)
	}
	step(t, &tk, p, anxin.Decision{Action: anxin.WriteOff, Actor: merchant, Reason: "不再追回"}, now.Add(8*24*time.Hour))
	if tk.State != anxin.Closed {
		t.Fatalf("written off: %s", tk.State)
	}

	// Shipped but never confirmed: raised too, not received automatically.
	tk = newTicket(p, received(8900, t0), 0, now)
	step(t, &tk, p, anxin.Decision{Action: anxin.RefundAhead, Actor: anxin.System()}, now)
	step(t, &tk, p, anxin.Decision{Action: anxin.RefundSucceeded, Actor: anxin.System()}, now)
	step(t, &tk, p, anxin.Decision{Action: anxin.ShipReturn, Actor: anxin.Buyer(), Tracking: "YT9"}, now)
	if c := step(t, &tk, p, anxin.Decision{Action: anxin.Timeout, Actor: anxin.System()}, tk.Deadline); tk.State != anxin.ReturnOverdue || c.ReturnReceived() {
		t.Fatalf("a shipped return never confirmed: %s, received %v", tk.State, c.ReturnReceived())
	}
	// And a failed refund paid by hand goes on to the return as well.
	tk = newTicket(p, received(8900, t0), 0, now)
	step(t, &tk, p, anxin.Decision{Action: anxin.RefundAhead, Actor: anxin.System()}, now)
	step(t, &tk, p, anxin.Decision{Action: anxin.RefundFailure, Actor: anxin.System()}, now)
	if c := step(t, &tk, p, anxin.Decision{Action: anxin.ManualRefund, Actor: agent, Reason: "转账 001"}, now); tk.State != anxin.AwaitingReturn || !c.SendsAddress() {
		t.Fatalf("paid by hand ahead of the return: %s", tk.State)
	}
}

func TestReturnAddressNamesTheField(t *testing.T) {
	ok := anxin.ReturnAddress{Name: " 林娜 ", Phone: "138 0013 8000", Region: "浙江省 杭州市 余杭区", Street: "文一西路 969 号 3 号楼"}
	tests := []struct {
		name  string
		edit  func(*anxin.ReturnAddress)
		field anxin.Field
	}{
		{"valid", func(*anxin.ReturnAddress) {}, ""},
		{"a landline", func(a *anxin.ReturnAddress) { a.Phone = "0571-88886666" }, ""},
		{"a landline with an extension", func(a *anxin.ReturnAddress) { a.Phone = "010-12345678-123" }, ""},
		{"no phone", func(a *anxin.ReturnAddress) { a.Phone = " " }, anxin.FieldAddressPhone},
		{"a short phone", func(a *anxin.ReturnAddress) { a.Phone = "1380013" }, anxin.FieldAddressPhone},
		{"letters in the phone", func(a *anxin.ReturnAddress) { a.Phone = "138001380OO" }, anxin.FieldAddressPhone},
		{"a landline without its area code", func(a *anxin.ReturnAddress) { a.Phone = "88886666" }, anxin.FieldAddressPhone},
		{"no name", func(a *anxin.ReturnAddress) { a.Name = "" }, anxin.FieldAddressName},
		{"no region", func(a *anxin.ReturnAddress) { a.Region = "" }, anxin.FieldAddressRegion},
		{"no street", func(a *anxin.ReturnAddress) { a.Street = "" }, anxin.FieldAddressStreet},
		{"a line break in the street", func(a *anxin.ReturnAddress) { a.Street = "文一西路\n969 号" }, anxin.FieldAddressStreet},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := ok
			tt.edit(&a)
			err := a.Validate()
			if got := anxin.ErrorField(err); got != tt.field {
				t.Fatalf("field %q (%v), want %q", got, err, tt.field)
			}
		})
	}
	a := ok
	if err := a.Validate(); err != nil || a.Line() != "林娜 13800138000 浙江省 杭州市 余杭区 文一西路 969 号 3 号楼" {
		t.Fatalf("%v: %q", err, a.Line())
	}
}

func TestErrorFieldOfImpliedFields(t *testing.T) {
	if got := anxin.ErrorField(anxin.Fail(anxin.MsgSlotInPast)); got != anxin.FieldSlot {
		t.Fatalf("slot in the past names %q", got)
	}
	if got := anxin.ErrorField(anxin.Fail(anxin.MsgTicketNotFound)); got != "" {
		t.Fatalf("not found names %q", got)
	}
}
