package api_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
	"github.com/anxin-helpdesk/anxin/web/api"
)

// TestTicketOfShowsStoredPrecision: a ticket fresh from a decision (its
// times to the nanosecond) reads exactly as the same ticket read back from
// the database (to the millisecond).
func TestTicketOfShowsStoredPrecision(t *testing.T) {
	at := time.Date(2026, 11, 26, 9, 0, 0, 123456789, time.FixedZone("CST", 8*3600))
	fresh := anxin.Ticket{ID: 1, Number: "AX-000001", State: anxin.PendingMerchant, Version: 1, StateSince: at,
		Deadline: at.Add(24 * time.Hour), Order: anxin.Order{OrderedAt: at}, CreatedAt: at, UpdatedAt: at}
	stored := fresh
	for _, p := range []*time.Time{&stored.StateSince, &stored.Deadline, &stored.Order.OrderedAt, &stored.CreatedAt, &stored.UpdatedAt} {
		*p = time.UnixMilli(p.UnixMilli()).UTC()
	}
	a, _ := json.Marshal(api.TicketOf(fresh, "m", nil, nil))
	b, _ := json.Marshal(api.TicketOf(stored, "m", nil, nil))
	if string(a) != string(b) {
		t.Fatalf("fresh %s\nstored %s", a, b)
	}
	var back api.Ticket
	json.Unmarshal(a, &back)
	if back.CreatedAt.Location() != time.UTC || back.CreatedAt.Nanosecond() != 123000000 || back.Refund != nil || back.Order.ShippedAt != nil {
		t.Fatalf("decoded %+v", back)
	}
}
