package views

import (
	"testing"
	"time"

	"github.com/anxin-helpdesk/anxin"
)

func TestThreadIsInTimeOrder(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	p := TicketPage{
		Events: []anxin.Event{
			{ID: 1, At: t0, Action: anxin.Create},
			{ID: 2, At: t0.Add(2 * time.Hour), Action: anxin.RequestEvidence},
			{ID: 3, At: t0.Add(-20 * time.Hour), Action: anxin.PhotoAdded}, // taken the day before, recorded later
		},
		Messages: []anxin.Message{
			{ID: 1, CreatedAt: t0.Add(2 * time.Hour), Body: "请补充"},
			{ID: 2, CreatedAt: t0.Add(time.Hour), Body: "在吗"},
		},
	}
	var got []string
	for _, it := range p.Thread() {
		if it.Event != nil {
			got = append(got, string(it.Event.Action))
		} else {
			got = append(got, it.Message.Body)
		}
	}
	want := []string{"photo_added", "create", "在吗", "request_evidence", "请补充"}
	if len(got) != len(want) {
		t.Fatalf("thread %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("thread %v, want %v", got, want)
		}
	}
}
