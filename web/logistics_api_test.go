package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/store/storetest"
	"github.com/anxin-helpdesk/anxin/web/api"
)

func (r apiResponse) field() string {
	var e api.Error
	json.Unmarshal(r.body, &e)
	return e.Error.Field
}

// TestAPILogistics walks a 7-day return through the carrier's reports: each
// answer matches the document, a replayed report changes nothing, a report
// that cannot be is 422 naming its field, and the ticket shows its parcels,
// its return address and its settlement with the 运费险 line.
func TestAPILogistics(t *testing.T) {
	e := newAPIEnv(t)
	staff := storetest.MustUser(t, e.store, anxin.RoleMerchant, "小李", e.merchant.ID).Actor()
	c := e.claim(45900)
	c["service"] = "no_reason_7d"
	tk := e.call("POST", "/api/v1/tickets", c).ticket(t)
	if tk.ReturnAddress != nil || tk.Settlement.Kind != "refund" || len(tk.Settlement.Lines) != 0 {
		t.Fatalf("a new ticket: %+v %+v", tk.ReturnAddress, tk.Settlement)
	}
	if _, err := e.store.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.Approve, Actor: staff}); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/v1/tickets/%d/logistics", tk.ID)
	post := func(body any, status int, code, field string, header ...string) apiResponse {
		t.Helper()
		res := e.call("POST", path, body, header...)
		if res.status != status || (code != "" && res.code() != code) || res.field() != field {
			t.Fatalf("%v: %d %s; want %d %s naming %q", body, res.status, res.body, status, code, field)
		}
		e.doc.checkResponse(t, "POST", "/api/v1/tickets/{id}/logistics", res.status, res.body)
		return res
	}
	now := e.clock.Now()
	ev := func(status string, at time.Time) map[string]any {
		return map[string]any{"direction": "return", "carrier": "顺丰速运", "tracking": "SF1234567890", "status": status,
			"at": at.Format(time.RFC3339)}
	}
	with := func(m map[string]any, k string, v any) map[string]any { m[k] = v; return m }
	post(ev("teleported", now), 422, "invalid", "status")
	post(with(ev("delivered", now), "direction", "sideways"), 422, "invalid", "direction")
	post(with(ev("delivered", now), "tracking", ""), 422, "invalid", "tracking")
	post(with(ev("delivered", now), "carrier", nil), 422, "invalid", "carrier")
	post(with(ev("delivered", now), "at", "yesterday"), 422, "invalid", "at")
	post(with(ev("delivered", now), "at", nil), 422, "invalid", "at")
	post(ev("delivered", now.Add(2*time.Hour)), 422, "invalid", "at")
	post(`{"status": `, 400, "bad_request", "")
	if res := e.call("POST", "/api/v1/tickets/424242/logistics", ev("picked_up", now)); res.status != 404 {
		t.Fatalf("an unknown ticket: %d", res.status)
	}

	got := post(ev("picked_up", now.Add(-3*time.Hour)), 200, "", "").ticket(t)
	if got.State != "awaiting_receipt" || len(got.Shipments) != 1 || *got.Shipments[0].Status != "picked_up" ||
		got.Shipments[0].Kind != "return" || got.Shipments[0].Carrier != "顺丰速运" {
		t.Fatalf("picked up: %s %+v", got.State, got.Shipments)
	}
	e.clock.Advance(26 * time.Hour)
	delivered := ev("delivered", e.clock.Now().Add(-time.Minute))
	first := post(delivered, 200, "", "", "Idempotency-Key", "dl-1")
	got = first.ticket(t)
	if got.State != "received" || got.Deadline == nil || !got.Deadline.Equal(e.clock.Now().Add(48*time.Hour)) ||
		len(got.Shipments[0].Events) != 2 || *got.Shipments[0].Status != "delivered" {
		t.Fatalf("delivered: %s %v %+v", got.State, got.Deadline, got.Shipments)
	}
	// The 运费险 line: self-shipped, ¥10, its own number.
	if len(got.Settlement.Lines) != 1 || got.Settlement.Lines[0].Kind != "postage" || got.Settlement.Lines[0].AmountFen != 1000 ||
		got.Settlement.Lines[0].Number != anxin.PostageNumber(tk.ID) || got.Settlement.Lines[0].Method != "self" {
		t.Fatalf("settlement %+v", got.Settlement)
	}
	// Replays: with the key, the first answer again; without, the ticket
	// as it is, unchanged.
	again := post(delivered, 200, "", "", "Idempotency-Key", "dl-1")
	if again.header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(again.body, first.body) {
		t.Fatalf("replayed with the key: %s", again.body)
	}
	e.clock.Advance(time.Minute)
	plain := post(delivered, 200, "", "", "Idempotency-Key", "dl-2").ticket(t)
	if plain.Version != got.Version || len(plain.Shipments[0].Events) != 2 || plain.State != "received" {
		t.Fatalf("the same report again: v%d→v%d %+v", got.Version, plain.Version, plain.Shipments)
	}

	// GET shows the return address, the shipments and the settlement.
	res := e.call("GET", fmt.Sprintf("/api/v1/tickets/%d", tk.ID), nil)
	e.doc.checkResponse(t, "GET", "/api/v1/tickets/{id}", res.status, res.body)
	one := res.ticket(t)
	if one.ReturnAddress == nil || one.ReturnAddress.Phone != "0571-88886666" || len(one.Shipments) != 1 || len(one.Settlement.Lines) != 1 {
		t.Fatalf("GET: %+v %+v %+v", one.ReturnAddress, one.Shipments, one.Settlement)
	}
	// The list shows the address and the settlement, not the parcels.
	res = e.call("GET", "/api/v1/tickets", nil)
	e.doc.checkResponse(t, "GET", "/api/v1/tickets", res.status, res.body)

	// The payment system pays the 运费险 line under its number.
	res = e.call("POST", "/api/v1/refunds/"+anxin.PostageNumber(tk.ID)+"/result", map[string]any{"result": "succeeded"})
	e.doc.checkResponse(t, "POST", "/api/v1/refunds/{number}/result", res.status, res.body)
	var state api.RefundState
	json.Unmarshal(res.body, &state)
	if res.status != http.StatusOK || state.Refund.Number != anxin.PostageNumber(tk.ID) || state.Refund.Status != "succeeded" ||
		state.Ticket.Settlement.Lines[0].Status != "succeeded" {
		t.Fatalf("postage result: %d %s", res.status, res.body)
	}
}

// TestAPIPickupSlotInTheWindow: a pickup slot is one of the carriers' 2 h
// slots, in the future and inside the buyer's return window; anything else
// is 422 naming the slot.
func TestAPIPickupSlotInTheWindow(t *testing.T) {
	e := newAPIEnv(t)
	staff := storetest.MustUser(t, e.store, anxin.RoleMerchant, "小李", e.merchant.ID).Actor()
	c := e.claim(45900)
	c["service"] = "no_reason_7d"
	tk := e.call("POST", "/api/v1/tickets", c).ticket(t)
	if _, err := e.store.Decide(ctx, tk.ID, anxin.Decision{Action: anxin.Approve, Actor: staff}); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/v1/tickets/%d/events", tk.ID)
	now := e.clock.Now() // 09:00 in Beijing
	for name, slot := range map[string]time.Time{
		"three months out":     now.AddDate(0, 3, 0),
		"past the window":      now.Add(7*24*time.Hour + 2*time.Hour),
		"three days ahead":     now.Add(3 * 24 * time.Hour),
		"off the slot grid":    now.Add(25 * time.Hour),
		"in the past":          now.Add(-2 * time.Hour),
		"ending after 19:00":   now.Add(10 * time.Hour),
		"the slot running now": now.Add(-time.Hour),
	} {
		res := e.call("POST", path, map[string]any{"type": "pickup_booked", "slot": slot})
		if res.status != 422 || res.field() != "slot" {
			t.Errorf("%s: %d %s, want 422 naming slot", name, res.status, res.body)
		}
		e.doc.checkResponse(t, "POST", "/api/v1/tickets/{id}/events", res.status, res.body)
	}
	res := e.call("POST", path, map[string]any{"type": "pickup_booked", "slot": now.Add(26 * time.Hour)})
	if res.status != 200 || res.ticket(t).State != "awaiting_receipt" {
		t.Fatalf("tomorrow 11:00: %d %s", res.status, res.body)
	}
	got := res.ticket(t)
	if len(got.Shipments) != 1 || got.Shipments[0].Method != "pickup" || got.Shipments[0].Tracking != "" ||
		got.Shipments[0].PickupSlot == nil || !got.Shipments[0].PickupSlot.Equal(now.Add(26*time.Hour)) || got.Shipments[0].Status != nil {
		t.Fatalf("the booking: %+v", got.Shipments)
	}
}
